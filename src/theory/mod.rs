//! Deterministic-equivalent theory of the paper (docs/dev/paper.md §2–§3, and the paper's Section 5 for the
//! two-stage model), on spectra given as plain slices.
//!
//! Everything works in the eigenbasis of the covariance (Observation 2): a spectrum is `&[f64]` of eigenvalues
//! λ_i (in the caller's order, usually decreasing) and a signal is `&[f64]` of coordinates β⋆_i in that basis.
//! Each evaluation is a few sequential O(p) passes with compensated summation, so results are deterministic and
//! p = 10^7 is cheap.
//!
//! - [`Equivalent`]: τ of eq. (7), ζ_i = τ/(λ_i+τ) and Ω = (1/n) Σ (1−ζ_i)² (Corollary 1).
//! - [`Regime`]: min-norm interpolation (n below the number of positive eigenvalues) or least squares
//!   (n > p + 1, v2 Proposition 2); every risk and optimiser dispatches on it.
//! - risks: [`s2t_risk`] (Definition 1, eigenbasis closed form), [`Regime::standard_risk`] (eq. 11), closed forms
//!   of R*, the masked risk (eq. 16) and the masking gain (eq. 17).
//! - surrogates: [`Regime::optimal_surrogate`] (Proposition 1 / Corollary 1), [`Regime::optimal_mask`] (v2
//!   Proposition 3).
//! - Observation 1: [`covariance_shift_surrogate`] β^s = Aβ⋆ and its risk [`covariance_shift_risk`].
//! - power-law asymptotics: v2 Propositions 4, 5, 6 and v1 Propositions 7, 8, 9.
//! - ridge (issue 17): κ in place of τ ([`Regime::with_ridge`]) and the oracle-tuned penalty [`tuned_ridge`].
//! - self-distillation in ridge (issue 17): [`SelfDistillation`].
//! - the two-stage model of Section 5, with a surrogate that may see only p_s < p features, the first or any
//!   subset ([`Kept`]): [`TwoStage`].
//! - label noise that shrinks with n, σ²(n) = σ² n^−γ, and its crossover γ = β − 1: [`noise_at`].
//! - the optimal surrogate's gain at scale: R*/R(β^t) as p or n grows, and its limit K(α, β) ([`ratio_constant`]).
//! - moment guards: whether a point's risk has a finite mean and variance (inverse-Wishart moments), [`Stage`].
//! - test builds only: `with_mutation`, deliberately wrong theory for power tests of the claims.

mod asymptotics;
mod compensated;
mod equivalent;
mod error;
mod kept;
mod moments;
#[cfg(test)]
mod mutation;
mod noise;
mod risk;
mod scale;
mod self_distillation;
mod shift;
mod surrogate;
mod transfer;
mod tuning;
mod two_stage;

#[cfg(test)]
mod tests;

pub(crate) use equivalent::Regime;
pub(crate) use surrogate::masked;

pub(crate) use {
    asymptotics::{
        cutoff_c1, cutoff_c2, inverse_tau_bounds, masking_region, omega_limit, omega_lower_bound, power_law_spectrum,
        scaling_exponent, tau_constant,
    },
    error::TheoryError,
    kept::{Features, Kept},
    moments::{RiskMoments, Stage},
    noise::{noise_at, theory_noise_at},
    scale::{optimal_ratio, power_law_ratio, ratio_constant},
    shift::covariance_shift_surrogate,
    two_stage::{Generation, TwoStage, TwoStageRisks, label_gain},
};

#[cfg(test)]
use risk::s2t_risk;

pub(crate) use self_distillation::SelfDistillation;
pub(crate) use transfer::transfer_risk;
pub(crate) use tuning::tuned_ridge;
#[cfg(test)]
pub(crate) use {
    mutation::{Mutation, with_mutation},
    risk::standard_risk,
    surrogate::optimal_mask,
};
