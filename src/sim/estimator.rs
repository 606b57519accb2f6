//! The estimator Est(X, y) of PAPER.md §1 and its linear-algebra kernels (all `Par::Seq`).

use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::llt;
use faer::linalg::evd::{self, ComputeEigenvectors};
use faer::linalg::lu::partial_pivoting as lu;
use faer::linalg::matmul::matmul as gemm;
use faer::traits::pulp::{Arch, Simd, WithSimd};
use faer::{Accum, Auto, Mat, MatMut, MatRef, Par};

/// Which form of Est(X, y) (PAPER.md §1) applies to an n × p design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Estimator {
    /// n < p: minimum-norm interpolator b = Xᵀ(XXᵀ)⁻¹y, through the n × n Gram matrix.
    MinNorm,
    /// n = p: the square system X b = y.
    Square,
    /// n > p: least squares b = (XᵀX)⁻¹Xᵀy, through the p × p Gram matrix.
    LeastSquares,
}

impl Estimator {
    /// The estimator used for n samples of p features.
    pub(crate) fn for_shape(n: usize, p: usize) -> Self {
        match n.cmp(&p) {
            std::cmp::Ordering::Less => Self::MinNorm,
            std::cmp::Ordering::Equal => Self::Square,
            std::cmp::Ordering::Greater => Self::LeastSquares,
        }
    }
}

/// A factorisation found the matrix numerically singular; the caller falls back to [`pinv_solve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Singular;

/// Scratch memory needed by [`llt_solve`] on an m × m Gram matrix.
pub(crate) fn llt_scratch(m: usize) -> StackReq {
    llt::factor::cholesky_in_place_scratch::<f64>(m, Par::Seq, Default::default())
}

/// Rows per block of [`gram_lower`]: small enough that the diagonal blocks (computed whole) waste
/// little, large enough for faer's GEMM kernels (measured best on the benchmark of `sim/bench.rs`).
const GRAM_BLOCK: usize = 48;

/// Writes (`Accum::Replace`) or adds (`Accum::Add`) the lower triangle (with diagonal) of `A Aᵀ`
/// into `dst` (m × m for `A` m × q). The strict upper triangle is left untouched outside the
/// `GRAM_BLOCK`-square diagonal blocks and holds the symmetric entries inside them.
#[track_caller]
pub(crate) fn gram_lower(mut dst: MatMut<'_, f64>, A: MatRef<'_, f64>, accum: Accum) {
    // G = A Aᵀ by row blocks: G[r0..r1, 0..r1] = A[r0..r1] A[0..r1]ᵀ, one rectangular GEMM per block,
    // about half the flops of a full product (faer's triangular product is slower on these shapes).
    let m = A.nrows();
    for r0 in (0..m).step_by(GRAM_BLOCK) {
        let rows = GRAM_BLOCK.min(m - r0);
        let r1 = r0 + rows;
        let block = dst.as_mut().submatrix_mut(r0, 0, rows, r1);
        gemm(block, accum, A.subrows(r0, rows), A.subrows(0, r1).transpose(), 1.0, Par::Seq);
    }
}

/// out ← Aᵀ W for column-major `A` (m × q) and `W` (m × k): one dot product per column pair.
///
/// faer's GEMM is slow on this shape (q × k with k a handful of surrogates). The dot products run
/// under `pulp` dispatch on the CPU's widest vectors, column j of `A` staying in L1 across its k
/// products, so `A` is read once.
#[track_caller]
pub(crate) fn transpose_times(out: MatMut<'_, f64>, A: MatRef<'_, f64>, W: MatRef<'_, f64>) {
    assert!(out.nrows() == A.ncols() && out.ncols() == W.ncols() && A.nrows() == W.nrows(), "Aᵀ W shapes");
    Arch::new().dispatch(TransposeTimes { out, A, W });
}

/// The arguments of [`transpose_times`] for the dispatch.
struct TransposeTimes<'a> {
    out: MatMut<'a, f64>,
    A: MatRef<'a, f64>,
    W: MatRef<'a, f64>,
}

impl WithSimd for TransposeTimes<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let Self { mut out, A, W } = self;
        for j in 0..A.ncols() {
            let a = column(A, j);
            for c in 0..W.ncols() {
                out[(j, c)] = dot(simd, a, column(W, c));
            }
        }
    }
}

/// Column `j` of the column-major `M` as a slice.
#[inline(always)]
fn column<'a>(M: MatRef<'a, f64>, j: usize) -> &'a [f64] {
    M.col(j).try_as_col_major().expect("transpose_times takes column-major matrices").as_slice()
}

/// Σ_i x_i y_i on four vector accumulators (four independent add chains), then the scalar tail.
#[inline(always)]
fn dot<S: Simd>(simd: S, x: &[f64], y: &[f64]) -> f64 {
    let ((x_head, x_tail), (y_head, y_tail)) = (S::as_simd_f64s(x), S::as_simd_f64s(y));
    let mut acc = [simd.splat_f64s(0.0); 4];
    let (x_quads, x_rest) = x_head.as_chunks::<4>();
    let (y_quads, y_rest) = y_head.as_chunks::<4>();
    for (a, b) in x_quads.iter().zip(y_quads) {
        for l in 0..4 {
            acc[l] = simd.mul_add_f64s(a[l], b[l], acc[l]);
        }
    }
    for (l, (a, b)) in x_rest.iter().zip(y_rest).enumerate() {
        acc[l] = simd.mul_add_f64s(*a, *b, acc[l]);
    }
    let sum = simd.add_f64s(simd.add_f64s(acc[0], acc[1]), simd.add_f64s(acc[2], acc[3]));
    x_tail.iter().zip(y_tail).fold(simd.reduce_sum_f64s(sum), |s, (a, b)| s + a * b)
}

/// True when the factor's pivots (on the scale of the matrix's eigenvalues) span more than
/// 1/(m ε): the solve would return noise, so the pseudo-inverse is used instead.
fn numerically_singular(pivots: impl Iterator<Item = f64>, m: usize) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
    for d in pivots {
        if !d.is_finite() {
            return true;
        }
        lo = lo.min(d);
        hi = hi.max(d);
    }
    lo <= hi * (m as f64) * f64::EPSILON
}

/// faer's blocked Cholesky with a recursion threshold of 32 instead of 64 and 64-column blocks:
/// 10–15% faster on the Gram matrices of the benchmark (n = 250..450, `sim/bench.rs`).
fn llt_params() -> llt::factor::LltParams {
    llt::factor::LltParams { recursion_threshold: 32, block_size: 64, ..Auto::<f64>::auto() }
}

/// Solves G W = R in place (R ← G⁻¹R) through G = L Lᵀ, factorised in place from the lower
/// triangle of `G` (the upper triangle is ignored). `Err(Singular)` leaves `R` untouched.
#[track_caller]
pub(crate) fn llt_solve(mut G: MatMut<'_, f64>, R: MatMut<'_, f64>, stack: &mut MemBuffer) -> Result<(), Singular> {
    let m = G.nrows();
    cholesky(G.as_mut(), stack)?;
    if leading_block_singular(G.as_ref(), m) {
        return Err(Singular);
    }
    solve_factored(G.as_ref(), R, stack);
    Ok(())
}

/// Overwrites the lower triangle of `G` with its Cholesky factor L (G = L Lᵀ); `Err(Singular)` when a
/// pivot is not positive.
pub(crate) fn cholesky(G: MatMut<'_, f64>, stack: &mut MemBuffer) -> Result<(), Singular> {
    llt::factor::cholesky_in_place(G, Default::default(), Par::Seq, MemStack::new(stack), llt_params().into())
        .map(drop)
        .map_err(|_| Singular)
}

/// Whether the leading m × m block of the factor `L` (itself the factor of the leading block of G) is
/// numerically singular: its pivots L_ii², on the scale of G's eigenvalues, span more than 1/(m ε).
pub(crate) fn leading_block_singular(L: MatRef<'_, f64>, m: usize) -> bool {
    numerically_singular((0..m).map(|i| L[(i, i)] * L[(i, i)]), m)
}

/// R ← (L Lᵀ)⁻¹ R for the lower triangular factor `L` (m × m, `R` m × k).
pub(crate) fn solve_factored(L: MatRef<'_, f64>, R: MatMut<'_, f64>, stack: &mut MemBuffer) {
    llt::solve::solve_in_place(L, R, Par::Seq, MemStack::new(stack));
}

/// Scratch memory needed by [`lu_solve`] on an m × m system with k right-hand sides.
fn lu_scratch(m: usize, k: usize) -> StackReq {
    lu::factor::lu_in_place_scratch::<usize, f64>(m, m, Par::Seq, Default::default())
        .or(lu::solve::solve_in_place_scratch::<usize, f64>(m, k, Par::Seq))
}

/// Solves the square system A W = R in place (R ← A⁻¹R) by LU with partial pivoting, overwriting
/// `A` with its factors and `perm` (2m entries) with the row permutation. `Err(Singular)` leaves `R`
/// untouched.
#[track_caller]
fn lu_solve(
    mut A: MatMut<'_, f64>,
    R: MatMut<'_, f64>,
    perm: &mut [usize],
    stack: &mut MemBuffer,
) -> Result<(), Singular> {
    let m = A.nrows();
    let (perm, perm_inv) = perm.split_at_mut(m);
    let stack = MemStack::new(stack);
    let (_, row_perm) = lu::factor::lu_in_place(A.as_mut(), perm, perm_inv, Par::Seq, stack, Default::default());
    if numerically_singular((0..m).map(|i| A[(i, i)].abs()), m) {
        return Err(Singular);
    }
    lu::solve::solve_in_place(A.as_ref(), A.as_ref(), row_perm, R, Par::Seq, stack);
    Ok(())
}

/// Robust fallback: R ← G⁺R with G⁺ the Moore–Penrose pseudo-inverse of the symmetric positive
/// semi-definite `G` (lower triangle read), G = U S Uᵀ, eigenvalues below m ε max S treated as 0.
#[track_caller]
pub(crate) fn pinv_solve(G: MatRef<'_, f64>, mut R: MatMut<'_, f64>) {
    let m = G.nrows();
    let mut s = Diag::<f64>::zeros(m);
    let mut U = Mat::<f64>::zeros(m, m);
    let req = evd::self_adjoint_evd_scratch::<f64>(m, ComputeEigenvectors::Yes, Par::Seq, Default::default());
    let mut buffer = MemBuffer::new(req);
    evd::self_adjoint_evd(G, s.as_mut(), Some(U.as_mut()), Par::Seq, MemStack::new(&mut buffer), Default::default())
        .expect("the symmetric eigensolver converges on finite input");
    let s = s.column_vector();
    let cutoff = s.iter().fold(0.0_f64, |a, &b| a.max(b.abs())) * (m as f64) * f64::EPSILON;
    // G⁺R = U diag(1/s_i if s_i > cutoff else 0) UᵀR
    let mut W = Mat::<f64>::zeros(m, R.ncols());
    gemm(W.as_mut(), Accum::Replace, U.transpose(), R.as_ref(), 1.0, Par::Seq);
    for (i, &si) in s.iter().enumerate() {
        let inv = if si > cutoff { si.recip() } else { 0.0 };
        W.row_mut(i).iter_mut().for_each(|w| *w *= inv);
    }
    gemm(R.as_mut(), Accum::Replace, U.as_ref(), W.as_ref(), 1.0, Par::Seq);
}

/// Solves Est(X, Y) (PAPER.md §1) for stored designs of one shape (rows × p), k right-hand sides,
/// with buffers reused across trials.
pub(crate) struct Fitter {
    estimator: Estimator,
    /// Gram matrix (min(rows, p) square), lower triangle; overwritten by its factor.
    gram: Mat<f64>,
    /// LU row permutation and its inverse (square designs).
    perm: Vec<usize>,
    stack: MemBuffer,
}

impl Fitter {
    /// Allocates the buffers for `rows` × `p` designs with `k` label columns.
    pub(crate) fn new(rows: usize, p: usize, k: usize) -> Self {
        let m = rows.min(p);
        Self {
            estimator: Estimator::for_shape(rows, p),
            gram: Mat::zeros(m, m),
            perm: vec![0; 2 * m],
            stack: MemBuffer::new(llt_scratch(m).or(lu_scratch(m, k))),
        }
    }

    /// coef ← Est(X, Y) column by column (`Y` is overwritten). Returns whether the pseudo-inverse
    /// fallback was used.
    #[track_caller]
    pub(crate) fn fit(
        &mut self,
        X: MatRef<'_, f64>,
        Y: MatMut<'_, f64>,
        coef: MatMut<'_, f64>,
        force_fallback: bool,
    ) -> bool {
        assert!(X.nrows() == Y.nrows() && X.ncols() == coef.nrows() && Y.ncols() == coef.ncols(), "fit shapes");
        match self.estimator {
            Estimator::MinNorm => self.min_norm(X, Y, coef, force_fallback),
            Estimator::Square => self.square(X, Y, coef, force_fallback),
            Estimator::LeastSquares => self.least_squares(X, Y, coef, force_fallback),
        }
    }

    /// n < p: b = Xᵀ(XXᵀ)⁻¹Y, or Xᵀ(XXᵀ)⁺Y = X⁺Y when XXᵀ is numerically singular.
    fn min_norm(
        &mut self,
        X: MatRef<'_, f64>,
        mut Y: MatMut<'_, f64>,
        coef: MatMut<'_, f64>,
        force_fallback: bool,
    ) -> bool {
        let solved = self.gram_solve(X, Y.as_mut(), force_fallback);
        transpose_times(coef, X, Y.as_ref());
        !solved
    }

    /// R ← (A Aᵀ)⁻¹R by Cholesky, or (A Aᵀ)⁺R when forced or numerically singular (the Gram matrix is
    /// recomputed then: the failed factorisation overwrote it). Returns whether Cholesky solved it.
    fn gram_solve(&mut self, A: MatRef<'_, f64>, mut R: MatMut<'_, f64>, force_fallback: bool) -> bool {
        gram_lower(self.gram.as_mut(), A, Accum::Replace);
        let solved = !force_fallback && llt_solve(self.gram.as_mut(), R.as_mut(), &mut self.stack).is_ok();
        if !solved {
            gram_lower(self.gram.as_mut(), A, Accum::Replace);
            pinv_solve(self.gram.as_ref(), R);
        }
        solved
    }

    /// n = p: b = X⁻¹Y by LU, or X⁺Y when X is numerically singular.
    fn square(
        &mut self,
        X: MatRef<'_, f64>,
        Y: MatMut<'_, f64>,
        mut coef: MatMut<'_, f64>,
        force_fallback: bool,
    ) -> bool {
        self.gram.copy_from(X);
        coef.copy_from(&Y);
        let solved =
            !force_fallback && lu_solve(self.gram.as_mut(), coef.as_mut(), &mut self.perm, &mut self.stack).is_ok();
        if !solved {
            self.min_norm(X, Y, coef, true);
        }
        !solved
    }

    /// n > p: b = (XᵀX)⁻¹XᵀY, or (XᵀX)⁺XᵀY (minimum-norm least squares) when XᵀX is numerically singular.
    fn least_squares(
        &mut self,
        X: MatRef<'_, f64>,
        Y: MatMut<'_, f64>,
        mut coef: MatMut<'_, f64>,
        force_fallback: bool,
    ) -> bool {
        transpose_times(coef.as_mut(), X, Y.as_ref());
        !self.gram_solve(X.transpose(), coef, force_fallback)
    }
}

#[cfg(test)]
mod tests {
    use faer::{Accum, Mat};

    use super::{gram_lower, transpose_times};

    /// A deterministic m × q test matrix with entries in [−1, 1].
    fn matrix(m: usize, q: usize, salt: usize) -> Mat<f64> {
        Mat::from_fn(m, q, |i, j| (((i * 31 + j * 17 + salt * 7) % 23) as f64 - 11.0) / 11.0)
    }

    #[test]
    fn gram_lower_matches_the_full_product_below_the_diagonal() {
        for m in [1, 47, 48, 49, 100, 150] {
            let A = matrix(m, 37, m);
            let full = &A * A.transpose();
            let mut G = Mat::<f64>::from_fn(m, m, |_, _| f64::NAN);
            gram_lower(G.as_mut(), A.as_ref(), Accum::Replace);
            gram_lower(G.as_mut(), A.as_ref(), Accum::Add);
            for j in 0..m {
                for i in j..m {
                    let error = (G[(i, j)] - 2.0 * full[(i, j)]).abs();
                    assert!(error <= 1e-12 * (1.0 + full[(i, j)].abs()), "m = {m}, ({i}, {j}): {error}");
                }
            }
        }
    }

    #[test]
    fn transpose_times_matches_the_product() {
        for m in [1, 15, 16, 17, 450] {
            let (A, W) = (matrix(m, 29, 1), matrix(m, 3, 2));
            let mut out = Mat::<f64>::zeros(29, 3);
            transpose_times(out.as_mut(), A.as_ref(), W.as_ref());
            let error = (&out - A.transpose() * &W).norm_max();
            assert!(error <= 1e-12 * m as f64, "m = {m}: {error}");
        }
    }
}
