//! The coordinates a weak ERM fit sees (issue 17 item 6): the first p_s, or any subset S of them.

use super::error::TheoryError;

/// Which features an ERM surrogate fits on, owned: the first p_s (the paper's weak surrogate) or the coordinates
/// listed (0-based, increasing, distinct). Serialised as the number p_s or the list, so the first-p_s form keeps
/// the cache keys it always had.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub(crate) enum Features {
    /// The first p_s features.
    First(usize),
    /// These features, 0-based and increasing.
    Among(Vec<usize>),
}

impl Features {
    /// The borrowed view the theory and the simulation work with.
    pub(crate) fn kept(&self) -> Kept<'_> {
        match self {
            Features::First(k) => Kept::First(*k),
            Features::Among(s) => Kept::Among(s),
        }
    }
}

/// Which features a fit sees, borrowed: the first p_s, or the coordinates S listed (0-based, increasing).
///
/// Under a diagonal spectrum the coordinates are independent, so whatever S is, the omitted ones act as label
/// noise Σ_{i∉S} λ_i β_i² and the fit is the ordinary estimator on the kept spectrum; the moments are then placed
/// back at their coordinates (0 off S). Gathering the first p_s coordinates in order gives exactly the vectors
/// the first-p_s split gives, so both forms agree bit for bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kept<'a> {
    /// The first p_s.
    First(usize),
    /// These coordinates, 0-based and increasing.
    Among(&'a [usize]),
}

impl Kept<'_> {
    /// p_s = |S|.
    pub(crate) fn count(self) -> usize {
        match self {
            Kept::First(k) => k,
            Kept::Among(s) => s.len(),
        }
    }

    /// Whether S is the first |S| coordinates (how messages name it).
    pub(crate) fn is_first(self) -> bool {
        match self {
            Kept::First(_) => true,
            Kept::Among(s) => s.iter().enumerate().all(|(i, &j)| i == j),
        }
    }

    /// `Err(InvalidFeatures)` unless 1 ≤ |S| ≤ p and S is increasing within 0..p.
    pub(crate) fn check(self, p: usize) -> Result<(), TheoryError> {
        let valid = match self {
            Kept::First(k) => (1..=p).contains(&k),
            Kept::Among(s) => {
                !s.is_empty() && s.windows(2).all(|w| w[0] < w[1]) && s.last().is_some_and(|&last| last < p)
            }
        };
        if valid { Ok(()) } else { Err(TheoryError::InvalidFeatures { features: self.count(), p }) }
    }

    /// Whether coordinate i is kept.
    pub(crate) fn contains(self, i: usize) -> bool {
        match self {
            Kept::First(k) => i < k,
            Kept::Among(s) => s.binary_search(&i).is_ok(),
        }
    }

    /// The kept entries of `values`, in increasing coordinate order.
    pub(crate) fn gather(self, values: &[f64]) -> Vec<f64> {
        match self {
            Kept::First(k) => values[..k].to_vec(),
            Kept::Among(s) => s.iter().map(|&i| values[i]).collect(),
        }
    }

    /// The omitted coordinates of 0..p, increasing.
    pub(crate) fn omitted(self, p: usize) -> impl Iterator<Item = usize> {
        (0..p).filter(move |&i| !self.contains(i))
    }

    /// A vector of length p holding `kept` at the kept coordinates and 0 elsewhere.
    #[track_caller]
    pub(crate) fn scatter(self, mut kept: Vec<f64>, p: usize) -> Vec<f64> {
        assert_eq!(kept.len(), self.count(), "one value per kept coordinate");
        match self {
            Kept::First(_) => {
                kept.resize(p, 0.0);
                kept
            }
            Kept::Among(s) => {
                let mut full = vec![0.0; p];
                for (&i, v) in s.iter().zip(kept) {
                    full[i] = v;
                }
                full
            }
        }
    }
}
