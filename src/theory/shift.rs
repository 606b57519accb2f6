//! Observation 1 (model shift and covariance shift): for jointly diagonal Σ_s = AΣ_tA, A_ii = √(λ^s_i/λ^t_i), the
//! surrogate β^s = Aβ⋆ gives the target labels y = xᵀAβ⋆ + z = (Ax)ᵀβ⋆ + z with Ax ~ N(0, Σ_s): the labels of
//! the covariance-shift model (Σ_s, Σ_t, β⋆).
//!
//! The identity is one of the target's training *labels*. The estimator is still fitted on x ~ N(0, Σ_t); an
//! estimator fitted on the features Ax ~ N(0, Σ_s) is a different one (neither OLS nor the min-norm interpolator is
//! equivariant under a non-orthogonal A), with a different risk in general: for OLS and β⋆ = 0 it is
//! σ² tr(Σ_tΣ_s^{-1})/(n−p−1), against σ² p/(n−p−1) here.

use super::equivalent::check_spectrum;
use super::error::{TheoryError, check_finite};

/// The surrogate β^s = Aβ⋆ of Observation 1, A_ii = √(λ^s_i/λ^t_i); A_ii = 1 where both eigenvalues are 0 (the
/// direction occurs in neither distribution).
///
/// Errors: a bad spectrum or signal, or λ^t_i = 0 < λ^s_i (no diagonal A exists).
///
/// # Panics
/// If the slices have different lengths (a programmer error).
pub(crate) fn covariance_shift_surrogate(
    lambda_s: &[f64],
    lambda_t: &[f64],
    beta_star: &[f64],
) -> Result<Vec<f64>, TheoryError> {
    assert_eq!(lambda_s.len(), beta_star.len(), "surrogate spectrum and signal lengths differ");
    assert_eq!(lambda_t.len(), beta_star.len(), "target spectrum and signal lengths differ");
    check_spectrum(lambda_s)?;
    check_spectrum(lambda_t)?;
    check_finite("signal", beta_star)?;
    lambda_s
        .iter()
        .zip(lambda_t)
        .zip(beta_star)
        .enumerate()
        .map(|(index, ((&ls, &lt), &b))| match (ls > 0.0, lt > 0.0) {
            // Obs. 1: β^s_i = √(λ^s_i/λ^t_i) β⋆_i.
            (_, true) => Ok((ls / lt).sqrt() * b),
            (false, false) => Ok(b),
            (true, false) => Err(TheoryError::UnmatchedShift { index }),
        })
        .collect()
}

/// The surrogate-to-target risk of Observation 1's surrogate Aβ⋆ on n target samples: R(β^{s2t}) of Definition 1
/// at β^s = Aβ⋆ (exact OLS risk when n > p + 1), the model-shift side of the equivalence (a test oracle).
#[cfg(test)]
pub(crate) fn covariance_shift_risk(
    lambda_s: &[f64],
    lambda_t: &[f64],
    beta_star: &[f64],
    sigma2: f64,
    n: usize,
) -> Result<f64, TheoryError> {
    let beta_s = covariance_shift_surrogate(lambda_s, lambda_t, beta_star)?;
    super::risk::s2t_risk(lambda_t, beta_star, &beta_s, sigma2, n)
}

#[cfg(test)]
mod tests {
    use super::super::standard_risk;
    use super::*;

    #[test]
    fn no_shift_is_the_standard_target() {
        // λ_s = λ_t ⇒ A = I ⇒ β^s = β⋆ ⇒ the risk is eq. (11) (and σ²p/(n−p−1) for least squares).
        let lambda: Vec<f64> = (1..=200).map(|i: i32| f64::from(i).powf(-1.5)).chain([0.0]).collect();
        let beta: Vec<f64> = (1..=201).map(|i: i32| (f64::from(i) * 0.3).sin()).collect();
        assert_eq!(covariance_shift_surrogate(&lambda, &lambda, &beta).unwrap(), beta);
        for n in [20, 150, 400] {
            let shifted = covariance_shift_risk(&lambda, &lambda, &beta, 0.2, n).unwrap();
            let standard = standard_risk(&lambda, &beta, 0.2, n).unwrap();
            assert!((shifted / standard - 1.0).abs() < 1e-13, "n = {n}: {shifted} vs {standard}");
        }
    }

    #[test]
    fn least_squares_shift_is_exact() {
        // λ_s = (4, 1, 0.25), λ_t = (1, 1, 1), β⋆ = (1, 1, 2): A = (2, 1, 1/2), β^s = (2, 1, 1); n = 10 > p + 1:
        // R = ‖Σ_t^{1/2}(β^s − β⋆)‖² + σ²p/(n−p−1) = 1 + 0 + 1 + 0.3·3/6.
        let r = covariance_shift_risk(&[4.0, 1.0, 0.25], &[1.0; 3], &[1.0, 1.0, 2.0], 0.3, 10).unwrap();
        assert!((r - 2.15).abs() < 1e-15, "{r}");
    }

    #[test]
    fn isotropic_target_has_the_min_norm_closed_form() {
        // Σ_t = I, p/n = γ: ζ = 1 − 1/γ, Ω = 1/γ, κ′ = 1/(γ−1), so Definition 1 gives
        // R = ‖β^s/γ − β⋆‖² + (σ² + (1−1/γ)²‖β^s‖²)/(γ−1), with β^s_i = √λ^s_i β⋆_i.
        let (p, n, sigma2) = (300, 100, 0.1);
        let lambda_s: Vec<f64> = (1..=p).map(|i: i32| 1.0 + f64::from(i % 3)).collect();
        let beta = vec![0.1; p as usize];
        let gamma = f64::from(p) / f64::from(n);
        let beta_s: Vec<f64> = lambda_s.iter().map(|l| l.sqrt() * 0.1).collect();
        let fit: f64 = beta_s.iter().map(|s| (s / gamma - 0.1).powi(2)).sum();
        let energy: f64 = beta_s.iter().map(|s| s * s).sum();
        let expected = fit + (sigma2 + (1.0 - 1.0 / gamma).powi(2) * energy) / (gamma - 1.0);
        let r = covariance_shift_risk(&lambda_s, &vec![1.0; p as usize], &beta, sigma2, n as usize).unwrap();
        assert!((r / expected - 1.0).abs() < 1e-12, "{r} vs {expected}");
    }

    #[test]
    fn rejects_unmatched_directions() {
        assert_eq!(
            covariance_shift_surrogate(&[1.0, 1.0], &[1.0, 0.0], &[1.0, 1.0]),
            Err(TheoryError::UnmatchedShift { index: 1 })
        );
        assert!(covariance_shift_surrogate(&[1.0, -1.0], &[1.0, 1.0], &[1.0, 1.0]).is_err());
    }
}
