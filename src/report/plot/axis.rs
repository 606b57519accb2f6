//! Fitting an axis to the data: the visible range, the value → position map and "nice" ticks.

use super::{Axis, Scale};
use crate::report::escape::typst_string;

/// Relative slack when deciding whether a tick lies inside the range (absorbs rounding in `k · step`).
const SLACK: f64 = 1e-9;

/// An axis after fitting: its range in scale coordinates (`log10` for [`Scale::Log10`]) and its ticks.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FittedAxis {
    /// Linear or logarithmic.
    scale: Scale,
    /// Low end of the range, in scale coordinates.
    lo: f64,
    /// High end of the range, in scale coordinates.
    hi: f64,
    /// Ticks in increasing order.
    pub(super) ticks: Vec<Tick>,
}

/// A tick: its position as a fraction of the axis and, for major ticks, a label (a Typst expression).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tick {
    /// Position in `[0, 1]` along the axis.
    pub(super) at: f64,
    /// Typst content expression (`"0.05"`, `$10^(-3)$`); `None` for a minor tick.
    pub(super) label: Option<String>,
}

/// A tick step `mantissa · 10^exponent` with mantissa 1, 2 or 5, kept exact for label formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    /// 1, 2 or 5.
    mantissa: i64,
    /// Power of ten.
    exponent: i32,
}

impl FittedAxis {
    /// Fits `axis` to `values` (data in value units; unusable ones are ignored), aiming at about
    /// `target_ticks` labelled ticks.
    pub(super) fn fit(axis: &Axis, values: impl IntoIterator<Item = f64>, target_ticks: usize) -> Self {
        let target = target_ticks.max(2);
        let explicit = axis.range.and_then(|(lo, hi)| {
            let (lo, hi) = (to_scale(axis.scale, lo)?, to_scale(axis.scale, hi)?);
            (lo < hi).then_some((lo, hi))
        });
        let (lo, hi) = explicit.unwrap_or_else(|| {
            let data = values.into_iter().filter_map(|v| to_scale(axis.scale, v));
            auto_range(axis.scale, data)
        });
        let ticks = match axis.scale {
            Scale::Linear => linear_ticks(lo, hi, target),
            Scale::Log10 => log_ticks(lo, hi, target),
        };
        Self { scale: axis.scale, lo, hi, ticks }
    }

    /// Position of `value` as a fraction of the axis (outside `[0, 1]` when out of range); `None` if the
    /// value cannot be drawn on this scale.
    pub(super) fn fraction(&self, value: f64) -> Option<f64> {
        to_scale(self.scale, value).map(|t| (t - self.lo) / (self.hi - self.lo))
    }
}

/// Scale coordinate of a value: itself (linear) or `log10` (log); `None` if not finite or not positive on log.
pub(super) fn to_scale(scale: Scale, value: f64) -> Option<f64> {
    match scale {
        Scale::Linear => value.is_finite().then_some(value),
        Scale::Log10 => (value.is_finite() && value > 0.0).then(|| value.log10()),
    }
}

/// The range fitting the data (in scale coordinates) with a margin of [`MARGIN`] of its span on each side, so no
/// marker sits on the frame; a single value gets a span of its own (a tenth of it, or a decade on a log axis).
fn auto_range(scale: Scale, data: impl Iterator<Item = f64>) -> (f64, f64) {
    let (min, max) = data.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| (lo.min(t), hi.max(t)));
    if min > max {
        return (0.0, 1.0);
    }
    if min == max {
        let half = match scale {
            Scale::Linear => 0.1 * min.abs().max(1.0),
            Scale::Log10 => 0.5,
        };
        return (min - half, max + half);
    }
    let pad = MARGIN * (max - min);
    (min - pad, max + pad)
}

/// The margin around the data on a fitted axis, as a fraction of the data's span.
const MARGIN: f64 = 0.04;

/// Ticks at the multiples of a 1-2-5 step inside `[lo, hi]`.
fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    let step = Step::nice((hi - lo) / to_f64(target));
    let width = step.value();
    let slack = SLACK * (hi - lo) / width;
    let first = to_i64((lo / width - slack).ceil());
    let last = to_i64((hi / width + slack).floor());
    let scientific = lo.abs().max(hi.abs()) >= 1e5 || step.exponent <= -5;
    (first..=last)
        .map(|k| {
            let value = to_f64_i(k) * width;
            let label = if scientific {
                scientific_label(k * step.mantissa, step.exponent)
            } else {
                decimal_label(value, step.exponent)
            };
            Tick { at: (value - lo) / (hi - lo), label: Some(label) }
        })
        .collect()
}

/// Log ticks: labelled decades (every `stride`-th if there are many) with minor ticks at 2..9 · 10^k, or
/// 1-2-5 mantissa ticks when fewer than two decades are visible.
fn log_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    let first = to_i64((lo - SLACK).ceil());
    let last = to_i64((hi + SLACK).floor());
    if last - first < 1 {
        return mantissa_ticks(lo, hi);
    }
    let target = i64::try_from(target).unwrap_or(i64::MAX);
    let stride = ((last - first + target) / target).max(1);
    let at = |t: f64| (t - lo) / (hi - lo);
    let mut ticks: Vec<Tick> = (first..=last)
        .map(|k| Tick { at: at(to_f64_i(k)), label: (k.rem_euclid(stride) == 0).then(|| format!("$10^({k})$")) })
        .collect();
    if hi - lo <= 8.0 {
        let minors = (to_i64(lo.floor())..=to_i64(hi.ceil()))
            .flat_map(|k| (2..=9).map(move |m: i32| to_f64_i(k) + f64::from(m).log10()))
            .filter(|&t| t >= lo - SLACK && t <= hi + SLACK)
            .map(|t| Tick { at: at(t), label: None });
        ticks.extend(minors);
    }
    ticks.sort_by(|a, b| a.at.total_cmp(&b.at));
    ticks
}

/// Labelled ticks at `m · 10^k` (m in 1, 2, 5; or 1..9 if that gives fewer than two) inside a short log range.
fn mantissa_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let candidates = |mantissas: &[i64]| -> Vec<Tick> {
        (to_i64(lo.floor())..=to_i64(hi.ceil()))
            .flat_map(|k| mantissas.iter().map(move |&m| (m, k)))
            .filter_map(|(m, k)| {
                let t = to_f64_i(m).log10() + to_f64_i(k);
                let exponent = i32::try_from(k).ok()?;
                let label = if exponent.abs() >= 5 {
                    scientific_label(m, exponent)
                } else {
                    decimal_label(to_f64_i(m) * 10f64.powi(exponent), exponent)
                };
                (t >= lo - SLACK && t <= hi + SLACK).then(|| Tick { at: (t - lo) / (hi - lo), label: Some(label) })
            })
            .collect()
    };
    let ticks = candidates(&[1, 2, 5]);
    if ticks.len() >= 2 { ticks } else { candidates(&[1, 2, 3, 4, 5, 6, 7, 8, 9]) }
}

impl Step {
    /// The smallest 1-2-5 step at least `raw` (`raw` must be positive and finite, else 1).
    fn nice(raw: f64) -> Self {
        if !(raw.is_finite() && raw > 0.0) {
            return Self { mantissa: 1, exponent: 0 };
        }
        let exponent = to_i32(raw.log10().floor());
        let fraction = raw / 10f64.powi(exponent);
        match fraction {
            f if f <= 1.0 + SLACK => Self { mantissa: 1, exponent },
            f if f <= 2.0 + SLACK => Self { mantissa: 2, exponent },
            f if f <= 5.0 + SLACK => Self { mantissa: 5, exponent },
            _ => Self { mantissa: 1, exponent: exponent + 1 },
        }
    }

    /// The step as a number.
    fn value(self) -> f64 {
        to_f64_i(self.mantissa) * 10f64.powi(self.exponent)
    }
}

/// `value` with as many decimals as the step's exponent needs, with a true minus sign, as a Typst string.
fn decimal_label(value: f64, exponent: i32) -> String {
    let decimals = usize::try_from(-exponent).unwrap_or(0);
    let text = format!("{value:.decimals$}");
    let text = if text.trim_start_matches(['-', '0', '.']).is_empty() { "0".to_owned() } else { text };
    typst_string(&text.replace('-', "\u{2212}"))
}

/// `digits · 10^exponent` in Typst math, normalised to `d.dd × 10^e` (or `10^e` when the mantissa is 1).
fn scientific_label(digits: i64, exponent: i32) -> String {
    if digits == 0 {
        return typst_string("0");
    }
    let sign = if digits < 0 { "-" } else { "" };
    let magnitude = digits.unsigned_abs().to_string();
    let trimmed = magnitude.trim_end_matches('0');
    let exponent = exponent
        + i32::try_from(magnitude.len() - trimmed.len()).unwrap_or(0)
        + i32::try_from(trimmed.len()).unwrap_or(1)
        - 1;
    let (lead, rest) = trimmed.split_at(1);
    let mantissa = if rest.is_empty() { lead.to_owned() } else { format!("{lead}.{rest}") };
    if mantissa == "1" {
        format!("${sign}10^({exponent})$")
    } else {
        format!("${sign}{mantissa} times 10^({exponent})$")
    }
}

/// A float known to be a small whole number, as `i64` (saturating; plot ranges are far from the limits).
#[allow(clippy::cast_possible_truncation, reason = "called on floor/ceil results of plot coordinates")]
fn to_i64(value: f64) -> i64 {
    value as i64
}

/// A float known to be a small whole number, as `i32`.
#[allow(clippy::cast_possible_truncation, reason = "called on floor results of log10 of finite floats")]
fn to_i32(value: f64) -> i32 {
    value as i32
}

/// A tick count as a float.
#[allow(clippy::cast_precision_loss, reason = "tick counts are tiny")]
fn to_f64(value: usize) -> f64 {
    value as f64
}

/// A tick index as a float.
#[allow(clippy::cast_precision_loss, reason = "tick indices are tiny")]
fn to_f64_i(value: i64) -> f64 {
    value as f64
}

#[cfg(test)]
mod tests;
