use super::{FittedAxis, Tick};
use crate::report::plot::{Axis, PlotText, Scale};

fn axis(scale: Scale, range: Option<(f64, f64)>) -> Axis {
    Axis { label: PlotText::new("x"), scale, range }
}

fn labels(ticks: &[Tick]) -> Vec<&str> {
    ticks.iter().filter_map(|tick| tick.label.as_deref()).collect()
}

fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

/// Where the lowest datum sits on a fitted axis: the margin over the margined span, 0.04 / 1.08.
const EDGE: f64 = 0.04 / 1.08;

#[test]
fn linear_auto_range_fits_the_data_with_a_margin() {
    // Data 0.02..0.31, span 0.29, margin 4%: range 0.0084..0.3216; raw step 0.3132 / 4 rounds up to 0.1.
    let fitted = FittedAxis::fit(&axis(Scale::Linear, None), [0.02, 0.31, 0.17], 4);
    assert_eq!(labels(&fitted.ticks), ["\"0.1\"", "\"0.2\"", "\"0.3\""]);
    assert_close(fitted.fraction(0.02).unwrap(), EDGE);
    assert_close(fitted.fraction(0.31).unwrap(), 1.0 - EDGE);
    assert_close(fitted.ticks[0].at, (0.1 - 0.0084) / 0.3132);
}

#[test]
fn negative_labels_use_a_true_minus_and_fixed_decimals() {
    let fitted = FittedAxis::fit(&axis(Scale::Linear, Some((-1.0, 1.0))), [], 4);
    assert_eq!(labels(&fitted.ticks), ["\"−1.0\"", "\"−0.5\"", "\"0\"", "\"0.5\"", "\"1.0\""]);
}

#[test]
fn tiny_steps_switch_to_powers_of_ten() {
    let fitted = FittedAxis::fit(&axis(Scale::Linear, Some((0.0, 3e-5))), [], 3);
    assert_eq!(labels(&fitted.ticks), ["\"0\"", "$10^(-5)$", "$2 times 10^(-5)$", "$3 times 10^(-5)$"]);
}

#[test]
fn constant_data_gets_a_range_around_it() {
    let fitted = FittedAxis::fit(&axis(Scale::Linear, None), [5.0, 5.0], 4);
    assert_close(fitted.fraction(5.0).unwrap(), 0.5);
}

#[test]
fn log_axis_labels_decades_and_adds_minor_ticks() {
    // Data 1e-3..0.5: log range −3..−0.301 with a 4% margin, −3.108..−0.193 (not widened to whole decades). Labelled:
    // 10^-3..10^-1. Minor: 8 and 9·10^-4, 2..9 in each of the 2 decades 10^-3, 10^-2, and 2..6·10^-1.
    let fitted = FittedAxis::fit(&axis(Scale::Log10, None), [1e-3, 0.02, 0.5], 6);
    assert_eq!(labels(&fitted.ticks), ["$10^(-3)$", "$10^(-2)$", "$10^(-1)$"]);
    assert_eq!(fitted.ticks.len(), 3 + 2 + 2 * 8 + 5);
    assert_close(fitted.fraction(1e-3).unwrap(), EDGE);
    assert_close(fitted.fraction(0.5).unwrap(), 1.0 - EDGE);
    assert!(fitted.ticks.windows(2).all(|pair| pair[0].at < pair[1].at));
}

#[test]
fn log_axis_skips_non_positive_values() {
    let fitted = FittedAxis::fit(&axis(Scale::Log10, None), [-1.0, 0.0, f64::NAN, 10.0, 1000.0], 6);
    assert_eq!(labels(&fitted.ticks), ["$10^(1)$", "$10^(2)$", "$10^(3)$"]);
    assert_eq!(fitted.fraction(0.0), None);
    assert_eq!(fitted.fraction(-3.0), None);
}

#[test]
fn many_decades_label_every_other_one() {
    // 10^0..10^12 is 13 decades; with 7 target ticks every 2nd decade is labelled.
    let fitted = FittedAxis::fit(&axis(Scale::Log10, Some((1.0, 1e12))), [], 7);
    assert_eq!(labels(&fitted.ticks).len(), 7);
    assert_eq!(fitted.ticks.len(), 13, "no minor ticks beyond 8 decades");
}

#[test]
fn short_log_range_uses_mantissa_ticks() {
    // [0.2, 0.8] contains no power of ten: ticks at 0.2 and 0.5, the latter at log(2.5)/log(4).
    let fitted = FittedAxis::fit(&axis(Scale::Log10, Some((0.2, 0.8))), [], 5);
    assert_eq!(labels(&fitted.ticks), ["\"0.2\"", "\"0.5\""]);
    assert_close(fitted.ticks[0].at, 0.0);
    assert_close(fitted.ticks[1].at, 2.5f64.ln() / 4f64.ln());
}

#[test]
fn unusable_explicit_range_falls_back_to_the_data() {
    let fitted = FittedAxis::fit(&axis(Scale::Log10, Some((-1.0, 10.0))), [1.0, 100.0], 5);
    assert_eq!(labels(&fitted.ticks), ["$10^(0)$", "$10^(1)$", "$10^(2)$"]);
    let reversed = FittedAxis::fit(&axis(Scale::Linear, Some((1.0, 0.0))), [0.0, 10.0], 5);
    assert_close(reversed.fraction(10.0).unwrap(), 1.0 - EDGE);
}
