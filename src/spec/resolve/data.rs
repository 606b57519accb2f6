//! Data tasks: `data(features: file(...), labels: file(...))`, `cifar10(directory, ...)` and `digits(...)`.
//!
//! Each is one of two kinds. A regression task (`data` without `test`, `cifar10` with `class`) has real labels
//! and its population is the empirical distribution of the data set's rows (spec/dataset.rs), with a theory. A
//! classification task (`digits`, and `data` or `cifar10` with `test`) has class labels and `test` rows held out
//! in every trial, for `measure accuracy` and `zero_one_risk` (spec/resolve/classify.rs); it has no theory.

use crate::spec::signature::{FileConstructor, TaskConstructor};
use crate::spec::{DataTask, Dataset, Labels, Rows};

use super::{
    Args, Bound, Column, Declaration, Diagnostic, Expr, ExprKind, Resolver, Span, Spectrum, Task, choice, construct,
    count, count_in, files, number, string,
};

/// Rows held out by a `digits()` task that does not say `test`.
const DIGITS_TEST: usize = 400;

impl Resolver<'_> {
    /// The task declared by `d`, a data task of constructor `kind` with arguments `a`, read (and for a regression
    /// task decomposed) once however many experiments use it.
    pub(super) fn data_task(&self, d: &Declaration, kind: TaskConstructor, a: &Args<'_>) -> Result<Task, Diagnostic> {
        let key = std::ptr::from_ref(d);
        if let Some(known) = self.data_tasks.borrow().get(&key) {
            return Ok(known.clone());
        }
        let name = &d.name.name;
        let task = match (kind, a.get("test")) {
            (TaskConstructor::Digits, test) => rows_task(name, crate::spec::digits(), test, d.value.span)?,
            (TaskConstructor::Cifar10, Some(test)) => {
                if let Some(class) = a.get("class") {
                    return Err(both_kinds(class.span));
                }
                rows_task(name, self.cifar10(a)?.0, Some(test), a.require("directory")?.span)?
            }
            (TaskConstructor::Cifar10, None) => {
                let Some(class_expr) = a.get("class") else {
                    return Err(Diagnostic::error(d.value.span, "`cifar10` needs `class` or `test`").with_hint(
                        "`class: k` makes a regression task of one class against the others; `test: k` classifies \
                         the ten classes, k images held out in every trial",
                    ));
                };
                let class = count_in(number(class_expr, "class")?, "class", 0, 9)?;
                let (dataset, content) = self.cifar10(a)?;
                let y = dataset.labels.one_vs_rest(class as u32);
                regression_task(d, &dataset, &y, format!("{content}, class {class}"))?
            }
            (_, Some(test)) => {
                let (dataset, _) = self.data_set_files(a, Bound::Class)?;
                rows_task(name, classes(dataset), Some(test), a.require("labels")?.span)?
            }
            (_, None) => {
                let (dataset, content) = self.data_set_files(a, Bound::Any)?;
                let Labels::Real(y) = &dataset.labels else { unreachable!("files give real labels") };
                regression_task(d, &dataset, y, content)?
            }
        };
        self.data_tasks.borrow_mut().insert(key, task.clone());
        Ok(task)
    }

    /// `data(features: file("x"), labels: file("y", column))`: the features matrix and one real label per row
    /// within `labels_bound` (located in the file where it is not), with what determines them (for the cache key).
    /// When both name the same CSV file, the labels' column is left out of the features.
    fn data_set_files(&self, a: &Args<'_>, labels_bound: Bound) -> Result<(Dataset, String), Diagnostic> {
        let (features_expr, labels_expr) = (a.require("features")?, a.require("labels")?);
        let (FileConstructor::File, f) = construct(features_expr)?;
        let (FileConstructor::File, l) = construct(labels_expr)?;
        if let Some(c) = f.get("column") {
            return Err(Diagnostic::error(c.span, "the features are every column of their file")
                .with_hint("`column` picks the labels' column: `labels: file(\"data.csv\", column: \"y\")`"));
        }
        let features_path = f.require("path")?;
        let written = string(features_path)?;
        let same_file = string(l.require("path")?)? == written;
        let skip = if same_file { column(&l)? } else { None };
        let path = self.dir.join(&written);
        let read = files::read_matrix(&path, skip.as_ref())
            .and_then(|m| Ok((m, files::hash(&path)?)))
            .map_err(|error| self.file_error(&written, features_path.span, error))?;
        let ((matrix, hash), labels) = (read, self.file(labels_expr, "labels", labels_bound)?);
        let rows = matrix.nrows();
        if labels.len() != rows {
            return Err(Diagnostic::error(
                labels_expr.span,
                format!(
                    "there are {} labels and {rows} rows of features: a data set has one label per row",
                    labels.len()
                ),
            ));
        }
        let labels_hash = self.inputs.borrow().get(&string(l.require("path")?)?).cloned().unwrap_or_default();
        self.inputs.borrow_mut().insert(written.clone(), hash.clone());
        let content = format!("features {hash} without {skip:?}; labels {labels_hash} column {:?}", column(&l)?);
        Ok((Dataset { name: written, features: matrix, labels: Labels::Real(labels) }, content))
    }

    /// `cifar10(directory, images = train)`: the five training batches of CIFAR-10 in `directory` (relative to the
    /// spec), or with `images: test` its test batch, pixels in [0, 1] with their classes 0–9, and what determines
    /// them (for the cache key).
    fn cifar10(&self, a: &Args<'_>) -> Result<(Dataset, String), Diagnostic> {
        let directory_expr = a.require("directory")?;
        let written = string(directory_expr)?;
        let (images, batches) = match a.get("images").map(|e| choice(e, "images", &["train", "test"])).transpose()? {
            None | Some("train") => (files::Images::Train, &files::CIFAR10_TRAIN[..]),
            Some(_) => (files::Images::Test, &[files::CIFAR10_TEST][..]),
        };
        let directory = self.dir.join(&written);
        let hint = || {
            format!(
                "the directory is relative to the spec's (here `{}`); kdrepro never downloads data",
                self.dir.display()
            )
        };
        let dataset = files::read_cifar10(&directory, images).map_err(|error| {
            Diagnostic::error(directory_expr.span, format!("`{written}`, {error}")).with_hint(hint())
        })?;
        let mut hashes = Vec::new();
        for batch in batches {
            let hash = files::hash(&directory.join(batch))
                .map_err(|error| self.file_error(&written, directory_expr.span, error))?;
            self.inputs.borrow_mut().insert(format!("{written}/{batch}"), hash.clone());
            hashes.push(hash);
        }
        Ok((dataset, format!("cifar10 {images:?} batches {hashes:?}")))
    }

    /// The diagnostic of a file `written` (at `span`) that could not be read as asked.
    pub(super) fn file_error(&self, written: &str, span: Span, error: files::FileError) -> Diagnostic {
        match error {
            files::FileError::Io(why) => Diagnostic::error(span, format!("cannot read `{written}`: {why}"))
                .with_hint(format!("paths are relative to the spec's directory (here `{}`)", self.dir.display())),
            other => Diagnostic::error(span, format!("`{written}`, {other}")),
        }
    }
}

/// The `column` argument of a `file(...)` call: a header name or a position from 1.
pub(super) fn column(a: &Args<'_>) -> Result<Option<Column>, Diagnostic> {
    match a.get("column") {
        None => Ok(None),
        Some(c) if matches!(c.kind, ExprKind::Str(_)) => Ok(Some(Column::Named(string(c)?))),
        Some(c) => Ok(Some(Column::Position(count(number(c, "column")?, "column", 1)?))),
    }
}

/// A regression task on `dataset` with real labels `y`: its population (Σ̂'s eigenvalues, β̄, σ̄²) and the rows
/// its trials draw; `content` determines both, for the cache key.
fn regression_task(d: &Declaration, dataset: &Dataset, y: &[f64], content: String) -> Result<Task, Diagnostic> {
    let population = dataset.population(y).map_err(|why| Diagnostic::error(d.value.span, why))?;
    Ok(Task {
        name: d.name.name.clone(),
        spectrum: Spectrum { lambda: population.lambda, alpha: None },
        beta: population.beta,
        energy_exponent: None,
        noise: population.noise,
        noise_decay: 0.0,
        rotation: None,
        entries: crate::sim::Entries::Gaussian,
        data: Some(DataTask { content, rows: population.rows }),
        rows: None,
    })
}

/// A classification task on `dataset` (class labels): its rows, standardised, with `test` of them (default
/// [`DIGITS_TEST`] for the digits) held out in every trial and at least one left to train on. Classes that no row
/// has are dropped, the others numbered in order (an output for a class never seen is 0 and could win the
/// argmax); `at` locates the labels' errors: fewer than two classes, or no feature that varies. It has no
/// theory: its spectrum is the standardised features' second moments (1, or 0 for a constant feature), which give
/// the plan and the report its dimension d, and no β⋆.
fn rows_task(name: &str, dataset: Dataset, test: Option<&Expr>, at: Span) -> Result<Task, Diagnostic> {
    let rows = dataset.features.nrows();
    let test = match test {
        None => DIGITS_TEST.min(rows.saturating_sub(1)),
        Some(e) if rows < 2 => {
            return Err(Diagnostic::error(e.span, format!("the data set has {rows} row: nothing is left to train on")));
        }
        Some(e) => count_in(number(e, "test")?, "test", 1, rows as u64 - 1)?,
    };
    let dataset = present_classes(dataset).map_err(|why| Diagnostic::error(at, why))?;
    let rows = Rows::new(dataset, test);
    let lambda = rows.data.second_moments();
    if lambda.iter().all(|&l| l == 0.0) {
        return Err(Diagnostic::error(at, "no feature varies over the rows: there is nothing to classify by"));
    }
    Ok(Task {
        name: name.to_owned(),
        beta: vec![0.0; lambda.len()],
        spectrum: Spectrum { lambda, alpha: None },
        energy_exponent: None,
        noise: 0.0,
        noise_decay: 0.0,
        rotation: None,
        entries: crate::sim::Entries::Gaussian,
        data: None,
        rows: Some(rows),
    })
}

/// `dataset` with only the classes some row has, numbered 0.. in their order.
///
/// # Errors
/// When fewer than two classes are present.
fn present_classes(dataset: Dataset) -> Result<Dataset, String> {
    let Labels::Classes { classes, count } = &dataset.labels else { unreachable!("a classification task has classes") };
    let mut present = vec![false; *count];
    for &c in classes {
        present[c as usize] = true;
    }
    // number[c]: class c's place among the present ones.
    let (mut number, mut kept) = (vec![0; *count], 0);
    for c in (0..*count).filter(|&c| present[c]) {
        number[c] = kept;
        kept += 1;
    }
    if kept < 2 {
        let only = classes.first().map_or(String::new(), |c| format!(": every label is {c}"));
        return Err(format!("classification needs rows of two classes or more{only}"));
    }
    let classes = classes.iter().map(|&c| number[c as usize]).collect();
    Ok(Dataset { labels: Labels::Classes { classes, count: kept as usize }, ..dataset })
}

/// `dataset`'s labels, whole numbers (the reader checked them, [`Bound::Class`]), as classes.
fn classes(dataset: Dataset) -> Dataset {
    let Labels::Real(y) = &dataset.labels else { return dataset };
    let classes: Vec<u32> = y.iter().map(|&c| c as u32).collect();
    let count = classes.iter().max().map_or(0, |&c| c as usize + 1);
    Dataset { labels: Labels::Classes { classes, count }, ..dataset }
}

/// `class` and `test` both given to `cifar10`.
fn both_kinds(at: Span) -> Diagnostic {
    Diagnostic::error(at, "`class` makes a regression task and `test` a classification task: give one").with_hint(
        "`class: k` regresses on class k against the others; `test: k` classifies the ten classes, k images held out",
    )
}
