//! The estimator Est(X, y) of docs/dev/paper.md §1, and ridge regression (issue 17), with their linear-algebra
//! kernels (all `Par::Seq`).

use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::cholesky::llt;
use faer::linalg::householder;
use faer::linalg::lu::partial_pivoting as lu;
use faer::linalg::matmul::matmul as gemm;
use faer::linalg::qr::col_pivoting as qr;
use faer::traits::pulp::{Arch, Simd, WithSimd};
use faer::{Accum, Auto, Conj, Mat, MatMut, MatRef, Par};

/// Which form of Est(X, y) (docs/dev/paper.md §1) applies to an n × p design.
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

/// A factorisation found the matrix numerically singular; the caller falls back to [`qr_solve`].
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
fn column(M: MatRef<'_, f64>, j: usize) -> &[f64] {
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
/// 1/(m ε): the solve would return noise, so the QR fallback is used instead.
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

/// G ← G + cI (nothing when c = 0, so ridgeless Gram matrices stay bit for bit what they were).
pub(crate) fn add_to_diagonal(mut G: MatMut<'_, f64>, c: f64) {
    if c > 0.0 {
        for i in 0..G.nrows() {
            G[(i, i)] += c;
        }
    }
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

/// The relative accuracy every accepted fit reaches, checked per trial by [`relative_residual`]: the
/// interpolation residual ‖X b − y‖₂ ≤ `TOLERANCE` ‖y‖₂ (b = Xᵀw or Q z lies in the row space of X by
/// construction, so b is the exact minimum-norm interpolator of labels within relative `TOLERANCE` of y),
/// or, for least squares, |x_iᵀ(X b − y)| ≤ `TOLERANCE` ‖x_i‖₂ ‖y‖₂ for every column x_i (the residual is
/// orthogonal to every feature to that accuracy, whatever the feature's scale).
///
/// 1e-10 leaves four to five digits of headroom above the QR fallback's residuals (≈ 1e-15 even on
/// the steep spectra of issue 11), and is far below the ≈ 1e-3 residual of a regularised fit that drops
/// a direction carrying label noise of relative size 1e-3.
pub(crate) const TOLERANCE: f64 = 1e-10;

/// How a fit was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// The fast default: Cholesky of the Gram matrix (LU of X when n = p), residual within [`TOLERANCE`].
    Factorised,
    /// The fallback: column-pivoted Householder QR of the design's non-zero columns (of X̄ = G Λ^{1/2} for
    /// rotated designs), used when the default failed or missed [`TOLERANCE`].
    Qr,
}

/// Est(X, y) could not be computed to [`TOLERANCE`]: the best relative residual reached, and whether the
/// QR fallback was available (designs too large to store have only the Gram matrix).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Inaccurate {
    /// The relative residual of the last attempt ([`relative_residual`]); infinite if it did not finish.
    pub(crate) residual: f64,
    /// Whether that attempt was the QR fallback.
    pub(crate) by_qr: bool,
}

/// Which residual certifies a fit (docs/dev/paper.md §1: interpolation when rank X = #rows, least squares otherwise;
/// the ridge objective's gradient with a penalty).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Check {
    /// X b = y: relative ‖X b − y‖₂ / ‖y‖₂.
    Interpolation,
    /// Xᵀ(X b − y) = 0: max over non-zero columns x_i of |x_iᵀ(X b − y)| / (‖x_i‖₂ ‖y‖₂).
    NormalEquations,
    /// The gradient of ‖X b − y‖² + c‖b‖² (c = nλ, the penalty) vanishes: max over columns of
    /// |c b_i − x_iᵀ(y − X b)| / (‖x_i‖₂ ‖y‖₂ + c ‖b‖₂), each term relative to the scale that bounds it at the
    /// optimum (there ‖y − X b‖ ≤ ‖y‖).
    Ridge(f64),
}

impl Check {
    /// The check of the default path for an estimator with penalty c = nλ (the fallback picks its own from the
    /// rank).
    fn of(estimator: Estimator, penalty: f64) -> Self {
        match estimator {
            _ if penalty > 0.0 => Self::Ridge(penalty),
            Estimator::MinNorm | Estimator::Square => Self::Interpolation,
            Estimator::LeastSquares => Self::NormalEquations,
        }
    }
}

/// The largest relative residual over the columns of `coef` as Est(A, Y) (see [`Check`]), 0/0 read as 0 and
/// NaN as infinite. `r` (n × k) receives A b − y, `g` (p × k) Aᵀ(A b − y) for the normal equations.
#[track_caller]
pub(crate) fn relative_residual(
    A: MatRef<'_, f64>,
    coef: MatRef<'_, f64>,
    Y: MatRef<'_, f64>,
    check: Check,
    mut r: MatMut<'_, f64>,
    mut g: MatMut<'_, f64>,
) -> f64 {
    // r = y − A b (the sign does not matter to the norms below)
    r.copy_from(Y);
    gemm(r.as_mut(), Accum::Add, A, coef, -1.0, Par::Seq);
    let mut worst = 0.0_f64;
    let ratio = |num: f64, den: f64| {
        if num == 0.0 {
            0.0
        } else if num.is_nan() {
            f64::INFINITY
        } else {
            num / den
        }
    };
    match check {
        Check::Interpolation => {
            for j in 0..Y.ncols() {
                worst = worst.max(ratio(r.as_ref().col(j).norm_l2(), Y.col(j).norm_l2()));
            }
        }
        Check::NormalEquations => {
            transpose_times(g.as_mut(), A, r.as_ref());
            for i in 0..A.ncols() {
                let a = A.col(i).norm_l2();
                for j in 0..Y.ncols() {
                    worst = worst.max(ratio(g[(i, j)].abs(), a * Y.col(j).norm_l2()));
                }
            }
        }
        Check::Ridge(penalty) => {
            // Gradient/2 = c b − Xᵀ(y − X b).
            transpose_times(g.as_mut(), A, r.as_ref());
            for j in 0..Y.ncols() {
                let (y, b) = (Y.col(j).norm_l2(), coef.col(j).norm_l2());
                for i in 0..A.ncols() {
                    let gradient = penalty.mul_add(coef[(i, j)], -g[(i, j)]);
                    worst = worst.max(ratio(gradient.abs(), A.col(i).norm_l2().mul_add(y, penalty * b)));
                }
            }
        }
    }
    worst
}

/// The ridge fit b = argmin ‖A b − Y‖² + c‖b‖² (`A` n × p, c > 0) as the least-squares problem of the stacked
/// [A₊; √c I] b₊ ≈ [Y; 0] over the q non-zero columns A₊ of A, by column-pivoted Householder QR (full column rank
/// whatever A); the zero columns (eigenvalues λ_i = 0) get b_i = 0 exactly, as the penalty demands. Returns b
/// (p × k).
pub(crate) fn ridge_qr(A: MatRef<'_, f64>, Y: MatRef<'_, f64>, penalty: f64) -> Mat<f64> {
    let (n, k, root) = (A.nrows(), Y.ncols(), penalty.sqrt());
    on_live_columns(A, k, |A_live| {
        let q = A_live.ncols();
        let stacked = Mat::from_fn(n + q, q, |i, c| {
            if i < n {
                A_live[(i, c)]
            } else if i - n == c {
                root
            } else {
                0.0
            }
        });
        let rhs = Mat::from_fn(n + q, k, |i, j| if i < n { Y[(i, j)] } else { 0.0 });
        least_squares_qr(stacked.as_ref(), rhs.as_ref())
    })
}

/// b = A⁺Y (docs/dev/paper.md §1: Est(A, y), on the positive directions when columns are zero) by column-pivoted
/// Householder QR, whose error grows with cond(A) rather than cond(A)² (no Gram matrix is formed).
/// The exactly zero columns of A (eigenvalues λ_i = 0) get b_i = 0; the q others, largest norm first,
/// form A₊ (n × q): q > n is the minimum-norm interpolator through the QR of A₊ᵀ (its rows sorted by
/// decreasing norm, which keeps Householder QR accurate on graded rows, Cox & Higham 1998), q ≤ n least
/// squares through the QR of A₊. Returns b (p × k) and the check that certifies it.
pub(crate) fn qr_solve(A: MatRef<'_, f64>, Y: MatRef<'_, f64>) -> (Mat<f64>, Check) {
    let n = A.nrows();
    let mut check = Check::NormalEquations;
    let b = on_live_columns(A, Y.ncols(), |A_live| {
        let q = A_live.ncols();
        if q > n {
            check = Check::Interpolation;
            min_norm_qr(A_live.transpose(), Y)
        } else {
            check = if q == n { Check::Interpolation } else { Check::NormalEquations };
            least_squares_qr(A_live, Y)
        }
    });
    (b, check)
}

/// Solves a problem on the q non-zero columns A₊ of `A` (n × p), largest norm first, with `solve` (q × k from
/// A₊), and places row c of its solution at A₊'s column c: p × k, 0 on the zero columns (eigenvalues λ_i = 0),
/// and 0 everywhere when every column is zero (`solve` is then not called).
fn on_live_columns(A: MatRef<'_, f64>, k: usize, solve: impl FnOnce(MatRef<'_, f64>) -> Mat<f64>) -> Mat<f64> {
    let (n, p) = A.shape();
    let mut live: Vec<(usize, f64)> = (0..p).map(|j| (j, A.col(j).norm_l2())).filter(|&(_, s)| s > 0.0).collect();
    live.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut b = Mat::zeros(p, k);
    if live.is_empty() {
        return b;
    }
    let A_live = Mat::from_fn(n, live.len(), |i, c| A[(i, live[c].0)]);
    let solution = solve(A_live.as_ref());
    for (c, &(j, _)) in live.iter().enumerate() {
        b.row_mut(j).copy_from(solution.row(c));
    }
    b
}

/// The column-pivoted QR M P = Q R of `M` (m × q, m ≥ q) in place: M's upper triangle holds R, its strict
/// lower part the Householder basis; returns the block Householder coefficients and the permutation arrays.
fn col_piv_qr(mut M: MatMut<'_, f64>) -> (Mat<f64>, Vec<usize>, Vec<usize>) {
    let (m, q) = M.shape();
    let block = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<f64>(m, q);
    let mut H = Mat::zeros(block, q);
    let (mut fwd, mut inv) = (vec![0; q], vec![0; q]);
    let mut buffer =
        MemBuffer::new(qr::factor::qr_in_place_scratch::<usize, f64>(m, q, block, Par::Seq, Default::default()));
    qr::factor::qr_in_place(
        M.as_mut(),
        H.as_mut(),
        &mut fwd,
        &mut inv,
        Par::Seq,
        MemStack::new(&mut buffer),
        Default::default(),
    );
    (H, fwd, inv)
}

/// Least squares b = M⁺Y for `M` (n × q, n ≥ q, full column rank): M P = Q R, b = P R⁻¹ Qᵀ Y (q × k).
fn least_squares_qr(M: MatRef<'_, f64>, Y: MatRef<'_, f64>) -> Mat<f64> {
    let (n, q, k) = (M.nrows(), M.ncols(), Y.ncols());
    let mut QR = M.to_owned();
    let (H, fwd, inv) = col_piv_qr(QR.as_mut());
    let P = faer::perm::PermRef::new_checked(&fwd, &inv, q);
    let mut rhs = Y.to_owned();
    let req = qr::solve::solve_lstsq_in_place_scratch::<usize, f64>(n, q, H.nrows(), k, Par::Seq);
    let mut buffer = MemBuffer::new(req);
    let stack = MemStack::new(&mut buffer);
    qr::solve::solve_lstsq_in_place_with_conj(
        QR.as_ref(),
        H.as_ref(),
        QR.as_ref(),
        P,
        Conj::No,
        rhs.as_mut(),
        Par::Seq,
        stack,
    );
    rhs.subrows(0, q).to_owned()
}

/// The minimum-norm interpolator b (q × k) of A₊ b = Y for `M` = A₊ᵀ (q × n, q > n, rank n): M P = Q R
/// gives Pᵀ A₊ = Rᵀ Qᵀ, so Rᵀ (Qᵀ b) = Pᵀ Y and b = Q R⁻ᵀ Pᵀ Y, which lies in range(Q) = range(A₊ᵀ).
fn min_norm_qr(M: MatRef<'_, f64>, Y: MatRef<'_, f64>) -> Mat<f64> {
    let (q, n, k) = (M.nrows(), M.ncols(), Y.ncols());
    let mut QR = M.to_owned();
    let (H, fwd, inv) = col_piv_qr(QR.as_mut());
    let P = faer::perm::PermRef::new_checked(&fwd, &inv, n);
    let mut b = Mat::zeros(q, k);
    let req = faer::perm::permute_rows_in_place_scratch::<usize, f64>(n, k)
        .or(householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(q, H.nrows(), k));
    let mut buffer = MemBuffer::new(req);
    // c = Pᵀ Y (row i of c is row fwd[i] of Y), then Rᵀ d = c, then b = Q [d; 0].
    b.as_mut().subrows_mut(0, n).copy_from(Y);
    faer::perm::permute_rows_in_place(b.as_mut().subrows_mut(0, n), P, MemStack::new(&mut buffer));
    faer::linalg::triangular_solve::solve_lower_triangular_in_place(
        QR.as_ref().subrows(0, n).transpose(),
        b.as_mut().subrows_mut(0, n),
        Par::Seq,
    );
    householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
        QR.as_ref(),
        H.as_ref(),
        Conj::No,
        b.as_mut(),
        Par::Seq,
        MemStack::new(&mut buffer),
    );
    b
}

/// Solves Est(X, Y) (docs/dev/paper.md §1) for stored designs of one shape (rows × p), k right-hand sides,
/// with buffers reused across trials: by the factorised default when its residual is within
/// [`TOLERANCE`], else by [`qr_solve`] when that is, else not at all ([`Inaccurate`]).
pub(crate) struct Fitter {
    estimator: Estimator,
    /// The ridge penalty c = nλ of ‖X b − y‖² + c‖b‖² (0: Est(X, y) itself).
    penalty: f64,
    /// Gram matrix (min(rows, p) square), lower triangle; overwritten by its factor.
    gram: Mat<f64>,
    /// LU row permutation and its inverse (square designs).
    perm: Vec<usize>,
    stack: MemBuffer,
    /// The labels Y (rows × k), kept for the residual check and the fallback.
    labels: Mat<f64>,
    /// X b − y (rows × k).
    residual: Mat<f64>,
    /// Xᵀ(X b − y) (p × k), for the normal equations.
    gradient: Mat<f64>,
}

impl Fitter {
    /// Allocates the buffers for `rows` × `p` designs with `k` label columns.
    pub(crate) fn new(rows: usize, p: usize, k: usize) -> Self {
        Self::with_ridge(rows, p, k, 0.0)
    }

    /// [`Fitter::new`] for ridge with penalty λ ≥ 0 (objective (1/n)‖y − Xβ‖² + λ‖β‖²): b = Xᵀ(XXᵀ + nλI)⁻¹y
    /// through the rows × rows Gram matrix when rows ≤ p, b = (XᵀX + nλI)⁻¹Xᵀy through the p × p one otherwise;
    /// both are well conditioned (every eigenvalue at least nλ), and the fallback is [`ridge_qr`].
    pub(crate) fn with_ridge(rows: usize, p: usize, k: usize, ridge: f64) -> Self {
        let m = rows.min(p);
        let penalty = rows as f64 * ridge;
        // Ridge solves the square case through the (now positive definite) Gram matrix too.
        let estimator = match Estimator::for_shape(rows, p) {
            Estimator::Square if penalty > 0.0 => Estimator::MinNorm,
            estimator => estimator,
        };
        Self {
            estimator,
            penalty,
            gram: Mat::zeros(m, m),
            perm: vec![0; 2 * m],
            stack: MemBuffer::new(llt_scratch(m).or(lu_scratch(m, k))),
            labels: Mat::zeros(rows, k),
            residual: Mat::zeros(rows, k),
            gradient: Mat::zeros(p, k),
        }
    }

    /// coef ← Est(X, Y) column by column (`Y` is overwritten). `eigen` is (X̄, U) when X = X̄ Uᵀ is a rotated
    /// design: the fallback then solves b̄ = X̄⁺Y on the eigenbasis draw (whose zero columns are exact) and
    /// returns b = U b̄ = X⁺Y. `force_fallback` skips the default (tests compare both paths).
    ///
    /// Errors: [`Inaccurate`] when neither path reaches [`TOLERANCE`]; `coef` then holds the QR attempt.
    #[track_caller]
    pub(crate) fn fit(
        &mut self,
        X: MatRef<'_, f64>,
        eigen: Option<(MatRef<'_, f64>, MatRef<'_, f64>)>,
        Y: MatMut<'_, f64>,
        mut coef: MatMut<'_, f64>,
        force_fallback: bool,
    ) -> Result<Method, Inaccurate> {
        assert!(X.nrows() == Y.nrows() && X.ncols() == coef.nrows() && Y.ncols() == coef.ncols(), "fit shapes");
        self.labels.copy_from(&Y);
        if !force_fallback && self.factorised(X, Y, coef.as_mut()).is_ok() {
            let check = Check::of(self.estimator, self.penalty);
            if self.residual_of(X, coef.as_ref(), check) <= TOLERANCE {
                return Ok(Method::Factorised);
            }
        }
        let (A, U) = eigen.map_or((X, None), |(Xbar, U)| (Xbar, Some(U)));
        let (b, check) = if self.penalty > 0.0 {
            (ridge_qr(A, self.labels.as_ref(), self.penalty), Check::Ridge(self.penalty))
        } else {
            qr_solve(A, self.labels.as_ref())
        };
        let residual = self.residual_of(A, b.as_ref(), check);
        match U {
            Some(U) => gemm(coef, Accum::Replace, U, b.as_ref(), 1.0, Par::Seq),
            None => coef.copy_from(&b),
        }
        if residual <= TOLERANCE { Ok(Method::Qr) } else { Err(Inaccurate { residual, by_qr: true }) }
    }

    /// The relative residual of `coef` as Est(A, labels) under `check`.
    fn residual_of(&mut self, A: MatRef<'_, f64>, coef: MatRef<'_, f64>, check: Check) -> f64 {
        relative_residual(A, coef, self.labels.as_ref(), check, self.residual.as_mut(), self.gradient.as_mut())
    }

    /// The default path of each estimator; `Err(Singular)` when its factorisation fails.
    fn factorised(
        &mut self,
        X: MatRef<'_, f64>,
        mut Y: MatMut<'_, f64>,
        mut coef: MatMut<'_, f64>,
    ) -> Result<(), Singular> {
        match self.estimator {
            // n < p: b = Xᵀ(XXᵀ + nλI)⁻¹Y (λ = 0: the min-norm interpolator; ridge also at n = p).
            Estimator::MinNorm => {
                self.gram_solve(X, Y.as_mut())?;
                transpose_times(coef, X, Y.as_ref());
            }
            // n = p: b = X⁻¹Y by LU.
            Estimator::Square => {
                self.gram.copy_from(X);
                coef.copy_from(&Y);
                lu_solve(self.gram.as_mut(), coef, &mut self.perm, &mut self.stack)?;
            }
            // n > p: b = (XᵀX + nλI)⁻¹XᵀY.
            Estimator::LeastSquares => {
                transpose_times(coef.as_mut(), X, Y.as_ref());
                self.gram_solve(X.transpose(), coef)?;
            }
        }
        Ok(())
    }

    /// R ← (A Aᵀ + cI)⁻¹R by Cholesky, c the ridge penalty.
    fn gram_solve(&mut self, A: MatRef<'_, f64>, R: MatMut<'_, f64>) -> Result<(), Singular> {
        gram_lower(self.gram.as_mut(), A, Accum::Replace);
        add_to_diagonal(self.gram.as_mut(), self.penalty);
        llt_solve(self.gram.as_mut(), R, &mut self.stack)
    }
}

#[cfg(test)]
mod tests;
