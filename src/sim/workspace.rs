//! Per-thread reusable buffers and the computation of one trial.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::design::draw_columns;
use super::estimator::{Fitter, Inaccurate, Method};
use super::job::PointJob;
use super::risk::excess_risk;
use super::stream::{Draw, Source, TrialKey};
use super::streamed::StreamedMinNorm;
use super::surrogate::{ErmStage, SurrogateColumn};

/// How a trial solves its normal equations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SolvePath {
    /// Cholesky (or LU when n = p), falling back to column-pivoted QR of the design when the factorisation
    /// fails or its residual misses the tolerance.
    Auto,
    /// Always the QR fallback (tests compare both paths).
    #[cfg(test)]
    ForceFallback,
}

/// Non-fatal facts about one trial.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TrialInfo {
    /// A fit (target or surrogate stage) was solved by the QR fallback: its Gram matrix's Cholesky (or LU)
    /// failed or missed the residual tolerance.
    pub(crate) fallback: bool,
}

/// The target design: stored whole (with its eigenbasis draw X̄ when rotated), or streamed.
enum TargetDesign {
    /// X (n × p) in memory; `eigen` holds X̄ = G Λ^{1/2} when X = X̄ Uᵀ. One fitter per distinct ridge penalty
    /// of the columns: all columns at once when they share it (the usual case), else group by group.
    Stored { X: Mat<f64>, eigen: Option<Mat<f64>>, groups: Vec<PenaltyGroup> },
    /// X regenerated in column chunks (min-norm, U = I, large n·p).
    Streamed(StreamedMinNorm),
}

/// The columns fitted with one ridge penalty, with their fitter and, when they are not all the columns, their own
/// label and coefficient buffers.
struct PenaltyGroup {
    /// The columns of `Y` and `coef` this group fits.
    columns: Vec<usize>,
    fitter: Fitter,
    /// Labels (n × its columns) and coefficients (p × its columns); empty when the group has every column.
    labels: Mat<f64>,
    coef: Mat<f64>,
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
    /// The second fit of each self-distilled column.
    distilled: Vec<Distillation>,
    /// The training rows of this trial and the shuffle buffer they are drawn with, for a design of data rows.
    picked: Vec<usize>,
    order: Vec<usize>,
}

/// The student fit of one self-distilled column: labels ξ·X b + (1 − ξ)·y from the column's first fit b on y.
struct Distillation {
    /// The column.
    column: usize,
    /// The mixing weight ξ.
    xi: f64,
    /// A one-column fitter with the column's penalty.
    fitter: Fitter,
    /// The strong labels y (n × 1), kept from before the first fit.
    strong: Mat<f64>,
    /// The student's labels (n × 1) and fit (p × 1).
    labels: Mat<f64>,
    coef: Mat<f64>,
}

impl Workspace {
    /// Allocates the buffers for trials of `job`.
    pub(crate) fn new(job: &PointJob) -> Self {
        let (n, p, k) = (job.n, job.dim(), job.surrogate_count());
        let rotated = job.design.rotation().is_some();
        let target = if job.streams_design() {
            TargetDesign::Streamed(StreamedMinNorm::new(n, k, job.ridges[0]))
        } else {
            let eigen = rotated.then(|| Mat::zeros(n, p));
            let groups = job.ridge_groups();
            let whole = groups.len() == 1;
            let groups = groups
                .into_iter()
                .map(|(ridge, columns)| {
                    let width = if whole { 0 } else { columns.len() };
                    let fitter = Fitter::with_ridge(n, p, columns.len(), ridge);
                    PenaltyGroup { columns, fitter, labels: Mat::zeros(n, width), coef: Mat::zeros(p, width) }
                })
                .collect();
            TargetDesign::Stored { X: Mat::zeros(n, p), eigen, groups }
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
            distilled: job
                .columns
                .iter()
                .enumerate()
                .filter_map(|(column, c)| match c {
                    SurrogateColumn::SelfDistilled { xi } => Some(Distillation {
                        column,
                        xi: *xi,
                        fitter: Fitter::with_ridge(n, p, 1, job.ridges[column]),
                        strong: Mat::zeros(n, 1),
                        labels: Mat::zeros(n, 1),
                        coef: Mat::zeros(p, 1),
                    }),
                    _ => None,
                })
                .collect(),
            picked: vec![0; if job.design.rows().is_some() { n } else { 0 }],
            order: Vec::new(),
        }
    }

    /// Runs one trial: fits the ERM surrogates (writing their own risks R(β^s) into `teacher`, one per
    /// ERM column in column order), draws the target design and noise from `key` (or, for a data set, its
    /// training rows and their residuals), fits every column's
    /// labels with Est(X, ·) and writes the excess risk (eq. 5 under λ_t) of each fit into `risks`.
    /// The draws are independent named streams of `key` (see [`TrialKey`]), so their order is immaterial.
    ///
    /// Errors: [`Inaccurate`] when a fit cannot be computed to its tolerance.
    #[track_caller]
    pub(crate) fn run_trial(
        &mut self,
        job: &PointJob,
        key: &TrialKey,
        path: SolvePath,
        risks: &mut [f64],
        teacher: &mut [f64],
    ) -> Result<TrialInfo, Inaccurate> {
        assert_eq!(risks.len(), job.surrogate_count(), "one risk per surrogate");
        let force = path != SolvePath::Auto;
        let mut fallback = self.fit_surrogates(job, key, force, teacher)?;
        match job.design.rows() {
            // The rows' residuals are their label noise; `fit_target` copies the rows themselves.
            Some(rows) => rows.pick(key, &mut self.picked, &mut self.order),
            None => {
                key.stream(Source::Target, Draw::Noise).fill_scaled_normals(&mut self.z, job.noise_variance.sqrt());
            }
        }
        fallback |= self.fit_target(job, key, force)?;
        record_risks(job, &self.coef, &mut self.coef_eigen, risks);
        Ok(TrialInfo { fallback })
    }

    /// Fits each ERM column's surrogate for this trial, stores U β^s as its column of `B` and its risk
    /// R(β^s) = Σ λ_t,i (β^s_i − β⋆_i)² in `teacher`. Returns whether any fit used the fallback.
    fn fit_surrogates(
        &mut self,
        job: &PointJob,
        key: &TrialKey,
        force: bool,
        teacher: &mut [f64],
    ) -> Result<bool, Inaccurate> {
        let mut fallback = false;
        let mut risks = teacher.iter_mut();
        for (j, column) in job.columns.iter().enumerate() {
            let (SurrogateColumn::Erm(erm), Some(stage)) = (column, self.erm[j].as_mut()) else { continue };
            fallback |= stage.fit(erm, &job.beta_star, key, j, force, self.beta_s.as_mut())?;
            *risks.next().expect("one teacher risk per ERM column") =
                excess_risk(job.risk_lambda(), self.beta_s.col_as_slice(0), &job.beta_star);
            let mut column = self.B.col_mut(j).as_mat_mut();
            match job.design.rotation() {
                Some(U) => matmul(column.as_mut(), Accum::Replace, U, self.beta_s.as_ref(), 1.0, Par::Seq),
                None => column.copy_from(&self.beta_s),
            }
        }
        Ok(fallback)
    }

    /// Draws the target design, forms Y = X B + z 1ᵀ and fits `coef`. Returns whether the fallback was used.
    fn fit_target(&mut self, job: &PointJob, key: &TrialKey, force: bool) -> Result<bool, Inaccurate> {
        match &mut self.target {
            TargetDesign::Stored { X, eigen, groups } => {
                match job.design.rows() {
                    Some(rows) => rows.copy(&self.picked, X.as_mut(), &mut self.z),
                    None => draw_design(job, key, X, eigen.as_mut()),
                }
                matmul(self.Y.as_mut(), Accum::Replace, X.as_ref(), self.B.as_ref(), 1.0, Par::Seq);
                add_noise(self.Y.as_mut(), &self.z, Accum::Add);
                for d in &mut self.distilled {
                    d.strong.col_mut(0).copy_from(self.Y.col(d.column));
                }
                let eigen = eigen.as_ref().zip(job.design.rotation()).map(|(Xbar, U)| (Xbar.as_ref(), U));
                let mut fallback = false;
                for group in groups {
                    let PenaltyGroup { columns, fitter, labels, coef } = group;
                    if columns.len() == self.Y.ncols() {
                        fallback |=
                            fitter.fit(X.as_ref(), eigen, self.Y.as_mut(), self.coef.as_mut(), force)? == Method::Qr;
                        continue;
                    }
                    for (c, &j) in columns.iter().enumerate() {
                        labels.col_mut(c).copy_from(self.Y.col(j));
                    }
                    fallback |= fitter.fit(X.as_ref(), eigen, labels.as_mut(), coef.as_mut(), force)? == Method::Qr;
                    for (c, &j) in columns.iter().enumerate() {
                        self.coef.col_mut(j).copy_from(coef.col(c));
                    }
                }
                // Self-distillation: refit to ξ·X b + (1 − ξ)·y on the same design, with the same penalty.
                for d in &mut self.distilled {
                    let teacher = self.coef.col(d.column).as_mat();
                    matmul(d.labels.as_mut(), Accum::Replace, X.as_ref(), teacher, d.xi, Par::Seq);
                    let strong = d.strong.col(0);
                    d.labels.col_mut(0).iter_mut().zip(strong.iter()).for_each(|(l, y)| *l += (1.0 - d.xi) * y);
                    fallback |=
                        d.fitter.fit(X.as_ref(), eigen, d.labels.as_mut(), d.coef.as_mut(), force)? == Method::Qr;
                    self.coef.col_mut(d.column).copy_from(d.coef.col(0));
                }
                Ok(fallback)
            }
            TargetDesign::Streamed(streamed) => {
                add_noise(self.Y.as_mut(), &self.z, Accum::Replace);
                streamed.fit(&job.design, key, self.B.as_ref(), self.Y.as_mut(), self.coef.as_mut(), force)?;
                Ok(false)
            }
        }
    }
}

/// Draws the target design X of `job` for trial `key` into `X` (and its eigenbasis draw X̄ into `eigen`
/// when the design is rotated).
pub(super) fn draw_design(job: &PointJob, key: &TrialKey, X: &mut Mat<f64>, eigen: Option<&mut Mat<f64>>) {
    let (sqrt_lambda, entries) = (job.design.sqrt_lambda(), job.design.entries());
    match (eigen, job.design.rotation()) {
        (Some(Xbar), Some(U)) => {
            draw_columns(sqrt_lambda, entries, key, Source::Target, 0, Xbar.as_mut());
            // X = X̄ Uᵀ = Z Λ^{1/2} Uᵀ: rows x = U Λ^{1/2} z, of covariance U Λ Uᵀ.
            matmul(X.as_mut(), Accum::Replace, Xbar.as_ref(), U.transpose(), 1.0, Par::Seq);
        }
        _ => draw_columns(sqrt_lambda, entries, key, Source::Target, 0, X.as_mut()),
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
        // The teacher of self-distillation learns from strong labels.
        SurrogateColumn::SelfDistilled { .. } => job.beta_star[i],
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
    use crate::sim::risk::excess_risk;
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
        fitted_trial(&job(), 3, path)
    }

    /// Runs trial `t` of `job` and returns the workspace holding X, z and the fits.
    fn fitted_trial(job: &PointJob, t: usize, path: SolvePath) -> Workspace {
        let mut ws = Workspace::new(job);
        let mut risks = vec![0.0; job.surrogate_count()];
        ws.run_trial(job, &StreamKey::new(5, "ws", 0).trial(t), path, &mut risks, &mut []).unwrap();
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

    /// X⁺Y by an independent route: faer's thin SVD X = U S Vᵀ and X⁺Y = V S⁻¹ UᵀY with every singular value
    /// inverted (the designs below have full rank min(n, p), so there is no cutoff to choose). The SVD's
    /// error on a singular value σ is about ε σ_max, so the reference is good to ε σ_max/σ_min relative in
    /// the weakest direction (≈ 1e-6 for the steep spectrum at n = 50, ≈ 1e-8 for eigenvalues 1e-16 beside 1).
    fn svd_reference(X: &Mat<f64>, Y: &Mat<f64>) -> Mat<f64> {
        let svd = X.thin_svd().unwrap();
        let mut W = svd.U().transpose() * Y;
        for (i, s) in svd.S().column_vector().iter().enumerate() {
            W.row_mut(i).iter_mut().for_each(|w| *w /= s);
        }
        svd.V() * W
    }

    /// Asserts, on trials 0..trials of `job`, that each fit's excess risk (eq. 5, the quantity reported) equals
    /// that of the SVD reference to relative `tolerance`, and that the fit interpolates or solves least squares.
    #[track_caller]
    fn assert_fits_match_the_svd_reference(job: &PointJob, trials: usize, tolerance: f64) -> usize {
        let mut fallbacks = 0;
        for t in 0..trials {
            let mut ws = Workspace::new(job);
            let mut risks = vec![0.0; job.surrogate_count()];
            let info = ws.run_trial(job, &StreamKey::new(5, "ws", 0).trial(t), SolvePath::Auto, &mut risks, &mut []);
            fallbacks += usize::from(info.unwrap().fallback);
            let reference = svd_reference(design(&ws), &labels(&ws));
            for (j, &risk) in risks.iter().enumerate() {
                let expected = excess_risk(job.risk_lambda(), reference.col_as_slice(j), &job.beta_star);
                assert!(
                    (risk - expected).abs() <= tolerance * expected,
                    "trial {t}, column {j}: risk {risk} vs SVD reference {expected}"
                );
            }
        }
        fallbacks
    }

    /// A job on `lambda` with β⋆ as its only surrogate and noise σ² = `noise`.
    fn job_on(lambda: Vec<f64>, beta: Vec<f64>, noise: f64, n: usize) -> PointJob {
        let B = Mat::from_fn(beta.len(), 1, |i, _| beta[i]);
        PointJob::new(Design::new(lambda).unwrap(), beta, B, noise, n).unwrap()
    }

    #[test]
    fn steep_power_law_fits_are_the_minimum_norm_interpolator() {
        // Issue 11, item 1: powerlaw(p: 60, alpha: 12) with powerlaw_energy(beta: 1.5, power: 1) and σ² = 0.01.
        // cond(XXᵀ) exceeds 1/ε at both sizes; every trial's risk must be that of the SVD's X⁺y (relative 1e-5,
        // above the reference's own ≈ 1e-6 error), where the Gram pseudo-inverse was off by factors.
        let lambda: Vec<f64> = (1..=60).map(|i| f64::from(i).powf(-12.0)).collect();
        let energy: Vec<f64> = (1..=60).map(|i| f64::from(i).powf(-1.5)).collect();
        let scale: f64 = energy.iter().sum();
        let beta: Vec<f64> = energy.iter().zip(&lambda).map(|(e, l)| (e / scale / l).sqrt()).collect();
        for n in [20, 50] {
            let job = job_on(lambda.clone(), beta.clone(), 0.01, n);
            let fallbacks = assert_fits_match_the_svd_reference(&job, 40, 1e-5);
            assert!(fallbacks > 0, "n = {n}: the Gram matrix is ill-conditioned on this spectrum");
        }
    }

    #[test]
    fn eigenvalues_of_1e_minus_16_beside_1_are_fitted_exactly() {
        // λ = (1, 1, 1, 1e-16 × 7): min-norm at n = 5 (two interpolating directions of size 1e-8, whose
        // coefficients ≈ 1e8 carry an O(1) risk), square at n = 10 and least squares at n = 20.
        let lambda = [vec![1.0; 3], vec![1e-16; 7]].concat();
        let beta: Vec<f64> = (0..10).map(|i| f64::from(i % 4) - 1.5).collect();
        for n in [5, 10, 20] {
            let job = job_on(lambda.clone(), beta.clone(), 0.5, n);
            let fallbacks = assert_fits_match_the_svd_reference(&job, 40, 1e-6);
            // cond(Gram) ≈ 1e16 for n ≠ p; at n = p the LU of X itself (error ∝ cond(X) ≈ 1e8) is accurate.
            let expected = if n == 10 { 0 } else { 40 };
            assert_eq!(fallbacks, expected, "n = {n}");
        }
    }

    #[test]
    fn fits_match_the_svd_reference_on_varied_spectra() {
        // Power laws up to α = 15 (λ_p/λ_1 down to 1e-22), repeats, exact zeros (the reference then inverts the
        // non-zero columns only, docs/dev/paper.md §1's pseudo-inverse on the positive directions) and tiny eigenvalues,
        // at n below, at and above p; plain and rotated designs. Risks agree to relative 1e-4 (the SVD
        // reference's own error is about ε cond(X) ≤ 1e-5 here).
        let power = |alpha: f64| (1..=24).map(|i| f64::from(i).powf(-alpha)).collect::<Vec<f64>>();
        let listed = [1.0, 1.0, 0.0, 1e-10, 1e-10, 0.5, 0.0, 2.0, 1e-6, 1e-6, 1.0, 0.25];
        let spectra = [power(2.0), power(8.0), power(15.0), listed.to_vec()];
        for (s, lambda) in spectra.iter().enumerate() {
            let p = lambda.len();
            let live = lambda.iter().filter(|&&l| l > 0.0).count(); // n = live: X₊ square
            let beta: Vec<f64> = (0..p).map(|i| 1.0 / (1.0 + i as f64)).collect();
            for n in [p / 3, live, p, p + 10] {
                for rotated in [false, true] {
                    let design = if rotated { Design::rotated(lambda.clone(), 7) } else { Design::new(lambda.clone()) };
                    let B = Mat::from_fn(p, 1, |i, _| beta[i]);
                    let job = PointJob::new(design.unwrap(), beta.clone(), B, 0.1, n).unwrap();
                    let context = format!("spectrum {s}, n = {n}, rotated = {rotated}");
                    assert_fits_match_the_svd_reference_live(&job, 6, 1e-4, &context);
                }
            }
        }
    }

    #[test]
    fn fits_match_the_svd_reference_on_random_spectra() {
        // Issue 11's property test, simulation half: 40 random spectra, p from 4 to 30, eigenvalues log-uniform
        // over 1e-12..1 with repeats and exact zeros, n anywhere from 1 to p + 10, plain or rotated. cond(X) stays
        // below about 1e6 · √(p/n), where the SVD reference is good to 1e-9, so every trial must match it.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        for case in 0..40 {
            let p = rng.random_range(4..30);
            let mut lambda = vec![1.0];
            while lambda.len() < p {
                let last = *lambda.last().unwrap();
                lambda.push(match rng.random_range(0..8) {
                    0 => last,
                    1 => 0.0,
                    _ => 10f64.powf(rng.random_range(-12.0..0.0)),
                });
            }
            let beta: Vec<f64> = (0..p).map(|_| rng.random_range(-1.0..1.0)).collect();
            let n = rng.random_range(1..p + 10);
            let rotated = rng.random_bool(0.5);
            let design = if rotated { Design::rotated(lambda.clone(), case) } else { Design::new(lambda.clone()) };
            let B = Mat::from_fn(p, 1, |i, _| beta[i]);
            let job = PointJob::new(design.unwrap(), beta.clone(), B, 0.1, n).unwrap();
            let context = format!("case {case}: n = {n}, rotated = {rotated}, λ = {lambda:?}");
            assert_fits_match_the_svd_reference_live(&job, 4, 1e-4, &context);
        }
    }

    /// [`assert_fits_match_the_svd_reference`] with the reference taken on the non-zero columns of the eigenbasis
    /// draw (X⁺ = U X̄⁺ and the zero columns of X̄ get 0).
    #[track_caller]
    fn assert_fits_match_the_svd_reference_live(job: &PointJob, trials: usize, tolerance: f64, context: &str) {
        for t in 0..trials {
            let mut ws = Workspace::new(job);
            let mut risks = vec![0.0; job.surrogate_count()];
            ws.run_trial(job, &StreamKey::new(5, "ws", 0).trial(t), SolvePath::Auto, &mut risks, &mut []).unwrap();
            let X = match &ws.target {
                TargetDesign::Stored { X, eigen, .. } => eigen.as_ref().unwrap_or(X).clone(),
                TargetDesign::Streamed(_) => unreachable!("small designs are stored"),
            };
            let Y = labels(&ws);
            let live: Vec<usize> = (0..X.ncols()).filter(|&j| X.col(j).norm_l2() > 0.0).collect();
            let A = Mat::from_fn(X.nrows(), live.len(), |i, c| X[(i, live[c])]);
            let b_live = svd_reference(&A, &Y);
            let mut b = Mat::zeros(X.ncols(), Y.ncols());
            for (c, &j) in live.iter().enumerate() {
                b.row_mut(j).copy_from(b_live.row(c));
            }
            // b is in the eigenbasis already (X̄⁺Y), which is where the risk is measured.
            for (j, &risk) in risks.iter().enumerate() {
                let expected = excess_risk(job.risk_lambda(), b.col_as_slice(j), &job.beta_star);
                assert!(
                    (risk - expected).abs() <= tolerance * expected.max(1e-300),
                    "{context}, trial {t}, column {j}: risk {risk} vs SVD reference {expected}"
                );
            }
        }
    }
}
