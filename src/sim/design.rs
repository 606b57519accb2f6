//! Gaussian designs X = G Λ^{1/2} in the covariance eigenbasis.

use faer::Mat;

use super::error::SimError;
use super::stream::TrialStream;

/// The distribution of the rows of the design: x ~ N(0, Σ) with Σ = diag(λ) (eigenbasis, PAPER.md
/// §1 Observation 2). A rotation U can be added later without changing callers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Design {
    lambda: Vec<f64>,
    sqrt_lambda: Vec<f64>,
}

impl Design {
    /// Creates the design of covariance diag(`lambda`); every λ_i must be finite and ≥ 0.
    pub(crate) fn new(lambda: Vec<f64>) -> Result<Self, SimError> {
        if lambda.is_empty() {
            return Err(SimError::NoFeatures);
        }
        if let Some((index, &value)) = lambda.iter().enumerate().find(|(_, l)| !(l.is_finite() && **l >= 0.0)) {
            return Err(SimError::InvalidEigenvalue { index, value });
        }
        let sqrt_lambda = lambda.iter().map(|l| l.sqrt()).collect();
        Ok(Self { lambda, sqrt_lambda })
    }

    /// The dimension p.
    pub(crate) fn dim(&self) -> usize {
        self.lambda.len()
    }

    /// The eigenvalues λ_1..λ_p of Σ.
    pub(crate) fn lambda(&self) -> &[f64] {
        &self.lambda
    }

    /// Draws X = G Λ^{1/2} into `X` (n × p, column-major), G i.i.d. N(0, 1), column after column.
    #[track_caller]
    pub(crate) fn sample_into(&self, X: &mut Mat<f64>, stream: &mut TrialStream) {
        assert_eq!(X.ncols(), self.dim(), "design buffer has the wrong number of columns");
        for (j, &scale) in self.sqrt_lambda.iter().enumerate() {
            stream.fill_scaled_normals(X.col_as_slice_mut(j), scale);
        }
    }
}
