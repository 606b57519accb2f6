//! Monte Carlo engine: Gaussian designs, the estimator Est(X, y) of PAPER.md §1 (minimum-norm
//! interpolator, square solve, least squares), exact excess risks (eq. 5), per-trial random
//! streams and the parallel runner.
//!
//! One trial of a [`PointJob`] draws X = G Λ^{1/2} (n × p) and one noise vector z, forms the labels
//! Y = X B_s + z 1ᵀ of all k surrogates at once (paired comparisons), fits all k columns with one
//! factorisation, and records R(b_j) = Σ_i λ_i (b_ij − β⋆_i)² per surrogate.
#![allow(non_snake_case, reason = "matrices are named as in the paper: X, Y, G, L, U")]

mod design;
mod error;
mod estimator;
mod job;
mod risk;
mod runner;
mod stream;
mod workspace;

#[cfg(test)]
mod tests;

pub(crate) use design::Design;
pub(crate) use job::PointJob;
pub(crate) use runner::{Progress, simulate_point};
pub(crate) use stream::StreamKey;
