//! Declarations: spectra (and the data files they read), signals, tasks and surrogates, resolved by name and checked.

use crate::spec::signature::{
    Constructor, DeclarationKind, FeaturesConstructor, FileConstructor, SignalConstructor, SpectrumConstructor,
    SurrogateConstructor, TaskConstructor,
};
use crate::theory::Features;

use crate::sim::Entries;

use crate::spec::{Activation, Inputs, Keyword as _, Network, Output, RandomFeatures};

use super::{
    Args, Argument, Bound, Declaration, Diagnostic, Erm, Expr, ExprKind, MAX_FEATURES, ResolvedSignal, Resolver,
    SampleSize, Span, Spectrum, Surrogate, SurrogateKind, Task, Weight, construct, count, count_in, expected, files,
    keyword, number, path, real, seed, signature, single_segment, string, unknown,
};

/// The most generations a distillation chain may have (`labels` links; issue 17 asks for k ≤ 5).
const MAX_GENERATIONS: usize = 32;

impl<'a> Resolver<'a> {
    /// The spectrum declaration named by `expr`.
    pub(super) fn spectrum(&self, expr: &Expr) -> Result<(Spectrum, &'a Declaration), Diagnostic> {
        let d = self.declaration(path(expr, "a spectrum name")?, DeclarationKind::Spectrum)?;
        if let Some(known) = self.spectra.borrow().get(&std::ptr::from_ref(d)) {
            return Ok((known.clone(), d));
        }
        let spectrum = self.compute_spectrum(d)?;
        self.spectra.borrow_mut().insert(std::ptr::from_ref(d), spectrum.clone());
        Ok((spectrum, d))
    }

    /// The eigenvalues declaration `d` describes, checked.
    pub(super) fn compute_spectrum(&self, d: &Declaration) -> Result<Spectrum, Diagnostic> {
        let (kind, a) = construct(&d.value)?;
        let mut exponent = None;
        let lambda = match kind {
            SpectrumConstructor::PowerLaw => {
                let p = features(a.require("p")?)?;
                let alpha = a.real("alpha", Bound::Positive, None)?;
                exponent = Some(alpha);
                crate::theory::power_law_spectrum(p, alpha)
            }
            SpectrumConstructor::Isotropic => {
                let p = features(a.require("p")?)?;
                vec![a.real("value", Bound::Positive, Some(1.0))?; p]
            }
            SpectrumConstructor::List => {
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
    pub(super) fn signal(&self, expr: &Expr) -> Result<ResolvedSignal<'a>, Diagnostic> {
        let d = self.declaration(path(expr, "a signal name")?, DeclarationKind::Signal)?;
        let (kind, a) = construct(&d.value)?;
        let (spectrum, spectrum_decl) = self.spectrum(a.require("spectrum")?)?;
        let lambda = &spectrum.lambda;
        let mut exponent = None;
        let mut beta: Vec<f64> = match kind {
            // λ_i β_i² = i^{-β}
            SignalConstructor::PowerLawEnergy => {
                let b = a.real("beta", Bound::Any, None)?;
                exponent = Some(b);
                lambda.iter().enumerate().map(|(i, &l)| ((i as f64 + 1.0).powf(-b) / l).sqrt()).collect()
            }
            SignalConstructor::Constant => vec![a.real("value", Bound::Any, Some(1.0))?; lambda.len()],
            SignalConstructor::List => {
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
    pub(super) fn reals(&self, e: &Expr, what: &str, range: Bound) -> Result<Vec<f64>, Diagnostic> {
        match &e.kind {
            ExprKind::List(items) if !items.is_empty() => items.iter().map(|x| real(x, what, range)).collect(),
            ExprKind::List(_) => Err(Diagnostic::error(e.span, format!("`{what}` is empty"))),
            ExprKind::Call(..) => self.file(e, what, range),
            other => Err(expected(e, "a list like `[1, 0.5]` or `file(\"values.txt\")`", other)),
        }
    }

    /// `file(path, column)`: the vector in a file relative to the spec's directory, each value in `range`.
    pub(super) fn file(&self, e: &Expr, what: &str, range: Bound) -> Result<Vec<f64>, Diagnostic> {
        if let Some(known) = self.vectors.borrow().get(&std::ptr::from_ref(e)) {
            return Ok(known.clone());
        }
        let (FileConstructor::File, a) = construct(e)?;
        let path_expr = a.require("path")?;
        let written = string(path_expr)?;
        let column = super::data::column(&a)?;
        let check = |x: f64| match (x.is_finite(), range.admits(x)) {
            (false, _) => Err("is not a finite number".to_owned()),
            (true, false) => Err(format!("is out of range ({})", range.describe(what))),
            (true, true) => Ok(()),
        };
        let vector = files::read(&self.dir.join(&written), column.as_ref(), &check)
            .map_err(|error| self.file_error(&written, path_expr.span, error))?;
        self.inputs.borrow_mut().insert(written, vector.hash);
        self.vectors.borrow_mut().insert(std::ptr::from_ref(e), vector.values.clone());
        Ok(vector.values)
    }

    /// The task declaration named by `expr`, with the declarations it uses.
    pub(super) fn task(&self, expr: &Expr) -> Result<(Task, Vec<&'a Declaration>), Diagnostic> {
        let d = self.declaration(path(expr, "a task name")?, DeclarationKind::Task)?;
        let (kind, a) = construct::<TaskConstructor>(&d.value)?;
        if matches!(kind, TaskConstructor::Data | TaskConstructor::Cifar10 | TaskConstructor::Digits) {
            return Ok((self.data_task(d, kind, &a)?, vec![d]));
        }
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
        let noise_decay = a.real("noise_decay", Bound::Any, Some(0.0))?;
        let rotation = a.get("rotation").map(seed).transpose()?;
        let entries = match kind {
            TaskConstructor::Gaussian => Entries::Gaussian,
            TaskConstructor::Rademacher => Entries::Rademacher,
            TaskConstructor::Uniform => Entries::Uniform,
            TaskConstructor::StudentT => {
                let e = a.require("nu")?;
                let nu = real(e, "nu", Bound::Any)?;
                // Var t_ν = ν/(ν − 2): only ν > 2 has a finite variance to scale to 1.
                if nu <= 2.0 {
                    return Err(Diagnostic::error(e.span, format!("`nu` must be above 2, found {nu}")).with_hint(
                        "the entries are scaled to unit variance, and Var t_ν = ν/(ν − 2) is finite only for ν > 2",
                    ));
                }
                Entries::StudentT { nu }
            }
            TaskConstructor::Data | TaskConstructor::Cifar10 | TaskConstructor::Digits => {
                unreachable!("data tasks are resolved above")
            }
        };
        used.extend([spectrum_decl, d]);
        let name = d.name.name.clone();
        let task = Task {
            name,
            spectrum,
            beta,
            energy_exponent,
            noise,
            noise_decay,
            rotation,
            entries,
            data: None,
            rows: None,
        };
        Ok((task, used))
    }

    /// `labels: g` of the ERM surrogate declared by `d`: the ERM surrogate g whose fit labels its data, with the
    /// declarations g uses added to `used`. A chain longer than [`MAX_GENERATIONS`] or one that comes back to a
    /// surrogate of its own is an error.
    fn earlier_generation(
        &self,
        d: &'a Declaration,
        labels: &Expr,
        used: &mut Vec<&'a Declaration>,
    ) -> Result<Box<Erm>, Diagnostic> {
        let key: *const Declaration = d;
        if self.chain.borrow().contains(&key) {
            return Err(Diagnostic::error(
                labels.span,
                format!("the chain of `labels` comes back to `{}`", d.name.name),
            )
            .with_hint("each generation learns from an earlier one: the first from β⋆"));
        }
        if self.chain.borrow().len() >= MAX_GENERATIONS {
            return Err(Diagnostic::error(labels.span, format!("a chain has at most {MAX_GENERATIONS} generations")));
        }
        self.chain.borrow_mut().push(key);
        let parent = self.surrogate(labels);
        self.chain.borrow_mut().pop();
        let (parent, decls) = parent?;
        used.extend(decls);
        match parent.kind {
            SurrogateKind::Erm(erm) => Ok(Box::new(erm)),
            _ => Err(Diagnostic::error(
                labels.span,
                format!("`labels` names an ERM surrogate, and `{}` is not one", parent.name),
            )
            .with_hint("declare it with `erm(...)`; fixed surrogates are not refitted")),
        }
    }

    /// The surrogate declaration named by `expr`, with the declarations it uses.
    pub(super) fn surrogate(&self, expr: &Expr) -> Result<(Surrogate, Vec<&'a Declaration>), Diagnostic> {
        let d = self.declaration(path(expr, "a surrogate name")?, DeclarationKind::Surrogate)?;
        let empty: &[Argument] = &[];
        let (kind, args) = match &d.value.kind {
            ExprKind::Path(p) => (single_segment(p)?, empty),
            ExprKind::Call(callee, args) => (callee, args.as_slice()),
            other => return Err(expected(&d.value, "a surrogate such as `optimal`", other)),
        };
        // An unknown kind is reported after its arguments, checked as those of a kind that takes only a label.
        let known = signature::find::<SurrogateConstructor>(&kind.name);
        let params = known.map_or(SurrogateConstructor::LABEL_ONLY, SurrogateConstructor::parameters);
        let a = Args::new(kind, d.value.span, args, params)?;
        let Some(known) = known else {
            return Err(unknown(kind, "surrogate kind", &signature::words::<SurrogateConstructor>()));
        };
        let mut used = vec![d];
        let (kind, default_label) = match known {
            SurrogateConstructor::GroundTruth => (SurrogateKind::GroundTruth, GROUND_TRUTH_LABEL.to_owned()),
            SurrogateConstructor::Optimal => {
                let step = a.real("step", Bound::Any, Some(1.0))?;
                let label = if step == 1.0 {
                    "Optimal surrogate".to_owned()
                } else {
                    format!("β⋆ + {step}·(β^s* − β⋆)")
                };
                (SurrogateKind::Optimal { step }, label)
            }
            SurrogateConstructor::OptimalMask => (SurrogateKind::OptimalMask, "Optimal masked surrogate".to_owned()),
            SurrogateConstructor::TopK => {
                let k = count(number(a.require("k")?, "k")?, "k", 0)?;
                (SurrogateKind::TopK(k), format!("First {k} features"))
            }
            SurrogateConstructor::RandomMask => {
                let keep = count(number(a.require("keep")?, "keep")?, "keep", 0)?;
                let seed = seed(a.require("seed")?)?;
                (SurrogateKind::RandomMask { keep, seed }, format!("Random mask of {keep} features (seed {seed})"))
            }
            SurrogateConstructor::Scaled => {
                let factor = a.real("factor", Bound::Any, None)?;
                (SurrogateKind::Scaled(factor), format!("{factor}·β⋆"))
            }
            SurrogateConstructor::CovarianceShift => {
                let (source, decl) = self.spectrum(a.require("source")?)?;
                used.push(decl);
                (SurrogateKind::CovarianceShift(source), "Aβ⋆ (covariance shift)".to_owned())
            }
            SurrogateConstructor::Erm => {
                let (spectrum, decl) = self.spectrum(a.require("spectrum")?)?;
                used.push(decl);
                let m_expr = a.require("m")?;
                let m = match &m_expr.kind {
                    ExprKind::Path(p) if single_segment(p)?.name == "n" => SampleSize::SameAsTarget,
                    _ => SampleSize::Fixed(count(number(m_expr, "m")?, "m", 1)?),
                };
                let p = spectrum.lambda.len();
                let (features, seen) = match a.get("features") {
                    Some(f) => erm_features(f, p)?,
                    None => (Features::First(p), p.to_string()),
                };
                let noise = a.real("noise", Bound::NonNegative, Some(0.0))?;
                let ridge = a.real("ridge", Bound::NonNegative, Some(0.0))?;
                let labels = a.get("labels").map(|l| self.earlier_generation(d, l, &mut used)).transpose()?;
                let optimal_labels = a.get("gain").map(label_gain).transpose()?.is_some();
                let generations = 1 + labels.as_deref().map_or(0, |g: &Erm| g.ancestors().count() + 1);
                let label = match (m, generations) {
                    (SampleSize::Fixed(m), 1) => format!("ERM surrogate (m = {m}, p_s = {seen})"),
                    (SampleSize::SameAsTarget, 1) => format!("two-stage ERM (m = n, p_s = {seen})"),
                    (_, k) => format!("generation {k} of ERM distillation"),
                };
                (SurrogateKind::Erm(Erm { spectrum, noise, m, features, ridge, labels, optimal_labels }), label)
            }
            SurrogateConstructor::SelfDistilled => {
                let weight = match a.get("xi") {
                    None => Weight::Optimal,
                    Some(e) => match &e.kind {
                        ExprKind::Path(p) if single_segment(p)?.name == "optimal" => Weight::Optimal,
                        _ => Weight::Fixed(real(e, "xi", Bound::Any)?),
                    },
                };
                let label = match weight {
                    Weight::Optimal => "Self-distilled (optimal ξ)".to_owned(),
                    Weight::Fixed(xi) => format!("Self-distilled (ξ = {xi})"),
                };
                (SurrogateKind::SelfDistilled(weight), label)
            }
            SurrogateConstructor::Network => network(&a)?,
            SurrogateConstructor::Teacher => {
                let of = single_segment(path(a.require("of")?, "an ERM surrogate's name")?)?;
                (SurrogateKind::Teacher(of.name.clone()), teacher_label(&of.name))
            }
        };
        let label = a.get("label").map(string).transpose()?.unwrap_or(default_label);
        Ok((Surrogate { name: d.name.name.clone(), kind, label }, used))
    }
}

/// An ERM surrogate's `gain`: only `optimal`, the optimal surrogate (Corollary 1's gain) of the coefficients that
/// label its data.
fn label_gain(e: &Expr) -> Result<(), Diagnostic> {
    match &e.kind {
        ExprKind::Path(p) if single_segment(p)?.name == "optimal" => Ok(()),
        _ => Err(Diagnostic::error(e.span, "`gain` takes `optimal`").with_hint(
            "`gain: optimal` labels the data by the optimal surrogate of β⋆ or of the `labels` generation's fit; \
             leave `gain` out to label them by those coefficients themselves",
        )),
    }
}

/// The default label of `ground_truth`.
pub(super) const GROUND_TRUTH_LABEL: &str = "Strong labels (β⋆)";

/// The default label of `teacher(of: name)`.
pub(super) fn teacher_label(of: &str) -> String {
    format!("the surrogate {of} itself")
}

/// The most hidden units of a random-feature network: its features are a rows × width matrix per trial.
const MAX_WIDTH: u64 = 100_000;

/// `network(width, m, activation = relu, features = d, ridge = 0, output = hard)`: a weak teacher, with the label
/// of the student it teaches.
fn network(a: &Args<'_>) -> Result<(SurrogateKind, String), Diagnostic> {
    let hidden = RandomFeatures { width: width(a.require("width")?)?, activation: activation(a.get("activation"))? };
    let m = count(number(a.require("m")?, "m")?, "m", 1)?;
    let inputs = a.get("features").map(|e| inputs(e, MAX_WIDTH as usize)).transpose()?;
    if let Some(Inputs::First(k)) = inputs
        && k as u64 > MAX_WIDTH
    {
        let e = a.require("features")?;
        return Err(Diagnostic::error(e.span, format!("`features` is out of range: {k}"))
            .with_hint(format!("allowed range: 1 ≤ features ≤ {MAX_WIDTH}")));
    }
    let ridge = a.real("ridge", Bound::NonNegative, Some(0.0))?;
    let output = a.get("output").map(|e| keyword(e, "output")).transpose()?.unwrap_or(Output::Hard);
    let seen = inputs.as_ref().map_or(String::new(), |k| format!(", {} inputs", k.words()));
    let label = format!("student of a {}-unit teacher (m = {m}{seen}, {} labels)", hidden.width, output.keyword());
    Ok((SurrogateKind::Network(Network { hidden, m, inputs, ridge, output }), label))
}

/// A network's `width`: its hidden units, 1 to [`MAX_WIDTH`].
pub(super) fn width(e: &Expr) -> Result<usize, Diagnostic> {
    count_in(number(e, "width")?, "width", 1, MAX_WIDTH)
}

/// A network's `activation`, relu when not given.
pub(super) fn activation(e: Option<&Expr>) -> Result<Activation, Diagnostic> {
    e.map(|e| keyword(e, "activation")).transpose().map(|a| a.unwrap_or(Activation::Relu))
}

/// An ERM surrogate's `features` among the p of its spectrum, with how its default label names them (see
/// [`inputs`]); a random subset is drawn here, from p.
fn erm_features(e: &Expr, p: usize) -> Result<(Features, String), Diagnostic> {
    let chosen = inputs(e, p)?;
    let features = match &chosen {
        Inputs::First(k) => Features::First(*k),
        Inputs::Among(_) | Inputs::Random { .. } => Features::Among(chosen.columns(p)),
    };
    Ok((features, chosen.words()))
}

/// `features` among `bound` (an ERM surrogate's p, or [`MAX_WIDTH`] for a network, whose d is checked with its
/// task): a number k (the first k; an ERM surrogate's is checked against the task's p with the task), a list of
/// distinct 1-based indices up to `bound` in any order (kept 0-based and increasing), or `random(keep, seed)`,
/// `keep` of them drawn without replacement from the seed (the `random_mask` generator).
fn inputs(e: &Expr, bound: usize) -> Result<Inputs, Diagnostic> {
    match &e.kind {
        ExprKind::Number(n) => Ok(Inputs::First(count(n, "features", 1)?)),
        ExprKind::List(items) => {
            if items.is_empty() {
                return Err(Diagnostic::error(e.span, "`features` lists at least one feature")
                    .with_hint("a list names features by their 1-based index, e.g. `features: [1, 5, 9]`"));
            }
            let mut subset = Vec::with_capacity(items.len());
            let mut seen = std::collections::BTreeSet::new();
            for item in items {
                let i = count_in(number(item, "features")?, "features", 1, bound as u64)
                    .map_err(|d| d.with_hint(format!("features are numbered 1 to p = {bound}")))?;
                if !seen.insert(i) {
                    return Err(Diagnostic::error(item.span, format!("feature {i} is listed twice"))
                        .with_hint("each feature is listed once"));
                }
                subset.push(i - 1);
            }
            subset.sort_unstable();
            Ok(Inputs::Among(subset))
        }
        _ => {
            let (FeaturesConstructor::Random, a) = construct(e)?;
            let keep = count_in(number(a.require("keep")?, "keep")?, "keep", 1, bound as u64)?;
            Ok(Inputs::Random { keep, seed: seed(a.require("seed")?)? })
        }
    }
}

/// `p`: a whole number of features in 1..=MAX_FEATURES.
pub(super) fn features(e: &Expr) -> Result<usize, Diagnostic> {
    count_in(number(e, "p")?, "p", 1, MAX_FEATURES as u64)
}

/// Scales β so that Σ λ_i β_i² = power.
pub(super) fn normalise(beta: &mut [f64], lambda: &[f64], power: f64, at: Span) -> Result<(), Diagnostic> {
    let current: f64 = lambda.iter().zip(beta.iter()).map(|(l, b)| l * b * b).sum();
    if current <= 0.0 || !current.is_finite() {
        return Err(Diagnostic::error(at, "a signal with zero power cannot be normalised"));
    }
    let scale = (power / current).sqrt();
    for b in beta.iter_mut() {
        *b *= scale;
    }
    Ok(())
}

/// Checks that a surrogate fits the task it is used with.
pub(super) fn check_surrogate(s: &Surrogate, task: &Task, at: Span) -> Result<(), Diagnostic> {
    let p = task.spectrum.lambda.len();
    let fits = match &s.kind {
        SurrogateKind::TopK(k) | SurrogateKind::RandomMask { keep: k, .. } => *k <= p,
        SurrogateKind::CovarianceShift(source) => {
            source.lambda.len() == p && task.spectrum.lambda.iter().all(|&l| l > 0.0)
        }
        SurrogateKind::Erm(erm) => {
            erm.generations().all(|g| g.spectrum.lambda.len() == p && g.features.kept().check(p).is_ok())
        }
        SurrogateKind::Network(net) => net.inputs.as_ref().is_none_or(|k| k.fits(p)),
        _ => true,
    };
    if let (false, SurrogateKind::Network(net)) = (fits, &s.kind) {
        let seen = match net.inputs.as_ref() {
            Some(Inputs::First(k)) => format!("its first {k} input features"),
            Some(Inputs::Among(listed)) => format!("input feature {}", listed.last().map_or(0, |i| i + 1)),
            Some(Inputs::Random { keep, .. }) => format!("{keep} input features drawn at random"),
            None => unreachable!("a network on every input fits any task"),
        };
        return Err(Diagnostic::error(
            at,
            format!("network `{}` sees {seen}, and task `{}` has d = {p}", s.name, task.name),
        )
        .with_hint("a network's `features` are among the task's d inputs"));
    }
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
