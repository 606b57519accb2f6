//! How kdrepro writes numbers for people: significant digits, plain or e-notation by magnitude, symbols for
//! non-finite values. Shared by the claims' rule texts, the report and the refusal messages; it is not a statistic.
//!
//! The report has one rule of its own ([`typeset`], [`measured`], [`p_value`]): plain decimals for
//! 10⁻³ ≤ |x| < 10⁴, `m × 10ᵏ` otherwise (superscript digits, so the text needs no markup), a measured mean
//! rounded to the decimals of its uncertainty with trailing zeros kept, and p-values below 10⁻¹⁰ as a bound.
//! Messages on the command line keep [`sig`]'s e-notation, which a terminal shows better.

/// `x` with `digits` significant digits, in plain notation for moderate magnitudes and `1.23e-5` otherwise; "∞" or
/// "−∞" for an infinite value and "—" for an undefined one (never a finite stand-in, nor Rust's `inf`/`NaN`).
pub(crate) fn sig(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "—".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞" } else { "−∞" }.to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let digits = digits.clamp(1, 17);
    let exponent = x.abs().log10().floor() as i32;
    if (-4..6).contains(&exponent) {
        let decimals = usize::try_from(i32::try_from(digits).unwrap_or(17) - 1 - exponent).unwrap_or(0);
        let text = format!("{x:.decimals$}");
        text.parse::<f64>().map_or(text, |v| format!("{v}"))
    } else {
        let text = format!("{x:.prec$e}", prec = digits - 1);
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.parse::<f64>().map_or(mantissa.to_owned(), |m| format!("{m}"));
        format!("{mantissa}e{exp}")
    }
}

/// The magnitudes the report writes in plain decimals: 10⁻³ ≤ |x| < 10⁴.
const PLAIN: std::ops::Range<i32> = -3..4;

/// `x` as the report typesets it: `digits` significant digits (trailing zeros dropped), plain for moderate
/// magnitudes and `1.23 × 10⁻⁵` otherwise; symbols for non-finite values as [`sig`].
pub(crate) fn typeset(x: f64, digits: usize) -> String {
    if !x.is_finite() || x == 0.0 {
        return sig(x, digits);
    }
    let digits = digits.clamp(1, 17);
    let exponent = decade(x);
    if PLAIN.contains(&exponent) {
        return sig(x, digits);
    }
    // Rounding may carry into the next decade (9.995e-5 at 3 digits is 1.00e-4).
    let mantissa = x / 10f64.powi(exponent);
    let rounded = format!("{mantissa:.prec$}", prec = digits - 1).parse::<f64>().unwrap_or(mantissa);
    let (mantissa, exponent) = if rounded.abs() >= 10.0 { (rounded / 10.0, exponent + 1) } else { (rounded, exponent) };
    format!("{} × 10{}", trim(&format!("{mantissa:.prec$}", prec = digits - 1)), superscript(exponent))
}

/// A measured mean with the half-width `half` of its interval: the half-width to two significant digits and the
/// mean to the same decimal place, trailing zeros kept (`0.10700 ± 0.00088`); `(8.90 ± 0.12) × 10⁻⁵` when the
/// mean's magnitude is outside the plain range. A non-finite or zero half-width leaves the mean at 4 digits.
pub(crate) fn measured(mean: f64, half: f64) -> String {
    if !mean.is_finite() || !half.is_finite() || half <= 0.0 {
        return format!("{} ± {}", typeset(mean, 4), typeset(half, 2));
    }
    // The scale: the mean's decade when it is outside the plain range (and not far below its uncertainty).
    let scale =
        if mean != 0.0 && !PLAIN.contains(&decade(mean)) && decade(mean) >= decade(half) { decade(mean) } else { 0 };
    let (m, h) = (mean / 10f64.powi(scale), half / 10f64.powi(scale));
    // Two significant digits of the half-width, rounded up so the interval is not narrowed; its last digit
    // fixes the mean's decimals.
    let mut decimals = 1 - decade(h);
    let mut h2 = (h * 10f64.powi(decimals)).ceil() / 10f64.powi(decimals);
    if decade(h2) > decade(h) {
        decimals -= 1;
        h2 = (h * 10f64.powi(decimals)).ceil() / 10f64.powi(decimals);
    }
    let places = usize::try_from(decimals.max(0)).unwrap_or(0);
    let pair = format!("{m:.places$} ± {h2:.places$}");
    if scale == 0 { pair } else { format!("({pair}) × 10{}", superscript(scale)) }
}

/// A p-value: `< 10⁻¹⁰` below that bound (the t distribution's tail is not accurate further out, and the
/// difference means nothing to a reader), else two significant digits.
pub(crate) fn p_value(p: f64) -> String {
    if p < 1e-10 { "< 10⁻¹⁰".to_owned() } else { typeset(p, 2) }
}

/// The decade of a finite nonzero `x`: ⌊log₁₀ |x|⌋.
fn decade(x: f64) -> i32 {
    x.abs().log10().floor() as i32
}

/// A decimal text without trailing zeros after its point.
fn trim(text: &str) -> String {
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text.to_owned() }
}

/// An integer exponent in superscript digits: `⁻¹⁰`.
fn superscript(k: i32) -> String {
    let digits = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let sign = if k < 0 { "⁻" } else { "" };
    sign.to_owned()
        + &k.unsigned_abs().to_string().chars().map(|c| digits[c as usize - '0' as usize]).collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::{measured, p_value, sig, typeset};

    /// Expected texts written by hand from the rule in the module documentation.
    #[test]
    fn the_report_typesets_magnitudes_with_powers_of_ten() {
        assert_eq!(typeset(38.0512, 4), "38.05");
        assert_eq!(typeset(0.001_234, 3), "0.00123");
        assert_eq!(typeset(8.9e-5, 2), "8.9 × 10⁻⁵");
        assert_eq!(typeset(2.594e6, 4), "2.594 × 10⁶");
        assert_eq!(typeset(-1.5e-12, 3), "-1.5 × 10⁻¹²");
        assert_eq!(typeset(9.9996e-5, 3), "1 × 10⁻⁴", "rounding carries into the next decade");
        assert_eq!(typeset(12345.0, 3), "1.23 × 10⁴");
        assert_eq!(typeset(f64::INFINITY, 3), "∞");
        assert_eq!(typeset(0.0, 3), "0");
    }

    /// The two examples, and the rule at the edges: the half-width to two significant digits, rounded
    /// up, the mean to its decimals with trailing zeros.
    #[test]
    fn a_mean_is_rounded_to_the_decimals_of_its_uncertainty() {
        assert_eq!(measured(0.107, 0.00088), "0.10700 ± 0.00088");
        assert_eq!(measured(0.09677, 0.0011), "0.0968 ± 0.0011");
        assert_eq!(measured(12.3456, 0.51), "12.35 ± 0.51");
        assert_eq!(measured(1.0, 0.0999), "1.00 ± 0.10", "0.0999 rounds up to 0.10: one decimal fewer");
        assert_eq!(measured(250.0, 12.0), "250 ± 12");
        assert_eq!(measured(8.9e-5, 1.2e-6), "(8.90 ± 0.12) × 10⁻⁵");
        assert_eq!(measured(0.5, f64::NAN), "0.5 ± —");
    }

    #[test]
    fn tiny_p_values_are_a_bound() {
        assert_eq!(p_value(2.9e-273), "< 10⁻¹⁰");
        assert_eq!(p_value(0.0), "< 10⁻¹⁰");
        assert_eq!(p_value(0.034), "0.034");
        assert_eq!(p_value(3.2e-7), "3.2 × 10⁻⁷");
    }

    #[test]
    fn non_finite_values_print_as_symbols() {
        assert_eq!(sig(f64::INFINITY, 4), "∞");
        assert_eq!(sig(f64::NEG_INFINITY, 4), "−∞");
        assert_eq!(sig(f64::NAN, 4), "—");
        assert_eq!(sig(38.0512, 4), "38.05");
    }
}
