//! Claims about theory values: orderings, closeness, log-log slopes, flat ratios and Corollary 1's
//! amplification pattern. These are exact checks of computed numbers, with the tolerance stated in the rule.

use super::verdict::{Detail, Fit, PointCheck, Scope, SlopeFit, Status};
use crate::engine::ExperimentResults;
use crate::spec::{Experiment, Tolerance};
use crate::stats::LogLogFit;

/// What a rule computed, and every check made.
type Decision = (Detail, Vec<PointCheck>);

/// The theory values of series `j` at the points of `scope` where they are defined, with their x.
fn values(e: &ExperimentResults, scope: &[usize], j: usize) -> Vec<(usize, f64, f64)> {
    scope.iter().map(|&i| (i, e.series[j].points[i].x, e.series[j].points[i].theory)).collect()
}

/// Theory orderings: in each pair, theory(lower) < theory(higher) (strict) or ≤ (not strict, up to 1e-12
/// relative rounding) at every tested point.
pub(super) fn below(
    e: &ExperimentResults,
    scope: &Scope,
    points: &[usize],
    pairs: &[(usize, usize, bool)],
) -> Decision {
    let mut checks = Vec::new();
    let mut skipped = 0;
    for &(lower, higher, strict) in pairs {
        for (i, x, a) in values(e, points, lower) {
            let b = e.series[higher].points[i].theory;
            if !(a.is_finite() && b.is_finite()) {
                skipped += 1;
                continue;
            }
            let ok = if strict { a < b } else { a <= b + 1e-12 * b.abs() };
            let series =
                format!("{} {} {}", e.series[lower].name, if strict { "<" } else { "≤" }, e.series[higher].name);
            checks.push(PointCheck {
                series,
                x,
                observed: a,
                expected: b,
                low: f64::NEG_INFINITY,
                high: b,
                status: Status::of(ok),
            });
        }
    }
    let comparisons =
        pairs.iter().map(|&(l, h, strict)| (e.series[l].name.clone(), e.series[h].name.clone(), strict)).collect();
    (Detail::Theory { scope: scope.clone(), comparisons, skipped }, checks)
}

/// |theory(a) − theory(b)| within the tolerance at every tested point.
pub(super) fn close(
    e: &ExperimentResults,
    scope: &Scope,
    points: &[usize],
    (a, b): (usize, usize),
    tolerance: Tolerance,
) -> Decision {
    let mut checks = Vec::new();
    let mut skipped = 0;
    for (i, x, va) in values(e, points, a) {
        let vb = e.series[b].points[i].theory;
        if !(va.is_finite() && vb.is_finite()) {
            skipped += 1;
            continue;
        }
        let slack = match tolerance {
            Tolerance::Absolute(t) => t,
            Tolerance::Relative(t) => t * vb.abs(),
        };
        let ok = (va - vb).abs() <= slack;
        let series = format!("{} vs {}", e.series[a].name, e.series[b].name);
        checks.push(PointCheck {
            series,
            x,
            observed: va,
            expected: vb,
            low: vb - slack,
            high: vb + slack,
            status: Status::of(ok),
        });
    }
    let largest = checks.iter().map(|c| (c.observed - c.expected).abs()).fold(0.0, f64::max);
    let (a, b) = (e.series[a].name.clone(), e.series[b].name.clone());
    (Detail::Close { scope: scope.clone(), a, b, tolerance, skipped, largest }, checks)
}

/// The least-squares slope of log theory against log x, per series, within ± tolerance of the expected slope.
pub(super) fn slope(
    e: &ExperimentResults,
    scope: &Scope,
    points: &[usize],
    series: &[usize],
    expected: f64,
    tolerance: f64,
) -> Decision {
    let mut checks = Vec::new();
    let mut fitted = Vec::new();
    for &j in series {
        let (xs, ys): (Vec<f64>, Vec<f64>) = values(e, points, j).into_iter().map(|(_, x, y)| (x, y)).unzip();
        let check = match LogLogFit::new(&xs, &ys, 0.95) {
            Ok(fit) => {
                fitted.push((
                    e.series[j].name.clone(),
                    Fit::Fitted(SlopeFit { slope: fit.slope, ci_low: fit.ci_low, ci_high: fit.ci_high }),
                ));
                PointCheck {
                    series: e.series[j].name.clone(),
                    x: f64::NAN,
                    observed: fit.slope,
                    expected,
                    low: expected - tolerance,
                    high: expected + tolerance,
                    status: Status::of((fit.slope - expected).abs() <= tolerance),
                }
            }
            Err(err) => {
                fitted.push((e.series[j].name.clone(), Fit::Failed(err.to_string())));
                PointCheck {
                    series: e.series[j].name.clone(),
                    x: f64::NAN,
                    observed: f64::NAN,
                    expected,
                    low: f64::NAN,
                    high: f64::NAN,
                    status: Status::of(false),
                }
            }
        };
        checks.push(check);
    }
    (Detail::Slope { scope: scope.clone(), expected, tolerance, fits: fitted }, checks)
}

/// The ratio theory(a)/theory(b) is flat: max/min − 1 within the tolerance over the tested points.
pub(super) fn flat(
    e: &ExperimentResults,
    scope: &Scope,
    points: &[usize],
    (a, b): (usize, usize),
    tolerance: f64,
) -> Decision {
    let ratios: Vec<f64> = values(e, points, a)
        .into_iter()
        .map(|(i, _, va)| va / e.series[b].points[i].theory)
        .filter(|r| r.is_finite())
        .collect();
    let (low, high) = ratios.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &r| (l.min(r), h.max(r)));
    let spread = high / low - 1.0;
    let check = PointCheck {
        series: format!("{}/{}", e.series[a].name, e.series[b].name),
        x: f64::NAN,
        observed: spread,
        expected: 0.0,
        low: 0.0,
        high: tolerance,
        status: Status::of(!ratios.is_empty() && spread <= tolerance),
    };
    let (a, b) = (e.series[a].name.clone(), e.series[b].name.clone());
    (Detail::Flat { scope: scope.clone(), a, b, tolerance, low, high }, vec![check])
}

/// Corollary 1: |β^s_i| > |β⋆_i| exactly where 1 − ζ_i > Ω, over every index with β⋆_i ≠ 0.
pub(super) fn amplifies(spec: &Experiment, e: &ExperimentResults, (s, truth): (usize, usize)) -> Decision {
    let detail = |omega: Option<f64>, amplified: usize| Detail::Amplifies {
        surrogate: e.series[s].name.clone(),
        truth: e.series[truth].name.clone(),
        omega,
        amplified,
    };
    let q = &e.equivalents[0];
    let (Some(tau), Some(omega)) = (q.tau, q.omega) else { return (detail(None, 0), Vec::new()) };
    let lambda = &spec.task.spectrum.lambda;
    let checks: Vec<PointCheck> = lambda
        .iter()
        .enumerate()
        .filter(|&(i, _)| e.series[truth].points[i].theory != 0.0)
        .map(|(i, &l)| {
            let (b, star) = (e.series[s].points[i].theory, e.series[truth].points[i].theory);
            let predicted = 1.0 - tau / (l + tau) > omega;
            PointCheck {
                series: e.series[s].name.clone(),
                x: (i + 1) as f64,
                observed: b.abs() / star.abs(),
                expected: 1.0,
                low: f64::NAN,
                high: f64::NAN,
                status: Status::of((b.abs() > star.abs()) == predicted),
            }
        })
        .collect();
    let amplified = checks.iter().filter(|c| c.observed > 1.0).count();
    (detail(Some(omega), amplified), checks)
}
