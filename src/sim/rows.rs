//! Designs drawn from the rows of a data set (a `data(...)` task): each trial's n training rows are a uniformly
//! random subset of the N rows, drawn without replacement from the trial's own stream.

use faer::{Mat, MatMut};

use super::stream::{Draw, Source, TrialKey};

/// The rows of a data set in the eigenbasis of its second moment Σ̂ = XᵀX/N: Z = X V (N × r, V the eigenvectors
/// of the r eigenvalues kept), and each row's residual e = y − Z β̄ from the least-squares fit β̄ on all rows.
/// A row's label is then zᵀβ̄ + e, and the label a surrogate β^s gives it is zᵀβ^s + e: the residual plays the
/// part of the label noise, and is shared by every surrogate of a trial, as the noise of a Gaussian design is.
#[derive(Clone, PartialEq)]
pub(crate) struct Rows {
    /// Z = X V (N × r).
    pub(crate) Z: Mat<f64>,
    /// e = y − Z β̄ (N).
    pub(crate) residuals: Vec<f64>,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rows({} × {})", self.Z.nrows(), self.Z.ncols())
    }
}

impl Rows {
    /// The number N of rows.
    pub(crate) fn count(&self) -> usize {
        self.Z.nrows()
    }

    /// The `picked.len()` training rows of trial `key`: a partial Fisher–Yates shuffle of 0..N driven by raw
    /// 64-bit draws of the stream (target, rows), so the rows depend on nothing but the trial's key (any thread
    /// count, any order). `order` is a reusable buffer.
    ///
    /// # Panics
    /// If more rows are asked for than there are (the resolver refuses n > N).
    #[track_caller]
    pub(crate) fn pick(&self, key: &TrialKey, picked: &mut [usize], order: &mut Vec<usize>) {
        let count = self.count();
        assert!(picked.len() <= count, "a trial takes at most the N rows of its data set");
        order.clear();
        order.extend(0..count);
        let mut stream = key.stream(Source::Target, Draw::Rows);
        for (i, out) in picked.iter_mut().enumerate() {
            order.swap(i, stream.index_below(count - i) + i);
            *out = order[i];
        }
    }

    /// Copies rows `picked` of Z into `X` (n × r) and their residuals into `z`.
    #[track_caller]
    pub(crate) fn copy(&self, picked: &[usize], mut X: MatMut<'_, f64>, z: &mut [f64]) {
        assert_eq!((X.nrows(), X.ncols()), (picked.len(), self.Z.ncols()), "one design row per picked row");
        for j in 0..self.Z.ncols() {
            let source = self.Z.col_as_slice(j);
            let column = X.as_mut().col_mut(j).try_as_col_major_mut().expect("design buffers are column-major");
            column.as_slice_mut().iter_mut().zip(picked).for_each(|(x, &i)| *x = source[i]);
        }
        z.iter_mut().zip(picked).for_each(|(z, &i)| *z = self.residuals[i]);
    }
}
