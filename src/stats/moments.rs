//! Numerically stable sample mean and variance.

/// Count, mean and unbiased sample variance of a sample, by Welford's one-pass update
/// (stable when the mean is large relative to the spread).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Moments {
    /// Number of observations.
    pub(crate) count: usize,
    /// Sample mean (0 for an empty sample).
    pub(crate) mean: f64,
    /// Σ (x_i − mean)², accumulated stably.
    sum_sq_dev: f64,
}

impl Moments {
    /// The moments of `sample`.
    pub(crate) fn of(sample: &[f64]) -> Self {
        let mut moments = Self::default();
        for &x in sample {
            moments.push(x);
        }
        moments
    }

    /// Adds one observation. Welford: δ = x − m, m += δ/k, M2 += δ (x − m).
    pub(crate) fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.sum_sq_dev += delta * (x - self.mean);
    }

    /// Unbiased sample variance M2/(k − 1); `None` for fewer than 2 observations.
    pub(crate) fn variance(&self) -> Option<f64> {
        (self.count >= 2).then(|| self.sum_sq_dev / (self.count - 1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::Moments;

    #[test]
    fn variance_survives_a_large_offset() {
        // 1e9 + {4, 7, 13, 16}: mean 1e9 + 10, squared deviations 36 + 9 + 9 + 36 = 90, var 90/3.
        // The textbook Σx² − n·mean² formula loses every digit here.
        let m = Moments::of(&[1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0]);
        assert_eq!(m.count, 4);
        assert_eq!(m.mean, 1e9 + 10.0);
        assert_eq!(m.variance(), Some(30.0));
    }

    #[test]
    fn variance_needs_two_observations() {
        assert_eq!(Moments::of(&[3.0]).variance(), None);
        assert_eq!(Moments::of(&[]).count, 0);
    }
}
