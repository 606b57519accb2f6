//! Per-thread reusable buffers and the computation of one trial.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::design::draw_columns;
use super::estimator::Fitter;
use super::job::PointJob;
use super::risk::excess_risk;
use super::stream::{Draw, Source, TrialKey};
use super::streamed::StreamedMinNorm;
use super::surrogate::{ErmStage, SurrogateColumn};

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
    /// A factorisation (target or surrogate stage) was numerically singular and the pseudo-inverse was used.
    pub(crate) fallback: bool,
}

/// The target design: stored whole (with its eigenbasis draw X̄ when rotated), or streamed.
enum TargetDesign {
    /// X (n × p) in memory; `eigen` holds X̄ = G Λ^{1/2} when X = X̄ Uᵀ.
    Stored { X: Mat<f64>, eigen: Option<Mat<f64>>, fitter: Fitter },
    /// X regenerated in column chunks (min-norm, U = I, large n·p).
    Streamed(StreamedMinNorm),
}

/// The buffers of one trial, allocated once per worker and reused for every trial of a point.
pub(crate) struct Workspace {
    target: TargetDesign,
    /// Surrogate coefficients in the design's coordinates, U β^s (p × k); ERM columns refitted per trial.
    B: Mat<f64>,
    /// Label noise z (n), shared by every surrogate column.
    z: Vec<f64>,
    /// Labels Y = X B + z 1ᵀ (n × k), overwritten by the fit.
    Y: Mat<f64>,
    /// Fitted coefficients b, one column per surrogate (p × k), in the design's coordinates.
    coef: Mat<f64>,
    /// Uᵀ b (p × k) for rotated designs.
    coef_eigen: Mat<f64>,
    /// The surrogate stage of each ERM column (`None` for fixed columns).
    erm: Vec<Option<ErmStage>>,
    /// One ERM surrogate β^s in the eigenbasis (p × 1).
    beta_s: Mat<f64>,
}

impl Workspace {
    /// Allocates the buffers for trials of `job`.
    pub(crate) fn new(job: &PointJob) -> Self {
        let (n, p, k) = (job.n, job.dim(), job.surrogate_count());
        let rotated = job.design.rotation().is_some();
        let target = if job.streams_design() {
            TargetDesign::Streamed(StreamedMinNorm::new(n))
        } else {
            let eigen = rotated.then(|| Mat::zeros(n, p));
            TargetDesign::Stored { X: Mat::zeros(n, p), eigen, fitter: Fitter::new(n, p, k) }
        };
        Self {
            target,
            B: to_design_coordinates(job, fixed_columns(job).as_ref()),
            z: vec![0.0; n],
            Y: Mat::zeros(n, k),
            coef: Mat::zeros(p, k),
            coef_eigen: Mat::zeros(if rotated { p } else { 0 }, k),
            erm: job
                .columns
                .iter()
                .map(|c| if let SurrogateColumn::Erm(e) = c { Some(ErmStage::new(e)) } else { None })
                .collect(),
            beta_s: Mat::zeros(p, 1),
        }
    }

    /// Runs one trial: fits the ERM surrogates (writing their own risks R(β^s) into `teacher`, one per
    /// ERM column in column order), draws the target design and noise from `key`, fits every column's
    /// labels with Est(X, ·) and writes the excess risk (eq. 5 under λ_t) of each fit into `risks`.
    /// The draws are independent named streams of `key` (see [`TrialKey`]), so their order is immaterial.
    #[track_caller]
    pub(crate) fn run_trial(
        &mut self,
        job: &PointJob,
        key: &TrialKey,
        path: SolvePath,
        risks: &mut [f64],
        teacher: &mut [f64],
    ) -> TrialInfo {
        assert_eq!(risks.len(), job.surrogate_count(), "one risk per surrogate");
        let force = path != SolvePath::Auto;
        let mut fallback = self.fit_surrogates(job, key, force, teacher);
        key.stream(Source::Target, Draw::Noise).fill_scaled_normals(&mut self.z, job.noise_variance.sqrt());
        fallback |= self.fit_target(job, key, force);
        record_risks(job, &self.coef, &mut self.coef_eigen, risks);
        TrialInfo { fallback }
    }

    /// Fits each ERM column's surrogate for this trial, stores U β^s as its column of `B` and its risk
    /// R(β^s) = Σ λ_t,i (β^s_i − β⋆_i)² in `teacher`. Returns whether any fit used the fallback.
    fn fit_surrogates(&mut self, job: &PointJob, key: &TrialKey, force: bool, teacher: &mut [f64]) -> bool {
        let mut fallback = false;
        let mut risks = teacher.iter_mut();
        for (j, column) in job.columns.iter().enumerate() {
            let (SurrogateColumn::Erm(erm), Some(stage)) = (column, self.erm[j].as_mut()) else { continue };
            fallback |= stage.fit(erm, &job.beta_star, key, j, force, self.beta_s.as_mut());
            *risks.next().expect("one teacher risk per ERM column") =
                excess_risk(job.risk_lambda(), self.beta_s.col_as_slice(0), &job.beta_star);
            let mut column = self.B.col_mut(j).as_mat_mut();
            match job.design.rotation() {
                Some(U) => matmul(column.as_mut(), Accum::Replace, U, self.beta_s.as_ref(), 1.0, Par::Seq),
                None => column.copy_from(&self.beta_s),
            }
        }
        fallback
    }

    /// Draws the target design, forms Y = X B + z 1ᵀ and fits `coef`. Returns whether the fallback was used.
    fn fit_target(&mut self, job: &PointJob, key: &TrialKey, force: bool) -> bool {
        let sqrt_lambda = job.design.sqrt_lambda();
        match &mut self.target {
            TargetDesign::Stored { X, eigen, fitter } => {
                draw_design(job, key, X, eigen.as_mut());
                matmul(self.Y.as_mut(), Accum::Replace, X.as_ref(), self.B.as_ref(), 1.0, Par::Seq);
                add_noise(self.Y.as_mut(), &self.z, Accum::Add);
                fitter.fit(X.as_ref(), self.Y.as_mut(), self.coef.as_mut(), force)
            }
            TargetDesign::Streamed(streamed) => {
                add_noise(self.Y.as_mut(), &self.z, Accum::Replace);
                streamed.fit(sqrt_lambda, key, self.B.as_ref(), self.Y.as_mut(), self.coef.as_mut(), force)
            }
        }
    }
}

/// Draws the target design X of `job` for trial `key` into `X` (and its eigenbasis draw X̄ into `eigen`
/// when the design is rotated).
pub(super) fn draw_design(job: &PointJob, key: &TrialKey, X: &mut Mat<f64>, eigen: Option<&mut Mat<f64>>) {
    let sqrt_lambda = job.design.sqrt_lambda();
    match (eigen, job.design.rotation()) {
        (Some(Xbar), Some(U)) => {
            draw_columns(sqrt_lambda, key, Source::Target, 0, Xbar.as_mut());
            // X = X̄ Uᵀ = G Λ^{1/2} Uᵀ: rows ~ N(0, U Λ Uᵀ).
            matmul(X.as_mut(), Accum::Replace, Xbar.as_ref(), U.transpose(), 1.0, Par::Seq);
        }
        _ => draw_columns(sqrt_lambda, key, Source::Target, 0, X.as_mut()),
    }
}

/// Writes the excess risk (eq. 5 under λ_t) of each fitted column of `coef` into `risks`, rotating the fit
/// to the eigenbasis first (b̄ = Uᵀ b, in `coef_eigen`) when the design is rotated.
pub(super) fn record_risks(job: &PointJob, coef: &Mat<f64>, coef_eigen: &mut Mat<f64>, risks: &mut [f64]) {
    let coef = match job.design.rotation() {
        Some(U) => {
            matmul(coef_eigen.as_mut(), Accum::Replace, U.transpose(), coef.as_ref(), 1.0, Par::Seq);
            &*coef_eigen
        }
        None => coef,
    };
    for (j, risk) in risks.iter_mut().enumerate() {
        *risk = excess_risk(job.risk_lambda(), coef.col_as_slice(j), &job.beta_star);
    }
}

/// The fixed surrogate columns of `job` as a p × k matrix in the eigenbasis (zero for ERM columns, which
/// are refitted in every trial).
pub(super) fn fixed_columns(job: &PointJob) -> Mat<f64> {
    Mat::from_fn(job.dim(), job.surrogate_count(), |i, j| match &job.columns[j] {
        SurrogateColumn::Fixed(b) => b[i],
        SurrogateColumn::Erm(_) => 0.0,
    })
}

/// Y ← Y + z 1ᵀ (`Accum::Add`) or Y ← z 1ᵀ (`Accum::Replace`): the shared label noise.
pub(super) fn add_noise(mut Y: MatMut<'_, f64>, z: &[f64], accum: Accum) {
    for j in 0..Y.ncols() {
        let column = Y.as_mut().col_mut(j).try_as_col_major_mut().expect("label buffers are column-major");
        for (y, z) in column.as_slice_mut().iter_mut().zip(z) {
            *y = if accum == Accum::Add { *y + z } else { *z };
        }
    }
}

/// U A: eigenbasis coefficients (columns of `A`) in the design's coordinates (A itself when U = I).
pub(super) fn to_design_coordinates(job: &PointJob, A: MatRef<'_, f64>) -> Mat<f64> {
    match job.design.rotation() {
        Some(U) => {
            let mut out = Mat::zeros(A.nrows(), A.ncols());
            matmul(out.as_mut(), Accum::Replace, U, A, 1.0, Par::Seq);
            out
        }
        None => A.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use faer::Mat;

    use super::{SolvePath, TargetDesign, Workspace};
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
        ws.run_trial(&job, &StreamKey::new(5, "ws", 0).trial(3), path, &mut risks, &mut []);
        ws
    }

    /// The stored design of a workspace.
    fn design(ws: &Workspace) -> &Mat<f64> {
        match &ws.target {
            TargetDesign::Stored { X, .. } => X,
            TargetDesign::Streamed(_) => unreachable!("small designs are stored"),
        }
    }

    /// The labels y_j = X β^s_j + z, recomputed from the stored design and noise.
    fn labels(ws: &Workspace) -> Mat<f64> {
        let mut Y = design(ws) * &ws.B;
        for j in 0..Y.ncols() {
            Y.col_as_slice_mut(j).iter_mut().zip(&ws.z).for_each(|(y, z)| *y += z);
        }
        Y
    }

    #[test]
    fn min_norm_solution_interpolates_and_equals_the_pseudo_inverse() {
        let ws = fitted(SolvePath::Auto);
        let (X, Y) = (design(&ws), labels(&ws));
        let residual = X * &ws.coef - &Y;
        assert!(residual.norm_max() < 1e-12 * Y.norm_max(), "‖Xb − y‖ = {}", residual.norm_max());
        // Independent reference: b = X⁺y from the SVD.
        let reference = X.thin_svd().unwrap().pseudoinverse() * &Y;
        let error = (&ws.coef - &reference).norm_max();
        assert!(error < 1e-10 * reference.norm_max(), "‖b − X⁺y‖ = {error}");
    }

    #[test]
    fn fallback_solution_interpolates_too() {
        let ws = fitted(SolvePath::ForceFallback);
        let residual = design(&ws) * &ws.coef - labels(&ws);
        assert!(residual.norm_max() < 1e-10, "‖Xb − y‖ = {}", residual.norm_max());
    }
}
