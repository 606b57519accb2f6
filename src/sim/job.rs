//! One simulated point: a design, a target model, surrogates and a sample size.

#[cfg(test)]
use faer::Mat;

use super::design::{Design, validate_spectrum};
use super::error::SimError;
use super::surrogate::{SurrogateColumn, finite};

/// Designs with more entries n·p than this are never stored whole: the min-norm fit streams them in
/// column blocks (memory O(n² + n·block + p·k) per worker instead of O(n·p)). 2²⁴ entries = 128 MiB.
pub(crate) const STREAM_ENTRIES: usize = 1 << 24;

/// Everything that determines the distribution of one point's trials (docs/dev/paper.md §1): rows
/// x ~ N(0, Σ) (`design`), labels y = X β^s + z for each surrogate column β^s with one noise vector
/// z ~ N(0, σ²Iₙ) shared by all k columns, the target model β⋆ and the test spectrum λ_t against which
/// the excess risk (eq. 5) is measured, and the sample size n. Coefficients are in the eigenbasis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PointJob {
    /// Distribution of the rows of X.
    pub(super) design: Design,
    /// The target model β⋆ (length p).
    pub(super) beta_star: Vec<f64>,
    /// The surrogate columns β^s (fixed or fitted per trial).
    pub(super) columns: Vec<SurrogateColumn>,
    /// Label noise variance σ².
    pub(super) noise_variance: f64,
    /// Sample size n (rows of X).
    pub(super) n: usize,
    /// The target's ridge penalty λ ≥ 0 per surrogate column (0: Est(X, y), the paper's estimator).
    pub(super) ridges: Vec<f64>,
    /// Test spectrum λ_t (Observation 1, covariance shift); `None` means the design's λ.
    pub(super) test_lambda: Option<Vec<f64>>,
    /// Designs with more entries than this are streamed (see [`STREAM_ENTRIES`]).
    pub(super) stream_entries: usize,
}

impl PointJob {
    /// Validates and builds a job with fixed surrogate columns: `beta_star` has length p and
    /// `surrogates` is p × k; a shape mismatch is a bug of the caller and panics.
    #[track_caller]
    #[cfg(test)]
    #[allow(clippy::needless_pass_by_value, reason = "tests build the surrogate matrix in place")]
    pub(crate) fn new(
        design: Design,
        beta_star: Vec<f64>,
        surrogates: Mat<f64>,
        noise_variance: f64,
        n: usize,
    ) -> Result<Self, SimError> {
        let columns = (0..surrogates.ncols()).map(|j| SurrogateColumn::Fixed(surrogates.col_as_slice(j).to_vec()));
        Self::with_columns(design, beta_star, columns.collect(), noise_variance, n)
    }

    /// Validates and builds a job whose surrogate columns may be fixed or ERM-fitted per trial.
    #[track_caller]
    pub(crate) fn with_columns(
        design: Design,
        beta_star: Vec<f64>,
        columns: Vec<SurrogateColumn>,
        noise_variance: f64,
        n: usize,
    ) -> Result<Self, SimError> {
        let p = design.dim();
        assert_eq!(beta_star.len(), p, "β⋆ must have one coefficient per feature");
        if n == 0 {
            return Err(SimError::NoSamples);
        }
        if columns.is_empty() {
            return Err(SimError::NoSurrogates);
        }
        if !(noise_variance.is_finite() && noise_variance >= 0.0) {
            return Err(SimError::InvalidNoiseVariance(noise_variance));
        }
        finite(&beta_star)?;
        columns.iter().try_for_each(|c| c.validate(p))?;
        let k = columns.len();
        let job = Self {
            design,
            beta_star,
            columns,
            noise_variance,
            n,
            ridges: vec![0.0; k],
            test_lambda: None,
            stream_entries: STREAM_ENTRIES,
        };
        if job.streams_design() && job.columns.iter().any(|c| matches!(c, SurrogateColumn::SelfDistilled { .. })) {
            return Err(SimError::StreamedSelfDistillation);
        }
        Ok(job)
    }

    /// Fits the target of every column by ridge with penalty λ ≥ 0: b = argmin (1/n)‖y − X b‖² + λ‖b‖².
    #[cfg(test)]
    pub(crate) fn with_ridge(self, ridge: f64) -> Result<Self, SimError> {
        let k = self.surrogate_count();
        self.with_ridges(vec![ridge; k])
    }

    /// Fits the target of column j by ridge with penalty λ_j ≥ 0 (one per column); columns with equal penalties
    /// share one factorisation.
    ///
    /// # Panics
    /// If there is not one penalty per column (a programmer error).
    #[track_caller]
    pub(crate) fn with_ridges(mut self, ridges: Vec<f64>) -> Result<Self, SimError> {
        assert_eq!(ridges.len(), self.surrogate_count(), "one ridge penalty per surrogate column");
        ridges.iter().try_for_each(|&r| super::surrogate::check_ridge(r))?;
        self.ridges = ridges;
        if self.streams_design() && self.ridge_groups().len() > 1 {
            return Err(SimError::StreamedMixedRidge);
        }

        Ok(self)
    }

    /// The distinct penalties of the columns, in order of first appearance, each with its columns.
    pub(crate) fn ridge_groups(&self) -> Vec<(f64, Vec<usize>)> {
        let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
        for (j, &ridge) in self.ridges.iter().enumerate() {
            match groups.iter_mut().find(|g| g.0.to_bits() == ridge.to_bits()) {
                Some(group) => group.1.push(j),
                None => groups.push((ridge, vec![j])),
            }
        }
        groups
    }

    /// Measures the risk under the test spectrum λ_t (covariance shift, Observation 1):
    /// R(b) = Σ_i λ_t,i (b_i − β⋆_i)², in the design's eigenbasis.
    pub(crate) fn with_test_spectrum(mut self, lambda_t: Vec<f64>) -> Result<Self, SimError> {
        if lambda_t.len() != self.dim() {
            return Err(SimError::SpectrumLength { expected: self.dim(), found: lambda_t.len() });
        }
        validate_spectrum(&lambda_t)?;
        self.test_lambda = Some(lambda_t);
        Ok(self)
    }

    /// Streams designs with more than `entries` entries (tests use tiny thresholds).
    #[cfg(test)]
    pub(crate) fn with_stream_entries(mut self, entries: usize) -> Self {
        self.stream_entries = entries;
        self
    }

    /// The dimension p.
    pub(crate) fn dim(&self) -> usize {
        self.design.dim()
    }

    /// The number k of surrogates simulated together.
    pub(crate) fn surrogate_count(&self) -> usize {
        self.columns.len()
    }

    /// The eigenvalues weighting the excess risk: λ_t if given, else the design's λ.
    pub(crate) fn risk_lambda(&self) -> &[f64] {
        self.test_lambda.as_deref().unwrap_or(self.design.lambda())
    }

    /// Whether the target design is streamed in column blocks rather than stored (min-norm, U = I, not drawn
    /// from a data set, n·p above the threshold).
    pub(crate) fn streams_design(&self) -> bool {
        self.n < self.dim()
            && self.design.rotation().is_none()
            && self.design.rows().is_none()
            && self.n * self.dim() > self.stream_entries
    }
}
