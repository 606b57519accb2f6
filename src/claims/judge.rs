//! The decision rules of claims. A failed claim is a verdict, not an error.

use super::theory;
use super::verdict::{Decision, Detail, PointCheck, Scope, Status, Verdict, Verdicts};
use crate::engine::{ExperimentResults, Results};
use crate::plan::Plan;
use crate::spec::{Band, Claim, Expectation, Experiment, Keyword, PointFilter, Rule, Spec};
use crate::stats::{self, Holm, PairedComparison, StatsError, Summary, Welch};

/// Decides every claim of the plan's spec on `results`.
pub fn judge(plan: &Plan<'_>, results: &Results) -> Verdicts {
    Verdicts { claims: plan.spec().claims.iter().map(|c| decide(c, plan, results)).collect() }
}

/// Whether every claim on experiment `running` is decided by `partial` (the results so far, in spec order): the
/// stopping rule of `trials auto`. Claims that also read a later experiment wait for it.
pub fn decided(plan: &Plan<'_>, partial: &Results, running: usize) -> bool {
    plan.spec()
        .claims
        .iter()
        .filter(|c| {
            let read = c.rule.experiments();
            read.contains(&running) && read.iter().all(|&i| i <= running)
        })
        .all(|c| decide(c, plan, partial).status != Status::Inconclusive)
}

/// The looks at the data behind a claim: the product of its experiments' looks (`trials auto`), over which its
/// error rate is split.
fn looks(claim: &Claim, plan: &Plan<'_>) -> usize {
    claim.rule.experiments().iter().map(|&i| plan.schedule(i).looks.len().max(1)).product()
}

/// Decides one claim.
fn decide(claim: &Claim, plan: &Plan<'_>, results: &Results) -> Verdict {
    let spec = plan.spec();
    let index = claim.rule.experiment();
    let e = &results.experiments[index];
    let points = scope(claim, e);
    let scope = scope_of(e, &points);
    let looks = looks(claim, plan);
    let confidence = claim.confidence;
    let (detail, checks, notes) = match &claim.rule {
        Rule::Agree { band, .. } => agree(e, &spec.experiments[index], scope, &points, *band, confidence, looks),
        Rule::Equal { series, other, band, .. } => {
            equal(results, spec, (index, *series), *other, scope, &points, *band, confidence, looks)
        }
        Rule::Below { pairs, points: filter, .. } => {
            let quantity = quantity(spec.experiments[index].measure);
            below(e, (scope, quantity), &points, pairs, *filter, confidence, looks)
        }
        rule => {
            let (detail, checks) = match rule {
                Rule::TheoryBelow { pairs, .. } => theory::below(e, &scope, &points, pairs),
                Rule::Close { series, tolerance, .. } => theory::close(e, &scope, &points, *series, *tolerance),
                Rule::Slope { series, expected, tolerance, .. } => {
                    theory::slope(e, &scope, &points, series, *expected, *tolerance)
                }
                Rule::Flat { series, tolerance, .. } => theory::flat(e, &scope, &points, *series, *tolerance),
                Rule::Amplifies { series, .. } => theory::amplifies(&spec.experiments[index], e, *series),
                _ => unreachable!("simulated rules are decided above"),
            };
            (detail, checks, Vec::new())
        }
    };
    let status = Status::of_claim(&checks).expected(&claim.expectation);
    let contradicted = match &claim.expectation {
        Expectation::Holds => None,
        Expectation::Contradicted(why) => Some(why.clone()),
    };
    let (name, label, span) = (claim.name.clone(), claim.label.clone(), claim.span);
    let simulated = claim.rule.is_simulated();
    let (confidence, looks) = if simulated { (Some(confidence), looks) } else { (None, 1) };
    let decision = Decision::new(claim.rule.kind().keyword(), confidence, looks, &checks, detail);
    Verdict { name, label, span, status, notes, contradicted, points: checks, decision }
}

/// The scope of a claim as data: its experiment's x, how many points it tests, and their x values when it tests
/// only some.
fn scope_of(e: &ExperimentResults, points: &[usize]) -> Scope {
    let total = e.series.first().map_or(0, |s| s.points.len());
    let restricted = (points.len() != total).then(|| points.iter().map(|&i| e.series[0].points[i].x).collect());
    Scope { x: e.x.clone(), points: points.len(), restricted }
}

/// The point indices a claim tests: all of its experiment's, or those whose x its `at` selects.
fn scope(claim: &Claim, e: &ExperimentResults) -> Vec<usize> {
    let xs = e.series.first().map_or(&[][..], |s| s.points.as_slice());
    xs.iter()
        .enumerate()
        .filter(|(_, p)| claim.at.as_ref().is_none_or(|at| at.iter().any(|&n| n as f64 == p.x)))
        .map(|(i, _)| i)
        .collect()
}

/// What a simulated rule computed, every check it made, and why some points could not be decided.
type Ruled = (Detail, Vec<PointCheck>, Vec<String>);

/// A simulated point's evidence for an equivalence test: the estimate (a mean, or a difference of means) and its
/// family-wise interval, or why there is none.
type Evidence = Result<Interval, String>;

/// An estimate and its two-sided interval.
#[derive(Clone, Copy, Debug)]
struct Interval {
    /// The estimate.
    mean: f64,
    /// Lower end.
    ci_low: f64,
    /// Upper end.
    ci_high: f64,
}

impl From<Summary> for Interval {
    fn from(s: Summary) -> Self {
        Self { mean: s.mean, ci_low: s.ci_low, ci_high: s.ci_high }
    }
}

impl From<Welch> for Interval {
    fn from(w: Welch) -> Self {
        Self { mean: w.mean, ci_low: w.ci_low, ci_high: w.ci_high }
    }
}

/// One point of an equivalence test (two one-sided tests, Schuirmann 1987, in their interval form): with the
/// interval `[lo, hi]` of the estimated quantity at confidence 1 − level, the point passes iff
/// `[lo, hi] ⊆ [reference − allowed, reference + allowed]`, fails iff the two are disjoint, and is inconclusive
/// otherwise (or when there is no interval, or its variance is infinite: `blocked`).
fn equivalence(series: &str, x: f64, reference: f64, allowed: f64, evidence: &Evidence) -> PointCheck {
    let nan = f64::NAN;
    let (observed, low, high, status) = match evidence {
        Err(_) => (nan, nan, nan, Status::Inconclusive),
        Ok(s) => {
            let (lo, hi) = (reference - allowed, reference + allowed);
            let status = if lo <= s.ci_low && s.ci_high <= hi {
                Status::Pass
            } else if s.ci_high < lo || s.ci_low > hi {
                Status::Fail
            } else {
                Status::Inconclusive
            };
            (s.mean, s.ci_low, s.ci_high, status)
        }
    };
    PointCheck { series: series.to_owned(), x, observed, expected: reference, low, high, status }
}

/// The interval of the mean of series `j` at point `index` at confidence 1 − `level`, unless its variance is
/// infinite or it has too few trials (the reason then names the point: "n = 38: …").
fn mean_evidence(e: &ExperimentResults, index: usize, j: usize, level: f64) -> Evidence {
    let point = &e.series[j].points[index];
    if let Some(why) = &point.infinite_variance {
        return Err(why.clone());
    }
    let x = point.x;
    e.sums[index].summary(j, 1.0 - level).map(Interval::from).map_err(|err| format!("n = {x}: no interval: {err}"))
}

/// The task's risk scale Σ λ_i β⋆_i² + σ²(n) of experiment `e` at the point x = n, which sets the round-off of
/// its risks there.
fn scale(e: &Experiment, x: f64) -> f64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "x is a sample size n ≥ 1")]
    let n = x as usize;
    crate::sim::risk_scale(&e.task.spectrum.lambda, &e.task.beta, e.task.noise_at(n))
}

/// Theorem 1 as an equivalence test: every simulated mean is within the band of its theory value.
///
/// Rule: with K points in all, family-wise confidence c and L looks at the data (adaptive trials; 1 otherwise),
/// point k passes iff its two-sided Student-t interval at confidence 1 − (1 − c)/(K·L) lies inside
/// theory ± (absolute + relative·|theory|), fails iff the interval lies entirely outside, and is inconclusive
/// otherwise. A true claim fails, and a false one passes, with probability at most 1 − c each (Bonferroni over
/// points and looks).
fn agree(
    e: &ExperimentResults,
    declared: &Experiment,
    scope: Scope,
    points: &[usize],
    band: Band,
    confidence: f64,
    looks: usize,
) -> Ruled {
    let count = e.series.len() * points.len();
    let level = (1.0 - confidence) / (count * looks) as f64;
    let mut checks = Vec::with_capacity(count);
    let mut allowed = Vec::with_capacity(count);
    let mut notes = Vec::new();
    for (j, series) in e.series.iter().enumerate() {
        for &index in points {
            let point = &series.points[index];
            let scale = scale(declared, point.x);
            let half = band.half_width(point.theory).max(crate::sim::round_off(scale, point.theory));
            let evidence = mean_evidence(e, index, j, level);
            if let Err(why) = &evidence {
                notes.push(format!("{}: {why}", series.name));
            }
            checks.push(equivalence(&series.name, point.x, point.theory, half, &evidence));
            allowed.push(half);
        }
    }
    (Detail::Agree { scope, tests: count, level, band, allowed }, checks, notes)
}

/// The paper's equality of two simulated risks, as an equivalence test of their difference against 0.
///
/// Within one experiment the series share every design and noise draw, so the difference is paired by trial;
/// across two experiments the draws are independent and Welch's interval is used. The band is relative to the
/// second series' theory value. Decisions as in [`agree`].
#[allow(clippy::too_many_arguments, reason = "the two series and their experiments are the rule's inputs")]
fn equal(
    results: &Results,
    spec: &Spec,
    (ea, a): (usize, usize),
    (eb, b): (usize, usize),
    scope: Scope,
    points: &[usize],
    band: Band,
    confidence: f64,
    looks: usize,
) -> Ruled {
    let (ra, rb) = (&results.experiments[ea], &results.experiments[eb]);
    let level = (1.0 - confidence) / (points.len() * looks) as f64;
    let name = format!("{}.{} − {}.{}", ra.name, ra.series[a].name, rb.name, rb.series[b].name);
    let (mut checks, mut allowed, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    for &i in points {
        let (pa, pb) = (&ra.series[a].points[i], &rb.series[b].points[i]);
        let evidence = match pa.infinite_variance.as_ref().or(pb.infinite_variance.as_ref()) {
            Some(why) => Err(why.clone()),
            None => {
                difference(ra, rb, i, (a, b), 1.0 - level).map_err(|err| format!("n = {}: no interval: {err}", pa.x))
            }
        };
        if let Err(why) = &evidence {
            notes.push(format!("{name}: {why}"));
        }
        let scale = scale(&spec.experiments[ea], pa.x).max(scale(&spec.experiments[eb], pb.x));
        let half = band.half_width(pb.theory).max(crate::sim::round_off(scale, pb.theory));
        checks.push(equivalence(&name, pa.x, 0.0, half, &evidence));
        allowed.push(half);
    }
    let first = format!("{}.{}", ra.name, ra.series[a].name);
    let second = format!("{}.{}", rb.name, rb.series[b].name);
    (Detail::Equal { scope, first, second, paired: ea == eb, level, band, allowed }, checks, notes)
}

/// The interval of mean(a) − mean(b) at point `i` of experiments `ra` (series a) and `rb` (series b) at
/// `confidence`: paired by trial within one experiment (the same results), Welch's across two.
fn difference(
    ra: &ExperimentResults,
    rb: &ExperimentResults,
    i: usize,
    (a, b): (usize, usize),
    confidence: f64,
) -> Result<Interval, StatsError> {
    if std::ptr::eq(ra, rb) {
        return ra.sums[i].difference(a, b, confidence).map(Interval::from);
    }
    let (sa, sb) = (ra.sums[i].summary(a, confidence)?, rb.sums[i].summary(b, confidence)?);
    Ok(stats::welch(sa, sb, confidence).into())
}

/// What a `holds` rule compares under `measure`, as its words write it: R(a) < R(b) for the excess risk,
/// accuracy(a) < accuracy(b) for the test accuracy.
fn quantity(measure: crate::spec::Measure) -> String {
    match measure {
        crate::spec::Measure::ExcessRisk => "R".to_owned(),
        other => crate::spec::Keyword::keyword(other).to_owned(),
    }
}

/// Ordering claims: for each pair, the paired difference lower − higher is significantly below 0 at every tested
/// point.
///
/// Rule: one-sided paired t-test per pair and point, Holm's step-down procedure over all of them at family-wise
/// level 1 − c. A test passes iff it rejects H0: E[d] ≥ 0; it fails iff the opposite test (H0': E[d] ≤ 0, Holm
/// over the same family at the same level) rejects; otherwise it is inconclusive.
fn below(
    e: &ExperimentResults,
    (scope, quantity): (Scope, String),
    points: &[usize],
    pairs: &[(usize, usize)],
    filter: PointFilter,
    confidence: f64,
    looks: usize,
) -> Ruled {
    let tested: Vec<(usize, usize, usize)> = pairs
        .iter()
        .flat_map(|&(lower, higher)| points.iter().map(move |&i| (lower, higher, i)))
        .filter(|&(lower, higher, i)| {
            filter == PointFilter::All || e.fingerprints[i][lower] != e.fingerprints[i][higher]
        })
        .collect();
    // A comparison that cannot be computed (too few trials, or a risk of infinite variance, where the t test
    // means nothing) has p-value 1 both ways: inconclusive.
    let mut notes = Vec::new();
    let tests: Vec<Option<PairedComparison>> = tested
        .iter()
        .map(|&(lower, higher, i)| {
            let (a, b) = (&e.series[lower].points[i], &e.series[higher].points[i]);
            let test = match a.infinite_variance.as_ref().or(b.infinite_variance.as_ref()) {
                Some(why) => Err(why.clone()),
                None => PairedComparison::of(&e.sums[i], lower, higher, confidence)
                    .map_err(|err| format!("n = {}: no test: {err}", a.x)),
            };
            test.map_err(|why| notes.push(format!("{} − {}: {why}", e.series[lower].name, e.series[higher].name))).ok()
        })
        .collect();
    let alpha = (1.0 - confidence) / looks as f64;
    let p_less: Vec<f64> = tests.iter().map(|t| t.as_ref().map_or(1.0, |t| t.p_less)).collect();
    // p-value of H0': E[d] ≤ 0 against E[d] > 0 is 1 − F_t(t).
    let p_greater: Vec<f64> = tests.iter().map(|t| t.as_ref().map_or(1.0, |t| 1.0 - t.p_less)).collect();
    let holm = |p: &[f64]| Holm::new(p, alpha).map_or_else(|_| vec![false; p.len()], |h| h.rejected);
    let (rejected, contradicted) = (holm(&p_less), holm(&p_greater));
    let checks: Vec<PointCheck> = tested
        .iter()
        .zip(&tests)
        .enumerate()
        .map(|(k, (&(lower, higher, i), test))| {
            let d = test.as_ref().map(|t| &t.difference);
            PointCheck {
                series: format!("{} − {}", e.series[lower].name, e.series[higher].name),
                x: e.series[lower].points[i].x,
                observed: d.map_or(f64::NAN, |d| d.mean),
                expected: 0.0,
                low: d.map_or(f64::NAN, |d| d.ci_low),
                high: d.map_or(f64::NAN, |d| d.ci_high),
                status: match (rejected[k], contradicted[k]) {
                    (true, _) => Status::Pass,
                    (false, true) => Status::Fail,
                    (false, false) => Status::Inconclusive,
                },
            }
        })
        .collect();
    let comparisons = pairs.iter().map(|&(l, h)| (e.series[l].name.clone(), e.series[h].name.clone())).collect();
    let detail = Detail::Holds { scope, quantity, comparisons, filter, tests: tested.len(), alpha, p_values: p_less };
    (detail, checks, notes)
}
