//! Power-law spectra λ_i = i^{−α}: the asymptotics of τ and Ω (v2 Proposition 4 = v1 Proposition 3), the
//! cut-off constants (v2 Proposition 5), the scaling exponent (v2 Proposition 6), and the finite-(n, p) bounds of
//! v1 Propositions 7, 8 and 9 (Appendix B).

use std::f64::consts::PI;

use super::error::{TheoryError, check_exponent};

/// The power-law spectrum λ_i = i^{−α}, i = 1..p, in decreasing order.
pub(crate) fn power_law_spectrum(p: usize, alpha: f64) -> Vec<f64> {
    (1..=p).map(|i| (i as f64).powf(-alpha)).collect()
}

/// Checks α > 1, the assumption of every power-law proposition.
pub(super) fn check_alpha(alpha: f64) -> Result<(), TheoryError> {
    check_exponent("alpha", alpha, 1.0, "alpha > 1")
}

/// α sin(π/α)/π, the reciprocal of the integral ∫_0^∞ x^{−α}/(x^{−α}+1) dx = π/(α sin(π/α)).
fn sinc_factor(alpha: f64) -> f64 {
    alpha * (PI / alpha).sin() / PI
}

/// v2 Proposition 4: τ n^α → c = (π/(α sin(π/α)))^α.
pub(crate) fn tau_constant(alpha: f64) -> Result<f64, TheoryError> {
    check_alpha(alpha)?;
    // Prop. 4: c = (π/(α sin(π/α)))^α.
    Ok(sinc_factor(alpha).powf(-alpha))
}

/// v2 Proposition 4: Ω → (α−1)/α.
pub(crate) fn omega_limit(alpha: f64) -> Result<f64, TheoryError> {
    check_alpha(alpha)?;
    Ok((alpha - 1.0) / alpha)
}

/// v2 Proposition 5: β^{s*} amplifies the directions i < n C1, C1 = α sin(π/α)/(π (α−1)^{1/α}).
pub(crate) fn cutoff_c1(alpha: f64) -> Result<f64, TheoryError> {
    check_alpha(alpha)?;
    Ok(sinc_factor(alpha) / (alpha - 1.0).powf(alpha.recip()))
}

/// v2 Proposition 5: the optimal mask keeps the directions i < n C2, C2 = α sin(π/α)/(π (√α−1)^{1/α}).
pub(crate) fn cutoff_c2(alpha: f64) -> Result<f64, TheoryError> {
    check_alpha(alpha)?;
    Ok(sinc_factor(alpha) / (alpha.sqrt() - 1.0).powf(alpha.recip()))
}

/// v2 Proposition 6 (and 7): with λ_i β⋆_i² = i^{−β}, the risks of the standard, optimal and optimally masked
/// targets all decay as n^{−e} with e = β − 1 if β < 2α + 1 and e = 2α if β > 2α + 1; `None` on the boundary
/// β = 2α + 1, which the paper does not treat.
pub(crate) fn scaling_exponent(alpha: f64, beta: f64) -> Result<Option<f64>, TheoryError> {
    check_alpha(alpha)?;
    check_exponent("beta", beta, 1.0, "beta > 1")?;
    let boundary = 2.0 * alpha + 1.0;
    Ok(if beta < boundary {
        Some(beta - 1.0)
    } else if beta > boundary {
        Some(2.0 * alpha)
    } else {
        None
    })
}

/// The shifted sample size n + 1 + (p+1)/(α−1) of v1 Propositions 7–9.
fn shifted_n(alpha: f64, p: usize, n: usize) -> f64 {
    n as f64 + 1.0 + (p as f64 + 1.0) / (alpha - 1.0)
}

/// The ratio k = (3 + 2^{−α})/(4 + 2^{−(α−2)}) bounding n/p in v1 Propositions 7–9.
fn ratio_bound(alpha: f64) -> f64 {
    (3.0 + (-alpha).exp2()) / (4.0 + (2.0 - alpha).exp2())
}

/// v1 Proposition 7: bounds on 1/τ for λ_i = i^{−α}, i ≤ p.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct InverseTauBounds {
    /// c n^α, with c = (α sin(π/α)/π)^α.
    pub(crate) lower: f64,
    /// c (n + 1 + (p+1)/(α−1))^α.
    pub(crate) upper: f64,
    /// Whether the proposition's condition n < p (3 + 2^{−α})/(4 + 2^{−(α−2)}) holds.
    pub(crate) conditions_hold: bool,
}

/// v1 Proposition 7: c n^α ≤ 1/τ ≤ c (n + 1 + (p+1)/(α−1))^α when n < p k.
pub(crate) fn inverse_tau_bounds(alpha: f64, p: usize, n: usize) -> Result<InverseTauBounds, TheoryError> {
    check_alpha(alpha)?;
    let c = sinc_factor(alpha).powf(alpha);
    Ok(InverseTauBounds {
        lower: c * (n as f64).powf(alpha),
        upper: c * shifted_n(alpha, p, n).powf(alpha),
        conditions_hold: (n as f64) < p as f64 * ratio_bound(alpha),
    })
}

/// v1 Proposition 8: a lower bound on Ω for λ_i = i^{−α}, i ≤ p.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OmegaBound {
    /// (α−1)/α − (1/α)((n + 1 + (p+1)/(α−1))/(p+1))^{2α−1} − 1/n.
    pub(crate) lower: f64,
    /// Whether p α/(α−1)² + α²/(α−1)² < n < p (3 + 2^{−α})/(4 + 2^{−(α−2)}).
    pub(crate) conditions_hold: bool,
}

/// v1 Proposition 8: Ω > (α−1)/α − (1/α)((n+1+(p+1)/(α−1))/(p+1))^{2α−1} − 1/n under its conditions.
pub(crate) fn omega_lower_bound(alpha: f64, p: usize, n: usize) -> Result<OmegaBound, TheoryError> {
    check_alpha(alpha)?;
    let (nf, pf) = (n as f64, p as f64);
    let lower = 1.0 - complement_upper_bound(alpha, p, n);
    let k1 = alpha / (alpha - 1.0).powi(2);
    let offset = (alpha / (alpha - 1.0)).powi(2);
    Ok(OmegaBound { lower, conditions_hold: pf * k1 + offset < nf && nf < pf * ratio_bound(alpha) })
}

/// c′ = 1/α + (1/α)((n+1+(p+1)/(α−1))/(p+1))^{2α−1} + 1/n, the upper bound on 1 − Ω behind v1 Propositions 8–9.
fn complement_upper_bound(alpha: f64, p: usize, n: usize) -> f64 {
    let tail = (shifted_n(alpha, p, n) / (p as f64 + 1.0)).powf(2.0 * alpha - 1.0);
    (1.0 + tail) / alpha + 1.0 / n as f64
}

/// v1 Proposition 9: the finite-(n, p) region where the optimal mask strictly beats the standard target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MaskingRegion {
    /// max(2α, p α/(α−1)² + α²/(α−1)²): n must exceed this.
    pub(crate) n_min: f64,
    /// min((p+1)(α−2)/α, p (3+2^{−α})/(4+2^{−(α−2)}), p π(√(2α/5)−1)^{1/α}/(α sin(π/α)) − (p+1)/(α−1)) − 1:
    /// n must be below this.
    pub(crate) n_max: f64,
    /// Whether n_min < n < n_max.
    pub(crate) conditions_hold: bool,
    /// Eq. (21): every direction with index i > this value is dropped by the optimal mask.
    pub(crate) drop_after: f64,
}

/// v1 Proposition 9 for α > 4: the region n_min < n < n_max and the dropped interval of eq. (21),
/// i > (α sin(π/α)/π)(n+1+(p+1)/(α−1)) (√c′/(1−√c′))^{1/α}.
pub(crate) fn masking_region(alpha: f64, p: usize, n: usize) -> Result<MaskingRegion, TheoryError> {
    check_exponent("alpha", alpha, 4.0, "alpha > 4")?;
    let (nf, pf) = (n as f64, p as f64);
    let n_min = (2.0 * alpha).max((pf * alpha + alpha * alpha) / (alpha - 1.0).powi(2));
    let mask_limit =
        pf * ((2.0 * alpha / 5.0).sqrt() - 1.0).powf(alpha.recip()) / sinc_factor(alpha) - (pf + 1.0) / (alpha - 1.0);
    let n_max = ((pf + 1.0) * (alpha - 2.0) / alpha).min(pf * ratio_bound(alpha)).min(mask_limit) - 1.0;
    let root = complement_upper_bound(alpha, p, n).sqrt();
    // Eq. (21): i > (α sin(π/α)/π)(n+1+(p+1)/(α−1)) (√c′/(1−√c′))^{1/α}.
    let drop_after = sinc_factor(alpha) * shifted_n(alpha, p, n) * (root / (1.0 - root)).powf(alpha.recip());
    Ok(MaskingRegion { n_min, n_max, conditions_hold: n_min < nf && nf < n_max, drop_after })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_paper_values() {
        // docs/dev/paper.md §6 and Figure 3: c(2) = 2.467 (= π²/4), C2 = 1.1186, 0.9176, 0.8976.
        assert!((tau_constant(2.0).unwrap() - PI * PI / 4.0).abs() < 1e-14);
        assert!((omega_limit(2.0).unwrap() - 0.5).abs() < 1e-15);
        for (alpha, c2) in [(1.5, 1.1186), (3.0, 0.9176), (4.5, 0.8976)] {
            assert!((cutoff_c2(alpha).unwrap() - c2).abs() < 1e-4, "alpha = {alpha}");
        }
        // α = 2: C1 = 2/π, C2 = 2/(π √(√2 − 1)).
        assert!((cutoff_c1(2.0).unwrap() - 2.0 / PI).abs() < 1e-15);
        assert!((cutoff_c2(2.0).unwrap() - 2.0 / (PI * (2f64.sqrt() - 1.0).sqrt())).abs() < 1e-15);
        // Amplification stops before the mask cut-off: C1 < C2 (since √α − 1 < α − 1).
        assert!(cutoff_c1(3.0).unwrap() < cutoff_c2(3.0).unwrap());
    }

    #[test]
    fn exponents_follow_proposition_6() {
        assert_eq!(scaling_exponent(2.0, 1.5).unwrap(), Some(0.5));
        assert_eq!(scaling_exponent(2.0, 6.0).unwrap(), Some(4.0));
        assert_eq!(scaling_exponent(2.0, 5.0).unwrap(), None);
        assert!(scaling_exponent(1.0, 2.0).is_err());
        assert!(scaling_exponent(2.0, 0.5).is_err());
    }

    #[test]
    fn appendix_b_conditions() {
        // α = 2: k = (3 + 1/4)/(4 + 1) = 0.65, so n < 325 for p = 500.
        assert!(inverse_tau_bounds(2.0, 500, 324).unwrap().conditions_hold);
        assert!(!inverse_tau_bounds(2.0, 500, 325).unwrap().conditions_hold);
        // α = 2: k1 = 2 > k, so Proposition 8 never applies.
        assert!(!omega_lower_bound(2.0, 500, 300).unwrap().conditions_hold);
        // α = 5, p = 500: 157.8 < n < 299.6 (worked by hand: the (p+1)(α−2)/α = 300.6 term is the binding one).
        let region = masking_region(5.0, 500, 250).unwrap();
        assert!((region.n_min - (2500.0 + 25.0) / 16.0).abs() < 1e-12);
        assert!((region.n_max - (501.0 * 0.6 - 1.0)).abs() < 1e-12);
        assert!(region.conditions_hold);
        assert!(masking_region(4.0, 500, 250).is_err());
    }
}
