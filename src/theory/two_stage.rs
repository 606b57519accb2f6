//! The two-stage model of Section 5 (Definition 3, Lemma 1, Theorem 2) for jointly diagonal Σ_s, Σ_t: the
//! surrogate β^s = Est(X̃, ỹ) is itself fitted on m samples, then the target on n samples of its labels.

use super::equivalent::Regime;
use super::error::{TheoryError, check_finite};

/// Per-coordinate mean and variance of the fitted surrogate β^s in the common eigenbasis.
///
/// The target risk is a separable quadratic in β^s, so these two moments determine the two-stage risk.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SurrogateMoments {
    /// E β^s_i.
    pub(crate) mean: Vec<f64>,
    /// Var β^s_i.
    pub(crate) variance: Vec<f64>,
}

impl Regime {
    /// Moments of the surrogate fitted on m samples of (Σ_s, β⋆, σ_s²), with `self` the regime of (λ^s, m):
    /// - interpolating (Theorem 3 / diagonal closed form): E β^s_i = φ_i β⋆_i, Var β^s_i = (G_s/m) φ_i²/λ^s_i,
    ///   φ_i = λ^s_i/(λ^s_i+τ_s), G_s = (σ_s² + Σ λ^s_i ζ_i² β⋆_i²)/(1−Ω_s) = R(β^s) + σ_s² (eq. 11);
    /// - least squares, m > p + 1: E β^s = β⋆, Cov β^s = σ_s² Σ_s^{-1}/(m − k − 1) (inverse-Wishart mean; the
    ///   pseudo-inverse gives β^s_i = 0 on zero eigenvalues).
    #[track_caller]
    pub(crate) fn surrogate_moments(&self, lambda_s: &[f64], beta_star: &[f64], sigma_s2: f64) -> SurrogateMoments {
        assert_eq!(beta_star.len(), lambda_s.len(), "signal and spectrum lengths differ");
        let scale = match self {
            Self::Interpolating(eq) => (self.standard_risk(lambda_s, beta_star, sigma_s2) + sigma_s2) / eq.n as f64,
            Self::LeastSquares { n, rank } => sigma_s2 / (n - rank - 1) as f64,
        };
        let (mean, variance) = lambda_s
            .iter()
            .zip(beta_star)
            .map(|(&l, &b)| match self {
                // (G_s/m) φ²/λ = (G_s/m) λ/(λ+τ)², which is 0 (not 0/0) on a zero eigenvalue.
                Self::Interpolating(eq) => (eq.learned(l) * b, scale * l / (l + eq.tau).powi(2)),
                Self::LeastSquares { .. } if l > 0.0 => (b, scale / l),
                Self::LeastSquares { .. } => (0.0, 0.0),
            })
            .unzip();
        SurrogateMoments { mean, variance }
    }

    /// E R(β^{s2t}) over the fitted surrogate, with `self` the target regime of (λ^t, n) (Lemma 1 / Theorem 2).
    ///
    /// - interpolating target, the diagonal closed form of Section 5 when E β^s_i = φ_i β⋆_i:
    ///   `Σ λ^t_i (θ_i E β^s_i − β⋆_i)² + Σ λ^t_i θ_i² Var β^s_i + Ω_t G_t`,
    ///   with G_t = (σ_t² + Σ λ^t_i (ζ^t_i)² E(β^s_i)²)/(1−Ω_t);
    /// - least-squares target (n > p + 1): `Σ λ^t_i [(E β^s_i − β⋆_i)² + Var β^s_i] + σ_t² k/(n−k−1)`.
    pub(crate) fn expected_s2t_risk(
        &self,
        lambda_t: &[f64],
        beta_star: &[f64],
        moments: &SurrogateMoments,
        sigma_t2: f64,
    ) -> f64 {
        assert_eq!(moments.variance.len(), lambda_t.len(), "surrogate and spectrum lengths differ");
        self.expected_s2t_risk_with(lambda_t, beta_star, &moments.mean, |i| moments.variance[i], sigma_t2)
    }
}

/// Asymptotic risk of the two-stage model (Theorem 2, diagonal closed form): a surrogate fitted on m samples of
/// (Σ_s = diag λ_s, β⋆, σ_s²), then a target fitted on n samples of (Σ_t = diag λ_t, β^s, σ_t²), with the risk
/// measured against (Σ_t, β⋆). Each stage is min-norm interpolation (m or n < p) or least squares (m or n > p + 1).
///
/// # Panics
/// If the three slices have different lengths (a programmer error).
pub(crate) fn two_stage_risk(
    lambda_s: &[f64],
    lambda_t: &[f64],
    beta_star: &[f64],
    sigma_s2: f64,
    sigma_t2: f64,
    m: usize,
    n: usize,
) -> Result<f64, TheoryError> {
    assert_eq!(lambda_s.len(), lambda_t.len(), "surrogate and target spectra lengths differ");
    let surrogate = Regime::checked(lambda_s, m, &[("signal", beta_star)], &[sigma_s2, sigma_t2])?;
    let target = Regime::new(lambda_t, n)?;
    let moments = surrogate.surrogate_moments(lambda_s, beta_star, sigma_s2);
    check_finite("surrogate", &moments.variance)?;
    Ok(target.expected_s2t_risk(lambda_t, beta_star, &moments, sigma_t2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_stages_are_exact() {
        // Both stages OLS with Σ_s = Σ_t: E R = σ_s² p/(m−p−1) + σ_t² p/(n−p−1), whatever β⋆.
        let lambda = [2.0, 1.0, 0.5, 0.1];
        let beta = [1.0, -2.0, 0.3, 4.0];
        let r = two_stage_risk(&lambda, &lambda, &beta, 0.5, 0.2, 10, 20).unwrap();
        let expected = 0.5 * 4.0 / 5.0 + 0.2 * 4.0 / 15.0;
        assert!((r - expected).abs() < 1e-15, "{r} vs {expected}");
    }

    #[test]
    fn noiseless_least_squares_surrogate_is_the_signal() {
        // m > p + 1, σ_s = 0: β^s = β⋆ exactly, so the two-stage risk is the standard target risk.
        let lambda: Vec<f64> = (1..=50).map(|i: i32| f64::from(i).powf(-1.0)).collect();
        let beta = vec![0.4; 50];
        let r = two_stage_risk(&lambda, &lambda, &beta, 0.0, 0.1, 60, 20).unwrap();
        let standard = super::super::standard_risk(&lambda, &beta, 0.1, 20).unwrap();
        assert!((r / standard - 1.0).abs() < 1e-14);
    }

    #[test]
    fn noiseless_least_squares_target_copies_the_surrogate() {
        // n > p + 1, σ_t = 0, Σ_t = Σ_s: β^{s2t} = β^s exactly, so the risk is the surrogate's own eq. (11) risk.
        let lambda: Vec<f64> = (1..=50).map(|i: i32| f64::from(i).powf(-1.7)).collect();
        let beta: Vec<f64> = (1..=50).map(|i: i32| f64::from(i).sqrt()).collect();
        let r = two_stage_risk(&lambda, &lambda, &beta, 0.3, 0.0, 20, 60).unwrap();
        let surrogate = super::super::standard_risk(&lambda, &beta, 0.3, 20).unwrap();
        assert!((r / surrogate - 1.0).abs() < 1e-13, "{r} vs {surrogate}");
    }

    #[test]
    fn reports_the_failing_stage() {
        let lambda = [1.0, 0.5, 0.25];
        assert_eq!(
            two_stage_risk(&lambda, &lambda, &[1.0; 3], 0.0, 0.0, 3, 1),
            Err(TheoryError::InterpolationThreshold { n: 3, p: 3 })
        );
        assert_eq!(
            two_stage_risk(&lambda, &lambda, &[1.0; 3], 0.0, -1.0, 1, 1),
            Err(TheoryError::InvalidNoise { sigma2: -1.0 })
        );
    }
}
