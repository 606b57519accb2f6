//! Sharded runs. A shard simulates its pieces of the plan ([`Plan::shard`]) into the exact sums of their trials;
//! the merge adds the pieces of all shards back into the sums of each look's work units, which [`run`](super::run)
//! then reads instead of simulating. The sums are exact, so the merged results are bit-identical to a single run's.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};

use super::error::RunError;
use super::run::{PointSums, PointTheory, RunOptions, checked_theories, simulate_unit};
use crate::plan::{Piece, Plan, Points, ShardId, WorkUnit};

/// What a shard simulated: each of its pieces with the sums of its points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardWork {
    /// In run order.
    pub(crate) pieces: Vec<PieceSums>,
}

/// One piece of a shard and what it simulated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct PieceSums {
    /// The piece.
    #[serde(flatten)]
    pub(crate) piece: Piece,
    /// Per point of its unit, in point order: the sums of its trials.
    pub(crate) sums: Vec<PointSums>,
}

impl PieceSums {
    /// Whether its sums fit its unit in `plan`: one per point of the unit, each of the experiment's series and
    /// the piece's trial count (a damaged or foreign shard file may hold anything).
    ///
    /// # Errors
    /// What does not fit, in words.
    pub(crate) fn check(&self, plan: &Plan<'_>) -> Result<(), String> {
        let (piece, e) = (&self.piece, &plan.spec().experiments[self.piece.experiment]);
        let expected = plan.unit_of(piece).point_count(plan.spec());
        let fits = |p: &PointSums| p.sums.fits(e.surrogates.len(), &piece.trials) && p.fallbacks <= piece.trials.len();
        if self.sums.len() == expected && self.sums.iter().all(fits) {
            return Ok(());
        }
        Err(format!(
            "damaged shard file: the sums of experiment `{}`, look {}, trials {}..{} cannot be those of {expected} \
             point(s) of {} series and {} trials each",
            e.name,
            piece.look + 1,
            piece.trials.start,
            piece.trials.end,
            e.surrogates.len(),
            piece.trials.len()
        ))
    }
}

/// Runs shard `id` of `plan`: simulates its pieces, each experiment's theory computed once before its first piece
/// (a point the theory or f64 cannot evaluate is refused, as in a full run).
///
/// Only `options.progress` is used: a shard neither caches nor stops early (every look of an adaptive experiment
/// runs to its cap, and the merge replays the stopping rule).
///
/// # Errors
/// The first experiment, in run order, that cannot be evaluated at the first failing point.
pub fn run_shard(plan: &Plan<'_>, id: ShardId, options: &RunOptions<'_>) -> Result<ShardWork, Vec<RunError>> {
    let spec = plan.spec();
    let mut theories: HashMap<usize, Vec<PointTheory<'_>>> = HashMap::new();
    let mut pieces = Vec::new();
    for piece in plan.shard(id) {
        let e = &spec.experiments[piece.experiment];
        let points = match theories.entry(piece.experiment) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => new.insert(checked_theories(e).map_err(|error| vec![error])?),
        };
        let sums = simulate_unit(plan.seed(), e, points, plan.unit_of(&piece), piece.trials.clone(), options.progress)
            .map_err(|error| vec![error])?;
        pieces.push(PieceSums { piece, sums });
    }
    Ok(ShardWork { pieces })
}

/// The simulated work of a plan, merged from its shards: per look's work unit, the sums of each of its points.
#[derive(Debug)]
pub struct MergedWork {
    /// By (experiment, look, points).
    units: HashMap<(usize, usize, Points), Vec<PointSums>>,
}

impl MergedWork {
    /// Adds up `pieces`, which must be exactly the pieces of every shard of `plan` (the caller checks it against
    /// [`Plan::shard`]), each checked by [`PieceSums::check`].
    pub(crate) fn new(pieces: Vec<PieceSums>) -> Self {
        let mut units: HashMap<(usize, usize, Points), Vec<PointSums>> = HashMap::new();
        for PieceSums { piece, sums: points } in pieces {
            match units.entry((piece.experiment, piece.look, piece.points)) {
                Entry::Vacant(entry) => {
                    entry.insert(points);
                }
                Entry::Occupied(mut entry) => {
                    for (total, part) in entry.get_mut().iter_mut().zip(points) {
                        total.sums.merge(&part.sums);
                        total.fallbacks += part.fallbacks;
                    }
                }
            }
        }
        Self { units }
    }

    /// The sums of `unit`, of look `look`, one per point.
    ///
    /// # Panics
    /// If the unit is not merged: [`MergedWork::new`] was given the pieces of every shard of the plan.
    pub(super) fn unit(&self, unit: &WorkUnit, look: usize) -> Vec<PointSums> {
        self.units.get(&(unit.experiment, look, unit.points)).cloned().expect("every unit of the plan is merged")
    }
}
