//! Claims: a rule, the series it reads and its options (tolerance, confidence, points, expectation).

use crate::spec::signature::{ClaimOption, ToleranceConstructor};

use super::{
    Band, Block, Bound, Claim, Diagnostic, Expectation, Experiment, Expr, ExprKind, Keyword, Measure, Ordering, Path,
    PointFilter, Resolver, Rule, RuleKind, Setting, Settings, Spec, Tolerance, Value, choice, construct, did_you_mean,
    keyword, path, real, single, sizes, string, value_expr,
};

impl<'a> Resolver<'a> {
    /// `claim name "label" { RULE ..., tolerance ..., confidence ..., points ..., at ..., contradicted "..." }`
    pub(super) fn claim(&self, b: &'a Block, spec: &Spec) -> Result<Claim, Diagnostic> {
        if let Some(old) = b.settings.iter().find(|s| s.key.name == "precision") {
            return Err(Diagnostic::error(old.key.span, "`precision` is gone: `agree` is an equivalence test")
                .with_hint("state the agreement claimed with `tolerance`; a point is decided once its interval fits"));
        }
        let s = Settings::new(b)?;
        let label = b.label.as_ref().map(|l| l.value.clone()).ok_or_else(|| {
            Diagnostic::error(b.name.span, format!("claim `{}` needs a label", b.name.name))
                .with_hint(format!("write `claim {} \"Proposition 1: ...\" {{ ... }}`", b.name.name))
        })?;
        let rules: Vec<(RuleKind, &Setting)> =
            RuleKind::ALL.iter().filter_map(|&r| s.get(r).map(|setting| (r, setting))).collect();
        let (kind, setting) = match rules.as_slice() {
            [one] => *one,
            [] => {
                return Err(Diagnostic::error(b.name.span, format!("claim `{}` tests nothing", b.name.name))
                    .with_hint(format!("add one of: {}", RuleKind::WORDS.join(", "))));
            }
            [_, (_, second), ..] => {
                return Err(Diagnostic::error(second.key.span, "a claim has exactly one rule")
                    .with_hint("split it into two claims"));
            }
        };
        let rule = self.rule(kind, setting, &s, spec)?;
        let experiment = &spec.experiments[rule.experiment()];
        if rule.is_simulated()
            && let Some(e) = rule
                .experiments()
                .into_iter()
                .map(|i| &spec.experiments[i])
                .find(|e| e.trials.is_none() || e.measure != Measure::ExcessRisk)
            && !(kind == RuleKind::Holds && e.measure.classifies())
        {
            let hint = if e.measure.classifies() {
                "a classification measure has no theory to agree with: compare its series with `holds`"
            } else {
                "give the experiment `trials` and `measure excess_risk`"
            };
            return Err(Diagnostic::error(
                setting.key.span,
                format!("`{}` needs simulated excess risks, but experiment `{}` has none", setting.key.name, e.name),
            )
            .with_hint(hint));
        }
        if !rule.is_simulated() && experiment.measure.classifies() {
            return Err(Diagnostic::error(
                setting.key.span,
                format!(
                    "experiment `{}` is simulated only: it has no theory for `{}`",
                    experiment.name, setting.key.name
                ),
            )
            .with_hint("compare its series with `holds`"));
        }
        let expectation = match s.get(ClaimOption::Contradicted) {
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
        let confidence =
            s.get(ClaimOption::Confidence).map(|c| real(single(c)?, "confidence", Bound::Fraction)).transpose()?;
        let at = s.get(ClaimOption::At).map(|a| claim_sizes(single(a)?, experiment)).transpose()?;
        Ok(Claim {
            name: b.name.name.clone(),
            label,
            rule,
            confidence: confidence.unwrap_or(0.99),
            expectation,
            at,
            span: b.name.span,
            rule_span: setting.key.span,
            excerpt: b.span.text(self.source).to_owned(),
        })
    }

    /// The rule of a claim, from its rule setting and the options that rule accepts.
    pub(super) fn rule(
        &self,
        kind: RuleKind,
        setting: &Setting,
        s: &Settings<'_>,
        spec: &Spec,
    ) -> Result<Rule, Diagnostic> {
        let key = setting.key.name.as_str();
        let allowed: Vec<&str> = kind.options().iter().map(|o| o.keyword()).collect();
        if let Some(extra) = s.in_order().find(|x| x.key.name != key && !allowed.contains(&x.key.name.as_str())) {
            return Err(Diagnostic::error(
                extra.key.span,
                format!("`{}` does not apply to `{key}` claims", extra.key.name),
            )
            .with_hint(format!("`{key}` takes: {}", allowed.join(", "))));
        }
        let band = || {
            band(s.get(ClaimOption::Tolerance).ok_or_else(|| {
                missing_tolerance(setting).with_hint(
                    "the tolerance is the agreement claimed, e.g. `tolerance relative(0.03)`, or \
                     `tolerance absolute(1e-9), relative(0.03)` where the theory value may be 0",
                )
            })?)
        };
        // `agree` and `equal` read a band (two parts allowed); the others one tolerance, read before their series.
        let tolerance = match kind {
            RuleKind::Agree | RuleKind::Equal => None,
            RuleKind::Holds
            | RuleKind::Theory
            | RuleKind::Close
            | RuleKind::Slope
            | RuleKind::Flat
            | RuleKind::Amplifies => s.get(ClaimOption::Tolerance).map(|t| tolerance(single(t)?)).transpose()?,
        };
        match kind {
            RuleKind::Agree => {
                let experiment = self.experiment_ref(single(setting)?)?;
                Ok(Rule::Agree { experiment, band: band()? })
            }
            RuleKind::Equal => {
                let ((experiment, series), other) = self.equal(setting, spec)?;
                Ok(Rule::Equal { experiment, series, other, band: band()? })
            }
            RuleKind::Holds => {
                let points = match s.get(ClaimOption::Points) {
                    None => PointFilter::All,
                    Some(p) => keyword(single(p)?, "points")?,
                };
                let (experiment, pairs) = self.comparisons(setting, spec)?;
                let pairs = pairs.into_iter().map(|(lower, higher, _)| (lower, higher)).collect();
                Ok(Rule::Below { experiment, pairs, points })
            }
            RuleKind::Theory => {
                let (experiment, pairs) = self.comparisons(setting, spec)?;
                Ok(Rule::TheoryBelow { experiment, pairs })
            }
            RuleKind::Close => {
                let (experiment, series) = self.two_series(setting, spec)?;
                let tolerance = tolerance.ok_or_else(|| missing_tolerance(setting))?;
                Ok(Rule::Close { experiment, series, tolerance })
            }
            RuleKind::Flat => {
                let (experiment, series) = self.two_series(setting, spec)?;
                match tolerance {
                    Some(Tolerance::Relative(tolerance)) => Ok(Rule::Flat { experiment, series, tolerance }),
                    _ => Err(missing_tolerance(setting).with_hint("`flat` takes `tolerance relative(x)`")),
                }
            }
            RuleKind::Slope => {
                let (experiment, series) = self.many_series(setting, spec)?;
                let Some(Tolerance::Absolute(tolerance)) = tolerance else {
                    return Err(missing_tolerance(setting).with_hint("`slope` takes `tolerance absolute(x)`"));
                };
                let expected = expected_slope(s, setting, &spec.experiments[experiment])?;
                Ok(Rule::Slope { experiment, series, expected, tolerance })
            }
            RuleKind::Amplifies => {
                let (experiment, series) = self.two_series(setting, spec)?;
                if spec.experiments[experiment].measure != Measure::Coefficients {
                    return Err(Diagnostic::error(setting.key.span, "`amplifies` compares coefficient series")
                        .with_hint("use an experiment with `measure coefficients`"));
                }
                Ok(Rule::Amplifies { experiment, series })
            }
        }
    }

    /// `equal a.s, b.t`: two simulated series at the same sample sizes (of one experiment or two), as
    /// (experiment, series) pairs.
    #[allow(clippy::type_complexity, reason = "two (experiment, series) index pairs")]
    pub(super) fn equal(&self, setting: &Setting, spec: &Spec) -> Result<((usize, usize), (usize, usize)), Diagnostic> {
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
    pub(super) fn comparisons(&self, setting: &Setting, spec: &Spec) -> Result<(usize, Vec<Ordering>), Diagnostic> {
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
                ">=" => (&c.right, &c.left, false),
                other => return Err(Diagnostic::error(c.span, format!("unknown comparison `{other}`"))),
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
    pub(super) fn two_series(&self, setting: &Setting, spec: &Spec) -> Result<(usize, (usize, usize)), Diagnostic> {
        let (experiment, series) = self.many_series(setting, spec)?;
        match series.as_slice() {
            [a, b] => Ok((experiment, (*a, *b))),
            _ => Err(Diagnostic::error(setting.span, format!("`{}` takes exactly two series", setting.key.name))),
        }
    }

    /// `e.a, e.b, ...`: series of one experiment.
    pub(super) fn many_series(&self, setting: &Setting, spec: &Spec) -> Result<(usize, Vec<usize>), Diagnostic> {
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
    pub(super) fn series(&self, p: &Path, spec: &Spec) -> Result<(usize, usize), Diagnostic> {
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
pub(super) fn missing_tolerance(setting: &Setting) -> Diagnostic {
    Diagnostic::error(setting.key.span, format!("`{}` needs a `tolerance`", setting.key.name))
}

/// `tolerance relative(x)`, `tolerance absolute(x)` or both, as the half-width of an equivalence band.
pub(super) fn band(setting: &Setting) -> Result<Band, Diagnostic> {
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
pub(super) fn tolerance(e: &Expr) -> Result<Tolerance, Diagnostic> {
    let (kind, a) = construct(e)?;
    let x = a.real("amount", Bound::NonNegative, None)?;
    match kind {
        ToleranceConstructor::Absolute => Ok(Tolerance::Absolute(x)),
        ToleranceConstructor::Relative if x >= 1.0 => {
            Err(Diagnostic::error(a.require("amount")?.span, "a relative tolerance must be below 1"))
        }
        ToleranceConstructor::Relative => Ok(Tolerance::Relative(x)),
    }
}

/// `at`: points of the claim's experiment, a subset of its sweep (sample sizes, or the dimensions of
/// `measure scale` with `p`).
pub(super) fn claim_sizes(e: &Expr, experiment: &Experiment) -> Result<Vec<usize>, Diagnostic> {
    let at = sizes(e)?;
    let x = if experiment.dimensions.is_some() { "p" } else { "n" };
    if let Some(n) = at.iter().find(|n| !experiment.sweep().contains(n)) {
        return Err(Diagnostic::error(e.span, format!("experiment `{}` has no point {x} = {n}", experiment.name))
            .with_hint(if x == "p" {
                "`at` selects dimensions of the experiment's `p`"
            } else {
                "`at` selects sample sizes of the experiment's `n`"
            }));
    }
    Ok(at)
}

/// `expect -0.5` or `expect scaling_law` (Proposition 6: −(β−1) if β < 2α+1, −2α if β > 2α+1).
fn expected_slope(s: &Settings<'_>, rule: &Setting, e: &Experiment) -> Result<f64, Diagnostic> {
    let setting = s
        .get(ClaimOption::Expect)
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
