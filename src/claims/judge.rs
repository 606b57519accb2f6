//! The decision rules of claims. A failed claim is a verdict, not an error.

use serde::Serialize;

use crate::engine::{ExperimentResults, Results};
use crate::spec::{Claim, PointFilter, Rule, Spec};
use crate::stats::{self, Summary};

/// The verdicts of every claim, in spec order.
#[derive(Clone, Debug, Serialize)]
pub struct Verdicts {
    /// One per claim.
    pub claims: Vec<Verdict>,
}

impl Verdicts {
    /// Whether every claim held.
    pub fn all_passed(&self) -> bool {
        self.claims.iter().all(|c| c.passed)
    }
}

/// The decision on one claim.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The claim's name.
    pub name: String,
    /// What it asserts.
    pub label: String,
    /// Whether it held.
    pub passed: bool,
    /// The decision rule, in words.
    pub rule: String,
    /// What was observed, in words.
    pub outcome: String,
    /// Every tested point.
    pub points: Vec<PointCheck>,
}

/// One tested point of a claim.
#[derive(Clone, Debug, Serialize)]
pub struct PointCheck {
    /// The series (or `a − b` for paired claims).
    pub series: String,
    /// The sample size.
    pub x: f64,
    /// The simulated value (mean, or mean paired difference).
    pub observed: f64,
    /// The reference value (theory, or 0 for a paired difference).
    pub expected: f64,
    /// The acceptance interval or the one-sided p-value's bound, low end.
    pub low: f64,
    /// High end.
    pub high: f64,
    /// Whether this point passed.
    pub ok: bool,
}

/// Decides every claim of `spec` on `results`.
pub fn judge(spec: &Spec, results: &Results) -> Verdicts {
    Verdicts { claims: spec.claims.iter().map(|c| decide(c, results)).collect() }
}

/// Decides one claim.
fn decide(claim: &Claim, results: &Results) -> Verdict {
    let (rule, outcome, points) = match &claim.rule {
        Rule::Agree { experiment, relative } => agree(&results.experiments[*experiment], *relative, claim.confidence),
        Rule::Below { experiment, lower, higher, points } => {
            below(&results.experiments[*experiment], *lower, *higher, *points, claim.confidence)
        }
    };
    let passed = !points.is_empty() && points.iter().all(|p| p.ok);
    Verdict { name: claim.name.clone(), label: claim.label.clone(), passed, rule, outcome, points }
}

/// Theorem 1: every simulated mean agrees with its theory value.
///
/// Rule: with K points in all and family-wise confidence c, point k passes iff
/// |mean − theory| ≤ t_{1−(1−c)/(2K), trials−1} · se + relative · |theory| (Bonferroni).
fn agree(e: &ExperimentResults, relative: f64, confidence: f64) -> (String, String, Vec<PointCheck>) {
    let count: usize = e.series.iter().map(|s| s.points.len()).sum();
    let level = (1.0 - confidence) / count as f64;
    let mut checks = Vec::with_capacity(count);
    for (j, series) in e.series.iter().enumerate() {
        for (index, point) in series.points.iter().enumerate() {
            let column = column(e, index, j);
            let s = Summary::of(&column, 1.0 - level);
            let slack = relative * point.theory.abs();
            let (low, high) = (s.ci_low - slack, s.ci_high + slack);
            checks.push(PointCheck {
                series: series.surrogate.clone(),
                x: point.x,
                observed: s.mean,
                expected: point.theory,
                low,
                high,
                ok: (low..=high).contains(&point.theory),
            });
        }
    }
    let rule = format!(
        "At each of the {count} points (every series × every n), the theory value must lie in the simulated mean's \
         two-sided Student-t interval at confidence {} (Bonferroni over {count} points, family-wise confidence {}), \
         widened by {} of the theory value for the finite-p gap of the deterministic equivalent.",
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
fn column(e: &ExperimentResults, index: usize, j: usize) -> Vec<f64> {
    let k = e.series.len();
    e.samples[index].iter().skip(j).step_by(k).copied().collect()
}

/// Ordering claims: the paired difference lower − higher is significantly below 0 at every tested point.
///
/// Rule: one-sided paired t-test per point, Holm's step-down procedure over the tested points at
/// family-wise level 1 − c; the claim holds iff every tested point is rejected.
fn below(
    e: &ExperimentResults,
    lower: usize,
    higher: usize,
    filter: PointFilter,
    confidence: f64,
) -> (String, String, Vec<PointCheck>) {
    let name = format!("{} − {}", e.series[lower].surrogate, e.series[higher].surrogate);
    let tested: Vec<usize> = (0..e.samples.len())
        .filter(|&i| filter == PointFilter::All || e.fingerprints[i][lower] != e.fingerprints[i][higher])
        .collect();
    let tests: Vec<(Summary, f64)> = tested
        .iter()
        .map(|&i| {
            let diff: Vec<f64> = column(e, i, lower).iter().zip(column(e, i, higher)).map(|(a, b)| a - b).collect();
            let s = Summary::of(&diff, confidence);
            let p = stats::p_below_zero(&s);
            (s, p)
        })
        .collect();
    let p_values: Vec<f64> = tests.iter().map(|t| t.1).collect();
    let rejected = stats::holm(&p_values, 1.0 - confidence);
    let checks: Vec<PointCheck> = tested
        .iter()
        .zip(&tests)
        .zip(&rejected)
        .map(|((&i, (s, _)), &ok)| PointCheck {
            series: name.clone(),
            x: e.series[lower].points[i].x,
            observed: s.mean,
            expected: 0.0,
            low: s.ci_low,
            high: s.ci_high,
            ok,
        })
        .collect();
    let scope = match filter {
        PointFilter::All => format!("every one of the {} points", e.samples.len()),
        PointFilter::Differing => format!(
            "the {} of {} points where the two surrogates differ",
            tested.len(),
            e.samples.len()
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
