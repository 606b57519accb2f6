//! Asymptotic excess risks (eq. 5) of the target stage: surrogate-to-target (Definition 1), standard target
//! (eq. 11), optimal surrogate (R*), masked surrogate (eq. 16) and the masking gain (eq. 17).

use super::compensated::{NeumaierSum, compensated_sum};
use super::equivalent::Regime;
#[cfg(test)]
use super::error::TheoryError;

impl Regime {
    /// Risk R(β^{s2t}) of the target trained on labels of the surrogate `beta_s` (eigenbasis closed form of
    /// Definition 1; exact OLS risk when n > p + 1). `lambda` must be the spectrum the regime was built from.
    pub(crate) fn s2t_risk(&self, lambda: &[f64], beta_star: &[f64], beta_s: &[f64], sigma2: f64) -> f64 {
        self.expected_s2t_risk_with(lambda, beta_star, beta_s, |_| 0.0, sigma2)
    }

    /// E R(β^{s2t}) over a random surrogate with independent coordinates of the given means and variances.
    ///
    /// The risk is a separable quadratic in β^s, so only the per-coordinate first two moments matter:
    /// - interpolating (Definition 1): Σ λ_i [(θ_i m_i − β⋆_i)² + θ_i² v_i] + κ′ (σ² + Σ λ_i ζ_i² (m_i² + v_i)),
    ///   with θ_i = 1 − ζ_i;
    /// - least squares (v2 Proposition 2): Σ λ_i [(m_i − β⋆_i)² + v_i] + σ² k/(n − k − 1).
    #[track_caller]
    pub(super) fn expected_s2t_risk_with(
        &self,
        lambda: &[f64],
        beta_star: &[f64],
        mean: &[f64],
        variance: impl Fn(usize) -> f64,
        sigma2: f64,
    ) -> f64 {
        assert_eq!(beta_star.len(), lambda.len(), "signal and spectrum lengths differ");
        assert_eq!(mean.len(), lambda.len(), "surrogate and spectrum lengths differ");
        // Def. 1 (eigenbasis): R̄ = Σ λ(θβ^s − β⋆)² + κ′(σ² + Σ λζ²(β^s)²), averaged over β^s.
        let (mut fit, mut energy) = (NeumaierSum::default(), NeumaierSum::default());
        match self {
            Self::Equivalent(eq) => {
                for (i, ((&l, &b), &m)) in lambda.iter().zip(beta_star).zip(mean).enumerate() {
                    let ((theta, zeta), v) = (eq.learned_and_zeta(l), variance(i));
                    fit.add(l * ((theta * m - b).powi(2) + theta * theta * v));
                    energy.add(l * zeta * zeta * (m * m + v));
                }
            }
            Self::LeastSquares { .. } => {
                for (i, ((&l, &b), &m)) in lambda.iter().zip(beta_star).zip(mean).enumerate() {
                    fit.add(l * ((m - b).powi(2) + variance(i)));
                }
            }
        }
        fit.value() + self.noise_term(sigma2 + energy.value())
    }

    /// Risk of the standard target β^t trained on true labels, eq. (11): (σ²Ω + B)/(1−Ω) with
    /// B = Σ λ_i ζ_i² β⋆_i²; σ² k/(n − k − 1) for least squares.
    pub(crate) fn standard_risk(&self, lambda: &[f64], beta_star: &[f64], sigma2: f64) -> f64 {
        match self {
            Self::Equivalent(eq) => {
                let bias = weighted_sum(lambda, beta_star, |l| eq.zeta(l).powi(2));
                // Eq. (11): R(β^t) = (σ²Ω + B)/(1 − Ω).
                (sigma2 * eq.omega + bias) / eq.omega_complement()
            }
            Self::LeastSquares { .. } => self.noise_term(sigma2),
        }
    }

    /// Risk R* at the optimal surrogate: κ′σ² + Σ λ_i β⋆_i² κ′ζ_i²/((1−ζ_i)² + κ′ζ_i²) (§3 "Derived from the
    /// above"); the standard risk for least squares, where β^{s*} = β⋆ (v2 Proposition 2).
    pub(crate) fn optimal_risk(&self, lambda: &[f64], beta_star: &[f64], sigma2: f64) -> f64 {
        match self {
            Self::Equivalent(eq) => {
                let k = eq.kappa_prime();
                // R* per coordinate: λβ⋆² κ′ζ²/(θ² + κ′ζ²).
                let shrunk = weighted_sum(lambda, beta_star, |l| {
                    let (theta, zeta) = eq.learned_and_zeta(l);
                    k * zeta * zeta / (theta * theta + k * zeta * zeta)
                });
                k * sigma2 + shrunk
            }
            Self::LeastSquares { .. } => self.standard_risk(lambda, beta_star, sigma2),
        }
    }

    /// Risk of the target trained on the surrogate that keeps β⋆ on `mask` and is 0 elsewhere, eq. (16):
    /// (σ²Ω + Σ_kept λ_i ζ_i² β⋆_i²)/(1−Ω) + Σ_dropped λ_i β⋆_i² (least squares: Σ_dropped λ_i β⋆_i² + σ²k/(n−k−1)).
    pub(crate) fn masked_risk(&self, lambda: &[f64], beta_star: &[f64], mask: &[bool], sigma2: f64) -> f64 {
        // Eq. (16): a kept direction costs λζ²β⋆²/(1−Ω), a dropped one exactly λβ⋆².
        let bias =
            match self {
                Self::Equivalent(eq) => masked_sum(lambda, beta_star, mask, |l, kept| {
                    if kept { eq.zeta(l).powi(2) / eq.omega_complement() } else { 1.0 }
                }),
                Self::LeastSquares { .. } => {
                    masked_sum(lambda, beta_star, mask, |_, kept| if kept { 0.0 } else { 1.0 })
                }
            };
        self.noise_term(sigma2) + bias
    }

    /// Improvement of masking over the standard target, eq. (17):
    /// R(β^t) − R(β^{s2t}) = Σ_dropped λ_i ζ_i² β⋆_i²/(1−Ω) − Σ_dropped λ_i β⋆_i² (least squares: −Σ_dropped λ_i β⋆_i²).
    #[cfg(test)]
    pub(crate) fn masking_gain(&self, lambda: &[f64], beta_star: &[f64], mask: &[bool]) -> f64 {
        masked_sum(lambda, beta_star, mask, |l, kept| match self {
            _ if kept => 0.0,
            Self::Equivalent(eq) => eq.zeta(l).powi(2) / eq.omega_complement() - 1.0,
            Self::LeastSquares { .. } => -1.0,
        })
    }
}

/// Σ_i λ_i β_i² w(λ_i), compensated, in index order.
#[track_caller]
fn weighted_sum(lambda: &[f64], beta: &[f64], weight: impl Fn(f64) -> f64) -> f64 {
    assert_eq!(beta.len(), lambda.len(), "signal and spectrum lengths differ");
    compensated_sum(lambda.iter().zip(beta).map(|(&l, &b)| l * b * b * weight(l)))
}

/// Σ_i λ_i β_i² w(λ_i, kept_i), compensated, in index order.
#[track_caller]
fn masked_sum(lambda: &[f64], beta: &[f64], mask: &[bool], weight: impl Fn(f64, bool) -> f64) -> f64 {
    assert_eq!(beta.len(), lambda.len(), "signal and spectrum lengths differ");
    assert_eq!(mask.len(), lambda.len(), "mask and spectrum lengths differ");
    compensated_sum(lambda.iter().zip(beta).zip(mask).map(|((&l, &b), &kept)| l * b * b * weight(l, kept)))
}

/// Surrogate-to-target risk R(β^{s2t}) for target spectrum `lambda`, signal β⋆, surrogate β^s, noise σ² and n
/// samples (Definition 1 in the eigenbasis; exact OLS risk ‖Σ^{1/2}(β^s−β⋆)‖² + σ²p/(n−p−1) when n > p + 1).
/// A test oracle: the engine evaluates the same risk through [`Regime`](super::Regime).
#[cfg(test)]
pub(crate) fn s2t_risk(
    lambda: &[f64],
    beta_star: &[f64],
    beta_s: &[f64],
    sigma2: f64,
    n: usize,
) -> Result<f64, TheoryError> {
    let regime = Regime::checked(lambda, n, 0.0, &[("signal", beta_star), ("surrogate", beta_s)], &[sigma2])?;
    Ok(regime.s2t_risk(lambda, beta_star, beta_s, sigma2))
}

/// Risk of the standard target trained on true labels, eq. (11) (σ²p/(n−p−1) when n > p + 1).
#[cfg(test)]
pub(crate) fn standard_risk(lambda: &[f64], beta_star: &[f64], sigma2: f64, n: usize) -> Result<f64, TheoryError> {
    let regime = Regime::checked(lambda, n, 0.0, &[("signal", beta_star)], &[sigma2])?;
    Ok(regime.standard_risk(lambda, beta_star, sigma2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotropic_risk_matches_the_known_min_norm_formula() {
        // Σ = I, p/n = γ > 1: R(β^t) = ‖β⋆‖²(1 − 1/γ) + σ²/(γ − 1) (Hastie et al. 2020), here ζ = 1 − n/p, Ω = n/p.
        let (p, n, sigma2) = (400, 100, 0.3);
        let lambda = vec![1.0; p];
        let beta: Vec<f64> = (0..p).map(|i| ((i % 7) as f64 - 3.0) / 10.0).collect();
        let norm2: f64 = beta.iter().map(|b| b * b).sum();
        let gamma = p as f64 / n as f64;
        let expected = norm2 * (1.0 - 1.0 / gamma) + sigma2 / (gamma - 1.0);
        let r = standard_risk(&lambda, &beta, sigma2, n).unwrap();
        assert!((r / expected - 1.0).abs() < 1e-12, "{r} vs {expected}");
        let r = s2t_risk(&lambda, &beta, &beta, sigma2, n).unwrap();
        assert!((r / expected - 1.0).abs() < 1e-12, "{r} vs {expected}");
    }

    #[test]
    fn least_squares_risk_is_exact() {
        // n > p + 1: ‖Σ^{1/2}(β^s − β⋆)‖² + σ² p/(n − p − 1).
        let lambda = [4.0, 1.0, 0.25];
        let (beta_star, beta_s) = ([1.0, -1.0, 2.0], [0.5, -1.0, 0.0]);
        let expected = 4.0 * 0.25 + 0.25 * 4.0 + 0.7 * 3.0 / 6.0;
        assert!((s2t_risk(&lambda, &beta_star, &beta_s, 0.7, 10).unwrap() - expected).abs() < 1e-15);
        assert!((standard_risk(&lambda, &beta_star, 0.7, 10).unwrap() - 0.35).abs() < 1e-15);
    }

    #[test]
    fn standard_risk_is_s2t_risk_at_the_true_signal() {
        let lambda: Vec<f64> = (1..=300).map(|i: i32| f64::from(i).powf(-1.3)).collect();
        let beta: Vec<f64> = (1..=300).map(|i: i32| f64::from(i).powf(0.2).sin()).collect();
        for n in [1, 50, 150, 299, 302, 1000] {
            let regime = Regime::new(&lambda, n).unwrap();
            let a = regime.standard_risk(&lambda, &beta, 0.1);
            let b = regime.s2t_risk(&lambda, &beta, &beta, 0.1);
            assert!((a / b - 1.0).abs() < 1e-13, "n = {n}: {a} vs {b}");
        }
    }

    #[test]
    fn rejects_bad_inputs() {
        let lambda = [1.0, 0.5, 0.25];
        assert_eq!(standard_risk(&lambda, &[1.0; 3], -0.1, 1), Err(TheoryError::InvalidNoise { sigma2: -0.1 }));
        assert_eq!(
            s2t_risk(&lambda, &[1.0; 3], &[1.0, f64::INFINITY, 0.0], 0.0, 1),
            Err(TheoryError::NonFinite { what: "surrogate", index: 1 })
        );
        assert_eq!(standard_risk(&lambda, &[1.0; 3], 0.0, 0), Err(TheoryError::NoSamples));
        // n = p: the square solve recovers noiseless labels exactly (risk 0); with noise E R = ∞.
        assert_eq!(standard_risk(&lambda, &[1.0; 3], 0.0, 3), Ok(0.0));
        assert_eq!(standard_risk(&lambda, &[1.0; 3], 0.1, 3), Ok(f64::INFINITY));
    }

    #[test]
    #[should_panic(expected = "lengths differ")]
    fn length_mismatch_is_a_bug() {
        let _ = standard_risk(&[1.0, 2.0], &[1.0], 0.0, 1);
    }
}
