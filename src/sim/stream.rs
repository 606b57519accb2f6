//! Per-trial random streams: every trial owns an independent, named generator.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::entries::Entries;
use super::normal::fill_scaled_normals;

/// blake3 key-derivation context; changing it changes every simulated number.
const STREAM_CONTEXT: &str = "kdrepro 2025 sim trial stream v1";

/// Names the streams of one simulated point: (spec seed, experiment name, point index).
///
/// Trial `t` of the point gets the stream seeded by
/// `blake3_derive_key(CONTEXT, seed ‖ len(experiment) ‖ experiment ‖ point ‖ t)`, all integers as
/// little-endian `u64`. Streams therefore do not depend on thread count or trial order, and the
/// trials `0..k` of a run are a prefix of the trials `0..K` of a longer one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamKey {
    /// The spec's global seed.
    pub(crate) seed: u64,
    /// The experiment's name in the spec.
    pub(crate) experiment: String,
    /// Index of the point (e.g. the sample size n) inside the experiment.
    pub(crate) point: usize,
}

impl StreamKey {
    /// Creates the key of one point of one experiment.
    pub(crate) fn new(seed: u64, experiment: &str, point: usize) -> Self {
        Self { seed, experiment: experiment.to_owned(), point }
    }

    /// The 32-byte seed of trial `trial` (see the type's documentation for the encoding).
    pub(crate) fn trial_seed(&self, trial: usize) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new_derive_key(STREAM_CONTEXT);
        hasher.update(&self.seed.to_le_bytes());
        hasher.update(&(self.experiment.len() as u64).to_le_bytes());
        hasher.update(self.experiment.as_bytes());
        hasher.update(&(self.point as u64).to_le_bytes());
        hasher.update(&(trial as u64).to_le_bytes());
        *hasher.finalize().as_bytes()
    }

    /// The key of trial `trial`, from which all its streams derive.
    pub(crate) fn trial(&self, trial: usize) -> TrialKey {
        TrialKey { seed: self.trial_seed(trial) }
    }
}

/// Who draws: the target stage (source 0) or the surrogate stage of ERM column `j` (source 1 + j).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// The target stage's design and noise.
    Target,
    /// The surrogate-data stage of the ERM surrogate column with this index (the last generation of a chain).
    Erm(usize),
    /// An earlier generation of the chain of ERM column `column`: `back` ≥ 1 generations before the last.
    ErmGeneration {
        /// The ERM column.
        column: usize,
        /// How many generations before the column's own.
        back: usize,
    },
}

/// What is drawn from a source: its label noise or one block of design columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Draw {
    /// The label noise vector.
    Noise,
    /// Design columns `b·DRAW_BLOCK .. (b+1)·DRAW_BLOCK` (in the eigenbasis).
    DesignBlock(usize),
    /// The training rows of a data set (sim/rows.rs).
    Rows,
}

/// Width (columns) of the design blocks that each have their own stream, so that a block can be
/// regenerated alone (the streamed min-norm path) and gives the same numbers as in a full draw.
pub(crate) const DRAW_BLOCK: usize = 64;

/// The key of one trial. Its streams are independent and named:
/// `seed(source, draw) = blake3_keyed(trial seed; source ‖ kind ‖ block)` as little-endian `u64`s, with
/// source = 0 (target), 1 + j (ERM column j) or 1 + j + 2⁴⁰·b (the generation b before ERM column j's own), kind = 0
/// (noise), 1 (design block) or 2 (the rows of a data set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TrialKey {
    seed: [u8; 32],
}

impl TrialKey {
    /// The stream of `draw` for `source`.
    pub(crate) fn stream(&self, source: Source, draw: Draw) -> TrialStream {
        let source = match source {
            Source::Target => 0_u64,
            Source::Erm(j) => 1 + j as u64,
            // Columns stay far below 2⁴⁰, so the generation in the high bits never meets another source.
            Source::ErmGeneration { column, back } => 1 + column as u64 + ((back as u64) << 40),
        };
        let (kind, block) = match draw {
            Draw::Noise => (0_u64, 0_u64),
            Draw::DesignBlock(b) => (1, b as u64),
            Draw::Rows => (2, 0),
        };
        let mut message = [0_u8; 24];
        for (chunk, v) in message.chunks_exact_mut(8).zip([source, kind, block]) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        let seed = *blake3::keyed_hash(&self.seed, &message).as_bytes();
        TrialStream { rng: Xoshiro256PlusPlus::from_seed(seed) }
    }
}

/// The stream of a named one-off draw that is not part of a trial (e.g. a design's rotation).
pub(crate) fn named_stream(name: &str, seed: u64) -> TrialStream {
    let mut hasher = blake3::Hasher::new_derive_key(STREAM_CONTEXT);
    hasher.update(name.as_bytes());
    hasher.update(&seed.to_le_bytes());
    TrialStream { rng: Xoshiro256PlusPlus::from_seed(*hasher.finalize().as_bytes()) }
}

/// One random stream: xoshiro256++ (a fixed, version-stable algorithm).
#[derive(Clone, Debug)]
pub(crate) struct TrialStream {
    rng: Xoshiro256PlusPlus,
}

impl TrialStream {
    /// Fills `out` with `scale · g`, g i.i.d. standard normal (ziggurat), in slice order.
    pub(crate) fn fill_scaled_normals(&mut self, out: &mut [f64], scale: f64) {
        fill_scaled_normals(&mut self.rng, out, scale);
    }

    /// A uniform index in 0..bound (bound ≥ 1): multiply-shift of one raw 64-bit draw (bias below 2⁻⁴⁰ for
    /// bound < 2²⁴; the same map as the random masks', spec/subset.rs).
    pub(crate) fn index_below(&mut self, bound: usize) -> usize {
        ((u128::from(rand::Rng::next_u64(&mut self.rng)) * bound as u128) >> 64) as usize
    }

    /// A uniformly random order of 0..len: Fisher–Yates, each swap partner drawn by [`Self::index_below`] (as
    /// [`crate::spec::random_mask`]).
    pub(crate) fn permutation(&mut self, len: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..len).collect();
        for i in 0..len.saturating_sub(1) {
            let j = i + self.index_below(len - i);
            order.swap(i, j);
        }
        order
    }

    /// Fills `out` with `scale · z`, z i.i.d. of the law `entries`, in slice order.
    pub(crate) fn fill_scaled(&mut self, entries: Entries, out: &mut [f64], scale: f64) {
        entries.fill_scaled(&mut self.rng, out, scale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(key: &StreamKey, trial: usize) -> Vec<f64> {
        let mut out = vec![0.0; 16];
        key.trial(trial).stream(Source::Target, Draw::Noise).fill_scaled_normals(&mut out, 1.0);
        out
    }

    #[test]
    fn same_key_gives_same_numbers() {
        let key = StreamKey::new(7, "fig1b", 3);
        assert_eq!(draws(&key, 5), draws(&key.clone(), 5));
    }

    #[test]
    fn every_key_component_changes_the_stream() {
        let base = StreamKey::new(7, "fig1b", 3);
        let reference = draws(&base, 5);
        assert_ne!(reference, draws(&base, 6), "trial index");
        assert_ne!(reference, draws(&StreamKey::new(7, "fig1b", 4), 5), "point index");
        assert_ne!(reference, draws(&StreamKey::new(7, "fig2b", 3), 5), "experiment");
        assert_ne!(reference, draws(&StreamKey::new(8, "fig1b", 3), 5), "seed");
    }

    #[test]
    fn every_draw_of_a_trial_has_its_own_stream() {
        let trial = StreamKey::new(7, "fig1b", 3).trial(5);
        let sample = |source, draw| {
            let mut out = vec![0.0; 8];
            trial.stream(source, draw).fill_scaled_normals(&mut out, 1.0);
            out
        };
        let reference = sample(Source::Target, Draw::Noise);
        assert_eq!(reference, sample(Source::Target, Draw::Noise), "streams are reproducible");
        assert_ne!(reference, sample(Source::Target, Draw::DesignBlock(0)));
        assert_ne!(sample(Source::Target, Draw::DesignBlock(0)), sample(Source::Target, Draw::DesignBlock(1)));
        assert_ne!(reference, sample(Source::Erm(0), Draw::Noise));
        assert_ne!(sample(Source::Erm(0), Draw::Noise), sample(Source::Erm(1), Draw::Noise));
    }

    #[test]
    fn experiment_name_is_length_prefixed() {
        // Without the length prefix, ("ab", point) and ("a", ...) could collide on shifted bytes.
        let a = StreamKey::new(1, "a", 0).trial_seed(0);
        let b = StreamKey::new(1, "ab", 0).trial_seed(0);
        assert_ne!(a, b);
    }

    #[test]
    fn normals_have_unit_variance() {
        // Mean 0 and variance 1 within 5 standard errors on 20 000 draws.
        let mut out = vec![0.0; 20_000];
        StreamKey::new(1, "moments", 0).trial(0).stream(Source::Target, Draw::Noise).fill_scaled_normals(&mut out, 2.0);
        let n = out.len() as f64;
        let mean = out.iter().sum::<f64>() / n;
        let var = out.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!(mean.abs() < 5.0 * 2.0 / n.sqrt(), "mean {mean}");
        // Var of the sample variance of N(0, 4): 2·16/(n−1).
        assert!((var - 4.0).abs() < 5.0 * (32.0 / n).sqrt(), "var {var}");
    }
}
