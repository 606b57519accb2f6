//! Claims about theory values: orderings, closeness, log-log slopes, flat ratios and Corollary 1's
//! amplification pattern. These are exact checks of computed numbers, with the tolerance stated in the rule.

use super::verdict::{PointCheck, Status};
use super::words::{percent, scope_words};
use crate::engine::ExperimentResults;
use crate::numbers;
use crate::spec::{Experiment, Tolerance};
use crate::stats::LogLogFit;

/// A rule in words, what was observed, and every check made.
type Decision = (String, String, Vec<PointCheck>);

/// The theory values of series `j` at the points of `scope` where they are defined, with their x.
fn values(e: &ExperimentResults, scope: &[usize], j: usize) -> Vec<(usize, f64, f64)> {
    scope.iter().map(|&i| (i, e.series[j].points[i].x, e.series[j].points[i].theory)).collect()
}

/// "3 of 17 points fail" / "all 17 points hold", and how many were not applicable.
fn tally(checks: &[PointCheck], skipped: usize) -> String {
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let mut text = if failed == 0 {
        format!("All {} checks hold.", checks.len())
    } else {
        format!("{failed} of {} checks fail.", checks.len())
    };
    if skipped > 0 {
        text.push_str(&format!(" {skipped} points where a value is not defined were not tested."));
    }
    text
}

/// Theory orderings: in each pair, theory(lower) < theory(higher) (strict) or ≤ (not strict, up to 1e-12
/// relative rounding) at every tested point.
pub(super) fn below(e: &ExperimentResults, scope: &[usize], pairs: &[(usize, usize, bool)]) -> Decision {
    let mut checks = Vec::new();
    let mut skipped = 0;
    for &(lower, higher, strict) in pairs {
        for (i, x, a) in values(e, scope, lower) {
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
    let comparisons: Vec<String> = pairs
        .iter()
        .map(|&(l, h, strict)| format!("{} {} {}", e.series[l].name, if strict { "<" } else { "≤" }, e.series[h].name))
        .collect();
    let rule = format!(
        "Exact comparison of theory values: {} at every point{} where both are defined (≤ allows a relative \
         rounding slack of 1e-12).",
        comparisons.join(", "),
        scope_words(e, scope)
    );
    let outcome = tally(&checks, skipped);
    (rule, outcome, checks)
}

/// |theory(a) − theory(b)| within the tolerance at every tested point.
pub(super) fn close(e: &ExperimentResults, scope: &[usize], (a, b): (usize, usize), tolerance: Tolerance) -> Decision {
    let mut checks = Vec::new();
    let mut skipped = 0;
    for (i, x, va) in values(e, scope, a) {
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
    let within = match tolerance {
        Tolerance::Absolute(t) => format!("an absolute tolerance of {}", numbers::sig(t, 3)),
        Tolerance::Relative(t) => format!("a relative tolerance of {}", percent(t)),
    };
    let rule = format!(
        "{} must equal {} within {within} at every point{} where both are defined.",
        e.series[a].name,
        e.series[b].name,
        scope_words(e, scope)
    );
    let worst = checks.iter().map(|c| (c.observed - c.expected).abs()).fold(0.0, f64::max);
    let outcome = format!("{} Largest difference {}.", tally(&checks, skipped), numbers::sig(worst, 3));
    (rule, outcome, checks)
}

/// The least-squares slope of log theory against log x, per series, within ± tolerance of the expected slope.
pub(super) fn slope(
    e: &ExperimentResults,
    scope: &[usize],
    series: &[usize],
    expected: f64,
    tolerance: f64,
) -> Decision {
    let mut checks = Vec::new();
    let mut fitted = Vec::new();
    for &j in series {
        let (xs, ys): (Vec<f64>, Vec<f64>) = values(e, scope, j).into_iter().map(|(_, x, y)| (x, y)).unzip();
        let check = match LogLogFit::new(&xs, &ys, 0.95) {
            Ok(fit) => {
                fitted.push(format!(
                    "{} {} (95% interval {} to {})",
                    e.series[j].name,
                    numbers::sig(fit.slope, 3),
                    numbers::sig(fit.ci_low, 3),
                    numbers::sig(fit.ci_high, 3)
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
                fitted.push(format!("{}: no fit ({err})", e.series[j].name));
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
    let rule = format!(
        "Fit log(theory) = a + s·log({}) by least squares over the {} points{}; each series' slope s must lie within \
         {} of the expected {}.",
        e.x,
        scope.len(),
        scope_words(e, scope),
        numbers::sig(tolerance, 3),
        numbers::sig(expected, 4)
    );
    let outcome = format!("Fitted slopes: {}.", fitted.join("; "));
    (rule, outcome, checks)
}

/// The ratio theory(a)/theory(b) is flat: max/min − 1 within the tolerance over the tested points.
pub(super) fn flat(e: &ExperimentResults, scope: &[usize], (a, b): (usize, usize), tolerance: f64) -> Decision {
    let ratios: Vec<f64> = values(e, scope, a)
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
    let rule = format!(
        "The ratio {}/{} of theory values over the {} points{} must be flat: max/min − 1 ≤ {}.",
        e.series[a].name,
        e.series[b].name,
        scope.len(),
        scope_words(e, scope),
        percent(tolerance)
    );
    let outcome = format!(
        "The ratio ranges from {} to {} (max/min − 1 = {}).",
        numbers::sig(low, 4),
        numbers::sig(high, 4),
        percent(spread)
    );
    (rule, outcome, vec![check])
}

/// Corollary 1: |β^s_i| > |β⋆_i| exactly where 1 − ζ_i > Ω, over every index with β⋆_i ≠ 0.
pub(super) fn amplifies(spec: &Experiment, e: &ExperimentResults, (s, truth): (usize, usize)) -> Decision {
    let rule = format!(
        "At every index i with β⋆_i ≠ 0: |{}_i| > |{}_i| must hold exactly when 1 − ζ_i > Ω, with ζ_i = τ/(λ_i + τ) \
         from the solved τ (Corollary 1, part 2).",
        e.series[s].name, e.series[truth].name
    );
    let q = &e.equivalents[0];
    let (Some(tau), Some(omega)) = (q.tau, q.omega) else {
        return (rule, "τ is not defined in the least-squares regime n > p + 1.".to_owned(), Vec::new());
    };
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
    let outcome = format!(
        "{} The surrogate amplifies {amplified} of {} coordinates; Ω = {}.",
        tally(&checks, 0),
        checks.len(),
        numbers::sig(omega, 4)
    );
    (rule, outcome, checks)
}
