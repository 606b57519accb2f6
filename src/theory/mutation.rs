//! Test-only deliberate errors in the theory ("mutations"), so tests can show that claims have power (issue 3
//! acceptance, issue 6 item 3): under a mutation the formulas compute a wrong theory and the matching claims must
//! fail. The whole module is compiled only under `cfg(test)`; release builds contain none of it.
//!
//! The active mutation is per thread, so that tests running side by side do not see each other's mutations.
//! [`with_mutation`] runs its closure in a thread pool of its own whose every thread has the mutation active, so
//! that theory the closure hands to other threads (the engine computes points concurrently) is mutated too.

use std::cell::Cell;

/// A deliberate error in the theory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mutation {
    /// Ω is multiplied by this factor wherever it enters (risks, the optimal gain, the mask threshold), with
    /// 1 − Ω and κ′ = Ω/(1−Ω) recomputed from the scaled value.
    OmegaScaled(f64),
    /// The optimal gain drops the κ′ζ² term of Corollary 1: (1−ζ)/(1−ζ)² = 1/(1−ζ).
    GainWithoutVariance,
    /// The optimal mask keeps i iff ζ_i < 1 − Ω (the amplification rule) instead of ζ_i² < 1 − Ω.
    MaskOnZeta,
    /// The ridge equation loses its factor n: Σ λ_i/(λ_i+κ) + λ/κ = n instead of + nλ/κ (the penalty read for the
    /// unnormalised objective ‖y − Xβ‖² + λ‖β‖²), issue 17.
    RidgeUnnormalised,
    /// A generation of a distillation chain forgets its labels' randomness: Var β_i = (E G/m) λ_i/(λ_i+τ)²
    /// without θ_i² Var β^prev_i (issue 17 item 3).
    ChainForgetsVariance,
    /// The cross risk of two ridge fits on the same data loses its 1/(1 − Ω₁₂) (issue 17 item 2).
    CrossRiskUninflated,
    /// The theory is given the task's σ² at every n, ignoring a `noise_decay` γ (σ²(n) = σ² n^−γ, issue 17).
    NoiseDecayIgnored,
    /// A weak ERM fit counts as label noise the signal after its first |S| coordinates, Σ_{i>|S|} λ_i β_i²,
    /// instead of the signal off its subset S, Σ_{i∉S} λ_i β_i² (issue 17 item 6; no change when S is the first
    /// |S|).
    OmittedFirst,
    /// The limiting constant K(α, β) of R*/R(β^t) reads the Beta integral of I_* with α for 2α:
    /// sin(π(1−v))/(1−v) for sin(π(1−v)/2)/(1−v) (theory/scale.rs), issue 17 item 7.
    ConstantFullAngle,
    /// An optimal surrogate at every stage scales the variance of the fit it passes on by the gain g instead of
    /// g² (issue 17 item 3).
    GainUnsquared,
}

thread_local! {
    /// The mutation active on this thread, if any.
    static ACTIVE: Cell<Option<Mutation>> = const { Cell::new(None) };
}

/// Restores the previously active mutation when dropped, so a panicking closure does not leak its mutation.
struct Restore(Option<Mutation>);

impl Drop for Restore {
    fn drop(&mut self) {
        ACTIVE.set(self.0);
    }
}

/// Runs `f` with `mutation` active on this thread and on every rayon thread `f` uses (a pool of its own); the
/// previous state of this thread is restored afterwards (also on panic).
pub(crate) fn with_mutation<T: Send>(mutation: Mutation, f: impl FnOnce() -> T + Send) -> T {
    let _restore = Restore(ACTIVE.replace(Some(mutation)));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .start_handler(move |_| ACTIVE.set(Some(mutation)))
        .build()
        .expect("a test thread pool starts");
    pool.install(f)
}

/// The mutation active on this thread.
pub(super) fn active() -> Option<Mutation> {
    ACTIVE.get()
}

/// (Ω, 1 − Ω) as the formulas see them: unchanged, or (fΩ, 1 − fΩ) under [`Mutation::OmegaScaled`].
pub(super) fn omega_seen(omega: f64, omega_complement: f64) -> (f64, f64) {
    match active() {
        // 1 − fΩ = (1 − Ω) − (f − 1)Ω: exact for f = 1, and no cancellation near Ω = 1.
        Some(Mutation::OmegaScaled(factor)) => (factor * omega, omega_complement - (factor - 1.0) * omega),
        _ => (omega, omega_complement),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Regime, power_law_spectrum, standard_risk};
    use super::*;

    /// Figure 1's spectrum at n = 200, where docs/dev/paper.md gives the unmutated structure.
    fn figure1a() -> (Vec<f64>, Vec<f64>) {
        (power_law_spectrum(500, 2.0), (1..=500).map(|i: i32| f64::from(i).powf(0.25)).collect())
    }

    #[test]
    fn omega_scaling_moves_every_omega_formula() {
        let (lambda, beta) = figure1a();
        let plain = Regime::new(&lambda, 200).unwrap();
        let mutated = with_mutation(Mutation::OmegaScaled(1.05), || Regime::new(&lambda, 200).unwrap());
        let (eq, bad) = (plain.equivalent().unwrap(), mutated.equivalent().unwrap());
        assert!((bad.omega / eq.omega - 1.05).abs() < 1e-14);
        assert!((bad.omega + bad.omega_complement() - 1.0).abs() < 1e-15);
        assert_eq!(bad.tau, eq.tau, "τ does not involve Ω");
        // Eq. (11) with Ω → 1.05 Ω, written out: (σ²Ω′ + B)/(1 − Ω′).
        let bias: f64 = lambda.iter().zip(&beta).map(|(l, b)| l * eq.zeta(*l).powi(2) * b * b).sum();
        let expected = (0.1 * 1.05 * eq.omega + bias) / (1.0 - 1.05 * eq.omega);
        let risk = with_mutation(Mutation::OmegaScaled(1.05), || standard_risk(&lambda, &beta, 0.1, 200).unwrap());
        assert!((risk / expected - 1.0).abs() < 1e-12, "{risk} vs {expected}");
        assert!((risk / plain.standard_risk(&lambda, &beta, 0.1) - 1.0).abs() > 0.01);
        // The gain and both thresholds move: Figure 1a's transitions (126, 203) shift.
        assert_ne!(mutated.optimal_surrogate(&lambda, &beta), plain.optimal_surrogate(&lambda, &beta));
        assert_ne!(mutated.transitions(&lambda), plain.transitions(&lambda));
        assert!(bad.mask_threshold() != eq.mask_threshold());
    }

    #[test]
    fn unit_factor_and_scope_leave_the_theory_unchanged() {
        let (lambda, beta) = figure1a();
        let plain = standard_risk(&lambda, &beta, 0.1, 200).unwrap();
        let same = with_mutation(Mutation::OmegaScaled(1.0), || standard_risk(&lambda, &beta, 0.1, 200).unwrap());
        assert_eq!(same, plain);
        // Restored after the closure, also when it panics.
        let _ = std::panic::catch_unwind(|| with_mutation(Mutation::MaskOnZeta, || panic!("inside")));
        assert_eq!(active(), None);
        assert_eq!(standard_risk(&lambda, &beta, 0.1, 200).unwrap(), plain);
    }

    #[test]
    fn gain_without_variance_amplifies_everything() {
        // Dropping κ′ζ² leaves gain = 1/(1−ζ) = (λ+τ)/λ > 1: every direction is amplified, none shrunk.
        let (lambda, beta) = figure1a();
        let regime = Regime::new(&lambda, 200).unwrap();
        let tau = regime.equivalent().unwrap().tau;
        let (gain, transitions) =
            with_mutation(Mutation::GainWithoutVariance, || (regime.gain(lambda[499]), regime.transitions(&lambda)));
        assert!((gain / ((lambda[499] + tau) / lambda[499]) - 1.0).abs() < 1e-14);
        assert!(regime.gain(lambda[499]) < 1.0, "the true gain shrinks the tail");
        // Amplification is a test on ζ (Corollary 1.2), not on the gain formula, so it is unchanged.
        assert_eq!(transitions, regime.transitions(&lambda));
        let mutated = with_mutation(Mutation::GainWithoutVariance, || regime.optimal_surrogate(&lambda, &beta));
        assert!(mutated.iter().zip(&beta).all(|(s, b)| s > b));
    }

    #[test]
    fn mask_on_zeta_keeps_only_the_amplified_directions() {
        // Keeping ζ < 1 − Ω is the amplification rule: Figure 1a keeps 126 features instead of 203.
        let (lambda, _) = figure1a();
        let regime = Regime::new(&lambda, 200).unwrap();
        let eq = *regime.equivalent().unwrap();
        let (mask, threshold) =
            with_mutation(Mutation::MaskOnZeta, || (regime.optimal_mask(&lambda), eq.mask_threshold()));
        assert_eq!(mask.iter().filter(|&&k| k).count(), 126);
        assert_eq!(regime.optimal_mask(&lambda).iter().filter(|&&k| k).count(), 203);
        assert!((threshold / eq.amplification_threshold() - 1.0).abs() < 1e-14);
    }
}
