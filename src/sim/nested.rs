//! Nested designs across a sweep (issue 4, item 6). Trial t draws one design X and one standard normal vector g
//! at the largest sample size n_max; the point with n samples uses the leading n rows X_n and the noise
//! z_n = σ(n) g_n, σ(n)² its own noise variance (which may shrink with n, issue 17 item 4).
//! X_n X_nᵀ is the leading n × n block of X Xᵀ, so the leading block of one Cholesky factor L of X Xᵀ
//! is the factor of every point: one Gram matrix and one factorisation serve the whole sweep.
//!
//! The rows of X are i.i.d., so every point is still an exact draw of its own distribution and its
//! mean stays unbiased; the points of one trial share rows, which makes the sweep smoother.

use std::ops::Range;

use faer::dyn_stack::MemBuffer;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use rayon::prelude::*;

use super::error::SimError;
use super::estimator::{self, Check, Fitter, Inaccurate, Method, TOLERANCE, gram_lower, transpose_times};
use super::job::PointJob;
use super::runner::{PointSamples, Progress};
use super::stream::{Draw, Source, StreamKey, TrialKey};
use super::surrogate::SurrogateColumn;
use super::workspace::{add_noise, draw_design, fixed_columns, record_risks, to_design_coordinates};

/// The points of one sweep, simulated on nested designs: n strictly increasing and below p (the
/// minimum-norm regime), one design distribution, fixed surrogate columns, and a largest design small
/// enough to store. Each point has its own noise level.
#[derive(Debug)]
pub(crate) struct NestedSweep {
    jobs: Vec<PointJob>,
}

impl NestedSweep {
    /// Checks that `jobs` (one per point, in sweep order) can share nested designs.
    pub(crate) fn new(jobs: Vec<PointJob>) -> Result<Self, SimError> {
        let last = jobs.last().ok_or(SimError::NoSamples)?;
        let (p, largest) = (last.dim(), last.n);
        if let Some(pair) = jobs.windows(2).find(|pair| pair[0].n >= pair[1].n) {
            return Err(SimError::NestedOrder { n: pair[1].n });
        }
        if largest >= p {
            return Err(SimError::NestedRegime { n: largest, p });
        }
        if last.streams_design() {
            return Err(SimError::NestedTooLarge { n: largest, p });
        }
        if jobs.iter().any(|j| j.ridges.iter().any(|&r| r > 0.0)) {
            return Err(SimError::NestedRidge);
        }
        let shared = |j: &PointJob| j.design == last.design;
        let fixed = |j: &PointJob| j.columns.iter().all(|c| matches!(c, SurrogateColumn::Fixed(_)));
        assert!(jobs.iter().all(shared), "the points of a sweep share their design");
        if !jobs.iter().all(fixed) {
            return Err(SimError::NestedTrainedSurrogate);
        }
        Ok(Self { jobs })
    }

    /// The job of the largest point, whose design every point shares.
    fn largest(&self) -> &PointJob {
        self.jobs.last().expect("a sweep has at least one point")
    }
}

/// Runs trials `trials` of every point of `sweep` on nested designs drawn from the streams of `key`
/// (each trial's design and noise from `key.trial(t)`, as for an independent point). Returns one
/// [`PointSamples`] per point, in sweep order; `progress` is told of every finished trial of every point.
///
/// Errors: [`SimError::Inaccurate`] when some trial's estimator cannot be computed to its tolerance.
pub(crate) fn simulate_nested(
    sweep: &NestedSweep,
    trials: Range<usize>,
    key: &StreamKey,
    progress: Option<Progress<'_>>,
) -> Result<Vec<PointSamples>, SimError> {
    let rows: Vec<Vec<(Vec<f64>, bool)>> = trials
        .clone()
        .into_par_iter()
        .map_init(
            || NestedWorkspace::new(sweep),
            |workspace, t| {
                let row = workspace.run_trial(sweep, &key.trial(t));
                if let Some(report) = progress {
                    report(sweep.jobs.len());
                }
                row.map_err(|e| SimError::inaccurate(t, e))
            },
        )
        // Collected in trial order first, so that the error reported is the first failing trial's whatever the
        // scheduling (rayon's own Result collection returns whichever error a thread met first).
        .collect::<Vec<Result<_, _>>>()
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok((0..sweep.jobs.len())
        .map(|point| {
            let point_rows = rows.iter().map(|trial| &trial[point]);
            PointSamples::of_fixed_columns(trials.clone(), point_rows.map(|(r, f)| (r.as_slice(), *f)))
        })
        .collect())
}

/// The buffers of one worker, reused for every trial.
struct NestedWorkspace {
    /// The largest design X (n_max × p), and its eigenbasis draw X̄ when rotated.
    X: Mat<f64>,
    eigen: Option<Mat<f64>>,
    /// Standard normal g (n_max), the noise of every point before its scale.
    g: Vec<f64>,
    /// One point's label noise z_n = σ(n) g_n.
    z: Vec<f64>,
    /// X Xᵀ, overwritten by its lower Cholesky factor.
    factor: Mat<f64>,
    stack: MemBuffer,
    /// Each point's surrogate coefficients in the design's coordinates (p × k).
    B: Vec<Mat<f64>>,
    /// Labels of the leading rows (n_max × k), overwritten by the solve, and a copy for the residual check.
    Y: Mat<f64>,
    labels: Mat<f64>,
    /// y − X b (n_max × k).
    residual: Mat<f64>,
    coef: Mat<f64>,
    coef_eigen: Mat<f64>,
    /// Per point, the fitter of the QR fallback, allocated when a point first needs it.
    fallbacks: Vec<Option<Fitter>>,
}

impl NestedWorkspace {
    /// Allocates the buffers for the sweep's largest design.
    fn new(sweep: &NestedSweep) -> Self {
        let job = sweep.largest();
        let (n, p, k) = (job.n, job.dim(), job.surrogate_count());
        let rotated = job.design.rotation().is_some();
        Self {
            X: Mat::zeros(n, p),
            eigen: rotated.then(|| Mat::zeros(n, p)),
            g: vec![0.0; n],
            z: vec![0.0; n],
            factor: Mat::zeros(n, n),
            stack: MemBuffer::new(estimator::llt_scratch(n)),
            B: sweep.jobs.iter().map(|j| to_design_coordinates(j, fixed_columns(j).as_ref())).collect(),
            Y: Mat::zeros(n, k),
            labels: Mat::zeros(n, k),
            residual: Mat::zeros(n, k),
            coef: Mat::zeros(p, k),
            coef_eigen: Mat::zeros(if rotated { p } else { 0 }, k),
            fallbacks: sweep.jobs.iter().map(|_| None).collect(),
        }
    }

    /// One trial of every point: each point's k risks and whether its fit used the QR fallback.
    fn run_trial(&mut self, sweep: &NestedSweep, key: &TrialKey) -> Result<Vec<(Vec<f64>, bool)>, Inaccurate> {
        let largest = sweep.largest();
        draw_design(largest, key, &mut self.X, self.eigen.as_mut());
        key.stream(Source::Target, Draw::Noise).fill_scaled_normals(&mut self.g, 1.0);
        gram_lower(self.factor.as_mut(), self.X.as_ref(), Accum::Replace);
        let factored = estimator::cholesky(self.factor.as_mut(), &mut self.stack).is_ok();
        (0..sweep.jobs.len()).map(|point| self.fit_point(sweep, point, factored)).collect()
    }

    /// Fits point `point` on the leading rows (through the leading block of the factor when `factored`,
    /// that block is not numerically singular and the interpolation residual is within [`TOLERANCE`], else
    /// by the QR fallback of [`Fitter`]) and returns its risks and whether the fallback was used.
    fn fit_point(&mut self, sweep: &NestedSweep, point: usize, factored: bool) -> Result<(Vec<f64>, bool), Inaccurate> {
        let job = &sweep.jobs[point];
        let n = job.n;
        let X = self.X.subrows(0, n);
        let mut Y = self.Y.subrows_mut(0, n);
        // z_n = σ(n) g_n: the same IEEE product σ·g as a draw at scale σ, so a sweep with one noise level has the
        // numbers it had when the noise was drawn at that scale.
        let sigma = job.noise_variance.sqrt();
        for (z, g) in self.z[..n].iter_mut().zip(&self.g[..n]) {
            *z = sigma * g;
        }
        // Y = X_n B + z_n 1ᵀ: the labels of every surrogate, sharing the noise.
        matmul(Y.as_mut(), Accum::Replace, X, self.B[point].as_ref(), 1.0, Par::Seq);
        add_noise(Y.as_mut(), &self.z[..n], Accum::Add);
        let mut labels = self.labels.subrows_mut(0, n);
        labels.copy_from(&Y);
        let L = self.factor.submatrix(0, 0, n, n);
        let mut solved = factored && !estimator::leading_block_singular(L, n);
        if solved {
            estimator::solve_factored(L, Y.as_mut(), &mut self.stack);
            transpose_times(self.coef.as_mut(), X, Y.as_ref());
            let (r, mut g) = (self.residual.subrows_mut(0, n), Mat::zeros(0, 0));
            let residual = estimator::relative_residual(
                X,
                self.coef.as_ref(),
                labels.as_ref(),
                Check::Interpolation,
                r,
                g.as_mut(),
            );
            solved = residual <= TOLERANCE;
        }
        if !solved {
            Y.copy_from(&labels);
            let eigen = self.eigen.as_ref().zip(job.design.rotation()).map(|(E, U)| (E.as_ref().subrows(0, n), U));
            let fitter = self.fallbacks[point].get_or_insert_with(|| Fitter::new(n, job.dim(), job.surrogate_count()));
            let method = fitter.fit(X, eigen, Y, self.coef.as_mut(), true)?;
            debug_assert_eq!(method, Method::Qr);
        }
        let mut risks = vec![0.0; job.surrogate_count()];
        record_risks(job, &self.coef, &mut self.coef_eigen, &mut risks);
        Ok((risks, !solved))
    }
}
