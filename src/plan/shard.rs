//! Shards of a plan: its work units cut into N slices of nearly equal estimated cost, for runs split across the
//! machines of a cluster (`build --shard K/N`) and merged afterwards (`merge`).
//!
//! The cut is a function of the plan alone, so the merge recomputes it and checks every shard against it. Every
//! look's work units, adaptive experiments' up to their cap (a shard cannot know where the stopping rule will stop;
//! the merge replays it), are laid end to end in run order, each trial weighing its estimated floating-point
//! operations. Shard k takes the trials whose midpoint falls in [k·C/N, (k+1)·C/N), C the total: a unit crossing a
//! boundary is split between trials, so every shard's cost is within one trial of C/N, however few points an
//! experiment has. Trials are independent random streams and the run sums them exactly, so any cut merges into
//! exactly the numbers of a single run.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{Plan, Points, WorkUnit};

/// Shard `index` of `count` (0 ≤ index < count), as `--shard K/N` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardId {
    /// K, 0-based (as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are).
    pub index: usize,
    /// N ≥ 1.
    pub count: usize,
}

/// Part of one look's work unit: some of its trials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Piece {
    /// The experiment (index into the spec's experiments).
    pub(crate) experiment: usize,
    /// The look (index into its schedule's looks).
    pub(crate) look: usize,
    /// The unit's points.
    pub(crate) points: Points,
    /// The trials, a part of the unit's.
    pub(crate) trials: Range<usize>,
}

impl Plan<'_> {
    /// blake3 (hex) of everything that determines the plan's numbers: the resolved experiments (with the values of
    /// the data files they read), the seed and the `--trials` override. The shards of one run share it.
    pub(crate) fn fingerprint(&self) -> String {
        let bytes =
            postcard::to_allocvec(&(self.seed, self.draft, &self.spec.experiments)).expect("plain data serialises");
        blake3::hash(&bytes).to_hex().to_string()
    }

    /// The point-trials of shard `id` and their estimated floating-point operations, for its progress.
    ///
    /// # Panics
    /// If `id.index` is not below `id.count`.
    pub fn shard_work(&self, id: ShardId) -> (u64, f64) {
        self.shard(id).iter().fold((0, 0.0), |(trials, flops), piece| {
            let unit = WorkUnit { trials: piece.trials.clone(), ..self.unit_of(piece).clone() };
            let (t, f) = unit.work(self.spec);
            (trials + t, flops + f)
        })
    }

    /// The work unit `piece` is part of.
    pub(crate) fn unit_of(&self, piece: &Piece) -> &WorkUnit {
        let look = &self.schedules[piece.experiment].looks[piece.look];
        look.units
            .iter()
            .find(|u| u.points == piece.points)
            .expect("a piece of the plan's cut is part of one of its units")
    }

    /// The pieces of work of shard `id`, in run order (empty when the plan simulates nothing, or has fewer trials
    /// than shards).
    ///
    /// # Panics
    /// If `id.index` is not below `id.count`.
    pub(crate) fn shard(&self, id: ShardId) -> Vec<Piece> {
        assert!(id.index < id.count, "shard {} of {}", id.index, id.count);
        let units: Vec<(usize, &WorkUnit)> = (self.schedules.iter())
            .flat_map(|s| s.looks.iter().enumerate())
            .flat_map(|(look, l)| l.units.iter().map(move |u| (look, u)))
            .collect();
        let weight = |u: &WorkUnit| u.flops * u.point_count(self.spec) as f64;
        let total: f64 = units.iter().map(|(_, u)| weight(u) * u.trials.len() as f64).sum();
        let (start, end) = (id.index as f64 * total / id.count as f64, (id.index + 1) as f64 * total / id.count as f64);
        let mut pieces = Vec::new();
        let mut before = 0.0;
        for (look, unit) in units {
            let (cost, len) = (weight(unit), unit.trials.len());
            // The first trial of the unit whose midpoint, before + (t + ½)·cost, reaches `at`.
            let first = |at: f64| ((at - before) / cost - 0.5).ceil().clamp(0.0, len as f64) as usize;
            let (from, to) = (first(start), if id.index + 1 == id.count { len } else { first(end) });
            if from < to {
                let trials = unit.trials.start + from..unit.trials.start + to;
                pieces.push(Piece { experiment: unit.experiment, look, points: unit.points, trials });
            }
            before += cost * len as f64;
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Overrides, parse, resolve};

    /// A spec with an adaptive experiment (looks of 100, 200, 400 at a cap of 400), a fixed one of 3 points and a
    /// nested one.
    const SPEC: &str = r#"
title "shards"
seed 3
spectrum cov = powerlaw(p: 60, alpha: 1.5)
signal beta = powerlaw_energy(cov, beta: 1.2)
task t = gaussian(cov, beta, noise: 0.1)
surrogate truth = ground_truth
surrogate best = optimal
experiment a {
  task t
  n [10, 40]
  surrogates truth, best
  trials auto(max: 400)
}
experiment b {
  task t
  n [10, 20, 80]
  surrogates truth, best
  trials 37
}
experiment c {
  task t
  n [10, 20, 30]
  surrogates truth, best
  designs nested
  trials 50
}
"#;

    /// Every trial of every unit, as (experiment, look, points, trial), in run order.
    fn trials(plan: &Plan<'_>) -> Vec<(usize, usize, Points, usize)> {
        (plan.schedules.iter())
            .flat_map(|s| s.looks.iter().enumerate())
            .flat_map(|(k, l)| {
                l.units.iter().flat_map(move |u| u.trials.clone().map(move |t| (u.experiment, k, u.points, t)))
            })
            .collect()
    }

    #[test]
    fn shards_partition_every_trial_in_run_order_with_costs_within_one_trial_of_the_mean() {
        let spec = resolve(&parse(SPEC).unwrap(), SPEC, std::path::Path::new(".")).unwrap();
        let plan = Plan::new(&spec, Overrides::default());
        let all = trials(&plan);
        let cost = |e: usize, points: Points| {
            let unit = plan.schedules[e].looks[0].units.iter().find(|u| u.points == points).unwrap();
            unit.flops * unit.point_count(&spec) as f64
        };
        let largest = all.iter().map(|&(e, _, p, _)| cost(e, p)).fold(0.0, f64::max);
        let total: f64 = all.iter().map(|&(e, _, p, _)| cost(e, p)).sum();
        for count in [1, 2, 3, 7, 40, 5000] {
            let shards: Vec<Vec<Piece>> = (0..count).map(|index| plan.shard(ShardId { index, count })).collect();
            // Concatenated in shard order, the pieces are every trial exactly once, in run order.
            let joined: Vec<_> = (shards.iter().flatten())
                .flat_map(|p| p.trials.clone().map(move |t| (p.experiment, p.look, p.points, t)))
                .collect();
            assert_eq!(joined, all, "{count} shards");
            for (k, shard) in shards.iter().enumerate() {
                let spent: f64 = shard.iter().map(|p| cost(p.experiment, p.points) * p.trials.len() as f64).sum();
                assert!((spent - total / count as f64).abs() <= largest * (1.0 + 1e-9), "shard {k}/{count}: {spent}");
            }
        }
    }

    #[test]
    fn a_plan_without_simulation_has_empty_shards() {
        let theory = ["  trials auto(max: 400)\n", "  trials 37\n", "  trials 50\n", "  designs nested\n"]
            .iter()
            .fold(SPEC.to_owned(), |s, t| s.replace(t, ""));
        let spec = resolve(&parse(&theory).unwrap(), &theory, std::path::Path::new(".")).unwrap();
        let plan = Plan::new(&spec, Overrides::default());
        assert!((0..3).all(|index| plan.shard(ShardId { index, count: 3 }).is_empty()));
    }
}
