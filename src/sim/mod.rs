//! Monte Carlo engine: designs with Gaussian or other i.i.d. standardised entries ([`Entries`]), the estimator Est(X, y) of docs/dev/paper.md §1 (minimum-norm
//! interpolator, square solve, least squares), exact excess risks (eq. 5), per-trial random
//! streams and the parallel runner.
//!
//! One trial of a [`PointJob`] first fits its ERM surrogate columns on their own data (two-stage
//! model, Section 5), then draws X = Z Λ^{1/2} Uᵀ (n × p; Z i.i.d. standardised entries, Gaussian unless the task says otherwise;
//! U = I unless the design is rotated) and one
//! noise vector z, forms the labels Y = X B_s + z 1ᵀ of all k surrogates at once (paired comparisons),
//! fits all k columns with one factorisation, and records R(b_j) = Σ_i λ_t,i (b̄_ij − β⋆_i)² per
//! surrogate (b̄ = Uᵀb, λ_t the test spectrum, by default the design's). Every draw of a trial comes
//! from its own named stream ([`stream::TrialKey`]), so results do not depend on thread count or
//! trial order and a run of trials 0..k is a prefix of a run of 0..K. Designs too large to store are
//! streamed in column blocks ([`streamed`]).
#![allow(non_snake_case, reason = "matrices are named as in the paper: X, Y, G, L, U")]

mod classify;
mod design;
mod entries;
mod error;
mod estimator;
mod job;
mod nested;
mod normal;
mod resolution;
mod risk;
mod rows;
mod runner;
mod stream;
mod streamed;
mod surrogate;
mod workspace;

#[cfg(test)]
mod bench;

#[cfg(test)]
mod tests;

pub(crate) use classify::{ClassifyJob, Learner, simulate_classifier};
pub(crate) use design::Design;
pub(crate) use entries::Entries;
pub(crate) use error::SimError;
pub(crate) use estimator::TOLERANCE;
pub(crate) use job::PointJob;
pub(crate) use nested::{NestedSweep, simulate_nested};
pub(crate) use resolution::{risk_scale, round_off, unresolvable};
pub(crate) use rows::Rows;
pub(crate) use runner::{PointSamples, Progress, simulate_point};
pub(crate) use stream::StreamKey;
pub(crate) use surrogate::{ErmSurrogate, SurrogateColumn};
