//! The optimal surrogate (Proposition 1 / Corollary 1), the optimal 0-1 mask (v2 Proposition 3, v1
//! Proposition 2) and their transition points (Figure 1a).

use super::equivalent::Regime;
#[cfg(test)]
use super::error::TheoryError;

/// Where the structure of the optimal surrogates changes along the spectrum (Figure 1a), as 1-based indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Transitions {
    /// Last index amplified by β^{s*} (ζ_i < 1 − Ω, Corollary 1); `None` if no direction is amplified.
    pub(crate) last_amplified: Option<usize>,
    /// Last index kept by the optimal mask (ζ_i² < 1 − Ω, v2 Proposition 3); `None` if all are dropped.
    pub(crate) last_kept: Option<usize>,
}

impl Regime {
    /// Gain β^{s*}_i/β⋆_i of direction λ_i (Corollary 1): λ(λ+τ)/(λ² + Ωτ²/(1−Ω)) = (1−ζ)/((1−ζ)² + κ′ζ²);
    /// 1 for least squares (v2 Proposition 2).
    pub(crate) fn gain(&self, lambda_i: f64) -> f64 {
        match self {
            Self::Equivalent(eq) => {
                #[cfg(test)]
                if super::mutation::active() == Some(super::mutation::Mutation::GainWithoutVariance) {
                    return (lambda_i + eq.tau) / lambda_i;
                }
                // Cor. 1: gain = λ(λ+τ)/(λ² + κ′τ²).
                lambda_i * (lambda_i + eq.tau) / (lambda_i * lambda_i + eq.kappa_prime() * eq.tau * eq.tau)
            }
            Self::LeastSquares { .. } => 1.0,
        }
    }

    /// Whether β^{s*} amplifies direction λ_i, |β^{s*}_i| > |β⋆_i| (Corollary 1): iff 1 − ζ_i > Ω.
    pub(crate) fn amplifies(&self, lambda_i: f64) -> bool {
        self.equivalent().is_some_and(|eq| eq.learned(lambda_i) > eq.omega)
    }

    /// Whether the optimal mask keeps direction λ_i (v2 Proposition 3): iff 1 − ζ_i² = (1−ζ_i)(1+ζ_i) > Ω;
    /// every direction is kept for least squares.
    pub(crate) fn keeps(&self, lambda_i: f64) -> bool {
        self.equivalent().is_none_or(|eq| {
            #[cfg(test)]
            if super::mutation::active() == Some(super::mutation::Mutation::MaskOnZeta) {
                return eq.learned(lambda_i) > eq.omega;
            }
            // v2 Prop. 3: keep iff 1 − ζ² > Ω.
            eq.learned(lambda_i) * (1.0 + eq.zeta(lambda_i)) > eq.omega
        })
    }

    /// The optimal surrogate β^{s*}_i = β⋆_i · gain(λ_i) (Proposition 1 / Corollary 1; β⋆ for least squares).
    #[track_caller]
    pub(crate) fn optimal_surrogate(&self, lambda: &[f64], beta_star: &[f64]) -> Vec<f64> {
        assert_eq!(beta_star.len(), lambda.len(), "signal and spectrum lengths differ");
        lambda.iter().zip(beta_star).map(|(&l, &b)| b * self.gain(l)).collect()
    }

    /// The optimal mask M* (v2 Proposition 3): `true` where the direction is kept.
    pub(crate) fn optimal_mask(&self, lambda: &[f64]) -> Vec<bool> {
        lambda.iter().map(|&l| self.keeps(l)).collect()
    }

    /// The last amplified and last kept indices (1-based), for Figure 1a's arrows "ζ_i = 1−Ω" and "ζ_i² = 1−Ω".
    pub(crate) fn transitions(&self, lambda: &[f64]) -> Transitions {
        let last = |test: &dyn Fn(f64) -> bool| lambda.iter().rposition(|&l| test(l)).map(|i| i + 1);
        Transitions { last_amplified: last(&|l| self.amplifies(l)), last_kept: last(&|l| self.keeps(l)) }
    }
}

/// The optimal surrogate β^{s*} for target spectrum `lambda`, signal β⋆ and n target samples (Corollary 1;
/// β⋆ itself when n > p + 1, v2 Proposition 2).
#[cfg(test)]
pub(crate) fn optimal_surrogate(lambda: &[f64], beta_star: &[f64], n: usize) -> Result<Vec<f64>, TheoryError> {
    let regime = Regime::checked(lambda, n, 0.0, &[("signal", beta_star)], &[])?;
    Ok(regime.optimal_surrogate(lambda, beta_star))
}

/// The optimal mask M* for target spectrum `lambda` and n target samples: keep i iff 1 − ζ_i² > Ω (v2
/// Proposition 3); everything is kept when n > p + 1.
#[cfg(test)]
pub(crate) fn optimal_mask(lambda: &[f64], n: usize) -> Result<Vec<bool>, TheoryError> {
    Ok(Regime::new(lambda, n)?.optimal_mask(lambda))
}

/// The masked surrogate: β_i on kept coordinates, 0 on dropped ones (the zero-padded M(β) of Section 3.1).
#[track_caller]
pub(crate) fn masked(beta: &[f64], mask: &[bool]) -> Vec<f64> {
    assert_eq!(beta.len(), mask.len(), "signal and mask lengths differ");
    beta.iter().zip(mask).map(|(&b, &kept)| if kept { b } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotropic_optimal_surrogate_is_the_signal() {
        // Corollary 1.3: Σ = cI ⇒ ζ_i = 1 − Ω for all i ⇒ gain 1.
        let lambda = vec![0.7; 200];
        let beta: Vec<f64> = (0..200).map(|i| f64::from(i) / 50.0 - 2.0).collect();
        for n in [1, 60, 199] {
            let opt = optimal_surrogate(&lambda, &beta, n).unwrap();
            for (o, b) in opt.iter().zip(&beta) {
                assert!((o - b).abs() <= 4.0 * f64::EPSILON * b.abs(), "n = {n}: {o} vs {b}");
            }
            let regime = Regime::new(&lambda, n).unwrap();
            assert!((regime.gain(0.7) - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn gain_is_one_exactly_on_the_amplification_boundary() {
        // Corollary 1.2: gain = 1 iff 1 − ζ = Ω, i.e. λ = τΩ/(1−Ω); gain > 1 above, < 1 below.
        let lambda: Vec<f64> = (1..=300).map(|i: i32| f64::from(i).powf(-1.5)).collect();
        let regime = Regime::new(&lambda, 100).unwrap();
        let eq = regime.equivalent().unwrap();
        let boundary = eq.amplification_threshold();
        assert!((boundary / (eq.tau * eq.omega / (1.0 - eq.omega)) - 1.0).abs() < 1e-12);
        assert!((regime.gain(boundary) - 1.0).abs() < 1e-12);
        assert!(regime.gain(boundary * 1.01) > 1.0 && regime.amplifies(boundary * 1.01));
        assert!(regime.gain(boundary * 0.99) < 1.0 && !regime.amplifies(boundary * 0.99));
        // v2 Proposition 3's boundary: ζ² = 1 − Ω there.
        let cut = eq.mask_threshold();
        assert!((eq.zeta(cut).powi(2) / (1.0 - eq.omega) - 1.0).abs() < 1e-12);
        assert!(regime.keeps(cut * 1.01) && !regime.keeps(cut * 0.99));
    }

    #[test]
    fn least_squares_keeps_the_signal() {
        let lambda = [3.0, 2.0, 1.0];
        assert_eq!(optimal_surrogate(&lambda, &[1.0, 2.0, 3.0], 5).unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(optimal_mask(&lambda, 5).unwrap(), vec![true; 3]);
        let regime = Regime::new(&lambda, 5).unwrap();
        assert_eq!(regime.transitions(&lambda), Transitions { last_amplified: None, last_kept: Some(3) });
    }

    #[test]
    fn masking_zeroes_dropped_coordinates() {
        assert_eq!(masked(&[1.0, 2.0, 3.0], &[true, false, true]), vec![1.0, 0.0, 3.0]);
    }
}
