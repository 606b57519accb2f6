//! Paired comparisons of two estimators evaluated on the same trials.

use statrs::distribution::ContinuousCDF;

use super::error::StatsError;
use super::summary::{Summary, students_t};
use super::sums::TrialSums;

/// Paired t test of the differences d_i = a_i − b_i, with t = mean(d)/se(d) on count − 1 degrees
/// of freedom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PairedComparison {
    /// Summary (mean, interval) of the differences a − b.
    pub(crate) difference: Summary,
    /// The t statistic mean(d)/se(d); ±∞ when all differences are equal and non-zero, 0 when all
    /// are zero.
    pub(crate) t: f64,
    /// One-sided p-value for H₁: mean(a − b) < 0, i.e. F_t(t).
    pub(crate) p_less: f64,
    /// Two-sided p-value for H₁: mean(a − b) ≠ 0, i.e. 2 min(F_t(t), 1 − F_t(t)).
    pub(crate) p_two_sided: f64,
}

impl PairedComparison {
    /// Compares series `a` and `b` of `sums`, paired by trial. Errors as in [`TrialSums::summary`].
    pub(crate) fn of(sums: &TrialSums, a: usize, b: usize, confidence: f64) -> Result<Self, StatsError> {
        Ok(Self::from_difference(sums.difference(a, b, confidence)?))
    }

    /// Compares paired samples `a` and `b` (same length: a mismatch is a caller bug and panics).
    #[cfg(test)]
    #[track_caller]
    pub(crate) fn new(a: &[f64], b: &[f64], confidence: f64) -> Result<Self, StatsError> {
        assert_eq!(a.len(), b.len(), "paired samples must have equal length");
        Self::of(&TrialSums::of_columns(0..a.len(), &[a, b]), 0, 1, confidence)
    }

    /// The t test of the differences' summary.
    fn from_difference(difference: Summary) -> Self {
        // Identical differences give se = 0; 0/0 is read as "no evidence either way" (t = 0).
        let t = if difference.mean == 0.0 { 0.0 } else { difference.mean / difference.se };
        let dist = students_t((difference.count - 1) as f64);
        let (lower, upper) = (dist.cdf(t), dist.sf(t));
        Self { difference, t, p_less: lower, p_two_sided: (2.0 * lower.min(upper)).min(1.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_of_a_hand_computed_example() {
        // d = a − b = (−1, −2, −3, 0, −4): mean −2, sd √2.5, se √0.5, t = −2/√0.5 = −2√2 on 4 df.
        // Student t with 4 df: F(t) = 1/2 + t(t² + 6)/(2(t² + 4)^{3/2}) in closed form,
        // F(−2√2) = 1/2 − 2√2·14/(2·12^{3/2}) = 0.023 715 008 …
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [2.0, 4.0, 6.0, 4.0, 9.0];
        let c = PairedComparison::new(&a, &b, 0.95).unwrap();
        let t = -2.0 * 2.0_f64.sqrt();
        let exact = 0.5 + t * (t * t + 6.0) / (2.0 * (t * t + 4.0).powf(1.5));
        assert!((c.t - t).abs() < 1e-12);
        assert!((c.p_less - exact).abs() < 1e-10, "{} vs {exact}", c.p_less);
        assert!((c.p_two_sided - 2.0 * exact).abs() < 1e-10);
        assert!(c.difference.ci_high < 0.0);
    }

    #[test]
    fn degenerate_differences() {
        let same = PairedComparison::new(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 0.9).unwrap();
        assert_eq!((same.t, same.p_less, same.p_two_sided), (0.0, 0.5, 1.0));
        let shifted = PairedComparison::new(&[0.0, 1.0, 2.0], &[1.0, 2.0, 3.0], 0.9).unwrap();
        assert_eq!((shifted.p_less, shifted.p_two_sided), (0.0, 0.0));
    }
}
