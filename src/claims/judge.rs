//! The decision rules of claims. A failed claim is a verdict, not an error.

use serde::Serialize;

use super::theory;
use crate::engine::{ExperimentResults, Results};
use crate::spec::{Claim, PointFilter, Rule, Spec};
use crate::stats::{self, Holm, PairedComparison, Summary};

/// The verdicts of every claim, in spec order.
#[derive(Clone, Debug, Serialize)]
pub struct Verdicts {
    /// One per claim.
    pub(crate) claims: Vec<Verdict>,
}

impl Verdicts {
    /// Whether every claim held.
    pub fn all_passed(&self) -> bool {
        self.claims.iter().all(|c| c.passed)
    }

    /// One line per claim: `pass name: statement` or `FAIL name: statement`.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.claims.iter().map(|v| format!("{} {}: {}", if v.passed { "pass" } else { "FAIL" }, v.name, v.label))
    }
}

/// The decision on one claim.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Verdict {
    /// The claim's name.
    pub(crate) name: String,
    /// What it asserts.
    pub(crate) label: String,
    /// Whether it held.
    pub(crate) passed: bool,
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
    /// Whether this point passed.
    pub(crate) ok: bool,
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
        Rule::Agree { relative, .. } => agree(e, &scope, *relative, claim.confidence),
        Rule::Below { pairs, points, .. } => below(e, &scope, pairs, *points, claim.confidence),
        Rule::TheoryBelow { pairs, .. } => theory::below(e, &scope, pairs),
        Rule::Close { series, tolerance, .. } => theory::close(e, &scope, *series, *tolerance),
        Rule::Slope { series, expected, tolerance, .. } => theory::slope(e, &scope, series, *expected, *tolerance),
        Rule::Flat { series, tolerance, .. } => theory::flat(e, &scope, *series, *tolerance),
        Rule::Amplifies { series, .. } => theory::amplifies(&spec.experiments[index], e, *series),
    };
    let passed = !points.is_empty() && points.iter().all(|p| p.ok);
    Verdict { name: claim.name.clone(), label: claim.label.clone(), passed, rule, outcome, points }
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
/// Rule: with K points in all and family-wise confidence c, point k passes iff
/// |mean − theory| ≤ t_{1−(1−c)/(2K), trials−1} · se + relative · |theory| (Bonferroni).
fn agree(e: &ExperimentResults, scope: &[usize], relative: f64, confidence: f64) -> (String, String, Vec<PointCheck>) {
    let count = e.series.len() * scope.len();
    let level = (1.0 - confidence) / count as f64;
    let mut checks = Vec::with_capacity(count);
    for (j, series) in e.series.iter().enumerate() {
        for &index in scope {
            let point = &series.points[index];
            let slack = relative * point.theory.abs();
            // A sample too small for an interval cannot support the claim.
            let (observed, low, high) = match Summary::new(column(e, index, j), 1.0 - level) {
                Ok(s) => (s.mean, s.ci_low - slack, s.ci_high + slack),
                Err(_) => (f64::NAN, f64::NAN, f64::NAN),
            };
            checks.push(PointCheck {
                series: series.name.clone(),
                x: point.x,
                observed,
                expected: point.theory,
                low,
                high,
                ok: (low..=high).contains(&point.theory),
            });
        }
    }
    let rule = format!(
        "At each of the {count} points (every series × every n{}), the theory value must lie in the simulated mean's \
         two-sided Student-t interval at confidence {} (Bonferroni over {count} points, family-wise confidence {}), \
         widened by {} of the theory value for the finite-p gap of the deterministic equivalent.",
        scope_words(e, scope),
        fmt_conf(1.0 - level),
        fmt_conf(confidence),
        percent(relative),
    );
    let worst = checks.iter().max_by(|a, b| deviation(a).total_cmp(&deviation(b)));
    let failed = checks.iter().filter(|c| !c.ok).count();
    let outcome = match worst {
        Some(w) => format!(
            "{failed} of {count} points outside their interval. Largest deviation: {} at n = {}, simulated {} \
             against theory {} ({} of the allowed half-width).",
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
/// level 1 − c; the claim holds iff every test rejects.
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
    // A comparison that cannot be computed (too few trials) has p-value 1: never rejected.
    let tests: Vec<Option<PairedComparison>> = tested
        .iter()
        .map(|&(lower, higher, i)| PairedComparison::new(column(e, i, lower), column(e, i, higher), confidence).ok())
        .collect();
    let p_values: Vec<f64> = tests.iter().map(|t| t.as_ref().map_or(1.0, |t| t.p_less)).collect();
    let rejected = Holm::new(&p_values, 1.0 - confidence).map_or_else(|_| vec![false; p_values.len()], |h| h.rejected);
    let checks: Vec<PointCheck> = tested
        .iter()
        .zip(&tests)
        .zip(&rejected)
        .map(|((&(lower, higher, i), test), &ok)| {
            let d = test.as_ref().map(|t| &t.difference);
            PointCheck {
                series: format!("{} − {}", e.series[lower].name, e.series[higher].name),
                x: e.series[lower].points[i].x,
                observed: d.map_or(f64::NAN, |d| d.mean),
                expected: 0.0,
                low: d.map_or(f64::NAN, |d| d.ci_low),
                high: d.map_or(f64::NAN, |d| d.ci_high),
                ok,
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
    let rule = format!(
        "Paired by trial (the series share every design and noise draw). For {} at {scope_text}: a one-sided \
         paired t-test of H0: E[difference] ≥ 0; Holm's procedure over all {} tests at family-wise confidence {}. \
         The claim holds iff H0 is rejected in every test.",
        comparisons.join(", "),
        tested.len(),
        fmt_conf(confidence),
    );
    let held = checks.iter().filter(|c| c.ok).count();
    let largest_p = p_values.iter().copied().fold(0.0, f64::max);
    let outcome = if checks.is_empty() {
        "no point was tested: the claim asserts nothing here".to_owned()
    } else {
        format!("Rejected in {held} of {} tests; largest one-sided p-value {}.", checks.len(), stats::sig(largest_p, 2))
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
