//! Compensated (Neumaier) summation, so sums over p = 10^7 terms stay accurate to about one rounding error.

/// A running sum with Neumaier's compensation term; add terms in a fixed order for deterministic results.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct NeumaierSum {
    sum: f64,
    compensation: f64,
}

impl NeumaierSum {
    /// Adds one term, carrying the rounding error of the addition in the compensation.
    #[inline]
    pub(super) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        // Neumaier: recover the low-order bits lost by whichever operand is smaller in magnitude.
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// The compensated total.
    pub(super) fn value(self) -> f64 {
        self.sum + self.compensation
    }
}

/// Compensated sum of a sequence, in iteration order.
pub(super) fn compensated_sum(terms: impl IntoIterator<Item = f64>) -> f64 {
    let [total] = compensated_sums(terms.into_iter().map(|x| [x]));
    total
}

/// K compensated sums of a sequence of K-tuples of terms, in one sequential pass.
pub(super) fn compensated_sums<const K: usize>(terms: impl IntoIterator<Item = [f64; K]>) -> [f64; K] {
    let mut totals = [NeumaierSum::default(); K];
    for term in terms {
        totals.iter_mut().zip(term).for_each(|(total, x)| total.add(x));
    }
    totals.map(NeumaierSum::value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_what_naive_summation_loses() {
        // 1 + 1e100 + 1 - 1e100 = 2 exactly; naive summation gives 0.
        assert_eq!(compensated_sum([1.0, 1e100, 1.0, -1e100]), 2.0);
        // Ten million copies of the double nearest 0.1 sum to 1e6 + 5.55e-11 exactly; naive summation is off by
        // about 1e-4.
        let s = compensated_sum(std::iter::repeat_n(0.1, 10_000_000));
        assert!((s - 0.1 * 1e7).abs() <= 1e-9, "{s}");
    }
}
