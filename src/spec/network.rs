//! Random-feature two-layer networks f(x) = aᵀφ(Wx) and the data tasks they learn (issue 18 items 2 and 3): the
//! first layer W is random and fixed, the second layer a is fitted by the engine's estimators.

use std::sync::Arc;

use super::dataset::Dataset;

/// The activation φ of a random-feature network's hidden units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Activation {
    /// φ(t) = max(t, 0).
    Relu,
    /// φ(t) = tanh t.
    Tanh,
}

impl Activation {
    /// φ(t).
    pub(crate) fn apply(self, t: f64) -> f64 {
        match self {
            Activation::Relu => t.max(0.0),
            Activation::Tanh => t.tanh(),
        }
    }
}

/// What a teacher network hands its student for each row: the one-hot vector of its predicted class (hard labels)
/// or its output vector itself (soft labels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Output {
    /// e_k, k = argmax of the teacher's outputs.
    Hard,
    /// The teacher's outputs f(x) ∈ ℝ^classes.
    Soft,
}

/// The random first layer of a network: `width` hidden units φ(w_jᵀx), w_j with i.i.d. N(0, 1/d) entries, drawn
/// afresh in every trial from the trial's streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct RandomFeatures {
    /// The number of hidden units.
    pub(crate) width: usize,
    /// Their activation.
    pub(crate) activation: Activation,
}

/// A weak teacher: a random-feature network trained in every trial on `m` rows with their true labels (one-hot),
/// which then labels the student's rows.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Network {
    /// Its hidden layer.
    pub(crate) hidden: RandomFeatures,
    /// The rows it is trained on.
    pub(crate) m: usize,
    /// The input features it sees (all d when `None`).
    pub(crate) inputs: Option<Inputs>,
    /// The ridge penalty λ of its second layer (0: minimum norm or least squares).
    pub(crate) ridge: f64,
    /// Hard or soft labels for the student.
    pub(crate) output: Output,
}

/// Which of a data set's d input features a network (or an ERM surrogate, of its p) sees, as `features` writes
/// it: checked against d with the task, since a surrogate is declared without one.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Inputs {
    /// The first k.
    First(usize),
    /// These, 0-based and increasing.
    Among(Vec<usize>),
    /// `keep` of the d drawn without replacement from `seed` (the `random_mask` generator).
    Random {
        /// How many.
        keep: usize,
        /// The generator's seed.
        seed: u64,
    },
}

impl Inputs {
    /// Whether it names inputs among d.
    pub(crate) fn fits(&self, d: usize) -> bool {
        match self {
            Inputs::First(k) | Inputs::Random { keep: k, .. } => *k <= d,
            Inputs::Among(s) => s.last().is_none_or(|&i| i < d),
        }
    }

    /// How many inputs it sees.
    pub(crate) fn count(&self) -> usize {
        match self {
            Inputs::First(k) | Inputs::Random { keep: k, .. } => *k,
            Inputs::Among(s) => s.len(),
        }
    }

    /// The 0-based inputs it sees among d, increasing.
    ///
    /// # Panics
    /// If it does not fit d ([`Self::fits`]; the resolver checks it).
    #[track_caller]
    pub(crate) fn columns(&self, d: usize) -> Vec<usize> {
        assert!(self.fits(d), "{self:?} among {d} inputs");
        match self {
            Inputs::First(k) => (0..*k).collect(),
            Inputs::Among(s) => s.clone(),
            Inputs::Random { keep, seed } => super::random_subset(d, *keep, *seed),
        }
    }

    /// How a label names them: `12`, `3 listed`, `40 at random, seed 7`.
    pub(crate) fn words(&self) -> String {
        match self {
            Inputs::First(k) => k.to_string(),
            Inputs::Among(s) => format!("{} listed", s.len()),
            Inputs::Random { keep, seed } => format!("{keep} at random, seed {seed}"),
        }
    }
}

/// A task whose rows come from a dataset: in every trial, `test` rows drawn at random are held out to measure
/// accuracy, and the training rows are drawn from the rest.
#[derive(Clone, Debug)]
pub(crate) struct Rows {
    /// The dataset, its features standardised ([`Dataset::standardised`]).
    pub(crate) data: Arc<Dataset>,
    /// Rows held out for testing in every trial.
    pub(crate) test: usize,
    /// [`Dataset::digest`] of `data`, computed once (1.2 GB are hashed for CIFAR-10's training images).
    digest: [u8; 32],
}

impl Rows {
    /// The rows of `data`, its features standardised, with `test` of them held out in every trial.
    pub(crate) fn new(data: Dataset, test: usize) -> Self {
        let data = data.standardised();
        let digest = data.digest();
        Self { data: Arc::new(data), test, digest }
    }
}

impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        (self.digest, self.test) == (other.digest, other.test)
    }
}

impl serde::Serialize for Rows {
    /// The dataset by name and content hash (the cache key follows the values, not the whole matrix).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Rows", 3)?;
        s.serialize_field("data", &self.data.name)?;
        s.serialize_field("blake3", &blake3::Hash::from(self.digest).to_hex().as_str())?;
        s.serialize_field("test", &self.test)?;
        s.end()
    }
}
