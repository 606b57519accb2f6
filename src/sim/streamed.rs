//! The min-norm fit of a design too large to store: X is generated in column chunks from the trial's
//! block streams, twice (Gram and labels, then coefficients), never held whole.

use faer::dyn_stack::MemBuffer;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};

use super::design::draw_columns;
use super::estimator::{self, gram_lower};
use super::stream::{DRAW_BLOCK, Source, TrialKey};

/// Columns generated at once: memory n·CHUNK per worker.
const CHUNK: usize = 4 * DRAW_BLOCK;

/// Buffers of the streamed min-norm fit of n × p designs: the n × n Gram matrix and one n × CHUNK chunk.
pub(crate) struct StreamedMinNorm {
    gram: Mat<f64>,
    chunk: Mat<f64>,
    stack: MemBuffer,
}

impl StreamedMinNorm {
    /// Allocates the buffers for n-row designs.
    pub(crate) fn new(n: usize) -> Self {
        Self { gram: Mat::zeros(n, n), chunk: Mat::zeros(n, CHUNK), stack: MemBuffer::new(estimator::llt_scratch(n)) }
    }

    /// b = Xᵀ(XXᵀ)⁻¹Y for the target design X = G Λ^{1/2} (columns scaled by `sqrt_lambda`) drawn from
    /// `key`, with Y = X B + Z where `Y` holds Z on entry. Returns whether the pseudo-inverse was used.
    #[track_caller]
    pub(crate) fn fit(
        &mut self,
        sqrt_lambda: &[f64],
        key: &TrialKey,
        B: MatRef<'_, f64>,
        mut Y: MatMut<'_, f64>,
        mut coef: MatMut<'_, f64>,
        force_fallback: bool,
    ) -> bool {
        let Self { gram, chunk, stack } = self;
        // XXᵀ = Σ_c X_c X_cᵀ and Y += Σ_c X_c B_c over column chunks c.
        for_each_chunk(sqrt_lambda, key, chunk, |first, Xc| {
            let accum = if first == 0 { Accum::Replace } else { Accum::Add };
            gram_lower(gram.as_mut(), Xc, accum);
            matmul(Y.as_mut(), Accum::Add, Xc, B.subrows(first, Xc.ncols()), 1.0, Par::Seq);
        });
        let solved = !force_fallback && estimator::llt_solve(gram.as_mut(), Y.as_mut(), stack).is_ok();
        if !solved {
            for_each_chunk(sqrt_lambda, key, chunk, |first, Xc| {
                gram_lower(gram.as_mut(), Xc, if first == 0 { Accum::Replace } else { Accum::Add });
            });
            estimator::pinv_solve(gram.as_ref(), Y.as_mut());
        }
        // b_c = X_cᵀ W, regenerating each chunk from its streams.
        for_each_chunk(sqrt_lambda, key, chunk, |first, Xc| {
            estimator::transpose_times(coef.as_mut().subrows_mut(first, Xc.ncols()), Xc, Y.as_ref());
        });
        !solved
    }
}

/// Calls `f(first column, X_c)` for each column chunk X_c of the target design, drawn into `chunk`.
fn for_each_chunk(
    sqrt_lambda: &[f64],
    key: &TrialKey,
    chunk: &mut Mat<f64>,
    mut f: impl FnMut(usize, MatRef<'_, f64>),
) {
    let p = sqrt_lambda.len();
    for first in (0..p).step_by(CHUNK) {
        let width = CHUNK.min(p - first);
        let mut Xc = chunk.as_mut().subcols_mut(0, width);
        draw_columns(sqrt_lambda, key, Source::Target, first, Xc.as_mut());
        f(first, Xc.as_ref());
    }
}
