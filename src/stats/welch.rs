//! Welch's two-sample interval for a difference of means with unequal variances (Welch 1947).

use super::error::StatsError;
use super::summary::{Summary, t_quantile};

/// The difference of the means of two independent samples, `mean(a) − mean(b)`, with its two-sided interval
/// `d ± t_{(1+c)/2, ν} · √(s_a²/n_a + s_b²/n_b)` on the Welch–Satterthwaite degrees of freedom
/// ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Welch {
    /// mean(a) − mean(b).
    pub(crate) mean: f64,
    /// Its standard error.
    pub(crate) se: f64,
    /// The Welch–Satterthwaite degrees of freedom (∞ when both samples are constant).
    pub(crate) df: f64,
    /// Lower end of the interval.
    pub(crate) ci_low: f64,
    /// Upper end of the interval.
    pub(crate) ci_high: f64,
}

/// Welch's interval at confidence `confidence`. Errors as in [`Summary::new`], for either sample.
pub(crate) fn welch(a: &[f64], b: &[f64], confidence: f64) -> Result<Welch, StatsError> {
    let (sa, sb) = (Summary::new(a, confidence)?, Summary::new(b, confidence)?);
    let (va, vb) = (sa.se * sa.se, sb.se * sb.se);
    let se = (va + vb).sqrt();
    let df = (va + vb).powi(2) / (va * va / (sa.count - 1) as f64 + vb * vb / (sb.count - 1) as f64);
    let mean = sa.mean - sb.mean;
    // Two constant samples: no sampling error at all (0/0 degrees of freedom).
    let half = if se == 0.0 { 0.0 } else { t_quantile(df, 0.5 + confidence / 2.0) * se };
    Ok(Welch { mean, se, df, ci_low: mean - half, ci_high: mean + half })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_computed_example() {
        // a = 1..=5: mean 3, s² = 2.5, s²/n = 0.5; b = (2, 4, 6, 8): mean 5, s² = 20/3, s²/n = 5/3.
        // se² = 0.5 + 5/3 = 13/6; ν = (13/6)² / (0.25/4 + (25/9)/3) = 4.694 444 / 0.988 426 = 4.749 4.
        let w = welch(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0], 0.95).unwrap();
        assert_eq!(w.mean, -2.0);
        assert!((w.se - (13.0_f64 / 6.0).sqrt()).abs() < 1e-14);
        let df = (13.0_f64 / 6.0).powi(2) / (0.0625 + 25.0 / 27.0);
        assert!((w.df - df).abs() < 1e-12, "{} vs {df}", w.df);
        let half = t_quantile(df, 0.975) * w.se;
        assert!((w.ci_high - (-2.0 + half)).abs() < 1e-12 && (w.ci_low - (-2.0 - half)).abs() < 1e-12);
    }

    #[test]
    fn covers_the_true_difference_at_the_nominal_rate_with_unequal_variances() {
        use rand::{RngExt, SeedableRng};
        use rand_distr::StandardNormal;
        use rand_xoshiro::Xoshiro256PlusPlus;
        // 2000 replications of N(1, 1) with 6 draws against N(0, 3²) with 15: the 95% coverage has standard
        // error √(0.95·0.05/2000) ≈ 0.0049, so it must land in 0.95 ± 0.02 (a pooled-variance interval would not).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut covered = 0;
        for _ in 0..2000 {
            let a: Vec<f64> = (0..6).map(|_| 1.0 + rng.sample::<f64, _>(StandardNormal)).collect();
            let b: Vec<f64> = (0..15).map(|_| 3.0 * rng.sample::<f64, _>(StandardNormal)).collect();
            let w = welch(&a, &b, 0.95).unwrap();
            covered += usize::from(w.ci_low <= 1.0 && 1.0 <= w.ci_high);
        }
        let rate = covered as f64 / 2000.0;
        assert!((rate - 0.95).abs() < 0.02, "coverage {rate}");
    }
}
