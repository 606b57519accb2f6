//! Multiplicity control over a family of tests.

use super::error::{StatsError, check_level};

/// Holm–Bonferroni step-down decisions for a family of m p-values at family-wise level α.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Holm {
    /// Holm-adjusted p-values, in the input order: p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)).
    pub(crate) adjusted: Vec<f64>,
    /// Whether each hypothesis is rejected (p̃ ≤ α), in the input order.
    pub(crate) rejected: Vec<bool>,
    /// The family-wise error level α.
    pub(crate) alpha: f64,
}

impl Holm {
    /// Applies Holm's procedure: sort p ascending, reject H_(1..k) where k is the last index with
    /// p_(j) ≤ α/(m − j + 1) for every j ≤ k. NaN p-values are errors; ties keep input order.
    pub(crate) fn new(p_values: &[f64], alpha: f64) -> Result<Self, StatsError> {
        check_level(alpha)?;
        if let Some(index) = p_values.iter().position(|p| p.is_nan()) {
            return Err(StatsError::NonFinite { index });
        }
        let m = p_values.len();
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]));
        let mut adjusted = vec![0.0; m];
        let mut running = 0.0_f64;
        for (rank, &i) in order.iter().enumerate() {
            running = running.max(((m - rank) as f64 * p_values[i]).min(1.0));
            adjusted[i] = running;
        }
        let rejected = adjusted.iter().map(|&p| p <= alpha).collect();
        Ok(Self { adjusted, rejected, alpha })
    }
}

/// Confidence level of each of `family_size` intervals so that all hold jointly with
/// probability ≥ `confidence` (Bonferroni): 1 − (1 − c)/m.
#[cfg(test)]
pub(crate) fn bonferroni_confidence(confidence: f64, family_size: usize) -> Result<f64, StatsError> {
    check_level(confidence)?;
    Ok(1.0 - (1.0 - confidence) / family_size.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_on_the_textbook_example() {
        // Holm (1979) as taught (e.g. the Wikipedia example): p = (0.01, 0.04, 0.03, 0.005),
        // α = 0.05. Sorted: 0.005 ≤ 0.05/4, 0.01 ≤ 0.05/3, 0.03 > 0.05/2 → stop: reject H1, H4.
        // Adjusted: 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06.
        let holm = Holm::new(&[0.01, 0.04, 0.03, 0.005], 0.05).unwrap();
        assert_eq!(holm.rejected, vec![true, false, false, true]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in holm.adjusted.iter().zip(expected) {
            assert!((a - e).abs() < 1e-15, "{:?}", holm.adjusted);
        }
    }

    #[test]
    fn holm_rejects_more_than_bonferroni_but_never_above_alpha_alone() {
        // Bonferroni at m = 3 needs p ≤ 0.0167; Holm also rejects 0.02 ≤ 0.025 and 0.04 ≤ 0.05.
        let holm = Holm::new(&[0.04, 0.001, 0.02], 0.05).unwrap();
        assert_eq!(holm.rejected, vec![true, true, true]);
        let none = Holm::new(&[0.06, 0.9], 0.05).unwrap();
        assert_eq!(none.rejected, vec![false, false]);
    }

    #[test]
    fn bonferroni_splits_the_error_rate() {
        assert!((bonferroni_confidence(0.95, 17).unwrap() - (1.0 - 0.05 / 17.0)).abs() < 1e-15);
        assert_eq!(bonferroni_confidence(1.5, 2), Err(StatsError::InvalidLevel(1.5)));
    }
}
