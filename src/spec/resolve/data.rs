//! Data tasks: `data(features: file(...), labels: file(...))` and `cifar10(directory, class)`, whose population is
//! the empirical distribution of a data set's rows (spec/dataset.rs).

use crate::spec::signature::{FileConstructor, TaskConstructor};
use crate::spec::{DataTask, Dataset, Labels};

use super::{
    Args, Bound, Column, Declaration, Diagnostic, ExprKind, Resolver, Span, Spectrum, Task, choice, construct, count,
    count_in, files, number, string,
};

/// A data set read for a task: its rows, their real labels and what determines both (for the cache key).
type Read = (Dataset, Vec<f64>, String);

impl Resolver<'_> {
    /// The task declared by `d`, a data task of constructor `kind` with arguments `a`: its population (Σ̂'s
    /// eigenvalues, β̄, σ̄²) and the rows its trials draw, read and decomposed once however many experiments use it.
    pub(super) fn data_task(&self, d: &Declaration, kind: TaskConstructor, a: &Args<'_>) -> Result<Task, Diagnostic> {
        let key = std::ptr::from_ref(d);
        if let Some(known) = self.data_tasks.borrow().get(&key) {
            return Ok(known.clone());
        }
        let (dataset, y, content) = match kind {
            TaskConstructor::Cifar10 => self.cifar10(a)?,
            _ => self.data_set_files(a)?,
        };
        let population = dataset.population(&y).map_err(|why| Diagnostic::error(d.value.span, why))?;
        let task = Task {
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
        };
        self.data_tasks.borrow_mut().insert(key, task.clone());
        Ok(task)
    }

    /// `data(features: file("x"), labels: file("y", column))`: the features matrix and one label per row. When
    /// both name the same CSV file, the labels' column is left out of the features.
    fn data_set_files(&self, a: &Args<'_>) -> Result<Read, Diagnostic> {
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
        let ((matrix, hash), labels) = (read, self.file(labels_expr, "labels", Bound::Any)?);
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
        Ok((Dataset { name: written.clone(), features: matrix, labels: Labels::Real(labels.clone()) }, labels, content))
    }

    /// `cifar10(directory, class, images = train)`: the five training batches of CIFAR-10 in `directory` (relative
    /// to the spec), or with `images: test` its test batch, pixels in [0, 1], labelled 1 for the images of `class`
    /// (0–9) and 0 for the others.
    fn cifar10(&self, a: &Args<'_>) -> Result<Read, Diagnostic> {
        let directory_expr = a.require("directory")?;
        let written = string(directory_expr)?;
        let class = count_in(number(a.require("class")?, "class")?, "class", 0, 9)?;
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
        let y = dataset.labels.one_vs_rest(class as u32);
        Ok((dataset, y, format!("cifar10 {images:?} batches {hashes:?}, class {class}")))
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
