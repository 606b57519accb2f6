//! Stage 3, [`Spec`] → [`Plan`]: what a run will do, before anything runs.
//!
//! A plan fixes the seed, the trials of every experiment (the command line's overrides are applied here and
//! nowhere else) and cuts every simulated experiment into [`Look`]s of [`WorkUnit`]s: one experiment, one point
//! (or the nested sweep of all its points) and a range of trial indices. `run` executes the units of each look;
//! sharding and adaptive batches are different cuts of the same units. The plan also estimates its cost
//! ([`Plan::cost`]) and warns about what it will run ([`Plan::warnings`]).

mod cost;
mod json;
mod shard;

use std::ops::Range;

pub use cost::{Cost, default_memory_limit, parse_bytes};
pub(crate) use shard::Piece;
pub use shard::ShardId;

use crate::diagnostics::Diagnostic;
use crate::spec::{Designs, Spec, Trials};

/// The fewest Monte Carlo trials per point for a simulated claim (`agree`, `equal`, `holds`).
///
/// The claims decide with t-intervals at the Holm-adjusted level α/m, where m counts every tested point and
/// series. With fewer than 30 trials the t quantile at such levels (e.g. α/m = 0.01/20, two-sided) is more than
/// about 12 % above the normal one and grows quickly: the intervals become too wide for the claim to be decided,
/// and the normal approximation of the mean of heavy-tailed risks is doubtful.
pub(crate) const MIN_TRIALS: usize = 30;

/// What the command line changes in a run (`--seed`, `--trials`); the spec itself is never modified.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides {
    /// Replaces the spec's seed.
    pub seed: Option<u64>,
    /// A draft run: every simulated experiment runs exactly this many trials per point instead of its own.
    pub trials: Option<usize>,
}

/// What a run of a spec will do: the seed, and every experiment's trials cut into looks of work units.
#[derive(Clone, Debug)]
pub struct Plan<'s> {
    /// The spec, as resolved.
    spec: &'s Spec,
    /// The seed every random stream derives from.
    seed: u64,
    /// The `--trials N` draft override, if any.
    draft: Option<usize>,
    /// One schedule per experiment, in spec order.
    schedules: Vec<Schedule>,
}

/// How one experiment runs: theory only (no looks), or its trials in one or more looks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Schedule {
    /// The trials it runs (after the overrides); `None` for theory only.
    pub(crate) trials: Option<Trials>,
    /// The looks, in order; empty for theory only. The claims look at the data after each one
    /// (`trials auto`) and split their error rate over them.
    pub(crate) looks: Vec<Look>,
}

/// One batch of an experiment's trials: after it, every point has `trials.end` trials.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Look {
    /// The trial indices this look adds; the looks before it simulated `0..trials.start`.
    pub(crate) trials: Range<usize>,
    /// The work, in point order.
    pub(crate) units: Vec<WorkUnit>,
}

/// The smallest piece of simulation a plan schedules: trials `trials` of one point of one experiment.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct WorkUnit {
    /// The experiment (index into [`Spec::experiments`]).
    pub(crate) experiment: usize,
    /// Its point, or all of them when they share designs.
    pub(crate) points: Points,
    /// The trial indices.
    pub(crate) trials: Range<usize>,
    /// Estimated floating-point operations of one trial at one of its points (their mean for a nested sweep),
    /// which weighs the progress of a run ([`cost`]).
    pub(crate) flops: f64,
}

/// The points a [`WorkUnit`] simulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Points {
    /// The point with this index into the experiment's sample sizes (`designs independent`).
    One(usize),
    /// Every point at once, each trial's designs the leading rows of one design at the largest n
    /// (`designs nested`).
    Nested,
}

impl<'s> Plan<'s> {
    /// The plan of `spec` with the command line's `overrides`.
    pub fn new(spec: &'s Spec, overrides: Overrides) -> Self {
        let schedules = (0..spec.experiments.len()).map(|i| schedule(spec, i, overrides.trials)).collect();
        Plan { spec, seed: overrides.seed.unwrap_or(spec.seed), draft: overrides.trials, schedules }
    }

    /// The spec the plan runs.
    pub fn spec(&self) -> &'s Spec {
        self.spec
    }

    /// The name of experiment `index` (as in [`Tick::experiment`](crate::Tick)).
    ///
    /// # Panics
    /// If `index` is not an experiment of the spec.
    pub fn experiment_name(&self, index: usize) -> &'s str {
        &self.spec.experiments[index].name
    }

    /// The seed every random stream derives from.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// The `--trials N` draft override, if any.
    pub(crate) fn draft(&self) -> Option<usize> {
        self.draft
    }

    /// The schedule of experiment `index` (into [`Spec::experiments`]).
    pub(crate) fn schedule(&self, index: usize) -> &Schedule {
        &self.schedules[index]
    }

    /// The most Monte Carlo trials the run performs (adaptive experiments at their cap), summed over points.
    pub fn total_trials(&self) -> u64 {
        self.units().map(|u| u.work(self.spec).0).sum()
    }

    /// The estimated floating-point operations of all those trials: what a progress report weighs them by.
    pub fn total_flops(&self) -> f64 {
        self.units().map(|u| u.work(self.spec).1).sum()
    }

    /// Every work unit, in run order.
    fn units(&self) -> impl Iterator<Item = &WorkUnit> {
        self.schedules.iter().flat_map(|s| &s.looks).flat_map(|l| &l.units)
    }

    /// Warnings about what will run: simulated claims on experiments with fewer than [`MIN_TRIALS`] trials at
    /// their first look, located at the claim's rule.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.spec
            .claims
            .iter()
            .filter(|c| c.rule.is_simulated())
            .filter_map(|c| {
                let index = c.rule.experiment();
                let e = &self.spec.experiments[index];
                let trials = self.schedules[index].looks.first()?.trials.end;
                (trials < MIN_TRIALS).then(|| {
                    Diagnostic::warning(
                        c.rule_span,
                        format!(
                            "experiment `{}` has {trials} trials per point, too few for this claim at confidence {}",
                            e.name, c.confidence
                        ),
                    )
                    .with_hint(format!(
                        "t-intervals at the Holm-adjusted level need at least {MIN_TRIALS} trials: raise `trials` \
                         in `{}`",
                        e.name
                    ))
                })
            })
            .collect()
    }
}

impl Schedule {
    /// Whether the claims may stop it early (`trials auto`).
    pub(crate) fn is_adaptive(&self) -> bool {
        matches!(self.trials, Some(Trials::Auto { .. }))
    }
}

impl Look {
    /// The point-trials of this look and their estimated floating-point operations.
    pub(crate) fn work(&self, spec: &Spec) -> (u64, f64) {
        self.units.iter().map(|u| u.work(spec)).fold((0, 0.0), |(t, f), (ut, uf)| (t + ut, f + uf))
    }
}

impl WorkUnit {
    /// Its point-trials and their estimated floating-point operations.
    fn work(&self, spec: &Spec) -> (u64, f64) {
        let trials = (self.trials.len() * self.point_count(spec)) as u64;
        (trials, trials as f64 * self.flops)
    }

    /// How many points the unit simulates.
    pub(crate) fn point_count(&self, spec: &Spec) -> usize {
        match self.points {
            Points::One(_) => 1,
            Points::Nested => spec.experiments[self.experiment].sizes.len(),
        }
    }
}

/// The schedule of experiment `index`: its looks ([`Trials::looks`]), each cut into one unit per point, or one
/// unit for the nested sweep. A draft override replaces the trials of every simulated experiment.
fn schedule(spec: &Spec, index: usize, draft: Option<usize>) -> Schedule {
    let e = &spec.experiments[index];
    let Some(trials) = e.trials.filter(|_| e.measure.is_simulated()) else {
        return Schedule { trials: None, looks: Vec::new() };
    };
    let trials = draft.map_or(trials, Trials::Fixed);
    let p = e.task.spectrum.lambda.len();
    let point_flops = |i: usize| cost::trial_flops(e, e.sizes[i], p);
    let points: Vec<(Points, f64)> = match e.designs {
        Designs::Independent => (0..e.sizes.len()).map(|i| (Points::One(i), point_flops(i))).collect(),
        // A sweep's trial shares one draw and factorisation between its points: its cost per point is the mean.
        Designs::Nested => vec![(Points::Nested, cost::sweep_trial_flops(e) / e.sizes.len() as f64)],
    };
    let ends = trials.looks();
    let starts = std::iter::once(0).chain(ends.iter().copied());
    let looks = starts
        .zip(&ends)
        .map(|(start, &end)| Look {
            trials: start..end,
            units: points
                .iter()
                .map(|&(points, flops)| WorkUnit { experiment: index, points, trials: start..end, flops })
                .collect(),
        })
        .collect();
    Schedule { trials: Some(trials), looks }
}

#[cfg(test)]
mod tests;
