//! How kdrepro writes numbers for people: significant digits, plain or e-notation by magnitude, symbols for
//! non-finite values. Shared by the claims' rule texts, the report and the refusal messages; it is not a statistic.

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

#[cfg(test)]
mod tests {
    use super::sig;

    #[test]
    fn non_finite_values_print_as_symbols() {
        assert_eq!(sig(f64::INFINITY, 4), "∞");
        assert_eq!(sig(f64::NEG_INFINITY, 4), "−∞");
        assert_eq!(sig(f64::NAN, 4), "—");
        assert_eq!(sig(38.0512, 4), "38.05");
    }
}
