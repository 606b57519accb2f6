//! What a simulated excess risk can resolve in f64: the round-off of R(b) = Σ_i λ_i (b_i − β⋆_i)² (eq. 5).
//!
//! β⋆ and every fitted b are stored to relative precision ε, and the solves are backward stable, so a computed
//! b carries an error e whose Σ-norm is at least of order ρ·√S, with S = Σ_i λ_i β⋆_i² + σ² the risk scale (the
//! null risk plus the label noise) and ρ a small multiple of ε. Since √R̂ − √R is at most ‖Σ^{1/2} e‖,
//!
//!   |R̂ − R| ≤ 2ρ √(R S) + ρ² S  =: round-off(R).
//!
//! ρ = 1e-13 (about 450 ε) is a lower limit of the attainable error, not a bound on it: ill-conditioned
//! designs lose more, which the estimator's residual checks refuse (`SimError::Inaccurate`). Two uses:
//! - a point whose theory risk lies below its round-off by more than [`RESOLVABLE`] cannot be measured at all
//!   (e.g. eigenvalues of 1e50 beside a risk of 0.35: every trial's risk is ≈ 1e19 of rounding), and is refused;
//! - the claim rules never ask for agreement closer than the round-off (an exact-zero theory value is confirmed
//!   by rounding-sized simulated risks).

/// ρ: the relative Σ-norm accuracy of a computed fit, at best.
const RHO: f64 = 1e-13;

/// A point is measurable iff its round-off is at most this fraction of its risk.
pub(crate) const RESOLVABLE: f64 = 1e-3;

/// The round-off of a simulated excess risk near `risk` on a task of risk scale `scale` = Σ λ_i β⋆_i² + σ²,
/// in the units of the risk: 2ρ√(risk·scale) + ρ²·scale.
pub(crate) fn round_off(scale: f64, risk: f64) -> f64 {
    2.0 * RHO * (risk.abs() * scale).sqrt() + RHO * RHO * scale
}

/// The risk scale Σ_i λ_i β⋆_i² + σ² of a task (`lambda` the test spectrum, `beta` β⋆, `noise` σ²).
pub(crate) fn risk_scale(lambda: &[f64], beta: &[f64], noise: f64) -> f64 {
    lambda.iter().zip(beta).map(|(l, b)| l * b * b).sum::<f64>() + noise
}

/// Why a point with this theory risk cannot be simulated in f64, if it cannot.
pub(crate) fn unresolvable(scale: f64, risk: f64) -> Option<String> {
    let floor = round_off(scale, risk);
    (risk > 0.0 && floor > RESOLVABLE * risk).then(|| {
        format!(
            "the excess risk ({}) is below what f64 resolves on this task: its round-off is about {} (ρ = 1e-13 of \
             the risk scale Σλβ² + σ² = {} in Σ-norm), so every simulated risk would be rounding",
            crate::numbers::sig(risk, 4),
            crate::numbers::sig(floor, 2),
            crate::numbers::sig(scale, 4),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risks_far_below_the_scale_are_unresolvable() {
        // λ = (1e50, 1e50, 1e-300 × 3), β⋆ = 1, σ² = 0.1: S = 2e50; at n = 3 the theory risk is 0.35 and the
        // simulation returned 1e19-sized risks (rounding of the 1e50 directions): refused.
        let scale = risk_scale(&[1e50, 1e50, 1e-300, 1e-300, 1e-300], &[1.0; 5], 0.1);
        assert_eq!(scale, 2e50);
        assert!(round_off(scale, 0.35) > 1e20);
        assert!(unresolvable(scale, 0.35).unwrap().starts_with("the excess risk (0.35) is below"));
        // The paper's scale (S ≈ 1) with risks from 1e-6 up: resolvable, with round-off 1e-16 of the risk at most.
        for risk in [1e-6, 0.01, 0.24, 5.0] {
            assert!(unresolvable(1.0, risk).is_none());
            assert!(round_off(1.0, risk) < 1e-9 * risk);
        }
        // An exact zero is resolvable (the simulation measures rounding around it) and its floor is ρ²S.
        assert!(unresolvable(1.0, 0.0).is_none());
        assert_eq!(round_off(1.0, 0.0), 1e-26);
    }
}
