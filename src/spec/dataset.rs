//! Data sets read from files beside a spec or embedded in a crate (the UCI digits), and the population a
//! `data(...)` task makes of one.
//!
//! [`Dataset`] is the one in-memory form of a data set, whatever file it came from (`.npy`, CSV, the CIFAR-10
//! binary batches): features one row per sample, labels one per row. Any experiment that reads data consumes it.
//!
//! A `data(...)` task treats the data set's empirical distribution as the population ([`Dataset::population`]):
//! a sample is a row drawn uniformly, so the features' second moment is Σ̂ = XᵀX/N (not centred: the estimators
//! fit no intercept, so the risk of a fit b is the uncentred quadratic form below; centre the file to study centred
//! data), the true coefficients are the least-squares fit on all rows, β̄ = Σ̂⁺ Xᵀy/N, and the noise is its
//! residual variance σ̄² = ‖y − Xβ̄‖²/N. The residual is orthogonal to every feature (the normal equations), so for
//! any b the test risk over the data set is E(y − xᵀb)² = σ̄² + (b − β̄)ᵀ Σ̂ (b − β̄) exactly: the excess risk
//! that the simulation measures and the theory predicts, in the eigenbasis of Σ̂ where it is Σ λ_i (b_i − β̄_i)².
#![allow(non_snake_case, reason = "matrices are named as in the formulas: X, Z, V, G")]

use std::sync::Arc;

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

use crate::sim::Rows;

/// A data set: `features` (N × p, one row per sample) and one label per row.
///
/// Shared by every experiment that reads data: `data(...)` regression tasks use real labels; classification
/// experiments (issue 18 items 2–5) use class indices, as the CIFAR-10 reader (spec/files/cifar.rs) and the
/// embedded UCI digits ([`digits`]) give them.
#[derive(Clone, Debug)]
pub(crate) struct Dataset {
    /// Its name, as the report cites it (the features file's path for a `data(...)` task).
    pub(crate) name: String,
    /// The features, N × p, column-major.
    pub(crate) features: Mat<f64>,
    /// One label per row.
    pub(crate) labels: Labels,
}

/// The labels of a data set, one per row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Labels {
    /// Real-valued targets (regression).
    Real(Vec<f64>),
    /// Class indices, each below `count` (CIFAR-10: 0..9 for airplane … truck).
    Classes {
        /// The class of each row.
        classes: Vec<u32>,
        /// The number of classes.
        count: usize,
    },
}

impl Labels {
    /// The one-vs-rest regression target of `class`: 1 for the rows of that class, 0 for the others (real labels
    /// are returned as they are).
    ///
    /// # Panics
    /// If `class` is not one of the classes (the resolver checks it).
    #[track_caller]
    pub(crate) fn one_vs_rest(&self, class: u32) -> Vec<f64> {
        match self {
            Self::Real(y) => y.clone(),
            Self::Classes { classes, count } => {
                assert!((class as usize) < *count, "class {class} of {count}");
                classes.iter().map(|&c| f64::from(u8::from(c == class))).collect()
            }
        }
    }
}

impl Dataset {
    /// blake3 of its shape, features (row-major, little-endian f64) and labels: what the cache key holds.
    pub(crate) fn digest(&self) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        let (rows, d) = self.features.shape();
        hasher.update(&(rows as u64).to_le_bytes()).update(&(d as u64).to_le_bytes());
        let mut row = Vec::with_capacity(d * 8);
        for i in 0..rows {
            row.clear();
            (0..d).for_each(|j| row.extend_from_slice(&self.features[(i, j)].to_le_bytes()));
            hasher.update(&row);
        }
        match &self.labels {
            Labels::Real(y) => {
                hasher.update(b"real");
                for y in y {
                    hasher.update(&y.to_le_bytes());
                }
            }
            Labels::Classes { classes, count } => {
                hasher.update(b"classes").update(&(*count as u64).to_le_bytes());
                for c in classes {
                    hasher.update(&c.to_le_bytes());
                }
            }
        }
        *hasher.finalize().as_bytes()
    }

    /// The number of classes.
    ///
    /// # Panics
    /// On real labels: only classification experiments ask, and their tasks have classes (the resolver checks it).
    #[track_caller]
    pub(crate) fn classes(&self) -> usize {
        match &self.labels {
            Labels::Classes { count, .. } => *count,
            Labels::Real(_) => panic!("a classification task has class labels"),
        }
    }

    /// The class of row i.
    ///
    /// # Panics
    /// On real labels (see [`Self::classes`]).
    #[track_caller]
    pub(crate) fn class(&self, i: usize) -> usize {
        match &self.labels {
            Labels::Classes { classes, .. } => classes[i] as usize,
            Labels::Real(_) => panic!("a classification task has class labels"),
        }
    }

    /// Each feature centred and scaled to unit variance over the rows (population variance), in place; a feature
    /// that is constant (every row equal) is set to 0. A fixed, label-free preprocessing, so that a random first
    /// layer with N(0, 1/d) weights sees pre-activations of unit order. Each column is first divided by the power of
    /// two at or below its largest magnitude (exact), so that neither the mean nor the squares overflow or underflow:
    /// features at 1e155 or 1e-300 standardise as the same features at unit scale do, bit for bit.
    pub(crate) fn standardised(mut self) -> Self {
        let rows = self.features.nrows() as f64;
        for j in 0..self.features.ncols() {
            let column = self.features.col_as_slice_mut(j);
            let first = column.first().copied().unwrap_or(0.0);
            if column.iter().all(|&x| x == first) {
                column.fill(0.0);
                continue;
            }
            let scale = binade(column.iter().fold(0.0, |m: f64, x| m.max(x.abs())));
            let mean = column.iter().map(|x| x / scale).sum::<f64>() / rows;
            let var = column.iter().map(|x| (x / scale - mean).powi(2)).sum::<f64>() / rows;
            let spread = var.sqrt();
            for x in column.iter_mut() {
                *x = (*x / scale - mean) / spread;
            }
        }
        self
    }

    /// The diagonal of the features' second moment XᵀX/rows: each feature's mean square (after [`Self::standardised`],
    /// 1 for every feature and 0 for a constant one). O(rows·d), unlike Σ̂'s eigenvalues (O(rows·d²), minutes for
    /// CIFAR-10's pixels), which a classification task does not need: it has no theory.
    pub(crate) fn second_moments(&self) -> Vec<f64> {
        let rows = self.features.nrows() as f64;
        self.features.col_iter().map(|c| c.iter().map(|x| x * x).sum::<f64>() / rows).collect()
    }
}

/// The power of two 2^e with 2^e ≤ x < 2^(e+1), for a finite x > 0 (2^−1074, the least subnormal, for a
/// subnormal x): dividing by it is exact.
fn binade(x: f64) -> f64 {
    let exponent = (x.to_bits() >> 52) & 0x7ff;
    if exponent == 0 { f64::from_bits(1) } else { f64::from_bits(exponent << 52) }
}

/// The UCI "Optical Recognition of Handwritten Digits" test set as scikit-learn's `load_digits` ships it: 1797
/// images of 8 × 8 pixels (64 features, integers 0..16), 10 classes (the digits 0..9, 174 to 183 images each).
/// Alpaydin & Kaynak (1998), https://archive.ics.uci.edu/dataset/80, licence CC BY 4.0; embedded in the smartcore
/// crate (Apache-2.0) as `src/dataset/digits.xy` through `include_bytes!`, so no file is read and nothing is
/// downloaded.
pub(crate) fn digits() -> Dataset {
    let raw = smartcore::dataset::digits::load_dataset();
    let (rows, d) = (raw.num_samples, raw.num_features);
    let features = Mat::from_fn(rows, d, |i, j| f64::from(raw.data[i * d + j]));
    // The targets are the digits as f32 (exact small integers).
    let labels = raw.target.iter().map(|&y| y as u32).collect();
    Dataset {
        name: "the UCI optical digits".to_owned(),
        features,
        labels: Labels::Classes { classes: labels, count: 10 },
    }
}

/// The population a data set defines (see the module's documentation), in the eigenbasis of Σ̂.
pub(crate) struct Population {
    /// The eigenvalues of Σ̂ above the rank threshold, decreasing: λ_1 ≥ … ≥ λ_r > 0.
    pub(crate) lambda: Vec<f64>,
    /// β̄ in that eigenbasis (r).
    pub(crate) beta: Vec<f64>,
    /// σ̄² = ‖y − Xβ̄‖²/N.
    pub(crate) noise: f64,
    /// The rows Z = XV and their residuals, which trials draw from.
    pub(crate) rows: Arc<Rows>,
}

impl Dataset {
    /// The population of the rows with real labels `y` (one per row): Σ̂'s eigenvalues λ_i above the rank
    /// threshold max(N, p)·ε·λ_1 (numpy's `matrix_rank` rule; the directions below it hold round-off, not data,
    /// and are dropped, so p becomes the rank r), β̄ and σ̄² in its eigenbasis. Σ̂ = XᵀX/N is decomposed when
    /// N ≥ p, else the Gram matrix XXᵀ/N, whose eigenvectors w give Z's columns √(Nμ)·w directly.
    ///
    /// # Errors
    /// When every feature is zero on every row, or the eigendecomposition does not converge.
    pub(crate) fn population(&self, y: &[f64]) -> Result<Population, String> {
        let X = self.features.as_ref();
        let (N, p) = (X.nrows(), X.ncols());
        assert_eq!(y.len(), N, "one label per row");
        let scale = 1.0 / N as f64;
        let Z = if N >= p {
            let (mu, V) = eigen(X.transpose(), scale)?;
            let kept = kept(&mu, N.max(p));
            let mut Z = Mat::zeros(N, kept);
            matmul(Z.as_mut(), Accum::Replace, X, V.subcols(0, kept), 1.0, Par::Seq);
            Z
        } else {
            let (mu, W) = eigen(X, scale)?;
            let kept = kept(&mu, N.max(p));
            Mat::from_fn(N, kept, |i, j| W[(i, j)] * (N as f64 * mu[j]).sqrt())
        };
        if Z.ncols() == 0 {
            return Err("every feature is zero on every row: the data set has no direction to learn".to_owned());
        }
        // λ_j = ‖Z_j‖²/N and β̄_j = Z_jᵀy/(N λ_j) = Z_jᵀy/‖Z_j‖²: the columns of Z are orthogonal.
        let lambda: Vec<f64> = (0..Z.ncols()).map(|j| squared_norm(Z.col_as_slice(j)) * scale).collect();
        let beta: Vec<f64> =
            (0..Z.ncols()).map(|j| dot(Z.col_as_slice(j), y) / squared_norm(Z.col_as_slice(j))).collect();
        let mut residuals = y.to_vec();
        for (j, b) in beta.iter().enumerate() {
            residuals.iter_mut().zip(Z.col_as_slice(j)).for_each(|(e, z)| *e -= z * b);
        }
        let noise = squared_norm(&residuals) * scale;
        Ok(Population { lambda, beta, noise, rows: Arc::new(Rows { Z, residuals }) })
    }
}

/// The eigenvalues μ (decreasing) and eigenvectors of `scale`·A Aᵀ, without a parallel split (its rounding would
/// depend on the thread count).
fn eigen(A: MatRef<'_, f64>, scale: f64) -> Result<(Vec<f64>, Mat<f64>), String> {
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::linalg::evd;
    let m = A.nrows();
    let mut G = Mat::zeros(m, m);
    matmul(G.as_mut(), Accum::Replace, A, A.transpose(), scale, Par::Seq);
    let mut s = faer::diag::Diag::zeros(m);
    let mut U = Mat::zeros(m, m);
    let scratch = evd::self_adjoint_evd_scratch::<f64>(m, evd::ComputeEigenvectors::Yes, Par::Seq, Default::default());
    evd::self_adjoint_evd(
        G.as_ref(),
        s.as_mut(),
        Some(U.as_mut()),
        Par::Seq,
        MemStack::new(&mut MemBuffer::new(scratch)),
        Default::default(),
    )
    .map_err(|e| format!("the eigendecomposition of the data's second moment failed: {e:?}"))?;
    // faer sorts them increasing; the spectrum is kept decreasing, as λ_i = i^−α is.
    let mu: Vec<f64> = (0..m).rev().map(|i| s[i]).collect();
    let V = Mat::from_fn(m, m, |i, j| U[(i, m - 1 - j)]);
    Ok((mu, V))
}

/// How many of the decreasing eigenvalues `mu` exceed the rank threshold max(N, p)·ε·μ_1.
fn kept(mu: &[f64], size: usize) -> usize {
    let threshold = size as f64 * f64::EPSILON * mu.first().copied().unwrap_or(0.0);
    mu.iter().take_while(|&&m| m > threshold && m > 0.0).count()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn squared_norm(a: &[f64]) -> f64 {
    dot(a, a)
}

#[cfg(test)]
mod digits_tests {
    use super::*;

    #[test]
    fn digits_have_their_documented_shape_and_class_counts() {
        let data = digits();
        assert_eq!(data.features.shape(), (1797, 64));
        let mut counts = [0; 10];
        for i in 0..1797 {
            counts[data.class(i)] += 1;
        }
        // scikit-learn's `load_digits` documentation: about 180 images per class.
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        let pixels = || (0..1797).flat_map(|i| (0..64).map(move |j| (i, j)));
        assert!(
            pixels()
                .all(|(i, j)| (0.0..=16.0).contains(&data.features[(i, j)]) && data.features[(i, j)].fract() == 0.0)
        );
        assert_eq!(data.features[(0, 2)], 5.0, "the first image as scikit-learn prints it: 0, 0, 5, 13, 9, 1, ...");
    }

    #[test]
    fn standardising_does_not_depend_on_the_scale_and_zeroes_constant_features() {
        // A column of 0.1s has a rounded mean 1e-17 off (issue 18, helper-found): it must still become 0.
        let rows = 7;
        let column = |j: usize, i: usize| ((i * 7 + j * 3) % 5) as f64 - 1.5;
        let data = |scale: f64| {
            Dataset {
                name: "scaled".to_owned(),
                features: Mat::from_fn(rows, 3, |i, j| if j == 2 { 0.1 } else { column(j, i) * scale }),
                labels: Labels::Classes { classes: vec![0; rows], count: 1 },
            }
            .standardised()
            .features
        };
        let unit = data(1.0);
        // A power-of-two scale is exact in the data, so the result is too, from overflow to subnormals.
        for exponent in [1000, 500, -1000, -1070] {
            assert_eq!(data(2.0f64.powi(exponent)), unit, "scale 2^{exponent}");
        }
        // Other scales round the data themselves, by an ulp.
        for scale in [1e155, 1e-300, 1e307] {
            let scaled = data(scale);
            assert!((0..rows).all(|i| (0..3).all(|j| (scaled[(i, j)] - unit[(i, j)]).abs() < 1e-13)), "scale {scale}");
        }
        assert!(unit.col(2).iter().all(|&x| x == 0.0), "a constant column is 0");
        let mean = unit.col(0).iter().sum::<f64>() / rows as f64;
        let var = unit.col(0).iter().map(|x| x * x).sum::<f64>() / rows as f64;
        assert!(mean.abs() < 1e-15 && (var - 1.0).abs() < 1e-14, "{mean} {var}");
        assert_eq!(binade(3.0), 2.0);
        assert_eq!(binade(0.75), 0.5);
        assert_eq!(binade(f64::from_bits(5)), f64::from_bits(1));
    }

    #[test]
    fn standardised_features_have_zero_mean_and_unit_variance() {
        let data = digits().standardised();
        for j in 0..64 {
            let column = data.features.col(j);
            let mean = column.iter().sum::<f64>() / 1797.0;
            let var = column.iter().map(|x| x * x).sum::<f64>() / 1797.0;
            assert!(mean.abs() < 1e-12, "mean of pixel {j}: {mean}");
            // Pixel 0 (a corner) is blank in every image.
            assert!((var - 1.0).abs() < 1e-12 || var == 0.0, "variance of pixel {j}: {var}");
        }
        let moments = data.second_moments();
        let live = (0..64).filter(|&j| data.features.col(j).iter().any(|&x| x != 0.0)).count();
        assert_eq!(moments.iter().filter(|&&m| (m - 1.0).abs() < 1e-12).count(), live);
        assert_eq!(moments.iter().filter(|&&m| m == 0.0).count(), 64 - live, "a constant pixel stays 0");
    }
}
