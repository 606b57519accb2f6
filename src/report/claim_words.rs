//! The claims' decisions in words: each rule as the report states it, what was observed, and the located
//! diagnostics `build` prints. The rules themselves (`claims/`) return data ([`Decision`]); every sentence about
//! them is written here.

use crate::claims::{Decision, Detail, Fit, PointCheck, Scope, Status, Verdict, Verdicts};
use crate::diagnostics::Diagnostic;
use crate::numbers;
use crate::spec::{Band, PointFilter, Tolerance};

/// The rule text's words for the round-off floor of the band.
const ROUND_OFF_WORDS: &str = "The band is never narrower than the f64 round-off of a risk R, 2ρ√(R·S) + ρ²S \
                               with ρ = 10⁻¹³ and S = Σλβ⋆² + σ², so rounding decides nothing.";

/// How adaptive trials control error rates across looks, with its source.
const ALPHA_SPENDING: &str = "the error rate is spent equally over the looks, a Bonferroni alpha-spending \
                              rule valid under any dependence between looks; Jennison and Turnbull, Group \
                              Sequential Methods, 2000, §2";

/// A diagnostic at each claim that did not come out as the spec expects: an error where it failed (or held
/// against the expected contradiction), a warning where it is inconclusive, each with what was observed, located
/// at the claim's name.
pub fn located(verdicts: &Verdicts) -> Vec<Diagnostic> {
    let at = |v: &Verdict, what: &str| format!("claim `{}` {what}: {}", v.name, outcome(v));
    verdicts
        .claims
        .iter()
        .filter_map(|v| match v.status {
            Status::Fail => Some(Diagnostic::error(v.span, at(v, "failed"))),
            Status::Unexpected => Some(Diagnostic::error(v.span, at(v, "held against the expected contradiction"))),
            Status::Inconclusive => Some(Diagnostic::warning(v.span, at(v, "is inconclusive"))),
            Status::Pass | Status::Contradicted => None,
        })
        .collect()
}

/// The decision rule of a verdict, in words: what is tested, at which level, and when the claim holds.
pub(crate) fn rule(v: &Verdict) -> String {
    let d = &v.decision;
    let confidence = d.confidence.unwrap_or(1.0);
    match &d.detail {
        Detail::Agree { scope, tests, level, band, .. } => format!(
            "Equivalence test (two one-sided tests, Schuirmann 1987) at each of the {tests} points (every series × \
             every n{}): the point holds iff the simulated mean's two-sided Student-t interval at confidence {} lies \
             inside theory ± {}, and fails iff it lies entirely outside; otherwise it is inconclusive. Bonferroni \
             over the {tests} points{}: family-wise confidence {}, so a true claim fails, and a false one holds, \
             with probability at most {} each. {ROUND_OFF_WORDS} The claim holds iff every point holds, fails if \
             some point fails, and is otherwise inconclusive (more trials would decide).",
            restricted(scope),
            confidence_words(1.0 - level),
            band_words(*band),
            looks_words(d.looks),
            confidence_words(confidence),
            confidence_words(1.0 - confidence),
        ),
        Detail::Equal { scope, first, second, paired, level, band, .. } => {
            equal_rule(d, scope, (first, second, *paired), *level, *band)
        }
        Detail::Holds { scope, quantity, comparisons, filter, tests, alpha, .. } => {
            holds_rule(d, scope, (quantity, comparisons), *filter, (*tests, *alpha))
        }
        Detail::Theory { scope, comparisons, .. } => {
            let comparisons: Vec<String> = comparisons
                .iter()
                .map(|(l, h, strict)| format!("{l} {} {h}", if *strict { "<" } else { "≤" }))
                .collect();
            format!(
                "Exact comparison of theory values: {} at every point{} where both are defined (≤ allows a relative \
                 rounding slack of 10⁻¹²).",
                comparisons.join(", "),
                restricted(scope)
            )
        }
        Detail::Close { scope, a, b, tolerance, .. } => {
            let within = match tolerance {
                Tolerance::Absolute(t) => format!("an absolute tolerance of {}", numbers::typeset(*t, 3)),
                Tolerance::Relative(t) => format!("a relative tolerance of {}", percent(*t)),
            };
            format!("{a} must equal {b} within {within} at every point{} where both are defined.", restricted(scope))
        }
        Detail::Slope { scope, expected, tolerance, .. } => format!(
            "Fit log(theory) = a + s·log({}) by least squares over the {} points{}; each series' slope s must lie \
             within {} of the expected {}.",
            scope.x,
            scope.points,
            restricted(scope),
            numbers::typeset(*tolerance, 3),
            numbers::typeset(*expected, 4)
        ),
        Detail::Flat { scope, a, b, tolerance, .. } => format!(
            "The ratio {a}/{b} of theory values over the {} points{} must be flat: max/min − 1 ≤ {}.",
            scope.points,
            restricted(scope),
            percent(*tolerance)
        ),
        Detail::Amplifies { surrogate, truth, .. } => format!(
            "At every index $i$ with $beta^star_i != 0$: $abs(\"{surrogate}\"_i) > abs(\"{truth}\"_i)$ must hold \
             exactly when $1 - zeta_i > Omega$, with $zeta_i = tau \\/ (lambda_i + tau)$ from the solved $tau$ \
             (Corollary 1, part 2)."
        ),
    }
}

/// The words of an `equal` rule between `first` and `second` (paired or not), at per-test `level`.
fn equal_rule(
    d: &Decision,
    scope: &Scope,
    (first, second, paired): (&str, &str, bool),
    level: f64,
    band: Band,
) -> String {
    let confidence = d.confidence.unwrap_or(1.0);
    let how = if paired {
        "the paired difference (the series share every design and noise draw)"
    } else {
        "the difference of means (independent experiments: Welch's interval, Welch–Satterthwaite degrees of \
             freedom)"
    };
    format!(
        "The paper's equality E R({first}) = E R({second}), as an equivalence test (two one-sided tests, \
             Schuirmann 1987) at each of the {} points{}: the point holds iff the two-sided Student-t interval \
             of {how} at confidence {} lies inside 0 ± {} (relative to the theory value of {second}), and fails \
             iff it lies entirely outside; otherwise it is inconclusive. Bonferroni over the points{}: \
             family-wise confidence {}; a true equality fails, and a false one holds, with probability at most \
             {} each. {ROUND_OFF_WORDS}",
        scope.points,
        restricted(scope),
        confidence_words(1.0 - level),
        band_words(band),
        looks_words(d.looks),
        confidence_words(confidence),
        confidence_words(1.0 - confidence),
    )
}

/// The words of a `holds` rule: `tests` one-sided tests with Holm's procedure at family-wise level `alpha`.
fn holds_rule(
    d: &Decision,
    scope: &Scope,
    (quantity, comparisons): (&str, &[(String, String)]),
    filter: PointFilter,
    (tests, alpha): (usize, f64),
) -> String {
    let confidence = d.confidence.unwrap_or(1.0);
    let comparisons: Vec<String> =
        comparisons.iter().map(|(l, h)| format!("{quantity}({l}) < {quantity}({h})")).collect();
    let scope_text = match filter {
        PointFilter::All => format!("every one of the {} points{}", scope.points, restricted(scope)),
        PointFilter::Differing => {
            format!("the points{} where the two surrogates differ ({tests} tests in all)", restricted(scope))
        }
    };
    let looks = if d.looks > 1 {
        format!(
            " (family-wise {} split over the {} looks of the adaptive trials: {ALPHA_SPENDING})",
            confidence_words(1.0 - confidence),
            d.looks
        )
    } else {
        String::new()
    };
    let paired = if quantity == "R" {
        "the series share every design and noise draw"
    } else {
        "the series share every trial's split of the rows and the student's first layer"
    };
    format!(
        "Paired by trial ({paired}). For {} at {scope_text}: a \
             one-sided paired t-test of H0: E[difference] ≥ 0; Holm's procedure over all {tests} tests at level \
             {}{looks}. The claim holds iff H0 is rejected in every test. A test that does not reject counts \
             against the claim only if the opposite one-sided test (H0: E[difference] ≤ 0, Holm over the same \
             {tests} tests at the same level) rejects, i.e. the difference is significantly positive: the claim \
             then fails. If no test is so contradicted but some test decides neither way, the claim is \
             inconclusive (more trials would decide). A true claim fails, and a false claim holds, with \
             probability at most {} each.",
        comparisons.join(", "),
        confidence_words(alpha),
        confidence_words(1.0 - confidence),
    )
}

/// What a verdict's rule observed, in words: the tally of its points and its most telling number.
pub(crate) fn outcome(v: &Verdict) -> String {
    let (d, checks) = (&v.decision, v.points.as_slice());
    match &d.detail {
        Detail::Agree { allowed, .. } => equivalence_outcome(d, checks, allowed, "simulated", "theory "),
        Detail::Equal { allowed, .. } => equivalence_outcome(d, checks, allowed, "difference", ""),
        Detail::Holds { p_values, .. } if !checks.is_empty() => format!(
            "Rejected in {} of {} tests; contradicted (difference significantly positive) in {}; undecided in {}; \
             largest one-sided p-value {}.",
            d.held,
            checks.len(),
            d.failed,
            d.undecided,
            numbers::p_value(p_values.iter().copied().fold(0.0, f64::max))
        ),
        Detail::Holds { .. } => "no point was tested: the claim asserts nothing here".to_owned(),
        Detail::Theory { skipped, .. } => tally(d, checks, *skipped),
        Detail::Close { skipped, largest, .. } => {
            format!("{} Largest difference {}.", tally(d, checks, *skipped), numbers::typeset(*largest, 3))
        }
        Detail::Slope { fits, .. } => {
            let fitted: Vec<String> = fits
                .iter()
                .map(|(series, fit)| match fit {
                    Fit::Fitted(fit) => format!(
                        "{series} {} (95% interval {} to {})",
                        numbers::typeset(fit.slope, 3),
                        numbers::typeset(fit.ci_low, 3),
                        numbers::typeset(fit.ci_high, 3)
                    ),
                    Fit::Failed(why) => format!("{series}: no fit ({why})"),
                })
                .collect();
            format!("Fitted slopes: {}.", fitted.join("; "))
        }
        Detail::Flat { low, high, .. } => format!(
            "The ratio ranges from {} to {} (max/min − 1 = {}).",
            numbers::typeset(*low, 4),
            numbers::typeset(*high, 4),
            percent(high / low - 1.0)
        ),
        Detail::Amplifies { omega: None, .. } => "τ is not defined in the least-squares regime n > p + 1.".to_owned(),
        Detail::Amplifies { omega: Some(omega), amplified, .. } => format!(
            "{} The surrogate amplifies {amplified} of {} coordinates; Ω = {}.",
            tally(d, checks, 0),
            checks.len(),
            numbers::typeset(*omega, 4)
        ),
    }
}

/// " (restricted to n = …)" for the rule text, or nothing when every point is in scope.
fn restricted(scope: &Scope) -> String {
    let Some(xs) = &scope.restricted else { return String::new() };
    let xs: Vec<String> = xs.iter().map(|&x| numbers::typeset(x, 6)).collect();
    format!(" (restricted to {} = {})", scope.x, xs.join(", "))
}

/// A fraction as a percentage, e.g. `3%`.
fn percent(x: f64) -> String {
    format!("{}%", numbers::typeset(100.0 * x, 3))
}

/// A confidence level as written, e.g. `0.99`.
fn confidence_words(c: f64) -> String {
    numbers::typeset(c, 6)
}

/// " and the L looks of the adaptive trials (…)" when trials are adaptive.
fn looks_words(looks: usize) -> String {
    if looks > 1 { format!(" and the {looks} looks of the adaptive trials ({ALPHA_SPENDING})") } else { String::new() }
}

/// "3% of the theory value", "0.001", "0.001 + 3% of the theory value".
fn band_words(band: Band) -> String {
    match (band.absolute > 0.0, band.relative > 0.0) {
        (true, true) => format!("({} + {} of |theory|)", numbers::typeset(band.absolute, 3), percent(band.relative)),
        (true, false) => numbers::typeset(band.absolute, 3),
        (false, _) => format!("{} of |theory|", percent(band.relative)),
    }
}

/// "3 of 17 checks fail" / "All 17 checks hold", and how many points were not applicable.
fn tally(d: &Decision, checks: &[PointCheck], skipped: usize) -> String {
    let mut text = if d.failed == 0 {
        format!("All {} checks hold.", checks.len())
    } else {
        format!("{} of {} checks fail.", d.failed, checks.len())
    };
    if skipped > 0 {
        text.push_str(&format!(" {skipped} points where a value is not defined were not tested."));
    }
    text
}

/// The tally of an equivalence test and its worst case, the largest deviation as a fraction of the allowed
/// half-width.
fn equivalence_outcome(
    d: &Decision,
    checks: &[PointCheck],
    allowed: &[f64],
    observed: &str,
    reference: &str,
) -> String {
    let deviation = |(c, a): (&PointCheck, &f64)| (c.observed - c.expected).abs() / a.max(f64::MIN_POSITIVE);
    let worst = d.worst.filter(|&i| checks[i].observed.is_finite()).map(|i| (&checks[i], &allowed[i]));
    let mut text = format!("{} of {} points hold, {} fail, {} undecided.", d.held, checks.len(), d.failed, d.undecided);
    if let Some((w, a)) = worst {
        text.push_str(&format!(
            " Largest deviation: {} at n = {}, {observed} {} (interval {} to {}) against {reference}{} ± {} ({} of \
             the band).",
            w.series,
            w.x,
            numbers::typeset(w.observed, 4),
            numbers::typeset(w.low, 4),
            numbers::typeset(w.high, 4),
            numbers::typeset(w.expected, 4),
            numbers::typeset(*a, 3),
            percent(deviation((w, a))),
        ));
    }
    text
}
