//! Designs X = Z Λ^{1/2} Uᵀ with i.i.d. standardised entries Z (Gaussian by default, [`Entries`]): diagonal
//! (U = I) or rotated by a seeded Haar-random U.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::{householder, qr::no_pivoting::factor as qr};
use faer::{Conj, Mat, MatMut, MatRef, Par};

use std::sync::Arc;

use super::entries::Entries;
use super::error::SimError;
use super::rows::Rows;
use super::stream::{DRAW_BLOCK, Draw, Source, TrialKey, named_stream};

/// The distribution of the rows of the design: x = U Λ^{1/2} z, so that Cov x = Σ = U diag(λ) Uᵀ
/// (docs/dev/paper.md §1 Observation 2), with z i.i.d. standardised entries of the law [`Design::entries`]
/// (Gaussian, x ~ N(0, Σ), unless [`Design::with_entries`] says otherwise). U = I for [`Design::new`];
/// [`Design::rotated`] draws a Haar-random U. Coefficient vectors of jobs on this design are given in the
/// eigenbasis of Σ.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Design {
    lambda: Vec<f64>,
    sqrt_lambda: Vec<f64>,
    /// The eigenvectors U of Σ (p × p, orthogonal), or `None` for U = I.
    rotation: Option<Mat<f64>>,
    /// The law of the entries of z.
    entries: Entries,
    /// The data set whose rows each trial draws instead (a `data(...)` task), in the eigenbasis of its second
    /// moment, whose eigenvalues are `lambda`.
    rows: Option<Arc<Rows>>,
}

impl Design {
    /// Creates the design of covariance diag(`lambda`); every λ_i must be finite and ≥ 0.
    pub(crate) fn new(lambda: Vec<f64>) -> Result<Self, SimError> {
        validate_spectrum(&lambda)?;
        let sqrt_lambda = lambda.iter().map(|l| l.sqrt()).collect();
        Ok(Self { lambda, sqrt_lambda, rotation: None, entries: Entries::Gaussian, rows: None })
    }

    /// The design whose rows are drawn from a data set's rows (sim/rows.rs), of second moment diag(`lambda`) in
    /// its eigenbasis: `lambda` has one eigenvalue per column of `rows.Z`.
    pub(crate) fn of_rows(lambda: Vec<f64>, rows: Arc<Rows>) -> Result<Self, SimError> {
        if lambda.len() != rows.Z.ncols() {
            return Err(SimError::SpectrumLength { expected: rows.Z.ncols(), found: lambda.len() });
        }
        Ok(Self { rows: Some(rows), ..Self::new(lambda)? })
    }

    /// The data set the rows are drawn from, if any.
    pub(crate) fn rows(&self) -> Option<&Rows> {
        self.rows.as_deref()
    }

    /// Creates the design of covariance Σ = U diag(`lambda`) Uᵀ with U Haar-distributed on the orthogonal
    /// group, drawn from the stream named ("rotation", `rotation_seed`) (same seed, same U).
    pub(crate) fn rotated(lambda: Vec<f64>, rotation_seed: u64) -> Result<Self, SimError> {
        let mut design = Self::new(lambda)?;
        design.rotation = Some(haar_orthogonal(design.dim(), rotation_seed));
        Ok(design)
    }

    /// The same design with entries of the law `entries` (the rotation, if any, is unchanged).
    pub(crate) fn with_entries(mut self, entries: Entries) -> Self {
        self.entries = entries;
        self
    }

    /// The law of the entries z of a row x = U Λ^{1/2} z.
    pub(crate) fn entries(&self) -> Entries {
        self.entries
    }

    /// The dimension p.
    pub(crate) fn dim(&self) -> usize {
        self.lambda.len()
    }

    /// The eigenvalues λ_1..λ_p of Σ.
    pub(crate) fn lambda(&self) -> &[f64] {
        &self.lambda
    }

    /// Square roots of the eigenvalues, the column scales of X̄ = G Λ^{1/2}.
    pub(crate) fn sqrt_lambda(&self) -> &[f64] {
        &self.sqrt_lambda
    }

    /// The eigenvectors U (p × p), or `None` when Σ is diagonal.
    pub(crate) fn rotation(&self) -> Option<MatRef<'_, f64>> {
        self.rotation.as_ref().map(Mat::as_ref)
    }
}

/// Checks that a spectrum is non-empty with finite, non-negative eigenvalues.
pub(crate) fn validate_spectrum(lambda: &[f64]) -> Result<(), SimError> {
    if lambda.is_empty() {
        return Err(SimError::NoFeatures);
    }
    match lambda.iter().enumerate().find(|(_, l)| !(l.is_finite() && **l >= 0.0)) {
        Some((index, &value)) => Err(SimError::InvalidEigenvalue { index, value }),
        None => Ok(()),
    }
}

/// Draws the eigenbasis design columns `first..first + X.ncols()` of X̄ = Z Λ^{1/2} (Z i.i.d. of the law
/// `entries`, Λ^{1/2} = diag(`sqrt_lambda`)) into `X`. Column block b (`DRAW_BLOCK` columns) comes from the
/// stream (`source`, block b), column after column, so any block range reproduces the full draw.
#[track_caller]
pub(crate) fn draw_columns(
    sqrt_lambda: &[f64],
    entries: Entries,
    key: &TrialKey,
    source: Source,
    first: usize,
    mut X: MatMut<'_, f64>,
) {
    assert!(first.is_multiple_of(DRAW_BLOCK), "design draws start on a block boundary");
    let end = first + X.ncols();
    assert!(end <= sqrt_lambda.len(), "design block beyond the last feature");
    for start in (first..end).step_by(DRAW_BLOCK) {
        let mut stream = key.stream(source, Draw::DesignBlock(start / DRAW_BLOCK));
        let stop = end.min(start + DRAW_BLOCK);
        for (j, &scale) in (start..stop).zip(&sqrt_lambda[start..stop]) {
            let column = X.as_mut().col_mut(j - first).try_as_col_major_mut().expect("design buffers are column-major");
            stream.fill_scaled(entries, column.as_slice_mut(), scale);
        }
    }
}

/// A Haar-random p × p orthogonal matrix: Q of G = QR (G i.i.d. N(0, 1) from the stream ("rotation",
/// `seed`)), with the columns of Q multiplied by sign(R_ii) so that the law is exactly Haar (Mezzadri 2007).
fn haar_orthogonal(p: usize, seed: u64) -> Mat<f64> {
    let mut stream = named_stream("rotation", seed);
    let mut QR = Mat::<f64>::zeros(p, p);
    for j in 0..p {
        stream.fill_scaled_normals(QR.col_as_slice_mut(j), 1.0);
    }
    let block = qr::recommended_block_size::<f64>(p, p);
    let mut coeff = Mat::<f64>::zeros(block, p);
    let req = qr::qr_in_place_scratch::<f64>(p, p, block, Par::Seq, Default::default())
        .or(householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(p, block, p));
    let mut buffer = MemBuffer::new(req);
    qr::qr_in_place(QR.as_mut(), coeff.as_mut(), Par::Seq, MemStack::new(&mut buffer), Default::default());
    let signs: Vec<f64> = (0..p).map(|i| if QR[(i, i)] < 0.0 { -1.0 } else { 1.0 }).collect();
    // The Householder basis is the unit lower triangle of the factored matrix.
    let basis = Mat::from_fn(p, p, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Less => 0.0,
        std::cmp::Ordering::Equal => 1.0,
        std::cmp::Ordering::Greater => QR[(i, j)],
    });
    let mut Q = Mat::<f64>::identity(p, p);
    let stack = MemStack::new(&mut buffer);
    householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
        basis.as_ref(),
        coeff.as_ref(),
        Conj::No,
        Q.as_mut(),
        Par::Seq,
        stack,
    );
    for (j, s) in signs.iter().enumerate() {
        Q.col_as_slice_mut(j).iter_mut().for_each(|q| *q *= s);
    }
    Q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haar_matrix_is_orthogonal_reproducible_and_seeded() {
        let U = haar_orthogonal(40, 3);
        let defect = (U.transpose() * &U - Mat::<f64>::identity(40, 40)).norm_max();
        assert!(defect < 1e-13, "‖UᵀU − I‖ = {defect}");
        assert_eq!(U, haar_orthogonal(40, 3));
        assert_ne!(U, haar_orthogonal(40, 4));
    }

    #[test]
    fn haar_matrix_diagonal_is_centred() {
        // Haar U has E U_ii = 0 and Var U_ii = 1/p; without the sign fix the diagonal of Q follows the
        // sign convention of the Householder QR and is biased.
        let p = 200;
        let U = haar_orthogonal(p, 11);
        let diag_mean: f64 = (0..p).map(|i| U[(i, i)]).sum::<f64>() / p as f64;
        // Var(U_ii) = 1/p, so the mean of p diagonal entries has SE ≈ 1/p.
        assert!(diag_mean.abs() < 5.0 / p as f64, "mean diagonal {diag_mean}");
    }

    #[test]
    fn blocks_reproduce_the_full_draw() {
        let p = 3 * DRAW_BLOCK + 5;
        let sqrt_lambda: Vec<f64> = (1..=p).map(|i| 1.0 / (i as f64).sqrt()).collect();
        let key = crate::sim::StreamKey::new(1, "blocks", 0).trial(2);
        let mut full = Mat::<f64>::zeros(7, p);
        draw_columns(&sqrt_lambda, Entries::Gaussian, &key, Source::Target, 0, full.as_mut());
        let mut tail = Mat::<f64>::zeros(7, p - 2 * DRAW_BLOCK);
        draw_columns(&sqrt_lambda, Entries::Gaussian, &key, Source::Target, 2 * DRAW_BLOCK, tail.as_mut());
        assert_eq!(tail, full.subcols(2 * DRAW_BLOCK, p - 2 * DRAW_BLOCK).to_owned());
    }
}
