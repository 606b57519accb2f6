//! Data sets read from files beside a spec, and the population a `data(...)` task makes of one.
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
/// experiments (issue 18 items 2–5) use class indices, as the CIFAR-10 reader (spec/files/cifar.rs) gives them.
pub(crate) struct Dataset {
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
