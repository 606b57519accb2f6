//! Training on one covariance, testing on another (covariance shift; PAPER.md §1 "Reference 2").

use super::equivalent::Regime;
use super::error::TheoryError;

/// Risk under Σ_t = diag(`lambda_t`) of the estimator trained on n samples from Σ_s = diag(`lambda_s`) with labels
/// from `beta_s` and noise σ², measured against β⋆.
///
/// Interpolating (Han & Xu, PAPER.md §2.3): b_i ≈ θ_i β^s_i + θ_i λ^s_i^{-1/2} γ g_i/√p with θ_i = λ^s_i/(λ^s_i+τ_s)
/// and γ²/p = (σ² + Σ λ^s_i ζ_i² (β^s_i)²)/((1−Ω_s) n), so R = Σ λ^t_i [(θ_i β^s_i − β⋆_i)² + θ_i² (γ²/p)/λ^s_i].
/// Least squares (n > p + 1): E(XᵀX)⁻¹ = Σ_s⁻¹/(n−p−1), so R = Σ λ^t_i [(β^s_i − β⋆_i)² + σ²/((n−p−1) λ^s_i)].
pub(crate) fn transfer_risk(
    lambda_s: &[f64],
    lambda_t: &[f64],
    beta_star: &[f64],
    beta_s: &[f64],
    sigma2: f64,
    n: usize,
) -> Result<f64, TheoryError> {
    assert!(lambda_t.len() == lambda_s.len() && beta_star.len() == lambda_s.len() && beta_s.len() == lambda_s.len());
    let terms = lambda_s.iter().zip(lambda_t).zip(beta_star.iter().zip(beta_s));
    Ok(match Regime::new(lambda_s, n)? {
        Regime::Interpolating(eq) => {
            let bias: f64 = lambda_s.iter().zip(beta_s).map(|(&l, b)| l * eq.zeta(l).powi(2) * b * b).sum();
            let gamma2_over_p = (sigma2 + bias) / ((1.0 - eq.omega) * n as f64);
            terms
                .map(|((&ls, &lt), (&star, &b))| {
                    let theta = eq.learned(ls);
                    lt * ((theta * b - star).powi(2) + theta * theta * gamma2_over_p / ls)
                })
                .sum()
        }
        Regime::LeastSquares { n, rank } => terms
            .map(|((&ls, &lt), (&star, &b))| {
                let variance = if ls > 0.0 { sigma2 / ((n - rank - 1) as f64 * ls) } else { 0.0 };
                lt * ((b - star).powi(2) + variance)
            })
            .sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theory::s2t_risk;

    #[test]
    fn without_a_shift_it_is_the_surrogate_to_target_risk() {
        let lambda: Vec<f64> = (1..=200).map(|i| f64::from(i).powf(-1.5)).collect();
        let beta: Vec<f64> = (1..=200).map(|i| f64::from(i).powf(0.1)).collect();
        let surrogate: Vec<f64> = beta.iter().map(|b| 0.8 * b).collect();
        for n in [50, 150, 260] {
            let shifted = transfer_risk(&lambda, &lambda, &beta, &surrogate, 0.3, n).unwrap();
            let direct = s2t_risk(&lambda, &beta, &surrogate, 0.3, n).unwrap();
            assert!((shifted - direct).abs() <= 1e-12 * direct, "n = {n}: {shifted} vs {direct}");
        }
    }
}
