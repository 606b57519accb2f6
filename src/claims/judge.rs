//! The decision rules of claims. A failed claim is a verdict, not an error.

use serde::Serialize;

use super::theory;
use crate::engine::{ExperimentResults, Results};
use crate::spec::{Claim, PointFilter, Rule, Spec, Tolerance};
use crate::stats::{self, Holm, PairedComparison, Summary};

/// The verdicts of every claim, in spec order.
#[derive(Clone, Debug, Serialize)]
pub struct Verdicts {
    /// One per claim.
    pub(crate) claims: Vec<Verdict>,
}

impl Verdicts {
    /// Whether some claim failed.
    pub fn any_failed(&self) -> bool {
        self.claims.iter().any(|c| c.status == Status::Fail)
    }

    /// Whether some claim is inconclusive.
    pub fn any_inconclusive(&self) -> bool {
        self.claims.iter().any(|c| c.status == Status::Inconclusive)
    }

    /// One line per claim: `pass name: statement`, `FAIL name: statement` or `INCONCLUSIVE name: statement`.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.claims.iter().map(|v| {
            let word = match v.status {
                Status::Pass => "pass",
                Status::Fail => "FAIL",
                Status::Inconclusive => "INCONCLUSIVE",
            };
            format!("{word} {}: {}", v.name, v.label)
        })
    }
}

/// The outcome of a claim or of one tested point: held, contradicted, or not decided by the evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// The evidence supports the claim at its confidence.
    Pass,
    /// The evidence contradicts the claim at its confidence (or an exact check failed).
    Fail,
    /// The evidence is too weak to decide either way: more trials would decide.
    Inconclusive,
}

impl Status {
    /// Pass or fail, for exact checks.
    pub(super) fn of(ok: bool) -> Self {
        if ok { Status::Pass } else { Status::Fail }
    }

    /// The word used in the results file and the report: `pass`, `fail` or `inconclusive`.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Inconclusive => "inconclusive",
        }
    }

    /// A claim's status from its points': fail if any point fails (or none was tested), else inconclusive if
    /// any point is, else pass.
    fn of_claim(points: &[PointCheck]) -> Self {
        let any = |s: Status| points.iter().any(|p| p.status == s);
        if points.is_empty() || any(Status::Fail) {
            Status::Fail
        } else if any(Status::Inconclusive) {
            Status::Inconclusive
        } else {
            Status::Pass
        }
    }
}

/// The decision on one claim.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Verdict {
    /// The claim's name.
    pub(crate) name: String,
    /// What it asserts.
    pub(crate) label: String,
    /// Whether it held, failed or is undecided.
    pub(crate) status: Status,
    /// The decision rule, in words.
    pub(crate) rule: String,
    /// What was observed, in words.
    pub(crate) outcome: String,
    /// Every tested point.
    pub(crate) points: Vec<PointCheck>,
}

/// One tested point of a claim.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PointCheck {
    /// The series (or `a − b` for paired claims).
    pub(crate) series: String,
    /// The sample size.
    pub(crate) x: f64,
    /// The simulated value (mean, or mean paired difference).
    pub(crate) observed: f64,
    /// The reference value (theory, or 0 for a paired difference).
    pub(crate) expected: f64,
    /// The acceptance interval or the one-sided p-value's bound, low end.
    pub(crate) low: f64,
    /// High end.
    pub(crate) high: f64,
    /// Whether this point passed, failed or is undecided.
    pub(crate) status: Status,
}

/// Decides every claim of `spec` on `results`.
pub fn judge(spec: &Spec, results: &Results) -> Verdicts {
    Verdicts { claims: spec.claims.iter().map(|c| decide(c, spec, results)).collect() }
}

/// Decides one claim.
fn decide(claim: &Claim, spec: &Spec, results: &Results) -> Verdict {
    let index = claim.rule.experiment();
    let e = &results.experiments[index];
    let scope = scope(claim, e);
    let (rule, outcome, points) = match &claim.rule {
        Rule::Agree { relative, precision, .. } => agree(e, &scope, *relative, *precision, claim.confidence),
        Rule::Below { pairs, points, .. } => below(e, &scope, pairs, *points, claim.confidence),
        Rule::TheoryBelow { pairs, .. } => theory::below(e, &scope, pairs),
        Rule::Close { series, tolerance, .. } => theory::close(e, &scope, *series, *tolerance),
        Rule::Slope { series, expected, tolerance, .. } => theory::slope(e, &scope, series, *expected, *tolerance),
        Rule::Flat { series, tolerance, .. } => theory::flat(e, &scope, *series, *tolerance),
        Rule::Amplifies { series, .. } => theory::amplifies(&spec.experiments[index], e, *series),
    };
    let status = Status::of_claim(&points);
    Verdict { name: claim.name.clone(), label: claim.label.clone(), status, rule, outcome, points }
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

/// " (restricted to n = …)" for the rule text, or nothing when every point is in scope.
pub(super) fn scope_words(e: &ExperimentResults, scope: &[usize]) -> String {
    let total = e.series.first().map_or(0, |s| s.points.len());
    if scope.len() == total {
        return String::new();
    }
    let xs: Vec<String> = scope.iter().map(|&i| stats::sig(e.series[0].points[i].x, 6)).collect();
    format!(" (restricted to {} = {})", e.x, xs.join(", "))
}

/// Theorem 1: every simulated mean agrees with its theory value.
///
/// Rule: with K points in all and family-wise confidence c, point k fails iff
/// |mean − theory| > t_{1−(1−c)/(2K), trials−1} · se + relative · |theory| (Bonferroni). With a declared
/// precision, a point that does not fail but whose half-width t · se exceeds it is inconclusive.
fn agree(
    e: &ExperimentResults,
    scope: &[usize],
    relative: f64,
    precision: Option<Tolerance>,
    confidence: f64,
) -> (String, String, Vec<PointCheck>) {
    let count = e.series.len() * scope.len();
    let level = (1.0 - confidence) / count as f64;
    let mut checks = Vec::with_capacity(count);
    for (j, series) in e.series.iter().enumerate() {
        for &index in scope {
            let point = &series.points[index];
            checks.push(agree_point(
                &series.name,
                point.x,
                point.theory,
                column(e, index, j),
                relative,
                precision,
                level,
            ));
        }
    }
    let precision_words = match precision {
        None => String::new(),
        Some(p) => format!(
            " A point whose interval half-width (before widening) exceeds the declared precision ({}) and that \
             does not fail is inconclusive: the claim is then inconclusive unless some point fails.",
            tolerance_words(p)
        ),
    };
    let rule = format!(
        "At each of the {count} points (every series × every n{}), the theory value must lie in the simulated mean's \
         two-sided Student-t interval at confidence {} (Bonferroni over {count} points, family-wise confidence {}), \
         widened by {} of the theory value for the finite-p gap of the deterministic equivalent.{precision_words}",
        scope_words(e, scope),
        fmt_conf(1.0 - level),
        fmt_conf(confidence),
        percent(relative),
    );
    let worst = checks.iter().max_by(|a, b| deviation(a).total_cmp(&deviation(b)));
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let open = checks.iter().filter(|c| c.status == Status::Inconclusive).count();
    let open_words = if open > 0 { format!(" {open} points too imprecise to decide.") } else { String::new() };
    let outcome = match worst {
        Some(w) => format!(
            "{failed} of {count} points outside their interval.{open_words} Largest deviation: {} at n = {}, \
             simulated {} against theory {} ({} of the allowed half-width).",
            w.series,
            w.x,
            stats::sig(w.observed, 4),
            stats::sig(w.expected, 4),
            percent(deviation(w)),
        ),
        None => "no points to test".to_owned(),
    };
    (rule, outcome, checks)
}

/// One point of an `agree` claim: its interval at confidence 1 − `level`, widened by `relative`·|theory|.
fn agree_point(
    series: &str,
    x: f64,
    theory: f64,
    sample: &[f64],
    relative: f64,
    precision: Option<Tolerance>,
    level: f64,
) -> PointCheck {
    let slack = relative * theory.abs();
    let Ok(s) = Summary::new(sample, 1.0 - level) else {
        // A sample too small for an interval cannot decide the claim.
        let nan = f64::NAN;
        let status = Status::Inconclusive;
        return PointCheck {
            series: series.to_owned(),
            x,
            observed: nan,
            expected: theory,
            low: nan,
            high: nan,
            status,
        };
    };
    let (low, high) = (s.ci_low - slack, s.ci_high + slack);
    let half = (s.ci_high - s.ci_low) / 2.0;
    let allowed = match precision {
        None => f64::INFINITY,
        Some(Tolerance::Absolute(a)) => a,
        Some(Tolerance::Relative(r)) => r * theory.abs(),
    };
    let status = if !(low..=high).contains(&theory) {
        Status::Fail
    } else if half > allowed {
        Status::Inconclusive
    } else {
        Status::Pass
    };
    PointCheck { series: series.to_owned(), x, observed: s.mean, expected: theory, low, high, status }
}

/// "an absolute half-width of 0.001" / "a half-width of 2% of the theory value".
fn tolerance_words(t: Tolerance) -> String {
    match t {
        Tolerance::Absolute(a) => format!("an absolute half-width of {}", stats::sig(a, 3)),
        Tolerance::Relative(r) => format!("a half-width of {} of the theory value", percent(r)),
    }
}

/// |observed − expected| as a fraction of the allowed half-width on that side.
fn deviation(c: &PointCheck) -> f64 {
    let half = if c.expected < c.observed { c.observed - c.low } else { c.high - c.observed };
    (c.observed - c.expected).abs() / half.max(f64::MIN_POSITIVE)
}

/// The per-trial values of series `j` at point `index`.
fn column(e: &ExperimentResults, index: usize, j: usize) -> &[f64] {
    &e.samples[index][j]
}

/// Ordering claims: for each pair, the paired difference lower − higher is significantly below 0 at every tested
/// point.
///
/// Rule: one-sided paired t-test per pair and point, Holm's step-down procedure over all of them at family-wise
/// level 1 − c. A test passes iff it rejects H0: E[d] ≥ 0; it fails iff the opposite test (H0': E[d] ≤ 0, Holm
/// over the same family at the same level) rejects; otherwise it is inconclusive.
fn below(
    e: &ExperimentResults,
    scope: &[usize],
    pairs: &[(usize, usize)],
    filter: PointFilter,
    confidence: f64,
) -> (String, String, Vec<PointCheck>) {
    let tested: Vec<(usize, usize, usize)> = pairs
        .iter()
        .flat_map(|&(lower, higher)| scope.iter().map(move |&i| (lower, higher, i)))
        .filter(|&(lower, higher, i)| {
            filter == PointFilter::All || e.fingerprints[i][lower] != e.fingerprints[i][higher]
        })
        .collect();
    // A comparison that cannot be computed (too few trials) has p-value 1 both ways: inconclusive.
    let tests: Vec<Option<PairedComparison>> = tested
        .iter()
        .map(|&(lower, higher, i)| PairedComparison::new(column(e, i, lower), column(e, i, higher), confidence).ok())
        .collect();
    let p_less: Vec<f64> = tests.iter().map(|t| t.as_ref().map_or(1.0, |t| t.p_less)).collect();
    // p-value of H0': E[d] ≤ 0 against E[d] > 0 is 1 − F_t(t).
    let p_greater: Vec<f64> = tests.iter().map(|t| t.as_ref().map_or(1.0, |t| 1.0 - t.p_less)).collect();
    let holm = |p: &[f64]| Holm::new(p, 1.0 - confidence).map_or_else(|_| vec![false; p.len()], |h| h.rejected);
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
    let comparisons: Vec<String> =
        pairs.iter().map(|&(l, h)| format!("R({}) < R({})", e.series[l].name, e.series[h].name)).collect();
    let scope_text = match filter {
        PointFilter::All => format!("every one of the {} points{}", scope.len(), scope_words(e, scope)),
        PointFilter::Differing => format!(
            "the points{} where the two surrogates differ ({} tests in all)",
            scope_words(e, scope),
            tested.len()
        ),
    };
    let alpha = fmt_conf(1.0 - confidence);
    let rule = format!(
        "Paired by trial (the series share every design and noise draw). For {} at {scope_text}: a one-sided \
         paired t-test of H0: E[difference] ≥ 0; Holm's procedure over all {m} tests at family-wise confidence {}. \
         The claim holds iff H0 is rejected in every test. A test that does not reject counts against the claim \
         only if the opposite one-sided test (H0: E[difference] ≤ 0, Holm over the same {m} tests at the same \
         level) rejects, i.e. the difference is significantly positive: the claim then fails. If no test is so \
         contradicted but some test decides neither way, the claim is inconclusive (more trials would decide). A \
         true claim fails, and a false claim holds, with probability at most {alpha} each.",
        comparisons.join(", "),
        fmt_conf(confidence),
        m = tested.len(),
    );
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let largest_p = p_less.iter().copied().fold(0.0, f64::max);
    let outcome = if checks.is_empty() {
        "no point was tested: the claim asserts nothing here".to_owned()
    } else {
        format!(
            "Rejected in {} of {} tests; contradicted (difference significantly positive) in {}; undecided in {}; \
             largest one-sided p-value {}.",
            count(Status::Pass),
            checks.len(),
            count(Status::Fail),
            count(Status::Inconclusive),
            stats::sig(largest_p, 2)
        )
    };
    (rule, outcome, checks)
}

/// A confidence level as written, e.g. `0.99`.
pub(super) fn fmt_conf(c: f64) -> String {
    stats::sig(c, 6)
}

/// A fraction as a percentage, e.g. `3%`.
pub(super) fn percent(x: f64) -> String {
    format!("{}%", stats::sig(100.0 * x, 3))
}
