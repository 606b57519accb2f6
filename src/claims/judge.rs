//! The decision rules of claims. A failed claim is a verdict, not an error.

use serde::Serialize;

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
    Verdicts { claims: spec.claims.iter().map(|c| decide(c, results)).collect() }
}

/// Decides one claim.
fn decide(claim: &Claim, results: &Results) -> Verdict {
    let (rule, outcome, points) = match &claim.rule {
        Rule::Agree { experiment, relative } => {
            let e = &results.experiments[*experiment];
            agree(e, &scope(claim, e), *relative, claim.confidence)
        }
        Rule::Below { experiment, lower, higher, points } => {
            let e = &results.experiments[*experiment];
            below(e, &scope(claim, e), *lower, *higher, *points, claim.confidence)
        }
    };
    let passed = !points.is_empty() && points.iter().all(|p| p.ok);
    Verdict { name: claim.name.clone(), label: claim.label.clone(), passed, rule, outcome, points }
}

/// The point indices a claim tests: all of its experiment's, or those its `at` selects.
fn scope(claim: &Claim, e: &ExperimentResults) -> Vec<usize> {
    let sizes = e.equivalents.iter().map(|q| q.n).enumerate();
    match &claim.at {
        None => sizes.map(|(i, _)| i).collect(),
        Some(at) => sizes.filter(|(_, n)| at.contains(n)).map(|(i, _)| i).collect(),
    }
}

/// "at n = 50, 75, …, 400" for the rule text, or nothing when every point is in scope.
fn scope_words(e: &ExperimentResults, scope: &[usize]) -> String {
    if scope.len() == e.equivalents.len() {
        return String::new();
    }
    let sizes: Vec<String> = scope.iter().map(|&i| e.equivalents[i].n.to_string()).collect();
    format!(" (restricted to n = {})", sizes.join(", "))
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
                series: series.surrogate.clone(),
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

/// Ordering claims: the paired difference lower − higher is significantly below 0 at every tested point.
///
/// Rule: one-sided paired t-test per point, Holm's step-down procedure over the tested points at
/// family-wise level 1 − c; the claim holds iff every tested point is rejected.
fn below(
    e: &ExperimentResults,
    scope: &[usize],
    lower: usize,
    higher: usize,
    filter: PointFilter,
    confidence: f64,
) -> (String, String, Vec<PointCheck>) {
    let name = format!("{} − {}", e.series[lower].surrogate, e.series[higher].surrogate);
    let tested: Vec<usize> = scope
        .iter()
        .copied()
        .filter(|&i| filter == PointFilter::All || e.fingerprints[i][lower] != e.fingerprints[i][higher])
        .collect();
    // A comparison that cannot be computed (too few trials, identical samples) has p-value 1: never rejected.
    let tests: Vec<Option<PairedComparison>> = tested
        .iter()
        .map(|&i| PairedComparison::new(column(e, i, lower), column(e, i, higher), confidence).ok())
        .collect();
    let p_values: Vec<f64> = tests.iter().map(|t| t.as_ref().map_or(1.0, |t| t.p_less)).collect();
    let rejected = Holm::new(&p_values, 1.0 - confidence).map_or_else(|_| vec![false; p_values.len()], |h| h.rejected);
    let checks: Vec<PointCheck> = tested
        .iter()
        .zip(&tests)
        .zip(&rejected)
        .map(|((&i, test), &ok)| {
            let d = test.as_ref().map(|t| &t.difference);
            PointCheck {
                series: name.clone(),
                x: e.series[lower].points[i].x,
                observed: d.map_or(f64::NAN, |d| d.mean),
                expected: 0.0,
                low: d.map_or(f64::NAN, |d| d.ci_low),
                high: d.map_or(f64::NAN, |d| d.ci_high),
                ok,
            }
        })
        .collect();
    let scope = match filter {
        PointFilter::All => format!("every one of the {} points{}", scope.len(), scope_words(e, scope)),
        PointFilter::Differing => format!(
            "the {} of {} points{} where the two surrogates differ",
            tested.len(),
            scope.len(),
            scope_words(e, scope)
        ),
    };
    let rule = format!(
        "Paired by trial (both series share every design and noise draw). At {scope}, a one-sided paired t-test of \
         H0: E[R({}) − R({})] ≥ 0; Holm's procedure over the tested points at family-wise confidence {}. The claim \
         holds iff H0 is rejected at every tested point.",
        e.series[lower].surrogate,
        e.series[higher].surrogate,
        fmt_conf(confidence),
    );
    let held = checks.iter().filter(|c| c.ok).count();
    let largest_p = p_values.iter().copied().fold(0.0, f64::max);
    let outcome = if checks.is_empty() {
        "no point was tested: the claim asserts nothing here".to_owned()
    } else {
        format!(
            "Rejected at {held} of {} tested points; largest one-sided p-value {}.",
            checks.len(),
            stats::sig(largest_p, 2)
        )
    };
    (rule, outcome, checks)
}

/// A confidence level as written, e.g. `0.99`.
fn fmt_conf(c: f64) -> String {
    stats::sig(c, 6)
}

/// A fraction as a percentage, e.g. `3%`.
fn percent(x: f64) -> String {
    format!("{}%", stats::sig(100.0 * x, 3))
}
