//! Training on one covariance, testing on another (covariance shift; docs/dev/paper.md §1 "Reference 2").

use super::equivalent::Regime;
use super::error::TheoryError;

/// Risk under Σ_t = diag(`lambda_t`) of the estimator trained on n samples from Σ_s = diag(`lambda_s`) with labels
/// from `beta_s` and noise σ², measured against β⋆.
///
/// With ridge penalty λ ≥ 0 on the training fit (κ for τ, issue 17).
///
/// Interpolating or ridge (Han & Xu, docs/dev/paper.md §2.3): b_i ≈ θ_i β^s_i + θ_i λ^s_i^{-1/2} γ g_i/√p with θ_i = λ^s_i/(λ^s_i+τ_s)
/// and γ²/p = (σ² + Σ λ^s_i ζ_i² (β^s_i)²)/((1−Ω_s) n), so R = Σ λ^t_i [(θ_i β^s_i − β⋆_i)² + θ_i² (γ²/p)/λ^s_i].
/// Least squares (n ≥ k, the number of positive training eigenvalues): E(XᵀX)⁻¹ = Σ_s⁻¹/(n−k−1) on the k positive directions, so
/// R = Σ λ^t_i [(β^s_i − β⋆_i)² + σ²/((n−k−1) λ^s_i)] there, and λ^t_i β⋆_i² where λ^s_i = 0 (β̂_i = 0).
pub(crate) fn transfer_risk(
    lambda_s: &[f64],
    lambda_t: &[f64],
    beta_star: &[f64],
    beta_s: &[f64],
    sigma2: f64,
    n: usize,
    ridge: f64,
) -> Result<f64, TheoryError> {
    assert!(lambda_t.len() == lambda_s.len() && beta_star.len() == lambda_s.len() && beta_s.len() == lambda_s.len());
    let terms = lambda_s.iter().zip(lambda_t).zip(beta_star.iter().zip(beta_s));
    let regime = Regime::with_ridge(lambda_s, n, ridge)?;
    Ok(match regime {
        Regime::Equivalent(eq) => {
            let bias: f64 = lambda_s.iter().zip(beta_s).map(|(&l, b)| l * eq.zeta(l).powi(2) * b * b).sum();
            let gamma2_over_p = (sigma2 + bias) / ((1.0 - eq.omega) * n as f64);
            terms
                .map(|((&ls, &lt), (&star, &b))| {
                    let theta = eq.learned(ls);
                    lt * ((theta * b - star).powi(2) + theta * theta * gamma2_over_p / ls)
                })
                .sum()
        }
        // The pseudo-inverse sets β̂_i = 0 on a zero eigenvalue of the training design, which then costs λ^t_i β⋆_i².
        // σ²/((n − k − 1) λ^s_i), written through the noise term so that it is 0 without noise and ∞ at n ≤ k + 1.
        Regime::LeastSquares { rank, .. } => terms
            .map(|((&ls, &lt), (&star, &b))| {
                if ls > 0.0 {
                    lt * ((b - star).powi(2) + regime.noise_term(sigma2) / (rank as f64 * ls))
                } else {
                    lt * star * star
                }
            })
            .sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::s2t_risk;

    #[test]
    fn least_squares_learns_nothing_where_the_design_has_no_variance() {
        // Noiseless least squares recovers β^s exactly on the design's support and returns 0 off it.
        let (lambda_s, lambda_t) = ([2.0, 1.0, 0.0], [1.0, 0.5, 3.0]);
        let (beta, surrogate) = ([1.0, -1.0, 2.0], [1.5, -1.0, 5.0]);
        let risk = transfer_risk(&lambda_s, &lambda_t, &beta, &surrogate, 0.0, 10, 0.0).unwrap();
        assert_eq!(risk, 1.0 * 0.25 + 0.0 + 3.0 * 4.0);
        // With noise: σ²/((n − k − 1) λ^s_i) per positive direction, k = 2.
        let noisy = transfer_risk(&lambda_s, &lambda_t, &beta, &surrogate, 0.7, 10, 0.0).unwrap();
        assert!((noisy - risk - 0.7 / 7.0 * (1.0 / 2.0 + 0.5 / 1.0)).abs() < 1e-14, "{noisy}");
    }

    #[test]
    fn without_a_shift_it_is_the_surrogate_to_target_risk() {
        let lambda: Vec<f64> = (1..=200).map(|i| f64::from(i).powf(-1.5)).collect();
        let beta: Vec<f64> = (1..=200).map(|i| f64::from(i).powf(0.1)).collect();
        let surrogate: Vec<f64> = beta.iter().map(|b| 0.8 * b).collect();
        for n in [50, 150, 260] {
            let shifted = transfer_risk(&lambda, &lambda, &beta, &surrogate, 0.3, n, 0.0).unwrap();
            let direct = s2t_risk(&lambda, &beta, &surrogate, 0.3, n).unwrap();
            assert!((shifted - direct).abs() <= 1e-12 * direct, "n = {n}: {shifted} vs {direct}");
        }
    }
}
