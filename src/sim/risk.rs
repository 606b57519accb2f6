//! Excess population risk against the target model.

/// Eq. 5: R(b) = ‖Σ^{1/2}(b − β⋆)‖² = Σ_i λ_i (b_i − β⋆_i)² for diagonal Σ = diag(λ).
#[track_caller]
pub(crate) fn excess_risk(lambda: &[f64], b: &[f64], beta_star: &[f64]) -> f64 {
    assert!(lambda.len() == b.len() && b.len() == beta_star.len(), "risk operands differ in length");
    lambda.iter().zip(b).zip(beta_star).map(|((l, bi), ti)| l * (bi - ti) * (bi - ti)).sum()
}

#[cfg(test)]
mod tests {
    use super::excess_risk;

    #[test]
    fn weights_squared_errors_by_eigenvalues() {
        // 2·(1−0)² + 0.5·(3−1)² + 0·(9−0)² = 2 + 2 = 4
        assert_eq!(excess_risk(&[2.0, 0.5, 0.0], &[1.0, 3.0, 9.0], &[0.0, 1.0, 0.0]), 4.0);
    }
}
