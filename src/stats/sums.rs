//! Exact sufficient statistics of a point's simulated trials: the trial count, each series' Σx and every pair's
//! Σx_j·x_k, accumulated without rounding.
//!
//! Sums of f64 values are dyadic rationals m·2^e, kept exactly as big integers. Exact addition is associative
//! and commutative, so trials summed in any order, on any number of threads, or on several machines and added
//! afterwards ([`TrialSums::merge`]) give the same sums, bit for bit; every statistic is then computed from the
//! exact sums and rounded once ([`Dyadic::ratio`], correctly rounded by `num-rational`). This is what lets a
//! sharded run be merged into exactly the numbers of a single run while its shard files hold a few numbers per
//! point instead of every trial.
//!
//! The statistics of a series j and of a paired difference a − b follow from these sums:
//! mean = S/k and s² = (k·Q − S²)/(k(k − 1)), with S = Σx_j, Q = Σx_j² for a series, and S = S_a − S_b,
//! Q = Q_aa − 2Q_ab + Q_bb for the difference (the exact Σ(a − b)², not a sum of rounded differences).

use std::ops::Range;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use rayon::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::{StatsError, check_level};
use super::summary::Summary;

/// An exact dyadic rational `mantissa · 2^exponent`, canonical when written: an odd mantissa, or zero with
/// exponent 0. Two are equal when their values are.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dyadic {
    /// The integer m.
    mantissa: BigInt,
    /// The binary exponent e.
    exponent: i64,
}

/// The integer mantissa and binary exponent of a finite f64: x = m·2^e exactly, |m| < 2^53.
fn decompose(x: f64) -> (i64, i64) {
    let bits = x.to_bits();
    // 11 and 52 bits: both fit i64.
    let field = ((bits >> 52) & 0x7ff).cast_signed();
    let fraction = (bits & ((1 << 52) - 1)).cast_signed();
    // Subnormals have no implicit leading bit and the exponent of the smallest normal.
    let (m, e) = if field == 0 { (fraction, -1074) } else { (fraction | 1 << 52, field - 1075) };
    (if x.is_sign_negative() { -m } else { m }, e)
}

impl Dyadic {
    /// The term `m · 2^e`.
    fn term(m: i128, e: i64) -> Self {
        Self { mantissa: BigInt::from(m), exponent: e }
    }

    /// Adds `other` exactly, the sum aligned at the smaller of the two exponents.
    fn add(&mut self, other: Self) {
        if other.mantissa.is_zero() {
            return;
        }
        if self.mantissa.is_zero() {
            *self = other;
        } else if other.exponent >= self.exponent {
            self.mantissa += other.mantissa << (other.exponent - self.exponent) as usize;
        } else {
            self.mantissa <<= (self.exponent - other.exponent) as usize;
            self.exponent = other.exponent;
            self.mantissa += other.mantissa;
        }
    }

    /// `self · factor`, exactly.
    fn scaled(&self, factor: u64) -> Self {
        Self { mantissa: &self.mantissa * factor, exponent: self.exponent }
    }

    /// `self − other`, exactly.
    fn minus(&self, other: &Self) -> Self {
        let mut difference = self.clone();
        difference.add(Self { mantissa: -&other.mantissa, exponent: other.exponent });
        difference
    }

    /// `self²`, exactly.
    fn squared(&self) -> Self {
        Self { mantissa: &self.mantissa * &self.mantissa, exponent: 2 * self.exponent }
    }

    /// The canonical form: trailing zero bits moved into the exponent.
    fn canonical(mut self) -> Self {
        match self.mantissa.trailing_zeros() {
            None => Self::default(),
            Some(zeros) => {
                self.mantissa >>= zeros as usize;
                self.exponent += i64::try_from(zeros).expect("a bit count fits i64");
                self
            }
        }
    }

    /// `self / denominator` correctly rounded to f64 (to nearest, ties to even; ±∞ beyond the range of f64).
    fn ratio(&self, denominator: u128) -> f64 {
        let (mut numerator, mut denominator) = (self.mantissa.clone(), BigInt::from(denominator));
        if self.exponent >= 0 {
            numerator <<= self.exponent as usize;
        } else {
            denominator <<= self.exponent.unsigned_abs() as usize;
        }
        // `new_raw`: no reduction by the gcd, which the rounding does not need.
        BigRational::new_raw(numerator, denominator).to_f64().expect("a ratio of integers converts to f64")
    }
}

impl PartialEq for Dyadic {
    fn eq(&self, other: &Self) -> bool {
        self.minus(other).mantissa.is_zero()
    }
}

impl Eq for Dyadic {}

/// Written as a hexadecimal float, `m·2^e` as `0x<m>p<e>` (`-0x1bp-3` is −27/8), so that shard files and cache
/// entries stay readable text.
impl Serialize for Dyadic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let canonical = self.clone().canonical();
        let sign = if canonical.mantissa < BigInt::zero() { "-" } else { "" };
        let digits = canonical.mantissa.magnitude().to_str_radix(16);
        serializer.serialize_str(&format!("{sign}0x{digits}p{}", canonical.exponent))
    }
}

impl<'de> Deserialize<'de> for Dyadic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_hex(&text).ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a number like -0x1bp-3")))
    }
}

/// The inverse of `Dyadic`'s serialisation; `None` for anything else.
fn parse_hex(text: &str) -> Option<Dyadic> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (digits, exponent) = unsigned.strip_prefix("0x")?.split_once('p')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let magnitude = BigInt::parse_bytes(digits.as_bytes(), 16)?;
    let mantissa = if negative { -magnitude } else { magnitude };
    Some(Dyadic { mantissa, exponent: exponent.parse().ok()? }.canonical())
}

/// The earlier of two trial indices, either of which may be absent.
fn earliest(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    a.into_iter().chain(b).min()
}

/// The exact sufficient statistics of a point's trials, for a fixed number of series (surrogates).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TrialSums {
    /// Trials summed.
    count: usize,
    /// Σx_j per series j.
    sums: Vec<Dyadic>,
    /// Σx_j·x_k per pair j ≤ k, the upper triangle row by row.
    products: Vec<Dyadic>,
    /// Per series, the first trial (by its index) whose value is not finite: such values are left out of the sums,
    /// and every statistic of the series is then [`StatsError::NonFinite`].
    non_finite: Vec<Option<usize>>,
}

/// Trials summed by one task when a block of trials is summed in parallel.
const CHUNK: usize = 256;

impl TrialSums {
    /// No trials of `series` series.
    pub(crate) fn new(series: usize) -> Self {
        Self {
            count: 0,
            sums: vec![Dyadic::default(); series],
            products: vec![Dyadic::default(); series * (series + 1) / 2],
            non_finite: vec![None; series],
        }
    }

    /// The sums of trials `trials`, whose values are `columns[j][t]` for series j and the t-th of those trials
    /// (every column as long as the range), summed in parallel blocks.
    ///
    /// # Panics
    /// If a column's length differs from the range's.
    pub(crate) fn of_columns(trials: Range<usize>, columns: &[&[f64]]) -> Self {
        assert!(columns.iter().all(|c| c.len() == trials.len()), "one value per trial and series");
        let series = columns.len();
        let blocks: Vec<usize> = trials.clone().step_by(CHUNK).collect();
        blocks
            .par_iter()
            .map(|&start| {
                let mut sums = Self::new(series);
                let mut row = vec![0.0; series];
                for trial in start..(start + CHUNK).min(trials.end) {
                    row.iter_mut().zip(columns).for_each(|(x, c)| *x = c[trial - trials.start]);
                    sums.push(trial, &row);
                }
                sums
            })
            .reduce(
                || Self::new(series),
                |mut a, b| {
                    a.merge(&b);
                    a
                },
            )
    }

    /// Adds one trial, of index `trial`, with value `row[j]` for series j.
    fn push(&mut self, trial: usize, row: &[f64]) {
        self.count += 1;
        let mut pair = 0;
        for (j, &x) in row.iter().enumerate() {
            if !x.is_finite() {
                self.non_finite[j] = earliest(self.non_finite[j], Some(trial));
                pair += row.len() - j;
                continue;
            }
            let (mx, ex) = decompose(x);
            self.sums[j].add(Dyadic::term(i128::from(mx), ex));
            for &y in &row[j..] {
                if y.is_finite() {
                    let (my, ey) = decompose(y);
                    self.products[pair].add(Dyadic::term(i128::from(mx) * i128::from(my), ex + ey));
                }
                pair += 1;
            }
        }
    }

    /// Adds the trials of `other` (other trials of the same series), exactly.
    ///
    /// # Panics
    /// If the two have different numbers of series.
    pub(crate) fn merge(&mut self, other: &Self) {
        assert_eq!(self.sums.len(), other.sums.len(), "sums of the same series");
        self.count += other.count;
        self.sums.iter_mut().zip(&other.sums).for_each(|(a, b)| a.add(b.clone()));
        self.products.iter_mut().zip(&other.products).for_each(|(a, b)| a.add(b.clone()));
        for (a, b) in self.non_finite.iter_mut().zip(&other.non_finite) {
            *a = earliest(*a, *b);
        }
    }

    /// Whether these could be the sums of trials `trials` of `series` series (what a file read back must be before
    /// it is merged): the count and shapes, a first non-finite value among those trials, and sums that real values
    /// can have, k·Σx² ≥ (Σx)² for every series and every paired difference (Cauchy–Schwarz; exact, so a
    /// single edited digit of a real file breaks it more often than not, and nothing that passes makes a
    /// variance negative).
    pub(crate) fn fits(&self, series: usize, trials: &Range<usize>) -> bool {
        let shaped = self.count == trials.len()
            && self.sums.len() == series
            && self.products.len() == series * (series + 1) / 2
            && self.non_finite.len() == series
            && self.non_finite.iter().flatten().all(|t| trials.contains(t));
        // A series with a value that is not finite has no statistics to protect (they are refused).
        let finite = |j: usize| self.non_finite[j].is_none();
        shaped
            && (0..series).all(|a| {
                (a..series).all(|b| {
                    let (sum, squares) = self.sum_and_squares(a, b);
                    !(finite(a) && finite(b)) || self.deviations(&sum, &squares).mantissa >= BigInt::zero()
                })
            })
    }

    /// Σd and Σd², exactly, of series `a` (d = x_a, when a = b) or of the paired differences d = x_a − x_b.
    fn sum_and_squares(&self, a: usize, b: usize) -> (Dyadic, Dyadic) {
        if a == b {
            return (self.sums[a].clone(), self.product(a, a).clone());
        }
        // Σ(a − b)² = Σa² − 2Σab + Σb².
        let mut squares = self.product(a, a).minus(&self.product(a, b).scaled(2));
        squares.add(self.product(b, b).clone());
        (self.sums[a].minus(&self.sums[b]), squares)
    }

    /// k·Σd² − (Σd)² over the k = [`TrialSums::count`] trials: k(k − 1) times the sample variance, exactly.
    fn deviations(&self, sum: &Dyadic, squares: &Dyadic) -> Dyadic {
        squares.scaled(self.count as u64).minus(&sum.squared())
    }

    /// Σx_j·x_k, stored once per unordered pair in the upper triangle.
    fn product(&self, j: usize, k: usize) -> &Dyadic {
        let (j, k) = (j.min(k), j.max(k));
        let series = self.sums.len();
        // Row j holds k = j..series: it starts after Σ_{i<j} (series − i) = j·series − j(j − 1)/2 entries.
        &self.products[j * series - j * j.saturating_sub(1) / 2 + (k - j)]
    }

    /// The mean of series `j`, S/k correctly rounded; `None` without trials or with a value that is not finite.
    pub(crate) fn mean(&self, j: usize) -> Option<f64> {
        (self.count > 0 && self.non_finite[j].is_none()).then(|| self.sums[j].ratio(self.count as u128))
    }

    /// The mean and Student-t interval of series `j` at confidence `confidence`.
    ///
    /// # Errors
    /// [`StatsError::NonFinite`] if a trial's value is not finite, [`StatsError::TooFewSamples`] for fewer than 2
    /// trials, [`StatsError::InvalidLevel`].
    pub(crate) fn summary(&self, j: usize, confidence: f64) -> Result<Summary, StatsError> {
        if let Some(index) = self.non_finite[j] {
            return Err(StatsError::NonFinite { index });
        }
        let (sum, squares) = self.sum_and_squares(j, j);
        self.summarise(&sum, &squares, confidence)
    }

    /// The mean and interval of the paired differences `a − b`, trial by trial. Errors as in
    /// [`TrialSums::summary`], for either series.
    pub(crate) fn difference(&self, a: usize, b: usize, confidence: f64) -> Result<Summary, StatsError> {
        if let Some(index) = earliest(self.non_finite[a], self.non_finite[b]) {
            return Err(StatsError::NonFinite { index });
        }
        let (sum, squares) = self.sum_and_squares(a, b);
        self.summarise(&sum, &squares, confidence)
    }

    /// The summary of a sample with exact Σx = `sum` and Σx² = `squares` over [`TrialSums::count`] values: mean S/k
    /// and variance (k·Q − S²)/(k(k − 1)), each computed exactly and rounded once.
    fn summarise(&self, sum: &Dyadic, squares: &Dyadic, confidence: f64) -> Result<Summary, StatsError> {
        check_level(confidence)?;
        let k = self.count;
        if k < 2 {
            return Err(StatsError::TooFewSamples { count: k, needed: 2 });
        }
        let mean = sum.ratio(k as u128);
        let variance = self.deviations(sum, squares).ratio(k as u128 * (k as u128 - 1));
        Ok(Summary::from_moments(k, mean, variance, confidence))
    }
}

#[cfg(test)]
mod tests {
    use num_rational::BigRational;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    /// The exact mean and unbiased variance of `sample` in rational arithmetic (every f64 converted exactly),
    /// rounded once: the reference the sums must reproduce bit for bit.
    fn exact(sample: &[f64]) -> (f64, f64) {
        let x: Vec<BigRational> = sample.iter().map(|&v| BigRational::from_float(v).unwrap()).collect();
        let k = BigRational::from_integer(BigInt::from(sample.len()));
        let sum: BigRational = x.iter().sum();
        let squares: BigRational = x.iter().map(|v| v * v).sum();
        let one = BigRational::from_integer(BigInt::from(1));
        let variance = (&k * squares - &sum * &sum) / (&k * (&k - one));
        ((sum / k).to_f64().unwrap(), variance.to_f64().unwrap())
    }

    #[test]
    fn cancellation_is_exact() {
        // 1e16 + 1 − 1e16 = 1 exactly (a left-to-right f64 sum gives 0): mean 1/3 rounded, and the variance
        // (3·2e32 + 3 − 1)/6 = 1e32 + 1/3, which rounds to 1e32 (python's Fraction gives the same two numbers).
        let sums = TrialSums::of_columns(0..3, &[&[1e16, 1.0, -1e16]]);
        let s = sums.summary(0, 0.95).unwrap();
        assert_eq!((s.mean, s.sd * s.sd), (1.0 / 3.0, 1e32));
        // Welford's example: a large offset loses nothing. 1e9 + {4, 7, 13, 16}: mean 1e9 + 10, variance 90/3.
        let s =
            TrialSums::of_columns(0..4, &[&[1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0]]).summary(0, 0.9).unwrap();
        assert_eq!((s.count, s.mean, s.sd * s.sd), (4, 1e9 + 10.0, 30.0));
    }

    #[test]
    fn any_order_and_any_split_gives_the_same_bits_as_the_rational_reference() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        // Risks over 12 orders of magnitude, with subnormals and negative values mixed in.
        let mut values: Vec<f64> =
            (0..1000).map(|_| rng.random::<f64>() * 10f64.powi(rng.random_range(-6..6))).collect();
        values.extend([5e-324, -3e-310, 1e-300, -2.5]);
        let whole = TrialSums::of_columns(0..values.len(), &[&values]);
        let (mean, variance) = exact(&values);
        assert_eq!(whole.mean(0), Some(mean));
        let s = whole.summary(0, 0.95).unwrap();
        assert_eq!((s.mean, s.sd), (mean, variance.sqrt()));
        // Reversed, and split into uneven pieces merged in another order: the same sums, bit for bit.
        let reversed: Vec<f64> = values.iter().rev().copied().collect();
        assert_eq!(TrialSums::of_columns(0..values.len(), &[&reversed]).summary(0, 0.95).unwrap(), s);
        let mut merged = TrialSums::new(1);
        for cut in [(700, 1004), (0, 3), (3, 700)] {
            merged.merge(&TrialSums::of_columns(cut.0..cut.1, &[&values[cut.0..cut.1]]));
        }
        assert_eq!(merged, whole);
    }

    #[test]
    fn paired_differences_are_those_of_the_exact_values() {
        // a − b = (−0.2, 0.1, −0.4, 0.2) (as f64 differences of the decimal inputs): python's Fraction gives mean
        // −0.07499999999999998 and variance 0.07583333333333332 for both the exact and the rounded differences.
        let (a, b) = ([0.1, 0.2, 0.3, 0.4], [0.3, 0.1, 0.7, 0.2]);
        let sums = TrialSums::of_columns(0..4, &[&a, &b]);
        let d = sums.difference(0, 1, 0.95).unwrap();
        assert_eq!((d.mean, d.sd), (-0.074_999_999_999_999_98, 0.075_833_333_333_333_32_f64.sqrt()));
        let reversed = sums.difference(1, 0, 0.95).unwrap();
        assert_eq!((reversed.mean, reversed.sd), (-d.mean, d.sd));
        // Of random triples, every pair against the rational reference of its exact differences.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let columns: Vec<Vec<f64>> = (0..3).map(|_| (0..200).map(|_| rng.random::<f64>() * 3.0).collect()).collect();
        let sums = TrialSums::of_columns(0..200, &columns.iter().map(Vec::as_slice).collect::<Vec<_>>());
        for (x, y) in [(0, 1), (0, 2), (1, 2), (2, 0)] {
            let exact_d: Vec<BigRational> = (0..200)
                .map(|t| {
                    BigRational::from_float(columns[x][t]).unwrap() - BigRational::from_float(columns[y][t]).unwrap()
                })
                .collect();
            let k = BigRational::from_integer(BigInt::from(200));
            let sum: BigRational = exact_d.iter().sum();
            let squares: BigRational = exact_d.iter().map(|v| v * v).sum();
            let variance = (&k * squares - &sum * &sum) / (&k * (&k - BigRational::from_integer(BigInt::from(1))));
            let d = sums.difference(x, y, 0.95).unwrap();
            assert_eq!((d.mean, d.sd), ((sum / k).to_f64().unwrap(), variance.to_f64().unwrap().sqrt()), "{x} − {y}");
        }
    }

    #[test]
    fn values_that_are_not_finite_are_reported_by_their_trial_index() {
        let sums = TrialSums::of_columns(10..14, &[&[1.0, 2.0, f64::INFINITY, 4.0], &[1.0, 2.0, 3.0, f64::NAN]]);
        assert_eq!(sums.summary(0, 0.95), Err(StatsError::NonFinite { index: 12 }));
        assert_eq!(sums.summary(1, 0.95), Err(StatsError::NonFinite { index: 13 }));
        assert_eq!(sums.difference(1, 0, 0.95), Err(StatsError::NonFinite { index: 12 }));
        assert_eq!(sums.mean(0), None);
        assert_eq!(
            TrialSums::of_columns(0..1, &[&[1.0]]).summary(0, 0.95),
            Err(StatsError::TooFewSamples { count: 1, needed: 2 })
        );
        // A variance beyond f64 is infinite, not a wrapped or clamped number: (1e300, −1e300) has s² = 2e600.
        let s = TrialSums::of_columns(0..2, &[&[1e300, -1e300]]).summary(0, 0.95).unwrap();
        assert_eq!((s.mean, s.sd), (0.0, f64::INFINITY));
    }

    #[test]
    fn only_sums_that_real_trials_can_have_fit() {
        let sums = TrialSums::of_columns(5..8, &[&[0.1, 0.4, 0.2], &[0.3, 0.1, f64::NAN]]);
        assert!(sums.fits(2, &(5..8)));
        assert!(!sums.fits(2, &(0..3)), "its non-finite value is trial 7, outside 0..3");
        assert!(!sums.fits(3, &(5..8)) && !sums.fits(2, &(5..9)), "another shape or count");
        // Σx² below (Σx)²/k is a negative variance: k·Σx² − (Σx)² = 3·0 − 0.7² < 0.
        let mut forged = sums.clone();
        forged.products[0] = Dyadic::default();
        assert!(!forged.fits(2, &(5..8)));
        // A paired difference's too: Σab so large that Σ(a − b)² = Σa² − 2Σab + Σb² < 0, each series' own fine.
        let mut forged = TrialSums::of_columns(0..3, &[&[0.1, 0.4, 0.2], &[0.3, 0.1, 0.5]]);
        forged.products[1] = parse_hex("0x1p4").unwrap();
        assert!(!forged.fits(2, &(0..3)));
    }

    #[test]
    fn sums_round_trip_through_their_text_and_junk_is_refused() {
        let sums = TrialSums::of_columns(0..3, &[&[0.1, -3e-310, 1e300], &[2.0, 0.0, -0.5]]);
        let text = serde_json::to_string(&sums).unwrap();
        assert_eq!(serde_json::from_str::<TrialSums>(&text).unwrap(), sums);
        // −27/8 is −0x1b·2⁻³; zero is 0x0p0.
        assert_eq!(parse_hex("-0x1bp-3"), Some(Dyadic { mantissa: BigInt::from(-27), exponent: -3 }));
        assert_eq!(parse_hex("0x0p0"), Some(Dyadic::default()));
        assert_eq!(parse_hex("0x36p-4"), parse_hex("0x1bp-3"), "read in canonical form");
        for junk in ["", "0x", "1bp-3", "0xp3", "0x1g", "0x1bp", "0x1bp-3.5", "--0x1p0", "0x-1p0"] {
            assert_eq!(parse_hex(junk), None, "{junk:?}");
        }
    }
}
