//! The min-norm fit of a design too large to store: X is generated in column chunks from the trial's
//! block streams, twice (Gram and labels, then coefficients), never held whole.

use faer::dyn_stack::MemBuffer;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::design::{Design, draw_columns};
use super::estimator::{self, Inaccurate, gram_lower};
use super::stream::{DRAW_BLOCK, Source, TrialKey};

/// Columns generated at once: memory n·CHUNK per worker.
const CHUNK: usize = 4 * DRAW_BLOCK;

/// Buffers of the streamed min-norm fit of n × p designs: the n × n Gram matrix, one n × CHUNK chunk, and
/// the labels and residual (n × k).
pub(crate) struct StreamedMinNorm {
    /// The ridge penalty c = nλ (0: the min-norm interpolator).
    penalty: f64,
    gram: Mat<f64>,
    chunk: Mat<f64>,
    stack: MemBuffer,
    labels: Mat<f64>,
    residual: Mat<f64>,
}

impl StreamedMinNorm {
    /// Allocates the buffers for n-row designs with k label columns, fitted with ridge penalty λ ≥ 0.
    pub(crate) fn new(n: usize, k: usize, ridge: f64) -> Self {
        Self {
            penalty: n as f64 * ridge,
            gram: Mat::zeros(n, n),
            chunk: Mat::zeros(n, CHUNK),
            stack: MemBuffer::new(estimator::llt_scratch(n)),
            labels: Mat::zeros(n, k),
            residual: Mat::zeros(n, k),
        }
    }

    /// b = Xᵀ(XXᵀ + cI)⁻¹Y (c = nλ; the min-norm interpolator at λ = 0) for the target design X = Z Λ^{1/2} of
    /// `design` (U = I) drawn from `key`, with Y = X B + Z where `Y` holds Z on entry.
    ///
    /// Errors: [`Inaccurate`] (`by_qr` false) when the Cholesky factorisation fails or the residual of the
    /// system, ‖y − X b − c w‖₂ / ‖y‖₂ with b = Xᵀw, exceeds [`estimator::TOLERANCE`] (or `force_fallback` is set): the QR
    /// fallback would need X whole, which is too large to store, so the point is refused.
    #[track_caller]
    pub(crate) fn fit(
        &mut self,
        design: &Design,
        key: &TrialKey,
        B: MatRef<'_, f64>,
        mut Y: MatMut<'_, f64>,
        mut coef: MatMut<'_, f64>,
        force_fallback: bool,
    ) -> Result<(), Inaccurate> {
        let Self { penalty, gram, chunk, stack, labels, residual } = self;
        let refused = |residual| Inaccurate { residual, by_qr: false };
        // XXᵀ = Σ_c X_c X_cᵀ and Y += Σ_c X_c B_c over column chunks c.
        for_each_chunk(design, key, chunk, |first, Xc| {
            let accum = if first == 0 { Accum::Replace } else { Accum::Add };
            gram_lower(gram.as_mut(), Xc, accum);
            matmul(Y.as_mut(), Accum::Add, Xc, B.subrows(first, Xc.ncols()), 1.0, Par::Seq);
        });
        labels.copy_from(&Y);
        estimator::add_to_diagonal(gram.as_mut(), *penalty);
        if force_fallback || estimator::llt_solve(gram.as_mut(), Y.as_mut(), stack).is_err() {
            return Err(refused(f64::INFINITY));
        }
        // b_c = X_cᵀ W, regenerating each chunk from its streams; the residual y − Σ_c X_c b_c alongside.
        residual.copy_from(&*labels);
        for_each_chunk(design, key, chunk, |first, Xc| {
            let mut b = coef.as_mut().subrows_mut(first, Xc.ncols());
            estimator::transpose_times(b.as_mut(), Xc, Y.as_ref());
            matmul(residual.as_mut(), Accum::Add, Xc, b.as_ref(), -1.0, Par::Seq);
        });
        // Ridge: (XXᵀ + cI)w = y, so the residual of the system is y − X b − c w.
        if *penalty > 0.0 {
            for j in 0..residual.ncols() {
                for i in 0..residual.nrows() {
                    residual[(i, j)] -= *penalty * Y[(i, j)];
                }
            }
        }
        let relative = (0..labels.ncols())
            .map(|j| {
                let (r, y) = (residual.col(j).norm_l2(), labels.col(j).norm_l2());
                if r == 0.0 {
                    0.0
                } else if r.is_nan() {
                    f64::INFINITY
                } else {
                    r / y
                }
            })
            .fold(0.0, f64::max);
        if relative <= estimator::TOLERANCE { Ok(()) } else { Err(refused(relative)) }
    }
}

/// Calls `f(first column, X_c)` for each column chunk X_c of the target design, drawn into `chunk`.
fn for_each_chunk(design: &Design, key: &TrialKey, chunk: &mut Mat<f64>, mut f: impl FnMut(usize, MatRef<'_, f64>)) {
    let (sqrt_lambda, entries) = (design.sqrt_lambda(), design.entries());
    let p = sqrt_lambda.len();
    for first in (0..p).step_by(CHUNK) {
        let width = CHUNK.min(p - first);
        let mut Xc = chunk.as_mut().subcols_mut(0, width);
        draw_columns(sqrt_lambda, entries, key, Source::Target, first, Xc.as_mut());
        f(first, Xc.as_ref());
    }
}
