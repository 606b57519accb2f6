//! Welch's two-sample interval for a difference of means with unequal variances (Welch 1947).

use statrs::distribution::ContinuousCDF;

use super::summary::{Summary, students_t, t_quantile};

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

/// A sample mean as a summary reports it: the estimate, its standard error and the sample size behind it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MeanEstimate {
    /// The sample mean.
    pub(crate) mean: f64,
    /// Its standard error s/√n.
    pub(crate) se: f64,
    /// The sample size n (≥ 2).
    pub(crate) count: usize,
}

/// Welch's interval at confidence `confidence` of two samples' summaries, `a − b`.
pub(crate) fn welch(a: Summary, b: Summary, confidence: f64) -> Welch {
    let estimate = |s: Summary| MeanEstimate { mean: s.mean, se: s.se, count: s.count };
    Welch::from_estimates(estimate(a), estimate(b), confidence)
}

impl Welch {
    /// Welch's interval from the two samples' summaries alone (what a results file keeps), `a − b`. Both counts
    /// must be at least 2 (a summary's standard error needs them).
    ///
    /// The variances are scaled by the larger standard error before they are squared, so that standard errors
    /// near the ends of f64 (10⁻¹⁰³ from a spec with tiny eigenvalues, 10³⁰⁰) neither underflow nor overflow:
    /// ν is then always a number between min(n) − 1 and n_a + n_b − 2 (or NaN when both are 0).
    pub(crate) fn from_estimates(a: MeanEstimate, b: MeanEstimate, confidence: f64) -> Self {
        let scale = a.se.max(b.se);
        let (ra, rb) = (a.se / scale, b.se / scale);
        let (va, vb) = (ra * ra, rb * rb);
        // Two constant samples: no sampling error (and 0/0 degrees of freedom); an infinite one bounds nothing.
        let se = if scale == 0.0 || scale.is_infinite() { scale } else { scale * (va + vb).sqrt() };
        let df = (va + vb).powi(2) / (va * va / (a.count - 1) as f64 + vb * vb / (b.count - 1) as f64);
        let mean = a.mean - b.mean;
        let half = match se {
            0.0 => 0.0,
            se if se.is_finite() => t_quantile(df, 0.5 + confidence / 2.0) * se,
            _ => f64::INFINITY,
        };
        Self { mean, se, df, ci_low: mean - half, ci_high: mean + half }
    }

    /// The two-sided p-value of H₀: equal means, 2·(1 − F_ν(|d|/se)) on Student's t with ν = [`Welch::df`].
    /// Without sampling error (se = 0) it is 1 for equal means and 0 otherwise; with an infinite one, 1.
    pub(crate) fn p_value(&self) -> f64 {
        if self.se == 0.0 {
            return if self.mean == 0.0 { 1.0 } else { 0.0 };
        }
        if !(self.se.is_finite() && self.df > 0.0) {
            // An infinite standard error: no evidence of any difference.
            return 1.0;
        }
        let t = (self.mean / self.se).abs();
        // The upper tail directly (sf), not 1 − cdf, which rounds to 0 for p below 1e-16.
        (2.0 * students_t(self.df).sf(t)).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 95 % summary of a sample.
    fn summary(sample: &[f64]) -> Summary {
        Summary::new(sample, 0.95).unwrap()
    }

    #[test]
    fn a_hand_computed_example() {
        // a = 1..=5: mean 3, s² = 2.5, s²/n = 0.5; b = (2, 4, 6, 8): mean 5, s² = 20/3, s²/n = 5/3.
        // se² = 0.5 + 5/3 = 13/6; ν = (13/6)² / (0.25/4 + (25/9)/3) = 4.694 444 / 0.988 426 = 4.749 4.
        let w = welch(summary(&[1.0, 2.0, 3.0, 4.0, 5.0]), summary(&[2.0, 4.0, 6.0, 8.0]), 0.95);
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
            let w = welch(summary(&a), summary(&b), 0.95);
            covered += usize::from(w.ci_low <= 1.0 && 1.0 <= w.ci_high);
        }
        let rate = covered as f64 / 2000.0;
        assert!((rate - 0.95).abs() < 0.02, "coverage {rate}");
    }

    #[test]
    fn p_value_on_two_degrees_of_freedom_matches_the_closed_form() {
        // Equal standard errors 0.5 with n = 2 each: ν = (2v)²/(v² + v²) = 2 exactly, se = √0.5, t = 1/√0.5 = √2.
        // Student's t with 2 degrees of freedom has F(t) = 1/2 + t/(2√(2 + t²)), so p = 1 − t/√(2 + t²) = 1 − 1/√2.
        let at = |mean| MeanEstimate { mean, se: 0.5, count: 2 };
        let w = Welch::from_estimates(at(1.0), at(0.0), 0.95);
        assert!((w.df - 2.0).abs() < 1e-15);
        let expected = 1.0 - 0.5_f64.sqrt();
        assert!((w.p_value() - expected).abs() < 1e-12, "{} vs {expected}", w.p_value());
        // Far in the tail, t = 10⁶/√0.5: p = 1 − t/√(2 + t²) ≈ 1/t² = 5·10⁻¹³, which 1 − cdf would round badly.
        let tail = Welch::from_estimates(at(1e6), at(0.0), 0.95).p_value();
        let t = 1e6 / 0.5_f64.sqrt();
        assert!((tail / (1.0 / (t * t)) - 1.0).abs() < 1e-6, "{tail}");
        // No sampling error: equal means are not different, unequal ones certainly are.
        let exact = |mean| MeanEstimate { mean, se: 0.0, count: 10 };
        assert_eq!(Welch::from_estimates(exact(1.0), exact(1.0), 0.95).p_value(), 1.0);
        assert_eq!(Welch::from_estimates(exact(1.0), exact(2.0), 0.95).p_value(), 0.0);
    }

    #[test]
    fn degrees_of_freedom_survive_standard_errors_at_the_ends_of_f64() {
        // Helper-found: se = 3.6e-103 (a spec with eigenvalues near 1e-100) made se⁴ underflow to 0 and ν = 0/0,
        // and the t distribution refused it. Scaled, ν is that of any equal pair of standard errors: with n = 30
        // each and equal se, ν = (2v)² / (2v²/29) = 58.
        for se in [3.6e-103, 1e-300, 1.0, 1e150, 1e300] {
            let at = |mean| MeanEstimate { mean, se, count: 30 };
            let w = Welch::from_estimates(at(0.0), at(se), 0.95);
            assert!((w.df - 58.0).abs() < 1e-9, "se {se}: ν = {}", w.df);
            assert!((w.se / (se * 2f64.sqrt()) - 1.0).abs() < 1e-15, "se {se}");
            assert!(w.p_value() > 0.3 && w.p_value() < 1.0, "se {se}: t = 1/√2, p = {}", w.p_value());
        }
    }

    #[test]
    fn p_value_rejects_at_the_nominal_rate_under_equal_means() {
        use rand::{RngExt, SeedableRng};
        use rand_distr::StandardNormal;
        use rand_xoshiro::Xoshiro256PlusPlus;
        // 4000 null replications (N(0, 1) with 8 draws against N(0, 2²) with 20): P(p ≤ 0.05) = 0.05 with standard
        // error √(0.05·0.95/4000) ≈ 0.0034, so the rate must land in 0.05 ± 0.014.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut rejected = 0;
        for _ in 0..4000 {
            let a: Vec<f64> = (0..8).map(|_| rng.sample::<f64, _>(StandardNormal)).collect();
            let b: Vec<f64> = (0..20).map(|_| 2.0 * rng.sample::<f64, _>(StandardNormal)).collect();
            rejected += usize::from(welch(summary(&a), summary(&b), 0.95).p_value() <= 0.05);
        }
        let rate = rejected as f64 / 4000.0;
        assert!((rate - 0.05).abs() < 0.014, "rejection rate {rate}");
    }
}
