//! Experiments, figures and sections: sample sizes, measures, designs, and the checks that tie them to the theory
//! (regimes, finite moments, covariance shift, nested designs).

use super::declarations::check_surrogate;
use super::{
    Axes, Block, Bound, Declaration, Designs, Diagnostic, Erm, Experiment, Expr, ExprKind, Figure, Ident, MAX_COUNT,
    MAX_POINTS, Measure, Named, Penalty, Resolver, Ridge, RiskMoments, SampleSize, Section, Setting, Settings, Span,
    Spec, Spectrum, Stage, Surrogate, SurrogateKind, Task, Trials, Value, count, did_you_mean, expected, keyword,
    number, path, real, single, single_segment, string, trials, value_expr, wrong_kind,
};
use crate::spec::signature::{BlockKind, ExperimentSetting, FigureSetting, Keyword as _, SectionSetting};

impl<'a> Resolver<'a> {
    /// `experiment name { task ..., n ..., surrogates ..., trials ..., measure ... }`
    #[expect(clippy::too_many_lines, reason = "one pass over the settings in order, each check one call")]
    pub(super) fn experiment(&self, b: &'a Block) -> Result<Experiment, Diagnostic> {
        let s = Settings::new(b)?;
        let label = s.get(ExperimentSetting::Label).map(|l| string(single(l)?)).transpose()?;
        let (task, mut used) = self.task(single(s.require(ExperimentSetting::Task)?)?)?;
        let n_setting = s.require(ExperimentSetting::N)?;
        let n_expr = single(n_setting)?;
        let sizes = sizes(n_expr)?;
        let mut surrogates: Vec<Surrogate> = Vec::new();
        for v in s.get(ExperimentSetting::Surrogates).map_or(&[][..], |x| x.values.as_slice()) {
            let (surrogate, decls) = self.surrogate(value_expr(v)?)?;
            if surrogates.iter().any(|x| x.name == surrogate.name) {
                return Err(Diagnostic::error(v.span(), format!("surrogate `{}` is listed twice", surrogate.name)));
            }
            check_surrogate(&surrogate, &task, v.span())?;
            check_stage_one(&surrogate, &task, &sizes, v.span())?;
            surrogates.push(surrogate);
            used.extend(decls);
        }
        if let Some(listed) = s.get(ExperimentSetting::Surrogates) {
            check_teachers(&surrogates, listed)?;
        }
        let trials = s.get(ExperimentSetting::Trials).map(|t| trials(single(t)?)).transpose()?;
        let measure = match s.get(ExperimentSetting::Measure) {
            None => Measure::ExcessRisk,
            Some(m) => keyword(single(m)?, "measure")?,
        };
        let ridge = match s.get(ExperimentSetting::Ridge) {
            None => Ridge::none(),
            Some(r) => ridge(r, measure, surrogates.len())?,
        };
        check_self_distillation(&surrogates, &ridge, s.get(ExperimentSetting::Surrogates), b)?;
        let design = match s.get(ExperimentSetting::Design) {
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
                check_sizes(&sizes, &spectrum, Some(&task), ridge.all_positive(), n_expr)?;
                used.push(decl);
                Some(spectrum)
            }
        };
        check_measure(measure, &surrogates, &sizes, &task, trials, b, n_setting.span)?;
        let student = super::classify::student(&s, measure, &task, &surrogates, &sizes, trials, b)?;
        if student.is_some() {
            super::classify::classification_labels(&mut surrogates);
        }
        task.data.as_ref().map(|data| check_data(data, &s, &surrogates, &sizes, n_expr)).transpose()?;
        let dimensions =
            s.get(ExperimentSetting::P).map(|d| dimensions(single(d)?, measure, &sizes, n_setting.span)).transpose()?;
        // The risks' moments depend on the spectrum the design is drawn from (checked above when it is a `design`);
        // the task's spectrum must still have a regime, for τ, Ω and the surrogates.
        let risks = matches!(measure, Measure::ExcessRisk | Measure::Masks) && design.is_none();
        // A classification measure has no theory, so no regime to check: its sizes are checked against the rows.
        if student.is_none() {
            check_noise(&sizes, &task, n_expr)?;
            check_sizes(&sizes, &task.spectrum, risks.then_some(&task), ridge.all_positive(), n_expr)?;
        }
        let designs = match s.get(ExperimentSetting::Designs) {
            None => Designs::Independent,
            Some(d) => match keyword(single(d)?, "designs")? {
                Designs::Nested => {
                    check_nested(&sizes, &task, &surrogates, measure, trials, d.span)?;
                    if !ridge.is_none() {
                        return Err(Diagnostic::error(
                            d.span,
                            "nested designs share one Cholesky factor of X Xᵀ across n, and ridge needs X Xᵀ + nλI",
                        )
                        .with_hint("use `designs independent` (the default) with `ridge`"));
                    }
                    Designs::Nested
                }
                Designs::Independent => Designs::Independent,
            },
        };
        let excerpt = self.excerpt(&used, b.span);
        let data_files = self.data_files(&used, b);
        let (name, span) = (b.name.name.clone(), b.name.span);
        Ok(Experiment {
            name,
            task,
            sizes,
            dimensions,
            surrogates,
            trials,
            design,
            measure,
            designs,
            ridge,
            student,
            label,
            excerpt,
            data_files,
            span,
        })
    }

    /// The files read by `file(...)` calls in the block `b` and the declarations it uses, with their hashes (every
    /// such call was read before the experiment resolved).
    fn data_files(&self, used: &[&Declaration], b: &Block) -> std::collections::BTreeMap<String, String> {
        let mut paths = Vec::new();
        let block = b.settings.iter().flat_map(|s| &s.values).filter_map(|v| match v {
            super::Value::Expr(e) => Some(e),
            super::Value::Comparison(_) => None,
        });
        for e in used.iter().map(|d| &d.value).chain(block) {
            crate::spec::files::paths_in(e, &mut paths);
        }
        let inputs = self.inputs.borrow();
        paths.into_iter().filter_map(|p| Some((p.clone(), inputs.get(&p)?.clone()))).collect()
    }

    /// The declarations an item uses, deduplicated in file order, followed by the item itself.
    pub(super) fn excerpt(&self, used: &[&Declaration], item: Span) -> String {
        let mut spans: Vec<Span> = used.iter().map(|d| d.span).collect();
        spans.sort_by_key(|s| s.start);
        spans.dedup();
        spans.push(item);
        spans.iter().map(|s| s.text(self.source)).collect::<Vec<_>>().join("\n")
    }

    /// The experiment `expr` names, which must already be declared above.
    pub(super) fn experiment_ref(&self, expr: &Expr) -> Result<usize, Diagnostic> {
        let p = path(expr, "an experiment name")?;
        self.experiment_index(single_segment(p)?)
    }

    /// The index of the experiment called `name`.
    pub(super) fn experiment_index(&self, name: &Ident) -> Result<usize, Diagnostic> {
        if let Some(&i) = self.experiments.get(name.name.as_str()) {
            return Ok(i);
        }
        match self.names.get(name.name.as_str()) {
            // Its definition failed and was reported: say nothing more (an empty message is never shown).
            Some(Named::Block(b))
                if b.kind.name == BlockKind::Experiment.keyword() && b.span.start < name.span.start =>
            {
                Err(Diagnostic::error(name.span, ""))
            }
            Some(Named::Block(b)) if b.kind.name == BlockKind::Experiment.keyword() => {
                Err(Diagnostic::error(name.span, format!("experiment `{}` is used before it is defined", name.name))
                    .with_hint("define experiments above the figures and claims that use them"))
            }
            Some(n) => Err(wrong_kind(name, *n, "experiment")),
            None => Err(self.unknown_name(name, "experiment")),
        }
    }

    /// `figure name { show experiment, caption "...", axes linear|loglog }`
    pub(super) fn figure(&self, b: &'a Block, spec: &Spec) -> Result<Figure, Diagnostic> {
        let s = Settings::new(b)?;
        let shown = s.require(FigureSetting::Show)?;
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
        for v in s.get(FigureSetting::Series).map_or(&[][..], |x| x.values.as_slice()) {
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
        let caption = s.get(FigureSetting::Caption).map(|c| string(single(c)?)).transpose()?.unwrap_or_default();
        let axes = match s.get(FigureSetting::Axes) {
            None => Axes::Linear,
            Some(a) => keyword(single(a)?, "axes")?,
        };
        if axes == Axes::LogLog && spec.experiments[experiment].measure == Measure::Coefficients {
            let at = s.require(FigureSetting::Axes)?.span;
            return Err(Diagnostic::error(at, "coefficient plots can have signed values: use `axes linear`"));
        }
        Ok(Figure { name: b.name.name.clone(), experiments, series, caption, axes, span: b.name.span })
    }
}

/// A self-distilled series refits a ridge teacher on the same data: it needs a fixed penalty λ > 0 (a `ridge`
/// setting), the plain design (no `design`: the theory is for training and testing on one Σ) and a simulated or
/// theory risk.
fn check_self_distillation(
    surrogates: &[Surrogate],
    ridge: &Ridge,
    listed: Option<&Setting>,
    b: &Block,
) -> Result<(), Diagnostic> {
    for (j, s) in surrogates.iter().enumerate() {
        if !matches!(s.kind, SurrogateKind::SelfDistilled(_)) {
            continue;
        }
        let at = listed.and_then(|l| l.values.get(j)).map_or(b.name.span, Value::span);
        if !matches!(ridge.of(j), Penalty::Fixed(r) if r > 0.0) {
            return Err(Diagnostic::error(
                at,
                format!("`{}` refits a ridge teacher: it needs a penalty λ > 0", s.name),
            )
            .with_hint("add `ridge λ` to the experiment (or give this series its own penalty), not `tuned`"));
        }
        if b.settings.iter().any(|x| x.key.name == "design") {
            return Err(Diagnostic::error(at, format!("`{}` is theory for one covariance: remove `design`", s.name)));
        }
    }
    Ok(())
}

/// `ridge λ`, `ridge tuned`, or one of those per surrogate (`ridge tuned, 0`): the target's penalties.
fn ridge(setting: &Setting, measure: Measure, surrogates: usize) -> Result<Ridge, Diagnostic> {
    let penalties = setting
        .values
        .iter()
        .map(|v| {
            let e = value_expr(v)?;
            match &e.kind {
                ExprKind::Path(p) if p.segments.len() == 1 && p.segments[0].name == "tuned" => Ok(Penalty::Tuned),
                _ => real(e, "ridge", Bound::NonNegative).map(Penalty::Fixed),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ridge = Ridge(penalties);
    if ridge.0.len() != 1 && ridge.0.len() != surrogates {
        return Err(Diagnostic::error(
            setting.span,
            format!("`ridge` takes one penalty for every series, or one per surrogate ({surrogates} here)"),
        ));
    }
    let tuned = ridge.0.contains(&Penalty::Tuned);
    let problem = match measure {
        Measure::Equivalent | Measure::Cutoffs | Measure::Bounds | Measure::Scale if !ridge.is_none() => {
            Some("this measure is a result on the ridgeless interpolator (Propositions 4-9): it takes no `ridge`")
        }
        Measure::ExcessRisk => None,
        _ if tuned => Some("`ridge tuned` minimises a risk: it needs `measure excess_risk`"),
        Measure::Masks if ridge.0.len() != 1 => Some("`measure masks` takes one penalty for all its series"),
        Measure::Accuracy | Measure::Error if ridge.0.len() != 1 => {
            Some("the student network has one second layer: `ridge` takes one penalty")
        }
        _ => None,
    };
    match problem {
        Some(message) => Err(Diagnostic::error(setting.span, message)),
        None => Ok(ridge),
    }
}

/// `section name "Proposition 3" { v1 "...", title "...", statement "..." }`
pub(super) fn section(b: &Block) -> Result<Section, Diagnostic> {
    let s = Settings::new(b)?;
    let label = b.label.as_ref().map(|l| l.value.clone()).ok_or_else(|| {
        Diagnostic::error(b.name.span, format!("section `{}` needs a label", b.name.name))
            .with_hint(format!("write `section {} \"Theorem 1\" {{ ... }}`", b.name.name))
    })?;
    let text = |key: SectionSetting| s.get(key).map(|v| string(single(v)?)).transpose();
    Ok(Section {
        label,
        v1: text(SectionSetting::V1)?,
        title: text(SectionSetting::Title)?,
        statement: text(SectionSetting::Statement)?,
    })
}

/// The sample sizes of `n`: one number, a range with a step, or a list.
pub(super) fn sizes(e: &Expr) -> Result<Vec<usize>, Diagnostic> {
    sweep(e, "n", "a sample size")
}

/// The whole numbers of a sweep setting called `name` (`n`, `p`): one number (`what`), a range with a step, or a
/// list.
fn sweep(e: &Expr, name: &str, what: &str) -> Result<Vec<usize>, Diagnostic> {
    match &e.kind {
        ExprKind::Number(n) => Ok(vec![count(n, name, 1)?]),
        ExprKind::List(items) if items.len() > MAX_POINTS => {
            Err(Diagnostic::error(e.span, format!("a sweep has at most {MAX_POINTS} points")))
        }
        ExprKind::List(items) if !items.is_empty() => items.iter().map(|x| count(number(x, name)?, name, 1)).collect(),
        ExprKind::Range(start, end, step) => {
            let (a, b) = (count(start, name, 1)?, count(end, name, 1)?);
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
        ExprKind::List(_) => Err(Diagnostic::error(e.span, format!("`{name}` is an empty list"))),
        other => Err(expected(e, &format!("{what}, a range like `50..450 step 25`, or a list"), other)),
    }
}

/// The dimensions of `p` in `measure scale`, at its one sample size n: each above n + 1 (the target interpolates,
/// so that R*/R(β^t) is defined) and at most the largest p of a spectrum.
fn dimensions(e: &Expr, measure: Measure, sizes: &[usize], n_span: Span) -> Result<Vec<usize>, Diagnostic> {
    if measure != Measure::Scale {
        return Err(Diagnostic::error(e.span, "only `measure scale` takes dimensions `p`")
            .with_hint("the other measures use the task's spectrum and its p"));
    }
    let &[n] = sizes else {
        return Err(Diagnostic::error(n_span, "`measure scale` with `p` needs a single sample size n"));
    };
    let dimensions = sweep(e, "p", "a dimension")?;
    if let Some(w) = dimensions.windows(2).find(|w| w[0] >= w[1]) {
        return Err(Diagnostic::error(
            size_span(e, w[1]),
            format!("p = {} does not follow {}: list p increasing", w[1], w[0]),
        ));
    }
    for &p in &dimensions {
        if p > super::MAX_FEATURES {
            return Err(Diagnostic::error(
                size_span(e, p),
                format!("p = {p} is above the largest p, {}", super::MAX_FEATURES),
            ));
        }
        if p <= n {
            return Err(Diagnostic::error(
                size_span(e, p),
                format!("p = {p}: the ratio R*/R(β^t) needs an interpolating target, p > n = {n}"),
            ));
        }
    }
    Ok(dimensions)
}

/// Checks that an experiment on a data task asks what its rows can give: at most N training rows per trial, rows
/// drawn independently at each point (not nested), trained on the data itself (no `design`), and surrogates that
/// are not trained by ERM on Gaussian data of their own.
fn check_data(
    data: &crate::spec::DataTask,
    s: &Settings<'_>,
    surrogates: &[Surrogate],
    sizes: &[usize],
    n_expr: &Expr,
) -> Result<(), Diagnostic> {
    let rows = data.rows.count();
    if let Some(&n) = sizes.iter().find(|&&n| n > rows) {
        return Err(Diagnostic::error(
            size_span(n_expr, n),
            format!("n = {n} is more than the data set's {rows} rows"),
        )
        .with_hint("each trial trains on n distinct rows of the data set"));
    }
    let refused = |setting: ExperimentSetting, why: &str| {
        s.get(setting).map_or(Ok(()), |x| Err(Diagnostic::error(x.span, why.to_owned())))
    };
    refused(ExperimentSetting::Design, "a data task trains on its own rows: it takes no training `design`")?;
    refused(
        ExperimentSetting::Designs,
        "a data task draws each point's rows on their own: `designs nested` shares Gaussian designs across n",
    )?;
    match surrogates.iter().find(|x| matches!(x.kind, SurrogateKind::Erm(_) | SurrogateKind::Teacher(_))) {
        Some(x) => Err(Diagnostic::error(
            s.require(ExperimentSetting::Surrogates)?.span,
            format!("`{}` is trained by ERM on Gaussian data of its own, not on the data set's rows", x.name),
        )
        .with_hint("a data task takes fixed surrogates and `self_distilled`")),
        None => Ok(()),
    }
}

/// Checks that `designs nested` can share one design per trial across the sweep: simulated excess risks, fixed
/// surrogates, and sample sizes increasing and below p (one Cholesky factor of X Xᵀ serves every n).
pub(super) fn check_nested(
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
pub(super) fn check_measure(
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
    let compares = measure.compares();
    if compares && surrogates.is_empty() {
        return Err(Diagnostic::error(name.span, format!("experiment `{}` is missing `surrogates`", name.name)));
    }
    if !compares && !surrogates.is_empty() {
        return Err(Diagnostic::error(name.span, "this measure has fixed series and takes no `surrogates`"));
    }
    let random = surrogates
        .iter()
        .any(|s| matches!(s.kind, SurrogateKind::Erm(_) | SurrogateKind::Teacher(_) | SurrogateKind::SelfDistilled(_)));
    if measure == Measure::Coefficients && random {
        return Err(Diagnostic::error(name.span, "ERM surrogates are random: they have no fixed coefficients to show"));
    }
    if matches!(measure, Measure::Coefficients | Measure::Masks) && sizes.len() != 1 {
        return Err(Diagnostic::error(n_span, "this measure needs a single sample size n"));
    }
    if matches!(measure, Measure::Equivalent | Measure::Cutoffs | Measure::Bounds | Measure::Scale)
        && task.spectrum.alpha.is_none_or(|a| a <= 1.0)
    {
        return Err(Diagnostic::error(
            setting("measure"),
            format!("this measure needs the power-law spectrum of task `{}`, with alpha > 1", task.name),
        )
        .with_hint("declare the task's spectrum with `powerlaw(p, alpha)`"));
    }
    if measure == Measure::Scale {
        if task.energy_exponent.is_none_or(|b| b <= 1.0) {
            return Err(Diagnostic::error(
                setting("measure"),
                format!("`measure scale` needs the power-law signal of task `{}`, with beta > 1", task.name),
            )
            .with_hint("declare the task's signal with `powerlaw_energy(spectrum, beta)`"));
        }
        if task.noise != 0.0 {
            return Err(Diagnostic::error(
                setting("measure"),
                format!("`measure scale` compares noiseless risks, and task `{}` has label noise", task.name),
            )
            .with_hint("Proposition 6 takes σ² = O(n^−γ), which leaves the limit unchanged: use `noise: 0`"));
        }
    }
    if !measure.is_simulated() && trials.is_some() {
        return Err(Diagnostic::error(
            setting("trials"),
            "only `measure excess_risk`, `accuracy` and `zero_one_risk` are simulated: remove `trials`",
        ));
    }
    Ok(())
}

impl Erm {
    /// Itself, then the generations its labels come from, nearest first.
    pub(crate) fn generations(&self) -> impl Iterator<Item = &Erm> {
        std::iter::once(self).chain(self.ancestors())
    }

    /// Its fit at target sample size n as a stage whose moments the theory bounds (theory::moments). For a later
    /// generation of a chain, the signal it cannot see is counted from β⋆ (its labels' β^prev is random, and
    /// non-zero where β⋆ is, in the models here).
    fn stage(&self, beta_star: &[f64], n: usize) -> Stage {
        Stage::surrogate(
            &self.spectrum.lambda,
            beta_star,
            self.features.kept(),
            self.m.at(n),
            self.noise,
            self.ridge > 0.0,
        )
    }
}

/// An ERM surrogate's own fit must be analysable at every m it is trained with, with a finite expected risk: a
/// regime (interpolation below its k positive eigenvalues among the first p_s, least squares above p_s + 1) and
/// E R < ∞ with its effective noise, σ_s² plus the signal on the features it cannot see (theory::moments).
pub(super) fn check_stage_one(s: &Surrogate, task: &Task, sizes: &[usize], at: Span) -> Result<(), Diagnostic> {
    let SurrogateKind::Erm(last) = &s.kind else { return Ok(()) };
    for (erm, &n) in last.generations().flat_map(|g| sizes.iter().map(move |n| (g, n))) {
        if let Some(problem) = refusal(&erm.stage(&task.beta, n)) {
            let stage = erm.stage(&task.beta, n);
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
pub(super) fn refusal(stage: &Stage) -> Option<String> {
    stage.moments().mean.map(|d| d.to_string())
}

/// Each `teacher(of: s)` names an ERM surrogate listed in the same experiment.
pub(super) fn check_teachers(surrogates: &[Surrogate], setting: &Setting) -> Result<(), Diagnostic> {
    for (s, v) in surrogates.iter().zip(&setting.values) {
        if let SurrogateKind::Teacher(of) = &s.kind {
            let trained = |kind: &SurrogateKind| matches!(kind, SurrogateKind::Erm(_) | SurrogateKind::Network(_));
            let listed = surrogates.iter().any(|x| &x.name == of && trained(&x.kind));
            if !listed {
                return Err(Diagnostic::error(
                    v.span(),
                    format!(
                        "`{}` is the teacher of `{of}`, which is not an ERM surrogate or a network of this experiment",
                        s.name
                    ),
                )
                .with_hint(format!(
                    "list `{of}`, declared with `erm(...)` or `network(...)`, in the same `surrogates`"
                )));
            }
        }
    }
    Ok(())
}

/// A decaying label noise σ²(n) = σ² n^−γ must stay within the numbers a spec may hold at every n (a negative γ
/// grows it): beyond 1e50 the risks could overflow.
fn check_noise(sizes: &[usize], task: &Task, at: &Expr) -> Result<(), Diagnostic> {
    for &n in sizes {
        let noise = task.noise_at(n);
        if !(noise.is_finite() && noise <= crate::spec::args::MAX_MAGNITUDE) {
            return Err(Diagnostic::error(
                size_span(at, n),
                format!("task `{}`'s label noise σ²(n) = σ² n^−γ is {noise:e} at n = {n}, above 1e50", task.name),
            )
            .with_hint("use a smaller `noise_decay` magnitude or smaller n"));
        }
    }
    Ok(())
}

/// Every n must be in a regime the theory covers (interpolation below the k positive eigenvalues, least squares
/// above p + 1) and, when `task` is given (the experiment reports risks trained on this spectrum, labelled with the
/// task's noise σ²(n)), have a finite expected risk: with label noise, |n − k| ≥ 2 (inverse-Wishart moments,
/// theory::moments; derived for Gaussian designs, and applied to the others as they are).
pub(super) fn check_sizes(
    sizes: &[usize],
    spectrum: &Spectrum,
    task: Option<&Task>,
    penalised: bool,
    at: &Expr,
) -> Result<(), Diagnostic> {
    for &n in sizes {
        let stage = Stage::target(&spectrum.lambda, n, task.map_or(0.0, |t| t.noise_at(n)), penalised);
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
pub(in crate::spec) fn size_span(e: &Expr, n: usize) -> Span {
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
    /// and so are the risks of `measure bounds`, shown only inside v1 Proposition 9's region (n below
    /// (p + 1)(α − 2)/α − 1 and two further bounds, far below k − 4).
    pub(crate) fn risk_moments(&self, series: usize, n: usize) -> RiskMoments {
        if !matches!(self.measure, Measure::Masks | Measure::ExcessRisk) {
            return RiskMoments::finite();
        }
        let train = self.design.as_ref().unwrap_or(&self.task.spectrum);
        let penalised = self.ridge.of(series).is_positive();
        let target = Stage::target(&train.lambda, n, self.task.noise_at(n), penalised).moments();
        if self.measure == Measure::Masks {
            return target;
        }
        // Every generation of a chain must have a finite moment for its last one's to be finite.
        let stage_one = |erm: &Erm| {
            erm.generations().map(|g| g.stage(&self.task.beta, n).moments()).reduce(RiskMoments::and).expect("one")
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
