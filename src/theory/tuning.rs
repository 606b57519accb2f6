//! Oracle tuning of the ridge penalty: the λ > 0 that minimises a theory risk (issue 17, item 1: "an optimally
//! tuned ridge on strong labels").

use super::error::TheoryError;

/// The search interval of λ in decades of the mean eigenvalue tr Σ/p: λ ∈ [10⁻¹⁰, 10⁴]·tr Σ/p.
const DECADES: (f64, f64) = (-10.0, 4.0);
/// Grid points per decade of the first pass.
const PER_DECADE: f64 = 10.0;
/// Width, in decades, at which the golden-section refinement stops (relative precision ≈ 2.3e-8 in λ).
const PRECISION: f64 = 1e-8;

/// The penalty λ minimising `risk(λ)` over the interval [10⁻¹⁰, 10⁴]·tr Σ/p, with `mean_eigenvalue` = tr Σ/p.
///
/// A grid of 10 points per decade of λ finds the best grid point, then golden-section search on log λ within its
/// two neighbours narrows it to 10⁻⁸ decades: the result is the global minimum of the grid refined to a local
/// minimum (a second minimum narrower than a tenth of a decade could be missed; the tests compare against a
/// 100-per-decade grid). At the interval's lower end, ridgeless fitting is (nearly) optimal: the caller reports
/// the λ found, whatever it is.
///
/// Errors: the first error of `risk`.
pub(crate) fn tuned_ridge(
    mean_eigenvalue: f64,
    risk: impl Fn(f64) -> Result<f64, TheoryError>,
) -> Result<f64, TheoryError> {
    let at = |u: f64| risk(mean_eigenvalue * 10f64.powf(u));
    let steps = ((DECADES.1 - DECADES.0) * PER_DECADE).round() as usize;
    let grid: Vec<f64> = (0..=steps).map(|k| DECADES.0 + k as f64 / PER_DECADE).collect();
    let mut best = (0, f64::INFINITY);
    for (k, &u) in grid.iter().enumerate() {
        let r = at(u)?;
        if r < best.1 {
            best = (k, r);
        }
    }
    // Golden-section search on [u_{k−1}, u_{k+1}] (clamped to the interval).
    let (mut a, mut b) = (grid[best.0.saturating_sub(1)], grid[(best.0 + 1).min(steps)]);
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - ratio * (b - a), a + ratio * (b - a));
    let (mut fc, mut fd) = (at(c)?, at(d)?);
    while b - a > PRECISION {
        if fc <= fd {
            (b, d, fd) = (d, c, fc);
            c = b - ratio * (b - a);
            fc = at(c)?;
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + ratio * (b - a);
            fd = at(d)?;
        }
    }
    // The best point seen: the grid point itself when the minimum sits at an end of the interval.
    let u = if best.1 <= fc.min(fd) {
        grid[best.0]
    } else if fc <= fd {
        c
    } else {
        d
    };
    Ok(mean_eigenvalue * 10f64.powf(u))
}

#[cfg(test)]
mod tests {
    use super::super::Regime;
    use super::*;

    #[test]
    fn isotropic_optimal_ridge_is_the_noise_to_signal_ratio() {
        // Σ = I, γ = p/n: the optimal ridge is λ* = γσ²/r² (Dobriban & Wager 2018, Theorem 2.1, in the
        // normalisation (1/n)‖y − Xβ‖² + λ‖β‖²), with r² = ‖β⋆‖².
        for (p, n, sigma2) in [(400, 100, 0.5), (100, 400, 2.0), (300, 300, 0.1)] {
            let lambda = vec![1.0; p];
            let beta: Vec<f64> = (0..p).map(|i| ((i % 5) as f64 - 2.0) / 7.0).collect();
            let r2: f64 = beta.iter().map(|b| b * b).sum();
            let tuned =
                tuned_ridge(1.0, |l| Ok(Regime::with_ridge(&lambda, n, l)?.standard_risk(&lambda, &beta, sigma2)))
                    .unwrap();
            let expected = p as f64 / n as f64 * sigma2 / r2;
            assert!((tuned / expected - 1.0).abs() < 1e-6, "p = {p}, n = {n}: {tuned} vs {expected}");
        }
    }

    #[test]
    fn tuned_risk_is_the_minimum_of_a_fine_grid() {
        // Figure 1's spectrum (λ_i = i^-2, λ_i β⋆_i² = i^-1.5, p = 500), with and without noise: the tuned risk is
        // at most the smallest risk of a 100-per-decade grid over the search interval, and no larger than the
        // risk a relative step of 10^-3 away on either side (a minimum, not a grid artefact).
        let lambda: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect();
        let beta: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(0.25)).collect();
        let mean = lambda.iter().sum::<f64>() / 500.0;
        for (n, sigma2) in [(200, 0.0), (200, 0.1), (50, 1.0), (800, 0.1)] {
            let risk = |l: f64| Regime::with_ridge(&lambda, n, l).unwrap().standard_risk(&lambda, &beta, sigma2);
            let tuned = tuned_ridge(mean, |l| Ok(risk(l))).unwrap();
            let grid =
                (0..=1400).map(|k| risk(mean * 10f64.powf(-10.0 + f64::from(k) / 100.0))).fold(f64::INFINITY, f64::min);
            let best = risk(tuned);
            assert!(best <= grid * (1.0 + 1e-12), "n = {n}, σ² = {sigma2}: {best} vs grid {grid}");
            assert!(best <= risk(tuned * 1.001) && best <= risk(tuned / 1.001), "n = {n}, σ² = {sigma2}");
        }
    }
}
