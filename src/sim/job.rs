//! One simulated point: a design, a target model, surrogates and a sample size.

use faer::Mat;

use super::design::Design;
use super::error::SimError;

/// Everything that determines the distribution of one point's trials (PAPER.md §1): rows
/// x ~ N(0, Σ) (`design`), labels y = X β^s + z for each surrogate column β^s of `surrogates`
/// (p × k) with one noise vector z ~ N(0, σ²Iₙ) shared by all k columns, the target model β⋆
/// against which the excess risk (eq. 5) is measured, and the sample size n.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PointJob {
    /// Distribution of the rows of X.
    pub(super) design: Design,
    /// The target model β⋆ (length p).
    pub(super) beta_star: Vec<f64>,
    /// Surrogate coefficient vectors β^s as columns (p × k).
    pub(super) surrogates: Mat<f64>,
    /// Label noise variance σ².
    pub(super) noise_variance: f64,
    /// Sample size n (rows of X).
    pub(super) n: usize,
}

impl PointJob {
    /// Validates and builds a job. `beta_star` has length p and `surrogates` is p × k; a shape
    /// mismatch is a bug of the caller and panics.
    #[track_caller]
    pub(crate) fn new(
        design: Design,
        beta_star: Vec<f64>,
        surrogates: Mat<f64>,
        noise_variance: f64,
        n: usize,
    ) -> Result<Self, SimError> {
        let p = design.dim();
        assert_eq!(beta_star.len(), p, "β⋆ must have one coefficient per feature");
        assert_eq!(surrogates.nrows(), p, "each surrogate must have one coefficient per feature");
        if n == 0 {
            return Err(SimError::NoSamples);
        }
        if surrogates.ncols() == 0 {
            return Err(SimError::NoSurrogates);
        }
        if !(noise_variance.is_finite() && noise_variance >= 0.0) {
            return Err(SimError::InvalidNoiseVariance(noise_variance));
        }
        let finite_row =
            |i: usize| beta_star[i].is_finite() && (0..surrogates.ncols()).all(|j| surrogates[(i, j)].is_finite());
        if let Some(index) = (0..p).find(|&i| !finite_row(i)) {
            return Err(SimError::NonFiniteCoefficient { index });
        }
        Ok(Self { design, beta_star, surrogates, noise_variance, n })
    }

    /// The dimension p.
    pub(crate) fn dim(&self) -> usize {
        self.design.dim()
    }

    /// The number k of surrogates simulated together.
    pub(crate) fn surrogate_count(&self) -> usize {
        self.surrogates.ncols()
    }
}
