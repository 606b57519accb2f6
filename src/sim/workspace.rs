//! Per-thread reusable buffers and the computation of one trial.

use faer::dyn_stack::MemBuffer;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

use super::estimator::{self, Estimator};
use super::job::PointJob;
use super::risk::excess_risk;
use super::stream::TrialStream;

/// How a trial solves its normal equations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SolvePath {
    /// Cholesky (or LU when n = p), falling back to the pseudo-inverse when numerically singular.
    Auto,
    /// Always the pseudo-inverse fallback (tests compare both paths).
    #[cfg(test)]
    ForceFallback,
}

/// Non-fatal facts about one trial.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TrialInfo {
    /// The factorisation was numerically singular and the pseudo-inverse was used.
    pub(crate) fallback: bool,
}

/// The buffers of one trial, allocated once per worker and reused for every trial of a point.
pub(crate) struct Workspace {
    estimator: Estimator,
    /// Design X (n × p).
    X: Mat<f64>,
    /// Label noise z (n), shared by every surrogate column.
    z: Vec<f64>,
    /// Labels Y = X B_s + z 1ᵀ (n × k); the min-norm path overwrites it with (XXᵀ)⁻¹Y.
    Y: Mat<f64>,
    /// Gram matrix (min(n, p) square), lower triangle; overwritten by its factor.
    gram: Mat<f64>,
    /// Fitted coefficients b, one column per surrogate (p × k).
    coef: Mat<f64>,
    stack: MemBuffer,
}

impl Workspace {
    /// Allocates the buffers for trials of `job`.
    pub(crate) fn new(job: &PointJob) -> Self {
        let (n, p, k) = (job.n, job.dim(), job.surrogate_count());
        let m = n.min(p);
        Self {
            estimator: Estimator::for_shape(n, p),
            X: Mat::zeros(n, p),
            z: vec![0.0; n],
            Y: Mat::zeros(n, k),
            gram: Mat::zeros(m, m),
            coef: Mat::zeros(p, k),
            stack: MemBuffer::new(estimator::llt_scratch(m)),
        }
    }

    /// Runs one trial: draws (X, z) from `stream`, fits every surrogate's labels with Est(X, ·)
    /// and writes the excess risk (eq. 5) of each fit into `risks` (length k).
    #[track_caller]
    pub(crate) fn run_trial(
        &mut self,
        job: &PointJob,
        mut stream: TrialStream,
        path: SolvePath,
        risks: &mut [f64],
    ) -> TrialInfo {
        assert_eq!(risks.len(), job.surrogate_count(), "one risk per surrogate");
        self.draw(job, &mut stream);
        let fallback = match self.estimator {
            Estimator::MinNorm => self.fit_min_norm(path),
            Estimator::Square => self.fit_square(path),
            Estimator::LeastSquares => self.fit_least_squares(path),
        };
        for (j, risk) in risks.iter_mut().enumerate() {
            *risk = excess_risk(job.design.lambda(), self.coef.col_as_slice(j), &job.beta_star);
        }
        TrialInfo { fallback }
    }

    /// Draws X = G Λ^{1/2}, then z ~ N(0, σ²Iₙ), and forms Y = X B_s + z 1ᵀ.
    fn draw(&mut self, job: &PointJob, stream: &mut TrialStream) {
        job.design.sample_into(&mut self.X, stream);
        stream.fill_scaled_normals(&mut self.z, job.noise_variance.sqrt());
        matmul(self.Y.as_mut(), Accum::Replace, self.X.as_ref(), job.surrogates.as_ref(), 1.0, Par::Seq);
        for j in 0..self.Y.ncols() {
            self.Y.col_as_slice_mut(j).iter_mut().zip(&self.z).for_each(|(y, z)| *y += z);
        }
    }

    /// n < p: b = Xᵀ(XXᵀ)⁻¹Y. Returns whether the fallback was used.
    fn fit_min_norm(&mut self, path: SolvePath) -> bool {
        estimator::gram_lower(self.gram.as_mut(), self.X.as_ref());
        let solved = path == SolvePath::Auto
            && estimator::llt_solve(self.gram.as_mut(), self.Y.as_mut(), &mut self.stack).is_ok();
        if solved {
            self.coef_from_dual();
        } else {
            self.min_norm_fallback();
        }
        !solved
    }

    /// n = p: b = X⁻¹Y. Returns whether the fallback was used.
    fn fit_square(&mut self, path: SolvePath) -> bool {
        self.gram.copy_from(&self.X);
        self.coef.copy_from(&self.Y);
        let solved = path == SolvePath::Auto && estimator::lu_solve(self.gram.as_mut(), self.coef.as_mut()).is_ok();
        if !solved {
            self.min_norm_fallback();
        }
        !solved
    }

    /// n > p: b = (XᵀX)⁻¹XᵀY. Returns whether the fallback was used.
    fn fit_least_squares(&mut self, path: SolvePath) -> bool {
        estimator::gram_lower(self.gram.as_mut(), self.X.transpose());
        let (X, Y) = (self.X.as_ref(), self.Y.as_ref());
        matmul(self.coef.as_mut(), Accum::Replace, X.transpose(), Y, 1.0, Par::Seq);
        let solved = path == SolvePath::Auto
            && estimator::llt_solve(self.gram.as_mut(), self.coef.as_mut(), &mut self.stack).is_ok();
        if !solved {
            // b = (XᵀX)⁺XᵀY: the minimum-norm least-squares solution.
            estimator::gram_lower(self.gram.as_mut(), self.X.transpose());
            estimator::pinv_solve(self.gram.as_ref(), self.coef.as_mut());
        }
        !solved
    }

    /// b = Xᵀ(XXᵀ)⁺Y = X⁺Y, the minimum-norm solution whatever the rank of X.
    fn min_norm_fallback(&mut self) {
        estimator::gram_lower(self.gram.as_mut(), self.X.as_ref());
        estimator::pinv_solve(self.gram.as_ref(), self.Y.as_mut());
        self.coef_from_dual();
    }

    /// coef = Xᵀ W for the dual solution W stored in `Y`.
    fn coef_from_dual(&mut self) {
        matmul(self.coef.as_mut(), Accum::Replace, self.X.transpose(), self.Y.as_ref(), 1.0, Par::Seq);
    }
}

#[cfg(test)]
mod tests {
    use faer::Mat;

    use super::{SolvePath, Workspace};
    use crate::sim::{Design, PointJob, StreamKey};

    /// A min-norm job (n = 5 < p = 8) with two surrogates and noise.
    fn job() -> PointJob {
        let lambda: Vec<f64> = (1..=8).map(|i| 1.0 / f64::from(i)).collect();
        let beta: Vec<f64> = (1..=8).map(f64::from).collect();
        let B = Mat::from_fn(8, 2, |i, j| if j == 0 { beta[i] } else { 1.0 - beta[i] });
        PointJob::new(Design::new(lambda).unwrap(), beta, B, 0.25, 5).unwrap()
    }

    /// Runs trial 3 and returns the workspace holding X, z and the fits.
    fn fitted(path: SolvePath) -> Workspace {
        let job = job();
        let mut ws = Workspace::new(&job);
        let mut risks = [0.0; 2];
        ws.run_trial(&job, StreamKey::new(5, "ws", 0).trial(3), path, &mut risks);
        ws
    }

    /// The labels y_j = X β^s_j + z, recomputed from the stored design and noise.
    fn labels(ws: &Workspace, job: &PointJob) -> Mat<f64> {
        let mut Y = &ws.X * &job.surrogates;
        for j in 0..Y.ncols() {
            Y.col_as_slice_mut(j).iter_mut().zip(&ws.z).for_each(|(y, z)| *y += z);
        }
        Y
    }

    #[test]
    fn min_norm_solution_interpolates_and_equals_the_pseudo_inverse() {
        let job = job();
        let ws = fitted(SolvePath::Auto);
        let Y = labels(&ws, &job);
        let residual = &ws.X * &ws.coef - &Y;
        assert!(residual.norm_max() < 1e-12 * Y.norm_max(), "‖Xb − y‖ = {}", residual.norm_max());
        // Independent reference: b = X⁺y from the SVD.
        let pinv = ws.X.thin_svd().unwrap().pseudoinverse();
        let reference = &pinv * &Y;
        let error = (&ws.coef - &reference).norm_max();
        assert!(error < 1e-10 * reference.norm_max(), "‖b − X⁺y‖ = {error}");
    }

    #[test]
    fn fallback_solution_interpolates_too() {
        let job = job();
        let ws = fitted(SolvePath::ForceFallback);
        let residual = &ws.X * &ws.coef - labels(&ws, &job);
        assert!(residual.norm_max() < 1e-10, "‖Xb − y‖ = {}", residual.norm_max());
    }
}
