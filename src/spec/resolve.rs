//! Name resolution and validation: [`Ast`] → [`Spec`].

use std::collections::{BTreeMap, HashMap};

use super::args::{Args, Bound, MAX_COUNT, count, count_in, kind_name, number, real};
use super::files::{self, Column};
use super::signature::{self, RULES};
use super::{
    Axes, Band, Claim, DataFile, Designs, Erm, Expectation, Experiment, Figure, Measure, Part, PointFilter, Rule,
    SampleSize, Section, Spec, Spectrum, Surrogate, SurrogateKind, Task, Text, Tolerance, Trials,
};
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::syntax::{Argument, Ast, Block, Declaration, Expr, ExprKind, Ident, Item, Path, Setting, Value};
use crate::theory::{RiskMoments, Stage};

/// The most sample sizes one sweep may have.
const MAX_POINTS: usize = 10_000;

/// The most features a spectrum may have: its eigenvalues, signal and working copies must fit in memory.
const MAX_FEATURES: usize = 20_000_000;

/// The declaration keywords.
const DECLARATIONS: [&str; 4] = ["spectrum", "signal", "task", "surrogate"];
/// The block keywords.
const BLOCKS: [&str; 4] = ["section", "experiment", "figure", "claim"];
/// The top-level settings.
const TOP_SETTINGS: [&str; 4] = ["title", "source", "seed", "text"];

/// Resolves every name and checks every value of a parsed spec; `file("...")` paths are relative to `dir`, the
/// directory of the spec file.
///
/// # Errors
/// All located errors found; nothing is returned unless the whole spec is valid.
pub fn resolve(ast: &Ast, source: &str, dir: &std::path::Path) -> Result<Spec, Vec<Diagnostic>> {
    if ast.items.is_empty() {
        let d = Diagnostic::error(Span::new(0, 0), "this spec is empty")
            .with_hint("a spec declares at least a title, e.g. `title \"My reproduction\"`");
        return Err(vec![d]);
    }
    let mut resolver = Resolver::new(ast, source, dir);
    let spec = resolver.spec(ast);
    if resolver.errors.is_empty() { Ok(spec) } else { Err(resolver.errors) }
}

/// A signal: β⋆, its energy exponent β when it is a power law, and the declarations it uses.
type ResolvedSignal<'a> = (Vec<f64>, Option<f64>, Vec<&'a Declaration>);

/// One comparison of a claim: (lower series, higher series, strict).
type Ordering = (usize, usize, bool);

/// What a name refers to.
#[derive(Clone, Copy)]
enum Named<'a> {
    /// `spectrum x = ...` and the other declarations.
    Declaration(&'a Declaration),
    /// `experiment x { ... }` and the other blocks.
    Block(&'a Block),
}

/// The resolver's state: the name table and the errors so far.
struct Resolver<'a> {
    /// The spec text, for excerpts.
    source: &'a str,
    /// The spec file's directory, which `file("...")` paths are relative to.
    dir: &'a std::path::Path,
    /// Every declared name.
    names: HashMap<&'a str, Named<'a>>,
    /// Experiment names → index in [`Spec::experiments`], filled in file order.
    experiments: HashMap<&'a str, usize>,
    /// Errors so far.
    errors: Vec<Diagnostic>,
    /// Spectra already computed, by the address of their declaration: a power law of 10⁷ eigenvalues is computed
    /// once, however many signals, tasks and experiments name it.
    spectra: std::cell::RefCell<HashMap<*const Declaration, Spectrum>>,
    /// Declarations some item has resolved already (validating them again would only repeat the work).
    resolved: std::cell::RefCell<std::collections::HashSet<*const Declaration>>,
    /// Vectors read by `file(...)` calls, by the address of the call: each file is read once.
    vectors: std::cell::RefCell<HashMap<*const Expr, Vec<f64>>>,
    /// The files read, by the path the spec gives, with their blake3 hashes.
    inputs: std::cell::RefCell<BTreeMap<String, String>>,
}

impl<'a> Resolver<'a> {
    /// Indexes every name, reporting duplicates and unknown item keywords.
    fn new(ast: &'a Ast, source: &'a str, dir: &'a std::path::Path) -> Self {
        let mut resolver = Self {
            source,
            dir,
            names: HashMap::new(),
            experiments: HashMap::new(),
            errors: Vec::new(),
            spectra: std::cell::RefCell::default(),
            resolved: std::cell::RefCell::default(),
            vectors: std::cell::RefCell::default(),
            inputs: std::cell::RefCell::default(),
        };
        for item in &ast.items {
            let (name, named) = match item {
                Item::Declaration(d) => {
                    resolver.check_keyword(&d.kind, &DECLARATIONS, "declaration");
                    (&d.name, Named::Declaration(d))
                }
                Item::Block(b) => {
                    resolver.check_keyword(&b.kind, &BLOCKS, "block");
                    (&b.name, Named::Block(b))
                }
                Item::Setting(s) => {
                    resolver.check_keyword(&s.key, &TOP_SETTINGS, "setting");
                    continue;
                }
            };
            // The first declaration stays in force, so that later errors refer to it.
            if resolver.names.contains_key(name.name.as_str()) {
                resolver.errors.push(Diagnostic::error(name.span, format!("`{}` is declared twice", name.name)));
            } else {
                resolver.names.insert(&name.name, named);
            }
        }
        resolver
    }

    /// Reports `word` unless it is one of `allowed`.
    fn check_keyword(&mut self, word: &Ident, allowed: &[&str], what: &str) {
        if !allowed.contains(&word.name.as_str()) {
            self.errors.push(unknown(word, what, allowed));
        }
    }

    /// Records the error of a failed step, unless it only follows from an error already reported.
    fn keep<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result
            .map_err(|d| {
                if !d.message.is_empty() {
                    self.errors.push(d);
                }
            })
            .ok()
    }

    /// Resolves the whole file in reading order.
    fn spec(&mut self, ast: &'a Ast) -> Spec {
        let mut spec = Spec {
            title: String::from("kdrepro report"),
            source: None,
            seed: 0,
            experiments: Vec::new(),
            figures: Vec::new(),
            claims: Vec::new(),
            document: Vec::new(),
            draft: None,
            inputs: Vec::new(),
            printed: super::printed::printed_spans(ast),
        };
        for item in &ast.items {
            match item {
                Item::Setting(s) => self.top_setting(&mut spec, s),
                Item::Block(b) => self.block(&mut spec, b),
                Item::Declaration(_) => {}
            }
        }
        // A declaration nothing uses is still checked: `powerlaw(p: -5)` is an error wherever it stands.
        for item in &ast.items {
            if let Item::Declaration(d) = item
                && let Err(error) = self.validate(d)
                && !self.errors.iter().any(|e| e.span == error.span && e.message == error.message)
            {
                self.keep(Err::<(), _>(error));
            }
        }
        let inputs = self.inputs.take().into_iter();
        spec.inputs = inputs.map(|(path, blake3)| DataFile { path, blake3 }).collect();
        spec
    }

    /// Resolves declaration `d` on its own, as a use of its name would, unless a use already did (a duplicate
    /// name is reported already).
    fn validate(&self, d: &'a Declaration) -> Result<(), Diagnostic> {
        let first = matches!(self.names.get(d.name.name.as_str()), Some(Named::Declaration(x)) if std::ptr::eq(*x, d));
        if !first || self.resolved.borrow().contains(&std::ptr::from_ref(d)) {
            return Ok(());
        }
        let span = d.name.span;
        let name = Expr { kind: ExprKind::Path(Path { segments: vec![d.name.clone()], span }), span };
        match d.kind.name.as_str() {
            "spectrum" => self.spectrum(&name).map(|_| ()),
            "signal" => self.signal(&name).map(|_| ()),
            "task" => self.task(&name).map(|_| ()),
            "surrogate" => self.surrogate(&name).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// `title`, `source`, `seed`, `text`.
    fn top_setting(&mut self, spec: &mut Spec, s: &'a Setting) {
        let result = (|| {
            match s.key.name.as_str() {
                "title" => spec.title = string(single(s)?)?,
                "source" => spec.source = Some(string(single(s)?)?),
                "seed" => spec.seed = seed(single(s)?)?,
                "text" => {
                    let e = single(s)?;
                    let template = string(e)?;
                    spec.document.push(Part::Text(Text { template, span: e.span }));
                }
                _ => {}
            }
            Ok(())
        })();
        self.keep(result);
    }

    /// A block, resolved according to its keyword.
    fn block(&mut self, spec: &mut Spec, b: &'a Block) {
        let part = match b.kind.name.as_str() {
            "section" => self.keep(section(b)).map(Part::Section),
            "experiment" => self.keep(self.experiment(b)).map(|e| {
                self.experiments.insert(&b.name.name, spec.experiments.len());
                spec.experiments.push(e);
                Part::Experiment(spec.experiments.len() - 1)
            }),
            "figure" => self.keep(self.figure(b, spec)).map(|f| {
                spec.figures.push(f);
                Part::Figure(spec.figures.len() - 1)
            }),
            "claim" => self.keep(self.claim(b, spec)).map(|c| {
                spec.claims.push(c);
                Part::Claim(spec.claims.len() - 1)
            }),
            _ => None,
        };
        spec.document.extend(part);
    }

    /// The declaration `path` names, which must be of `kind`.
    fn declaration(&self, path: &Path, kind: &str) -> Result<&'a Declaration, Diagnostic> {
        let name = single_segment(path)?;
        match self.names.get(name.name.as_str()) {
            Some(Named::Declaration(d)) if d.kind.name == kind => {
                self.resolved.borrow_mut().insert(std::ptr::from_ref(*d));
                Ok(d)
            }
            Some(Named::Declaration(d)) => Err(wrong_kind(name, &d.kind.name, kind)),
            Some(Named::Block(b)) => Err(wrong_kind(name, &b.kind.name, kind)),
            None => Err(self.unknown_name(name, kind)),
        }
    }

    /// "unknown spectrum `x`", with the nearest declared name of that kind.
    fn unknown_name(&self, name: &Ident, kind: &str) -> Diagnostic {
        let candidates = self.names.iter().filter(|(_, n)| kind_of(**n) == kind).map(|(k, _)| *k);
        let mut d = Diagnostic::error(name.span, format!("unknown {kind} `{}`", name.name));
        if let Some(s) = did_you_mean(&name.name, candidates) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        d
    }

    /// The spectrum declaration named by `expr`.
    fn spectrum(&self, expr: &Expr) -> Result<(Spectrum, &'a Declaration), Diagnostic> {
        let d = self.declaration(path(expr, "a spectrum name")?, "spectrum")?;
        if let Some(known) = self.spectra.borrow().get(&std::ptr::from_ref(d)) {
            return Ok((known.clone(), d));
        }
        let spectrum = self.compute_spectrum(d)?;
        self.spectra.borrow_mut().insert(std::ptr::from_ref(d), spectrum.clone());
        Ok((spectrum, d))
    }

    /// The eigenvalues declaration `d` describes, checked.
    fn compute_spectrum(&self, d: &Declaration) -> Result<Spectrum, Diagnostic> {
        let (callee, a) = construct(&d.value, "spectrum")?;
        let mut exponent = None;
        let lambda = match callee.name.as_str() {
            "powerlaw" => {
                let p = features(a.require("p")?)?;
                let alpha = a.real("alpha", Bound::Positive, None)?;
                exponent = Some(alpha);
                crate::theory::power_law_spectrum(p, alpha)
            }
            "isotropic" => {
                let p = features(a.require("p")?)?;
                vec![a.real("value", Bound::Positive, Some(1.0))?; p]
            }
            _ => {
                let values = self.reals(a.require("eigenvalues")?, "eigenvalues", Bound::NonNegative)?;
                if !values.iter().any(|&l| l > 0.0) {
                    return Err(Diagnostic::error(d.value.span, "a spectrum needs at least one positive eigenvalue"));
                }
                values
            }
        };
        Ok(Spectrum { lambda, alpha: exponent })
    }

    /// The signal declaration named by `expr`: β⋆ in the eigenbasis of its spectrum.
    fn signal(&self, expr: &Expr) -> Result<ResolvedSignal<'a>, Diagnostic> {
        let d = self.declaration(path(expr, "a signal name")?, "signal")?;
        let (callee, a) = construct(&d.value, "signal")?;
        let (spectrum, spectrum_decl) = self.spectrum(a.require("spectrum")?)?;
        let lambda = &spectrum.lambda;
        let mut exponent = None;
        let mut beta: Vec<f64> = match callee.name.as_str() {
            // λ_i β_i² = i^{-β}
            "powerlaw_energy" => {
                let b = a.real("beta", Bound::Any, None)?;
                exponent = Some(b);
                lambda.iter().enumerate().map(|(i, &l)| ((i as f64 + 1.0).powf(-b) / l).sqrt()).collect()
            }
            "constant" => vec![a.real("value", Bound::Any, Some(1.0))?; lambda.len()],
            _ => {
                let e = a.require("coefficients")?;
                let values = self.reals(e, "coefficients", Bound::Any)?;
                if values.len() != lambda.len() {
                    return Err(Diagnostic::error(
                        e.span,
                        format!("the signal has {} coefficients but its spectrum has {}", values.len(), lambda.len()),
                    ));
                }
                values
            }
        };
        if beta.iter().any(|b| !b.is_finite()) {
            return Err(Diagnostic::error(d.value.span, "the signal is not finite: a zero eigenvalue carries energy")
                .with_hint("use a spectrum with positive eigenvalues, or an explicit list"));
        }
        if let Some(e) = a.get("power") {
            normalise(&mut beta, lambda, real(e, "power", Bound::Positive)?, e.span)?;
        }
        Ok((beta, exponent, vec![spectrum_decl, d]))
    }

    /// A list of reals in `range`, written out (`[1, 0.5]`) or read from a file beside the spec (`file("x.npy")`).
    fn reals(&self, e: &Expr, what: &str, range: Bound) -> Result<Vec<f64>, Diagnostic> {
        match &e.kind {
            ExprKind::List(items) if !items.is_empty() => items.iter().map(|x| real(x, what, range)).collect(),
            ExprKind::List(_) => Err(Diagnostic::error(e.span, format!("`{what}` is empty"))),
            ExprKind::Call(..) => self.file(e, what, range),
            other => Err(expected(e, "a list like `[1, 0.5]` or `file(\"values.txt\")`", other)),
        }
    }

    /// `file(path, column)`: the vector in a file relative to the spec's directory, each value in `range`.
    fn file(&self, e: &Expr, what: &str, range: Bound) -> Result<Vec<f64>, Diagnostic> {
        if let Some(known) = self.vectors.borrow().get(&std::ptr::from_ref(e)) {
            return Ok(known.clone());
        }
        let (_, a) = construct(e, what)?;
        let path_expr = a.require("path")?;
        let written = string(path_expr)?;
        let column = match a.get("column") {
            None => None,
            Some(c) if matches!(c.kind, ExprKind::Str(_)) => Some(Column::Named(string(c)?)),
            Some(c) => Some(Column::Position(count(number(c, "column")?, "column", 1)?)),
        };
        let check = |x: f64| match (x.is_finite(), range.admits(x)) {
            (false, _) => Err("is not a finite number".to_owned()),
            (true, false) => Err(format!("is out of range ({})", range.describe(what))),
            (true, true) => Ok(()),
        };
        let vector = files::read(&self.dir.join(&written), column.as_ref(), &check).map_err(|error| match error {
            files::FileError::Io(why) => Diagnostic::error(path_expr.span, format!("cannot read `{written}`: {why}"))
                .with_hint(format!("paths are relative to the spec's directory (here `{}`)", self.dir.display())),
            other => Diagnostic::error(path_expr.span, format!("`{written}`, {other}")),
        })?;
        self.inputs.borrow_mut().insert(written, vector.hash);
        self.vectors.borrow_mut().insert(std::ptr::from_ref(e), vector.values.clone());
        Ok(vector.values)
    }

    /// The task declaration named by `expr`, with the declarations it uses.
    fn task(&self, expr: &Expr) -> Result<(Task, Vec<&'a Declaration>), Diagnostic> {
        let d = self.declaration(path(expr, "a task name")?, "task")?;
        let (_, a) = construct(&d.value, "task")?;
        let (spectrum, spectrum_decl) = self.spectrum(a.require("spectrum")?)?;
        let signal_expr = a.require("signal")?;
        let (beta, energy_exponent, mut used) = self.signal(signal_expr)?;
        if beta.len() != spectrum.lambda.len() {
            return Err(Diagnostic::error(
                signal_expr.span,
                format!("the signal has {} features but the spectrum has {}", beta.len(), spectrum.lambda.len()),
            ));
        }
        let noise = a.real("noise", Bound::NonNegative, Some(0.0))?;
        let rotation = a.get("rotation").map(seed).transpose()?;
        used.extend([spectrum_decl, d]);
        Ok((Task { name: d.name.name.clone(), spectrum, beta, energy_exponent, noise, rotation }, used))
    }

    /// The surrogate declaration named by `expr`, with the declarations it uses.
    fn surrogate(&self, expr: &Expr) -> Result<(Surrogate, Vec<&'a Declaration>), Diagnostic> {
        let d = self.declaration(path(expr, "a surrogate name")?, "surrogate")?;
        let empty: &[Argument] = &[];
        let (kind, args) = match &d.value.kind {
            ExprKind::Path(p) => (single_segment(p)?, empty),
            ExprKind::Call(callee, args) => (callee, args.as_slice()),
            other => return Err(expected(&d.value, "a surrogate such as `optimal`", other)),
        };
        // An unknown kind is reported after its arguments, checked as those of a kind that takes only a label.
        let params = signature::parameters("surrogate", &kind.name).unwrap_or(&["label"]);
        let a = Args::new(kind, d.value.span, args, params)?;
        let mut used = vec![d];
        let (kind, default_label) = match kind.name.as_str() {
            "ground_truth" => (SurrogateKind::GroundTruth, "Strong labels (β⋆)".to_owned()),
            "optimal" => {
                let step = a.real("step", Bound::Any, Some(1.0))?;
                let label = if step == 1.0 {
                    "Optimal surrogate".to_owned()
                } else {
                    format!("β⋆ + {step}·(β^s* − β⋆)")
                };
                (SurrogateKind::Optimal { step }, label)
            }
            "optimal_mask" => (SurrogateKind::OptimalMask, "Optimal masked surrogate".to_owned()),
            "top_k" => {
                let k = count(number(a.require("k")?, "k")?, "k", 0)?;
                (SurrogateKind::TopK(k), format!("First {k} features"))
            }
            "random_mask" => {
                let keep = count(number(a.require("keep")?, "keep")?, "keep", 0)?;
                let seed = seed(a.require("seed")?)?;
                (SurrogateKind::RandomMask { keep, seed }, format!("Random mask of {keep} features (seed {seed})"))
            }
            "scaled" => {
                let factor = a.real("factor", Bound::Any, None)?;
                (SurrogateKind::Scaled(factor), format!("{factor}·β⋆"))
            }
            "covariance_shift" => {
                let (source, decl) = self.spectrum(a.require("source")?)?;
                used.push(decl);
                (SurrogateKind::CovarianceShift(source), "Aβ⋆ (covariance shift)".to_owned())
            }
            "erm" => {
                let (spectrum, decl) = self.spectrum(a.require("spectrum")?)?;
                used.push(decl);
                let m_expr = a.require("m")?;
                let m = match &m_expr.kind {
                    ExprKind::Path(p) if single_segment(p)?.name == "n" => SampleSize::SameAsTarget,
                    _ => SampleSize::Fixed(count(number(m_expr, "m")?, "m", 1)?),
                };
                let p = spectrum.lambda.len();
                let features = match a.get("features") {
                    Some(f) => count(number(f, "features")?, "features", 1)?,
                    None => p,
                };
                let noise = a.real("noise", Bound::NonNegative, Some(0.0))?;
                let label = match m {
                    SampleSize::Fixed(m) => format!("ERM surrogate (m = {m}, p_s = {features})"),
                    SampleSize::SameAsTarget => format!("two-stage ERM (m = n, p_s = {features})"),
                };
                (SurrogateKind::Erm(Erm { spectrum, noise, m, features }), label)
            }
            "teacher" => {
                let of = single_segment(path(a.require("of")?, "an ERM surrogate's name")?)?;
                (SurrogateKind::Teacher(of.name.clone()), format!("the surrogate {} itself", of.name))
            }
            _ => return Err(unknown(kind, "surrogate kind", &signature::callees("surrogate"))),
        };
        let label = a.get("label").map(string).transpose()?.unwrap_or(default_label);
        Ok((Surrogate { name: d.name.name.clone(), kind, label }, used))
    }

    /// Checks that a surrogate fits the task it is used with.
    fn check_surrogate(&self, s: &Surrogate, task: &Task, at: Span) -> Result<(), Diagnostic> {
        let p = task.spectrum.lambda.len();
        let fits = match &s.kind {
            SurrogateKind::TopK(k) | SurrogateKind::RandomMask { keep: k, .. } => *k <= p,
            SurrogateKind::CovarianceShift(source) => {
                source.lambda.len() == p && task.spectrum.lambda.iter().all(|&l| l > 0.0)
            }
            SurrogateKind::Erm(erm) => erm.spectrum.lambda.len() == p && erm.features <= p,
            _ => true,
        };
        if fits {
            Ok(())
        } else {
            Err(Diagnostic::error(
                at,
                format!("surrogate `{}` does not fit task `{}` with p = {p} features", s.name, task.name),
            )
            .with_hint(
                "masks keep at most p features; a covariance shift or an ERM surrogate needs a spectrum of length p",
            ))
        }
    }

    /// `experiment name { task ..., n ..., surrogates ..., trials ..., measure ... }`
    fn experiment(&self, b: &'a Block) -> Result<Experiment, Diagnostic> {
        let s = Settings::new(b)?;
        let label = s.get("label").map(|l| string(single(l)?)).transpose()?;
        let (task, mut used) = self.task(single(s.require("task")?)?)?;
        let n_setting = s.require("n")?;
        let n_expr = single(n_setting)?;
        let sizes = sizes(n_expr)?;
        let mut surrogates: Vec<Surrogate> = Vec::new();
        for v in s.get("surrogates").map_or(&[][..], |x| x.values.as_slice()) {
            let (surrogate, decls) = self.surrogate(value_expr(v)?)?;
            if surrogates.iter().any(|x| x.name == surrogate.name) {
                return Err(Diagnostic::error(v.span(), format!("surrogate `{}` is listed twice", surrogate.name)));
            }
            self.check_surrogate(&surrogate, &task, v.span())?;
            check_stage_one(&surrogate, &task, &sizes, v.span())?;
            surrogates.push(surrogate);
            used.extend(decls);
        }
        if let Some(listed) = s.get("surrogates") {
            check_teachers(&surrogates, listed)?;
        }
        let trials = s.get("trials").map(|t| trials(single(t)?)).transpose()?;
        let measure = match s.get("measure") {
            None => Measure::ExcessRisk,
            Some(m) => {
                const MEASURES: [&str; 6] = ["excess_risk", "coefficients", "equivalent", "cutoffs", "masks", "bounds"];
                match choice(single(m)?, "measure", &MEASURES)? {
                    "excess_risk" => Measure::ExcessRisk,
                    "coefficients" => Measure::Coefficients,
                    "equivalent" => Measure::Equivalent,
                    "cutoffs" => Measure::Cutoffs,
                    "masks" => Measure::Masks,
                    _ => Measure::Bounds,
                }
            }
        };
        let design = match s.get("design") {
            None => None,
            Some(d) => {
                let (spectrum, decl) = self.spectrum(single(d)?)?;
                if spectrum.lambda.len() != task.spectrum.lambda.len() || measure != Measure::ExcessRisk {
                    return Err(Diagnostic::error(
                        d.span,
                        "a training design needs the task's p and `measure excess_risk`",
                    ));
                }
                if let Some(s) = surrogates.iter().find(|s| matches!(s.kind, SurrogateKind::Erm(_))) {
                    return Err(Diagnostic::error(
                        d.span,
                        format!(
                            "the two-stage theory (Definition 3) has no training `design` for the target, and `{}` \
                             is trained by ERM",
                            s.name
                        ),
                    )
                    .with_hint("declare the ERM surrogate's own data with `erm(spectrum: ...)`, and drop `design`"));
                }
                check_sizes(&sizes, &spectrum, Some(task.noise), n_expr)?;
                used.push(decl);
                Some(spectrum)
            }
        };
        check_measure(measure, &surrogates, &sizes, &task, trials, b, n_setting.span)?;
        // The risks' moments depend on the spectrum the design is drawn from (checked above when it is a `design`);
        // the task's spectrum must still have a regime, for τ, Ω and the surrogates.
        let risks = matches!(measure, Measure::ExcessRisk | Measure::Masks) && design.is_none();
        check_sizes(&sizes, &task.spectrum, risks.then_some(task.noise), n_expr)?;
        let designs = match s.get("designs") {
            None => Designs::Independent,
            Some(d) => match choice(single(d)?, "designs", &["independent", "nested"])? {
                "nested" => {
                    check_nested(&sizes, &task, &surrogates, measure, trials, d.span)?;
                    Designs::Nested
                }
                _ => Designs::Independent,
            },
        };
        let excerpt = self.excerpt(&used, b.span);
        let (name, span) = (b.name.name.clone(), b.name.span);
        Ok(Experiment { name, task, sizes, surrogates, trials, design, measure, designs, label, excerpt, span })
    }

    /// The declarations an item uses, deduplicated in file order, followed by the item itself.
    fn excerpt(&self, used: &[&Declaration], item: Span) -> String {
        let mut spans: Vec<Span> = used.iter().map(|d| d.span).collect();
        spans.sort_by_key(|s| s.start);
        spans.dedup();
        spans.push(item);
        spans.iter().map(|s| s.text(self.source)).collect::<Vec<_>>().join("\n")
    }

    /// The experiment `expr` names, which must already be declared above.
    fn experiment_ref(&self, expr: &Expr) -> Result<usize, Diagnostic> {
        let p = path(expr, "an experiment name")?;
        self.experiment_index(single_segment(p)?)
    }

    /// The index of the experiment called `name`.
    fn experiment_index(&self, name: &Ident) -> Result<usize, Diagnostic> {
        if let Some(&i) = self.experiments.get(name.name.as_str()) {
            return Ok(i);
        }
        match self.names.get(name.name.as_str()) {
            // Its definition failed and was reported: say nothing more (an empty message is never shown).
            Some(Named::Block(b)) if b.kind.name == "experiment" && b.span.start < name.span.start => {
                Err(Diagnostic::error(name.span, ""))
            }
            Some(Named::Block(b)) if b.kind.name == "experiment" => {
                Err(Diagnostic::error(name.span, format!("experiment `{}` is used before it is defined", name.name))
                    .with_hint("define experiments above the figures and claims that use them"))
            }
            Some(n) => Err(wrong_kind(name, kind_of(*n), "experiment")),
            None => Err(self.unknown_name(name, "experiment")),
        }
    }

    /// `figure name { show experiment, caption "...", axes linear|loglog }`
    fn figure(&self, b: &'a Block, spec: &Spec) -> Result<Figure, Diagnostic> {
        let s = Settings::new(b)?;
        let shown = s.require("show")?;
        let experiments =
            shown.values.iter().map(|v| self.experiment_ref(value_expr(v)?)).collect::<Result<Vec<_>, _>>()?;
        let experiment = experiments[0];
        if let Some(other) =
            experiments.iter().find(|&&i| spec.experiments[i].measure != spec.experiments[experiment].measure)
        {
            return Err(Diagnostic::error(
                shown.span,
                format!(
                    "experiments `{}` and `{}` measure different things and cannot share a figure",
                    spec.experiments[experiment].name, spec.experiments[*other].name
                ),
            ));
        }
        let mut series = Vec::new();
        for v in s.get("series").map_or(&[][..], |x| x.values.as_slice()) {
            let name = single_segment(path(value_expr(v)?, "a series name")?)?;
            for &i in &experiments {
                let names = spec.experiments[i].series_names();
                if !names.contains(&name.name.as_str()) {
                    let mut d = Diagnostic::error(
                        name.span,
                        format!("experiment `{}` has no series `{}`", spec.experiments[i].name, name.name),
                    );
                    if let Some(near) = did_you_mean(&name.name, names.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{near}`?"));
                    }
                    return Err(d.with_hint(format!("its series are: {}", names.join(", "))));
                }
            }
            series.push(name.name.clone());
        }
        let caption = s.get("caption").map(|c| string(single(c)?)).transpose()?.unwrap_or_default();
        let axes = match s.get("axes") {
            None => Axes::Linear,
            Some(a) => match choice(single(a)?, "axes", &["linear", "loglog", "logx"])? {
                "linear" => Axes::Linear,
                "logx" => Axes::LogX,
                _ => Axes::LogLog,
            },
        };
        if axes == Axes::LogLog && spec.experiments[experiment].measure == Measure::Coefficients {
            let at = s.require("axes")?.span;
            return Err(Diagnostic::error(at, "coefficient plots can have signed values: use `axes linear`"));
        }
        Ok(Figure { name: b.name.name.clone(), experiments, series, caption, axes })
    }

    /// `claim name "label" { RULE ..., tolerance ..., confidence ..., points ..., at ..., contradicted "..." }`
    fn claim(&self, b: &'a Block, spec: &Spec) -> Result<Claim, Diagnostic> {
        if let Some(old) = b.settings.iter().find(|s| s.key.name == "precision") {
            return Err(Diagnostic::error(old.key.span, "`precision` is gone: `agree` is an equivalence test")
                .with_hint("state the agreement claimed with `tolerance`; a point is decided once its interval fits"));
        }
        let s = Settings::new(b)?;
        let label = b.label.as_ref().map(|l| l.value.clone()).ok_or_else(|| {
            Diagnostic::error(b.name.span, format!("claim `{}` needs a label", b.name.name))
                .with_hint(format!("write `claim {} \"Proposition 1: ...\" {{ ... }}`", b.name.name))
        })?;
        let rules: Vec<&Setting> = RULES.iter().filter_map(|r| s.get(r)).collect();
        let setting = match rules.as_slice() {
            [one] => *one,
            [] => {
                return Err(Diagnostic::error(b.name.span, format!("claim `{}` tests nothing", b.name.name))
                    .with_hint(format!("add one of: {}", RULES.join(", "))));
            }
            [_, second, ..] => {
                return Err(Diagnostic::error(second.key.span, "a claim has exactly one rule")
                    .with_hint("split it into two claims"));
            }
        };
        let rule = self.rule(setting, &s, spec)?;
        let experiment = &spec.experiments[rule.experiment()];
        if rule.is_simulated()
            && let Some(e) = rule
                .experiments()
                .into_iter()
                .map(|i| &spec.experiments[i])
                .find(|e| e.trials.is_none() || e.measure != Measure::ExcessRisk)
        {
            return Err(Diagnostic::error(
                setting.key.span,
                format!("`{}` needs simulated excess risks, but experiment `{}` has none", setting.key.name, e.name),
            )
            .with_hint("give the experiment `trials` and `measure excess_risk`"));
        }
        let expectation = match s.get("contradicted") {
            None => Expectation::Holds,
            Some(c) => {
                let why = string(single(c)?)?;
                if why.trim().is_empty() {
                    return Err(Diagnostic::error(c.span, "say why the paper's statement is expected to fail")
                        .with_hint("e.g. `contradicted \"the min-norm estimator is not invariant under x ↦ Ax\"`"));
                }
                Expectation::Contradicted(why)
            }
        };
        let confidence = s.get("confidence").map(|c| real(single(c)?, "confidence", Bound::Fraction)).transpose()?;
        let at = s.get("at").map(|a| claim_sizes(single(a)?, experiment)).transpose()?;
        Ok(Claim {
            name: b.name.name.clone(),
            label,
            rule,
            confidence: confidence.unwrap_or(0.99),
            expectation,
            at,
            span: b.name.span,
            excerpt: b.span.text(self.source).to_owned(),
        })
    }

    /// The rule of a claim, from its rule setting and the options that rule accepts.
    fn rule(&self, setting: &Setting, s: &Settings<'_>, spec: &Spec) -> Result<Rule, Diagnostic> {
        let key = setting.key.name.as_str();
        let allowed: &[&str] = match key {
            "agree" | "equal" => &["tolerance", "confidence", "at", "contradicted"],
            "holds" => &["points", "confidence", "at", "contradicted"],
            "close" => &["tolerance", "at", "contradicted"],
            "slope" => &["expect", "tolerance", "at", "contradicted"],
            "flat" => &["tolerance", "at", "contradicted"],
            _ => &["at", "contradicted"],
        };
        if let Some(extra) = s.in_order().find(|x| x.key.name != key && !allowed.contains(&x.key.name.as_str())) {
            return Err(Diagnostic::error(
                extra.key.span,
                format!("`{}` does not apply to `{key}` claims", extra.key.name),
            )
            .with_hint(format!("`{key}` takes: {}", allowed.join(", "))));
        }
        let band = || {
            band(s.get("tolerance").ok_or_else(|| {
                missing_tolerance(setting).with_hint(
                    "the tolerance is the agreement claimed, e.g. `tolerance relative(0.03)`, or \
                     `tolerance absolute(1e-9), relative(0.03)` where the theory value may be 0",
                )
            })?)
        };
        match key {
            "agree" => {
                let experiment = self.experiment_ref(single(setting)?)?;
                return Ok(Rule::Agree { experiment, band: band()? });
            }
            "equal" => {
                let ((experiment, series), other) = self.equal(setting, spec)?;
                return Ok(Rule::Equal { experiment, series, other, band: band()? });
            }
            _ => {}
        }
        let tolerance = s.get("tolerance").map(|t| tolerance(single(t)?)).transpose()?;
        match key {
            "holds" => {
                let points = match s.get("points") {
                    None => PointFilter::All,
                    Some(p) => match choice(single(p)?, "points", &["all", "differing"])? {
                        "all" => PointFilter::All,
                        _ => PointFilter::Differing,
                    },
                };
                let (experiment, pairs) = self.comparisons(setting, spec)?;
                let pairs = pairs.into_iter().map(|(lower, higher, _)| (lower, higher)).collect();
                Ok(Rule::Below { experiment, pairs, points })
            }
            "theory" => {
                let (experiment, pairs) = self.comparisons(setting, spec)?;
                Ok(Rule::TheoryBelow { experiment, pairs })
            }
            "close" => {
                let (experiment, series) = self.two_series(setting, spec)?;
                let tolerance = tolerance.ok_or_else(|| missing_tolerance(setting))?;
                Ok(Rule::Close { experiment, series, tolerance })
            }
            "flat" => {
                let (experiment, series) = self.two_series(setting, spec)?;
                match tolerance {
                    Some(Tolerance::Relative(tolerance)) => Ok(Rule::Flat { experiment, series, tolerance }),
                    _ => Err(missing_tolerance(setting).with_hint("`flat` takes `tolerance relative(x)`")),
                }
            }
            "slope" => {
                let (experiment, series) = self.many_series(setting, spec)?;
                let tolerance = match tolerance {
                    Some(Tolerance::Absolute(x)) => x,
                    _ => return Err(missing_tolerance(setting).with_hint("`slope` takes `tolerance absolute(x)`")),
                };
                let expected = self.expected_slope(s, setting, &spec.experiments[experiment])?;
                Ok(Rule::Slope { experiment, series, expected, tolerance })
            }
            _ => {
                let (experiment, series) = self.two_series(setting, spec)?;
                if spec.experiments[experiment].measure != Measure::Coefficients {
                    return Err(Diagnostic::error(setting.key.span, "`amplifies` compares coefficient series")
                        .with_hint("use an experiment with `measure coefficients`"));
                }
                Ok(Rule::Amplifies { experiment, series })
            }
        }
    }

    /// `expect -0.5` or `expect scaling_law` (Proposition 6: −(β−1) if β < 2α+1, −2α if β > 2α+1).
    fn expected_slope(&self, s: &Settings<'_>, rule: &Setting, e: &Experiment) -> Result<f64, Diagnostic> {
        let setting = s
            .get("expect")
            .ok_or_else(|| Diagnostic::error(rule.key.span, "`slope` needs `expect SLOPE` or `expect scaling_law`"))?;
        let value = single(setting)?;
        if let ExprKind::Number(n) = &value.kind {
            return real(value, "expect", Bound::Any).map(|_| n.value);
        }
        choice(value, "expect", &["scaling_law"])?;
        let (Some(alpha), Some(beta)) = (e.task.spectrum.alpha, e.task.energy_exponent) else {
            return Err(Diagnostic::error(value.span, "`scaling_law` needs a power-law spectrum and signal")
                .with_hint("declare the spectrum with `powerlaw` and the signal with `powerlaw_energy`"));
        };
        match crate::theory::scaling_exponent(alpha, beta) {
            Ok(Some(exponent)) => Ok(-exponent),
            Ok(None) => Err(Diagnostic::error(value.span, "β = 2α + 1 is the boundary the paper leaves open")),
            Err(err) => Err(Diagnostic::error(value.span, err.to_string())),
        }
    }

    /// `equal a.s, b.t`: two simulated series at the same sample sizes (of one experiment or two), as
    /// (experiment, series) pairs.
    #[allow(clippy::type_complexity, reason = "two (experiment, series) index pairs")]
    fn equal(&self, setting: &Setting, spec: &Spec) -> Result<((usize, usize), (usize, usize)), Diagnostic> {
        let [left, right] = setting.values.as_slice() else {
            return Err(Diagnostic::error(setting.span, "`equal` takes exactly two series, e.g. `equal a.x, b.y`"));
        };
        let (experiment, series) = self.series(path(value_expr(left)?, "a series such as `fig1b.optimal`")?, spec)?;
        let other = self.series(path(value_expr(right)?, "a series such as `fig1b.optimal`")?, spec)?;
        if (experiment, series) == other {
            return Err(Diagnostic::error(setting.span, "a series cannot be compared with itself"));
        }
        let (a, b) = (&spec.experiments[experiment], &spec.experiments[other.0]);
        if a.sizes != b.sizes {
            return Err(Diagnostic::error(
                right.span(),
                format!("`equal` compares series at the same n, but `{}` and `{}` have different `n`", a.name, b.name),
            ));
        }
        Ok(((experiment, series), other))
    }

    /// `e.a < e.b, e.c <= e.d`: comparisons of series of one experiment.
    fn comparisons(&self, setting: &Setting, spec: &Spec) -> Result<(usize, Vec<Ordering>), Diagnostic> {
        let mut experiment = None;
        let mut pairs = Vec::new();
        for v in &setting.values {
            let Value::Comparison(c) = v else {
                return Err(Diagnostic::error(
                    v.span(),
                    format!("`{}` needs comparisons such as `e.a < e.b`", setting.key.name),
                ));
            };
            let (lower, higher, strict) = match c.op.as_str() {
                "<" => (&c.left, &c.right, true),
                ">" => (&c.right, &c.left, true),
                "<=" => (&c.left, &c.right, false),
                _ => (&c.right, &c.left, false),
            };
            if !strict && setting.key.name == "holds" {
                return Err(Diagnostic::error(c.span, format!("`{}` cannot be decided by a test", c.op))
                    .with_hint("simulated claims are strict: use `<` or `>`"));
            }
            let (e, lower) = self.series(lower, spec)?;
            let (other, higher) = self.series(higher, spec)?;
            if e != other || experiment.is_some_and(|x| x != e) {
                return Err(Diagnostic::error(c.span, "all series of a claim must come from the same experiment")
                    .with_hint("comparisons are paired: the series must share their simulated designs"));
            }
            if lower == higher {
                return Err(Diagnostic::error(c.span, "a series cannot be compared with itself"));
            }
            experiment = Some(e);
            pairs.push((lower, higher, strict));
        }
        Ok((experiment.expect("a setting has at least one value"), pairs))
    }

    /// `e.a, e.b`: two series of one experiment.
    fn two_series(&self, setting: &Setting, spec: &Spec) -> Result<(usize, (usize, usize)), Diagnostic> {
        let (experiment, series) = self.many_series(setting, spec)?;
        match series.as_slice() {
            [a, b] => Ok((experiment, (*a, *b))),
            _ => Err(Diagnostic::error(setting.span, format!("`{}` takes exactly two series", setting.key.name))),
        }
    }

    /// `e.a, e.b, ...`: series of one experiment.
    fn many_series(&self, setting: &Setting, spec: &Spec) -> Result<(usize, Vec<usize>), Diagnostic> {
        let mut experiment = None;
        let mut series = Vec::new();
        for v in &setting.values {
            let p = path(value_expr(v)?, "a series such as `fig1b.optimal`")?;
            let (e, index) = self.series(p, spec)?;
            if experiment.is_some_and(|x| x != e) {
                return Err(Diagnostic::error(p.span, "all series of a claim must come from the same experiment"));
            }
            experiment = Some(e);
            series.push(index);
        }
        Ok((experiment.expect("a setting has at least one value"), series))
    }

    /// `experiment.series` → (experiment index, series index).
    fn series(&self, p: &Path, spec: &Spec) -> Result<(usize, usize), Diagnostic> {
        let [e, s] = p.segments.as_slice() else {
            return Err(Diagnostic::error(p.span, "expected `EXPERIMENT.SERIES`, e.g. `fig1b.optimal`"));
        };
        let experiment = self.experiment_index(e)?;
        let names = spec.experiments[experiment].series_names();
        let series = names.iter().position(|x| *x == s.name).ok_or_else(|| {
            let mut d = Diagnostic::error(s.span, format!("experiment `{}` has no series `{}`", e.name, s.name));
            if let Some(near) = did_you_mean(&s.name, names.iter().copied()) {
                d = d.with_hint(format!("did you mean `{near}`?"));
            }
            d.with_hint(format!("its series are: {}", names.join(", ")))
        })?;
        Ok((experiment, series))
    }
}

/// "needs a tolerance".
fn missing_tolerance(setting: &Setting) -> Diagnostic {
    Diagnostic::error(setting.key.span, format!("`{}` needs a `tolerance`", setting.key.name))
}

/// `section name "Proposition 3" { v1 "...", title "...", statement "..." }`
fn section(b: &Block) -> Result<Section, Diagnostic> {
    let s = Settings::new(b)?;
    let label = b.label.as_ref().map(|l| l.value.clone()).ok_or_else(|| {
        Diagnostic::error(b.name.span, format!("section `{}` needs a label", b.name.name))
            .with_hint(format!("write `section {} \"Theorem 1\" {{ ... }}`", b.name.name))
    })?;
    let text = |key| s.get(key).map(|v| string(single(v)?)).transpose();
    Ok(Section { label, v1: text("v1")?, title: text("title")?, statement: text("statement")? })
}

/// The settings of a block, checked against the keys the block accepts.
struct Settings<'a> {
    /// The block, for "missing setting" errors.
    block: &'a Block,
    /// The keys the block accepts, in canonical order.
    keys: &'static [&'static str],
    /// The settings by key.
    by_key: HashMap<&'a str, &'a Setting>,
}

impl<'a> Settings<'a> {
    /// Indexes `b`'s settings, refusing unknown and repeated keys.
    fn new(b: &'a Block) -> Result<Self, Diagnostic> {
        let keys = signature::settings(&b.kind.name).expect("only known blocks are resolved");
        let mut by_key = HashMap::new();
        for s in &b.settings {
            if !keys.contains(&s.key.name.as_str()) {
                return Err(unknown(&s.key, &format!("{} setting", b.kind.name), keys));
            }
            if by_key.insert(s.key.name.as_str(), s).is_some() {
                return Err(Diagnostic::error(s.key.span, format!("`{}` is set twice", s.key.name)));
            }
        }
        Ok(Self { block: b, keys, by_key })
    }

    /// The settings given, in the canonical order of their keys rather than the spec's (which `kdrepro fmt`
    /// changes), so that the first one a check reports does not depend on it.
    fn in_order(&self) -> impl Iterator<Item = &'a Setting> + '_ {
        self.keys.iter().filter_map(|k| self.get(k))
    }

    /// The setting `key`, if present.
    fn get(&self, key: &str) -> Option<&'a Setting> {
        self.by_key.get(key).copied()
    }

    /// The setting `key`, which must be present.
    fn require(&self, key: &str) -> Result<&'a Setting, Diagnostic> {
        self.get(key).ok_or_else(|| self.missing(key))
    }

    /// "missing `key`", pointed at the block's name.
    fn missing(&self, key: &str) -> Diagnostic {
        let b = self.block;
        Diagnostic::error(b.name.span, format!("{} `{}` is missing `{key}`", b.kind.name, b.name.name))
    }
}

/// "unknown X `word`", with a suggestion and the list of what is allowed.
fn unknown(word: &Ident, what: &str, allowed: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(word.span, format!("unknown {what} `{}`", word.name));
    if let Some(s) = did_you_mean(&word.name, allowed.iter().copied()) {
        d = d.with_hint(format!("did you mean `{s}`?"));
    }
    d.with_hint(format!("expected one of: {}", allowed.join(", ")))
}

/// "`x` is a signal, not a spectrum".
fn wrong_kind(name: &Ident, is: &str, wanted: &str) -> Diagnostic {
    Diagnostic::error(name.span, format!("`{}` is a {is}, but a {wanted} is needed here", name.name))
}

/// "expected X, found Y".
fn expected(e: &Expr, what: &str, found: &ExprKind) -> Diagnostic {
    Diagnostic::error(e.span, format!("expected {what}, found {}", kind_name(found)))
}

/// The keyword a named thing was declared with.
fn kind_of(n: Named<'_>) -> &str {
    match n {
        Named::Declaration(d) => &d.kind.name,
        Named::Block(b) => &b.kind.name,
    }
}

/// The one value of a setting, as an expression.
fn single(s: &Setting) -> Result<&Expr, Diagnostic> {
    value_expr(single_value(s)?)
}

/// The one value of a setting.
fn single_value(s: &Setting) -> Result<&Value, Diagnostic> {
    match s.values.as_slice() {
        [v] => Ok(v),
        [_, extra, ..] => Err(Diagnostic::error(extra.span(), format!("`{}` takes one value", s.key.name))),
        [] => unreachable!("the grammar requires a value"),
    }
}

/// A value that must be an expression (not a comparison).
fn value_expr(v: &Value) -> Result<&Expr, Diagnostic> {
    match v {
        Value::Expr(e) => Ok(e),
        Value::Comparison(c) => Err(Diagnostic::error(c.span, "a comparison is only allowed after `holds`")),
    }
}

/// A path expression.
fn path<'e>(e: &'e Expr, what: &str) -> Result<&'e Path, Diagnostic> {
    match &e.kind {
        ExprKind::Path(p) => Ok(p),
        other => Err(expected(e, what, other)),
    }
}

/// A path of one plain segment.
fn single_segment(p: &Path) -> Result<&Ident, Diagnostic> {
    match p.segments.as_slice() {
        [one] if one.name != "*" => Ok(one),
        _ => Err(Diagnostic::error(p.span, "expected a plain name here")),
    }
}

/// One of `allowed` bare words.
fn choice<'w>(e: &Expr, what: &str, allowed: &[&'w str]) -> Result<&'w str, Diagnostic> {
    let word = single_segment(path(e, &format!("one of {}", allowed.join(", ")))?)?;
    allowed.iter().find(|a| **a == word.name).copied().ok_or_else(|| unknown(word, &format!("`{what}`"), allowed))
}

/// A call to one of the constructors `keyword` introduces, with its arguments matched to the callee's parameters.
fn construct<'e>(e: &'e Expr, keyword: &str) -> Result<(&'e Ident, Args<'e>), Diagnostic> {
    let callees = signature::callees(keyword);
    match &e.kind {
        ExprKind::Call(callee, args) => {
            let params =
                signature::parameters(keyword, &callee.name).ok_or_else(|| unknown(callee, "constructor", &callees))?;
            Ok((callee, Args::new(callee, e.span, args, params)?))
        }
        other => Err(expected(e, &format!("a call to {}", callees.join(" or ")), other)),
    }
}

/// A string literal's value.
fn string(e: &Expr) -> Result<String, Diagnostic> {
    match &e.kind {
        ExprKind::Str(s) => Ok(s.value.clone()),
        other => Err(expected(e, "a string", other)),
    }
}

/// `seed N`: a whole number that fits in 64 bits.
fn seed(e: &Expr) -> Result<u64, Diagnostic> {
    let n = number(e, "seed")?;
    n.text.parse::<u64>().map_err(|_| {
        Diagnostic::error(n.span, format!("`seed` must be a whole number from 0 to {}, found {}", u64::MAX, n.text))
    })
}

/// `trials N`, `trials auto` or `trials auto(max: N)`.
fn trials(e: &Expr) -> Result<Trials, Diagnostic> {
    match &e.kind {
        ExprKind::Number(n) => count(n, "trials", 1).map(Trials::Fixed),
        ExprKind::Path(_) => choice(e, "trials", &["auto"]).map(|_| Trials::Auto { max: Trials::DEFAULT_MAX }),
        _ => {
            let (_, a) = construct(e, "trials")?;
            let max = match a.get("max") {
                None => Trials::DEFAULT_MAX,
                Some(m) => count_in(number(m, "max")?, "max", Trials::FIRST_LOOK as u64, MAX_COUNT)?,
            };
            Ok(Trials::Auto { max })
        }
    }
}

/// `tolerance relative(x)`, `tolerance absolute(x)` or both, as the half-width of an equivalence band.
fn band(setting: &Setting) -> Result<Band, Diagnostic> {
    let mut band = Band { absolute: 0.0, relative: 0.0 };
    let mut seen = (false, false);
    for v in &setting.values {
        let (slot, was) = match tolerance(value_expr(v)?)? {
            Tolerance::Absolute(x) => ((&mut band.absolute, x), &mut seen.0),
            Tolerance::Relative(x) => ((&mut band.relative, x), &mut seen.1),
        };
        if std::mem::replace(was, true) {
            return Err(Diagnostic::error(v.span(), "each kind of tolerance may be given once")
                .with_hint("write `tolerance absolute(a), relative(r)`: the band is a + r·|theory|"));
        }
        *slot.0 = slot.1;
    }
    Ok(band)
}

/// `relative(x)` with 0 ≤ x < 1, or `absolute(x)` with x ≥ 0.
fn tolerance(e: &Expr) -> Result<Tolerance, Diagnostic> {
    let (callee, a) = construct(e, "tolerance")?;
    let x = a.real("amount", Bound::NonNegative, None)?;
    if callee.name == "absolute" {
        return Ok(Tolerance::Absolute(x));
    }
    if x >= 1.0 {
        return Err(Diagnostic::error(a.require("amount")?.span, "a relative tolerance must be below 1"));
    }
    Ok(Tolerance::Relative(x))
}

/// The sample sizes of `n`: one number, a range with a step, or a list.
fn sizes(e: &Expr) -> Result<Vec<usize>, Diagnostic> {
    match &e.kind {
        ExprKind::Number(n) => Ok(vec![count(n, "n", 1)?]),
        ExprKind::List(items) if items.len() > MAX_POINTS => {
            Err(Diagnostic::error(e.span, format!("a sweep has at most {MAX_POINTS} points")))
        }
        ExprKind::List(items) if !items.is_empty() => items.iter().map(|x| count(number(x, "n")?, "n", 1)).collect(),
        ExprKind::Range(start, end, step) => {
            let (a, b) = (count(start, "n", 1)?, count(end, "n", 1)?);
            let s = step.as_ref().map_or(Ok(1), |s| count(s, "step", 1))?;
            if b < a {
                return Err(Diagnostic::error(e.span, format!("the range {a}..{b} is empty"))
                    .with_hint("write the smaller end first"));
            }
            if (b - a) / s >= MAX_POINTS {
                return Err(Diagnostic::error(e.span, format!("the range {a}..{b} step {s} has too many points"))
                    .with_hint(format!("a sweep has at most {MAX_POINTS} points")));
            }
            Ok((a..=b).step_by(s).collect())
        }
        ExprKind::List(_) => Err(Diagnostic::error(e.span, "`n` is an empty list")),
        other => Err(expected(e, "a sample size, a range like `50..450 step 25`, or a list", other)),
    }
}

/// Checks that `designs nested` can share one design per trial across the sweep: simulated excess risks, fixed
/// surrogates, and sample sizes increasing and below p (one Cholesky factor of X Xᵀ serves every n).
fn check_nested(
    sizes: &[usize],
    task: &Task,
    surrogates: &[Surrogate],
    measure: Measure,
    trials: Option<Trials>,
    at: Span,
) -> Result<(), Diagnostic> {
    let p = task.spectrum.lambda.len();
    let problem = if measure != Measure::ExcessRisk || trials.is_none() {
        Some("nested designs need a simulation: `measure excess_risk` and `trials`".to_owned())
    } else if sizes.windows(2).any(|w| w[0] >= w[1]) {
        Some("nested designs need increasing sample sizes".to_owned())
    } else if sizes.last().is_some_and(|&n| n >= p) {
        Some(format!("nested designs need every n below p = {p}"))
    } else {
        let trained = surrogates.iter().find(|s| matches!(s.kind, SurrogateKind::Erm(_) | SurrogateKind::Teacher(_)));
        trained.map(|s| format!("nested designs need fixed surrogates, and `{}` is trained by ERM", s.name))
    };
    match problem {
        Some(message) => Err(Diagnostic::error(at, message).with_hint("use `designs independent` (the default)")),
        None => Ok(()),
    }
}

/// Checks that a measure gets what it needs: surrogates for risks and coefficients, a single n for
/// coefficients and masks, a power-law spectrum for the asymptotic quantities, and no trials where nothing is
/// simulated.
fn check_measure(
    measure: Measure,
    surrogates: &[Surrogate],
    sizes: &[usize],
    task: &Task,
    trials: Option<Trials>,
    b: &Block,
    n_span: Span,
) -> Result<(), Diagnostic> {
    let name = &b.name;
    let setting = |key: &str| b.settings.iter().find(|s| s.key.name == key).map_or(name.span, |s| s.span);
    let compares = matches!(measure, Measure::ExcessRisk | Measure::Coefficients);
    if compares && surrogates.is_empty() {
        return Err(Diagnostic::error(name.span, format!("experiment `{}` is missing `surrogates`", name.name)));
    }
    if !compares && !surrogates.is_empty() {
        return Err(Diagnostic::error(name.span, "this measure has fixed series and takes no `surrogates`"));
    }
    let random = surrogates.iter().any(|s| matches!(s.kind, SurrogateKind::Erm(_) | SurrogateKind::Teacher(_)));
    if measure == Measure::Coefficients && random {
        return Err(Diagnostic::error(name.span, "ERM surrogates are random: they have no fixed coefficients to show"));
    }
    if matches!(measure, Measure::Coefficients | Measure::Masks) && sizes.len() != 1 {
        return Err(Diagnostic::error(n_span, "this measure needs a single sample size n"));
    }
    if matches!(measure, Measure::Equivalent | Measure::Cutoffs | Measure::Bounds)
        && task.spectrum.alpha.is_none_or(|a| a <= 1.0)
    {
        return Err(Diagnostic::error(
            setting("measure"),
            format!("this measure needs the power-law spectrum of task `{}`, with alpha > 1", task.name),
        )
        .with_hint("declare the task's spectrum with `powerlaw(p, alpha)`"));
    }
    if measure != Measure::ExcessRisk && trials.is_some() {
        return Err(Diagnostic::error(setting("trials"), "only `measure excess_risk` is simulated: remove `trials`"));
    }
    Ok(())
}

/// An ERM surrogate's own fit must be analysable at every m it is trained with, with a finite expected risk: a
/// regime (interpolation below its k positive eigenvalues among the first p_s, least squares above p_s + 1) and
/// E R < ∞ with its effective noise, σ_s² plus the signal on the features it cannot see (theory::moments).
fn check_stage_one(s: &Surrogate, task: &Task, sizes: &[usize], at: Span) -> Result<(), Diagnostic> {
    let SurrogateKind::Erm(erm) = &s.kind else { return Ok(()) };
    for &n in sizes {
        let stage = Stage::surrogate(&erm.spectrum.lambda, &task.beta, erm.features, erm.m.at(n), erm.noise);
        if let Some(problem) = refusal(&stage) {
            let hint = match erm.m {
                SampleSize::Fixed(_) => format!("use {}", stage.allowed()),
                SampleSize::SameAsTarget => format!("here m = n: use {}", stage.allowed().named("n")),
            };
            return Err(
                Diagnostic::error(at, format!("surrogate `{}` cannot be analysed: {problem}", s.name)).with_hint(hint)
            );
        }
    }
    Ok(())
}

/// Why the theory cannot give a stage a finite expected risk: an infinite mean (with noise, n within 1 of k).
fn refusal(stage: &Stage) -> Option<String> {
    stage.moments().mean.map(|d| d.to_string())
}

/// Each `teacher(of: s)` names an ERM surrogate listed in the same experiment.
fn check_teachers(surrogates: &[Surrogate], setting: &Setting) -> Result<(), Diagnostic> {
    for (s, v) in surrogates.iter().zip(&setting.values) {
        if let SurrogateKind::Teacher(of) = &s.kind {
            let listed = surrogates.iter().any(|x| &x.name == of && matches!(x.kind, SurrogateKind::Erm(_)));
            if !listed {
                return Err(Diagnostic::error(
                    v.span(),
                    format!("`{}` is the teacher of `{of}`, which is not an ERM surrogate of this experiment", s.name),
                )
                .with_hint(format!("list `{of}`, declared with `erm(...)`, in the same `surrogates`")));
            }
        }
    }
    Ok(())
}

/// `p`: a whole number of features in 1..=MAX_FEATURES.
fn features(e: &Expr) -> Result<usize, Diagnostic> {
    count_in(number(e, "p")?, "p", 1, MAX_FEATURES as u64)
}

/// `at`: sample sizes of the claim's experiment, a subset of its sweep.
fn claim_sizes(e: &Expr, experiment: &Experiment) -> Result<Vec<usize>, Diagnostic> {
    let at = sizes(e)?;
    if let Some(n) = at.iter().find(|n| !experiment.sizes.contains(n)) {
        return Err(Diagnostic::error(e.span, format!("experiment `{}` has no point n = {n}", experiment.name))
            .with_hint("`at` selects sample sizes of the experiment's `n`"));
    }
    Ok(at)
}

/// Every n must be in a regime the theory covers (interpolation below the k positive eigenvalues, least squares
/// above p + 1) and, when `noise` is given (the experiment reports risks trained on this spectrum), have a finite
/// expected risk: with label noise, |n − k| ≥ 2 (inverse-Wishart moments, theory::moments).
fn check_sizes(sizes: &[usize], spectrum: &Spectrum, noise: Option<f64>, at: &Expr) -> Result<(), Diagnostic> {
    for &n in sizes {
        let stage = Stage::target(&spectrum.lambda, n, noise.unwrap_or(0.0));
        if let Some(problem) = refusal(&stage) {
            return Err(Diagnostic::error(size_span(at, n), problem).with_hint(format!("use {}", stage.allowed())));
        }
    }
    if sizes.len() as u64 > MAX_COUNT {
        return Err(Diagnostic::error(at.span, "too many sample sizes"));
    }
    Ok(())
}

/// Where sample size `n` stands in the value of an `n` setting: its item in a list, else the whole value.
pub(super) fn size_span(e: &Expr, n: usize) -> Span {
    match &e.kind {
        ExprKind::List(items) => items
            .iter()
            .find(|x| matches!(&x.kind, ExprKind::Number(m) if m.value == n as f64))
            .map_or(e.span, |x| x.span),
        _ => e.span,
    }
}

impl Experiment {
    /// Which moments of series `series`' risk are finite at sample size n (theory::moments): the target stage,
    /// trained on the `design` spectrum if declared and with the task's label noise, for every surrogate; and stage
    /// one of an ERM surrogate, which alone decides its `teacher`. Quantities that are not risks are always finite,
    /// and so are the risks of `measure bounds`, shown only inside v1 Proposition 9's region (n < p(1 − 2/α) − 1,
    /// far below k − 4).
    pub(crate) fn risk_moments(&self, series: usize, n: usize) -> RiskMoments {
        let train = self.design.as_ref().unwrap_or(&self.task.spectrum);
        let target = Stage::target(&train.lambda, n, self.task.noise).moments();
        match self.measure {
            Measure::Masks => return target,
            Measure::ExcessRisk => {}
            _ => return RiskMoments::finite(),
        }
        let stage_one = |erm: &Erm| {
            Stage::surrogate(&erm.spectrum.lambda, &self.task.beta, erm.features, erm.m.at(n), erm.noise).moments()
        };
        match self.surrogates.get(series).map(|s| &s.kind) {
            Some(SurrogateKind::Erm(erm)) => stage_one(erm).and(target),
            Some(SurrogateKind::Teacher(of)) => match self.surrogates.iter().find(|s| &s.name == of).map(|s| &s.kind) {
                Some(SurrogateKind::Erm(erm)) => stage_one(erm),
                _ => target,
            },
            _ => target,
        }
    }

    /// Why the risk of series `series` has an infinite variance at sample size n, when it does: "n = 38: the risk's
    /// variance is infinite: ...", prefixed by the surrogate when its own fit is the cause.
    pub(crate) fn infinite_variance(&self, series: usize, n: usize) -> Option<String> {
        let divergence = self.risk_moments(series, n).variance?;
        if !divergence.is_in_stage_one() {
            return Some(divergence.to_string());
        }
        let trained = match self.surrogates.get(series).map(|s| &s.kind) {
            Some(SurrogateKind::Teacher(of)) => of.as_str(),
            _ => self.surrogates.get(series).map_or("", |s| s.name.as_str()),
        };
        Some(format!("surrogate `{trained}`: {divergence}"))
    }
}

/// Scales β so that Σ λ_i β_i² = power.
fn normalise(beta: &mut [f64], lambda: &[f64], power: f64, at: Span) -> Result<(), Diagnostic> {
    let current: f64 = lambda.iter().zip(beta.iter()).map(|(l, b)| l * b * b).sum();
    if current <= 0.0 || !current.is_finite() {
        return Err(Diagnostic::error(at, "a signal with zero power cannot be normalised"));
    }
    let scale = (power / current).sqrt();
    beta.iter_mut().for_each(|b| *b *= scale);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    /// A spec with spectra `flat` (p = 40, all 1), `wide` (p = 50, all 1) and `thin` (p = 40, 30 positive), the
    /// signals on them, and `body` after.
    fn spec(body: &str) -> Result<Spec, Vec<Diagnostic>> {
        let source = format!(
            "title \"moments\"\nspectrum flat = isotropic(p: 40)\nspectrum wide = isotropic(p: 50)\n\
             spectrum thin = list([{}])\nsignal ones = constant(flat)\nsignal wide_ones = constant(wide)\n{body}",
            (0..40).map(|i| if i < 30 { "1" } else { "0" }).collect::<Vec<_>>().join(", ")
        );
        resolve(&parse(&source).unwrap(), &source, std::path::Path::new("."))
    }

    /// The first error message of a refused spec.
    fn refusal(body: &str) -> String {
        spec(body).unwrap_err().remove(0).message
    }

    /// Per n of the first experiment, the infinite-variance reason of each series.
    fn variances(s: &Spec) -> Vec<Vec<Option<String>>> {
        let e = &s.experiments[0];
        let series = e.series_names().len();
        e.sizes.iter().map(|&n| (0..series).map(|j| e.infinite_variance(j, n)).collect()).collect()
    }

    #[test]
    fn masked_surrogates_carry_the_task_noise() {
        let body = |n: &str, noise: f64| {
            format!(
                "task t = gaussian(flat, ones, noise: {noise})\nsurrogate mask = optimal_mask\nsurrogate top = top_k(k: 10)\n\
                 experiment e {{ task t  n {n}  surrogates mask, top  trials 40 }}\n"
            )
        };
        assert!(refusal(&body("[30, 39]", 0.5)).starts_with("n = 39: the expected risk is infinite"));
        assert!(refusal(&body("[41]", 0.5)).starts_with("n = 41: the expected risk is infinite"));
        let s = spec(&body("[36, 37, 38, 44]", 0.5)).unwrap();
        let v = variances(&s);
        assert!(v[0].iter().all(Option::is_none) && v[3].iter().all(Option::is_none), "{v:?}");
        for point in &v[1..3] {
            assert!(point.iter().all(|r| r.as_ref().is_some_and(|r| r.contains("the risk's variance is infinite"))));
        }
        // Noiseless: bias only, every moment finite next to k (n = p − 1 is still interpolation).
        let s = spec(&body("[38, 39]", 0.0)).unwrap();
        assert!(variances(&s).iter().flatten().all(Option::is_none));
        // The masks measure reports theory risks at n: an infinite mean is refused there too.
        let masks = "task t = gaussian(flat, ones, noise: 0.5)\nexperiment e { task t  n 39  measure masks }\n";
        assert!(refusal(masks).starts_with("n = 39: the expected risk is infinite"));
        assert!(spec(&masks.replace("n 39", "n 38")).is_ok());
    }

    #[test]
    fn a_training_design_sets_k() {
        // Trained on `thin` (k = 30), tested on `flat` (k = 40): n = 29 is k − 1 of the design.
        let body = |n: &str| {
            format!(
                "task t = gaussian(flat, ones, noise: 0.1)\nsurrogate truth = ground_truth\n\
                 experiment e {{ task t  design thin  n {n}  surrogates truth  trials 40 }}\n"
            )
        };
        let message = refusal(&body("29"));
        assert!(
            message.starts_with("n = 29: the expected risk is infinite") && message.contains("k = 30"),
            "{message}"
        );
        let s = spec(&body("[26, 28]")).unwrap();
        let v = variances(&s);
        assert_eq!(v[0], [None]);
        assert!(v[1][0].as_ref().is_some_and(|r| r.starts_with("n = 28: the risk's variance is infinite")), "{v:?}");
    }

    #[test]
    fn an_erm_surrogate_adds_its_own_stage() {
        let erm = |surrogate: &str, n: &str, noise: f64| {
            format!(
                "task t = gaussian(wide, wide_ones, noise: {noise})\nsurrogate w = {surrogate}\nsurrogate me = teacher(of: w)\n\
                 experiment e {{ task t  n {n}  surrogates w, me  trials 40 }}\n"
            )
        };
        // Noiseless labels, but 10 unseen features: their signal is stage one's noise (misspecification).
        let message = refusal(&erm("erm(spectrum: wide, m: 39, features: 40)", "[10]", 0.0));
        assert!(message.starts_with("surrogate `w` cannot be analysed: m = 39: the expected risk is infinite"));
        assert!(message.contains("0 + 10 (the signal it cannot see acts as noise)"), "{message}");
        let message = refusal(&erm("erm(spectrum: wide, m: n, features: 40)", "[20, 41]", 0.0));
        assert!(message.starts_with("surrogate `w` cannot be analysed: m = 41: the expected risk is infinite"));
        // m = 38 = k_s − 2: finite mean, infinite variance, for the student and its teacher alike.
        let s = spec(&erm("erm(spectrum: wide, m: 38, features: 40)", "[10, 20]", 0.0)).unwrap();
        for point in variances(&s) {
            for reason in point {
                let reason = reason.unwrap();
                assert!(reason.starts_with("surrogate `w`: m = 38: the risk's variance is infinite"), "{reason}");
            }
        }
        // Every feature seen, no label noise: stage one is exact even at m = p − 1.
        let s = spec(&erm("erm(spectrum: wide, m: 49)", "[10]", 0.0)).unwrap();
        assert!(variances(&s).iter().flatten().all(Option::is_none));
        // Target noise: the student's variance is infinite at n = 48 = p − 2, the teacher's (stage one only) is not.
        let s = spec(&erm("erm(spectrum: wide, m: 20)", "[48]", 0.1)).unwrap();
        let v = variances(&s);
        assert!(v[0][0].as_ref().is_some_and(|r| r.starts_with("n = 48: the risk's variance")), "{v:?}");
        assert_eq!(v[0][1], None);
        assert!(refusal(&erm("erm(spectrum: wide, m: 20)", "[49]", 0.1)).starts_with("n = 49: the expected risk"));
    }

    #[test]
    fn quantities_that_are_not_risks_have_no_moment_guard() {
        let body = "task t = gaussian(flat, ones, noise: 1)\nsurrogate opt = optimal\n\
                    experiment e { task t  n 39  surrogates opt  measure coefficients }\n";
        let s = spec(body).unwrap();
        assert_eq!(s.experiments[0].infinite_variance(0, 39), None);
    }
}
