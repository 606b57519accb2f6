//! Sample summaries with Student-t confidence intervals.

use statrs::distribution::{ContinuousCDF, StudentsT};

#[cfg(test)]
use super::{error::StatsError, sums::TrialSums};

/// The Student t distribution with `df` degrees of freedom (df > 0).
pub(super) fn students_t(df: f64) -> StudentsT {
    StudentsT::new(0.0, 1.0, df).expect("degrees of freedom are positive")
}

/// The `prob` quantile of Student's t with `df` > 0 degrees of freedom: F⁻¹_df(prob).
pub(crate) fn t_quantile(df: f64, prob: f64) -> f64 {
    students_t(df).inverse_cdf(prob)
}

/// Mean of a sample with its two-sided Student-t confidence interval
/// `mean ± t_{(1+c)/2, count−1} · sd/√count`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Summary {
    /// Number of observations.
    pub(crate) count: usize,
    /// Sample mean.
    pub(crate) mean: f64,
    /// Sample standard deviation (divisor count − 1).
    pub(crate) sd: f64,
    /// Standard error of the mean, sd/√count.
    pub(crate) se: f64,
    /// Lower end of the interval.
    pub(crate) ci_low: f64,
    /// Upper end of the interval.
    pub(crate) ci_high: f64,
    /// Confidence level c of the interval, in (0, 1).
    pub(crate) confidence: f64,
}

impl Summary {
    /// Summarises `sample` at confidence `confidence` (through its exact sums, [`TrialSums`]). The interval needs
    /// a variance estimate, so fewer than 2 observations give [`StatsError::TooFewSamples`]; non-finite
    /// observations and a level outside (0, 1) are errors too.
    #[cfg(test)]
    pub(crate) fn new(sample: &[f64], confidence: f64) -> Result<Self, StatsError> {
        TrialSums::of_columns(0..sample.len(), &[sample]).summary(0, confidence)
    }

    /// The summary of `count` ≥ 2 observations with mean `mean` and unbiased sample variance `variance`:
    /// sd = √variance, se = sd/√count, interval mean ± t_{(1+c)/2, count−1}·se.
    pub(super) fn from_moments(count: usize, mean: f64, variance: f64, confidence: f64) -> Self {
        let sd = variance.sqrt();
        let se = sd / (count as f64).sqrt();
        let half = t_quantile((count - 1) as f64, 0.5 + confidence / 2.0) * se;
        Self { count, mean, sd, se, ci_low: mean - half, ci_high: mean + half, confidence }
    }

    /// Whether `value` lies in the closed interval [ci_low, ci_high].
    #[cfg(test)]
    pub(crate) fn covers(&self, value: f64) -> bool {
        (self.ci_low..=self.ci_high).contains(&value)
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};
    use rand_distr::StandardNormal;
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    #[test]
    fn t_quantiles_match_the_table() {
        // Standard t tables: t_{0.975,10} = 2.228138852, t_{0.995,5} = 4.032142984,
        // t_{0.95,1} = 6.313751515, t_{0.975,1000} = 1.962339081.
        for (df, prob, table) in [
            (10.0, 0.975, 2.228_138_852),
            (5.0, 0.995, 4.032_142_984),
            (1.0, 0.95, 6.313_751_515),
            (1000.0, 0.975, 1.962_339_081),
        ] {
            let q = t_quantile(df, prob);
            assert!((q - table).abs() < 1e-8, "t({df}, {prob}) = {q}, table {table}");
        }
    }

    #[test]
    fn interval_of_a_known_sample() {
        // x = 1..=5: mean 3, sd = √2.5, se = √0.5, half = t_{0.975,4} · √0.5 = 2.776445105 · 0.70710678.
        let s = Summary::new(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        assert_eq!((s.count, s.mean), (5, 3.0));
        assert!((s.sd - 2.5_f64.sqrt()).abs() < 1e-15);
        let half = 2.776_445_105 * 0.5_f64.sqrt();
        assert!((s.ci_high - 3.0 - half).abs() < 1e-8 && (3.0 - s.ci_low - half).abs() < 1e-8);
    }

    #[test]
    fn intervals_cover_the_true_mean_at_the_nominal_rate() {
        // 2000 samples of size 8 from N(3, 2²): coverage of the 95 % interval has standard error
        // √(0.95·0.05/2000) ≈ 0.0049, so it must land in 0.95 ± 0.02.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut covered = 0;
        for _ in 0..2000 {
            let sample: Vec<f64> = (0..8).map(|_| 3.0 + 2.0 * rng.sample::<f64, _>(StandardNormal)).collect();
            covered += usize::from(Summary::new(&sample, 0.95).unwrap().covers(3.0));
        }
        let rate = covered as f64 / 2000.0;
        assert!((rate - 0.95).abs() < 0.02, "coverage {rate}");
    }

    #[test]
    fn undefined_intervals_are_errors() {
        assert_eq!(Summary::new(&[1.0], 0.95), Err(StatsError::TooFewSamples { count: 1, needed: 2 }));
        assert_eq!(Summary::new(&[1.0, 2.0], 1.0), Err(StatsError::InvalidLevel(1.0)));
        assert_eq!(Summary::new(&[1.0, f64::NAN], 0.9), Err(StatsError::NonFinite { index: 1 }));
    }
}
