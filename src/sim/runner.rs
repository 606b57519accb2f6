//! The parallel Monte Carlo runner of one point.

use std::ops::Range;

use faer::Mat;
use rayon::prelude::*;

use super::error::SimError;
use super::job::PointJob;
use super::stream::StreamKey;
use super::surrogate::SurrogateColumn;
use super::workspace::{SolvePath, TrialInfo, Workspace};

/// Non-fatal facts about a run, kept apart from its results (faer-style info value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SimInfo {
    /// Trials solved by the QR fallback (column-pivoted QR of the design) because the Cholesky (or LU) solve
    /// failed or missed the residual tolerance; see [`super::estimator::Method`].
    pub(crate) fallbacks: usize,
}

/// The excess risks of one point's trials.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PointSamples {
    /// The trial indices simulated, in row order.
    pub(crate) trials: Range<usize>,
    /// Risks, one row per trial (in trial order) and one column per surrogate.
    pub(crate) risks: Mat<f64>,
    /// The ERM surrogates' own risks R(β^s), one row per trial and one column per ERM column.
    pub(crate) teacher_risks: Mat<f64>,
    /// For each surrogate column, its column in `teacher_risks` (ERM columns only).
    teacher_column: Vec<Option<usize>>,
    /// Fallback counts and other non-fatal information.
    pub(crate) info: SimInfo,
}

impl PointSamples {
    /// The risks of surrogate `j` over all trials, in trial order.
    pub(crate) fn surrogate(&self, j: usize) -> &[f64] {
        self.risks.col_as_slice(j)
    }

    /// For an ERM column `j`, the risks R(β^s) of its per-trial surrogates (in trial order); `None`
    /// for a fixed column.
    pub(crate) fn surrogate_risk(&self, j: usize) -> Option<&[f64]> {
        self.teacher_column[j].map(|c| self.teacher_risks.col_as_slice(c))
    }
}

/// Progress callback: called with the number of newly finished trials (1 per call), from any
/// worker thread.
pub(crate) type Progress<'a> = &'a (dyn Fn(usize) + Sync);

/// Simulates the trials `trials` of `job` in parallel (rayon), trial `t` drawing from
/// `key.trial(t)`. Each trial runs with `Par::Seq`, so the result is bit-identical for any thread
/// count and any scheduling, and a run of `0..k` is a prefix of a run of `0..K`.
///
/// Errors: [`SimError::Inaccurate`] when some trial's estimator cannot be computed to its tolerance (the
/// first such trial, by index, is named whatever the thread count).
pub(crate) fn simulate_point(
    job: &PointJob,
    trials: Range<usize>,
    key: &StreamKey,
    progress: Option<Progress<'_>>,
) -> Result<PointSamples, SimError> {
    simulate_point_with(job, trials, key, progress, SolvePath::Auto)
}

/// [`simulate_point`] with an explicit solve path (tests force the fallback through it).
pub(crate) fn simulate_point_with(
    job: &PointJob,
    trials: Range<usize>,
    key: &StreamKey,
    progress: Option<Progress<'_>>,
    path: SolvePath,
) -> Result<PointSamples, SimError> {
    let k = job.surrogate_count();
    let teacher_column = teacher_columns(job);
    let erm = teacher_column.iter().flatten().count();
    let rows: Vec<(Vec<f64>, TrialInfo)> = trials
        .clone()
        .into_par_iter()
        .map_init(
            || Workspace::new(job),
            |workspace, t| {
                // One row: k target risks, then the ERM columns' own risks.
                let mut row = vec![0.0; k + erm];
                let (risks, teacher) = row.split_at_mut(k);
                let info = workspace.run_trial(job, &key.trial(t), path, risks, teacher);
                if let Some(report) = progress {
                    report(1);
                }
                info.map(|info| (row, info)).map_err(|e| SimError::inaccurate(t, e))
            },
        )
        // Collected in trial order first, so that the error reported is the first failing trial's whatever the
        // scheduling (rayon's own Result collection returns whichever error a thread met first).
        .collect::<Vec<Result<_, _>>>()
        .into_iter()
        .collect::<Result<_, _>>()?;
    let risks = Mat::from_fn(rows.len(), k, |i, j| rows[i].0[j]);
    let teacher_risks = Mat::from_fn(rows.len(), erm, |i, j| rows[i].0[k + j]);
    let fallbacks = rows.iter().filter(|(_, info)| info.fallback).count();
    Ok(PointSamples { trials, risks, teacher_risks, teacher_column, info: SimInfo { fallbacks } })
}

impl PointSamples {
    /// The samples of a point whose columns are all fixed, from one (risks, used the fallback) row per trial.
    pub(super) fn of_fixed_columns<'a>(trials: Range<usize>, rows: impl Iterator<Item = (&'a [f64], bool)>) -> Self {
        let rows: Vec<_> = rows.collect();
        let k = rows.first().map_or(0, |(r, _)| r.len());
        PointSamples {
            risks: Mat::from_fn(rows.len(), k, |i, j| rows[i].0[j]),
            teacher_risks: Mat::zeros(rows.len(), 0),
            teacher_column: vec![None; k],
            info: SimInfo { fallbacks: rows.iter().filter(|(_, fallback)| *fallback).count() },
            trials,
        }
    }
}

/// Numbers the ERM columns of `job` in column order (`None` for fixed columns).
fn teacher_columns(job: &PointJob) -> Vec<Option<usize>> {
    let mut next = 0;
    let number = |c: &SurrogateColumn| {
        matches!(c, SurrogateColumn::Erm(_)).then(|| {
            next += 1;
            next - 1
        })
    };
    job.columns.iter().map(number).collect()
}
