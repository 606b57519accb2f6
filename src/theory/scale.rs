//! The optimal surrogate's gain at scale (issue 17 item 7, the paper's open questions on scale): the ratio
//! ρ = R*/R(β^t) of the optimal surrogate-to-target risk to the standard target's, both ridgeless and noiseless,
//! on the power-law task λ_i = i^{−α}, λ_i β⋆_i² = i^{−β} (α, β > 1), as p grows at fixed n and as n grows.
//!
//! # p → ∞ at fixed n
//!
//! Let τ_p solve Σ_{i≤p} λ_i/(λ_i+τ) = n (eq. 7). Adding features adds positive terms to the left side, so τ_p
//! increases with p, and it is bounded by τ_∞, the root of the infinite sum, which converges because
//! Σ i^{−α} < ∞ for α > 1. The missing terms are Σ_{i>p} λ_i/(λ_i+τ) ≤ p^{1−α}/((α−1)τ), and the left side's
//! slope in ln τ is −Σθ_iζ_i = −n(1−Ω), so τ_p = τ_∞(1 − O(p^{1−α}/(τ n))) = τ_∞(1 − O((n/p)^{α−1})) with
//! τ ≍ n^{−α} (Proposition 4); Ω_p = (1/n)Σ_{i≤p}θ_i² converges at the same rate. The risks are
//! R(β^t) = B/(1−Ω) with B = Σ i^{−β} ζ_i², and R* = Σ i^{−β} κ′ζ_i²/(θ_i² + κ′ζ_i²) with κ′ = Ω/(1−Ω); both
//! weights lie in [0, 1], so their tails are at most Σ_{i>p} i^{−β} ≤ p^{1−β}/(β−1), against risks of order
//! n^{−(β−1)} (Proposition 6). Hence
//!
//! ρ_p(n) → ρ_∞(n) = R*_∞(n)/R_∞(n),  |ρ_p(n) − ρ_∞(n)| = O((n/p)^{min(α,β)−1}):
//!
//! the ratio of the p = ∞ equivalents, the setting of Propositions 4–6. It converges, but slowly when α or β is
//! close to 1: at β = 1.2 the gap shrinks by only 4^{0.2} ≈ 1.3 each time p is multiplied by 4.
//!
//! # n → ∞ with p = ∞ (p ≫ n)
//!
//! Put x = i τ^{1/α}, so that λ_i/τ = x^{−α}, ζ_i = x^α/(1+x^α), θ_i = 1/(1+x^α), and the sums over i become
//! Riemann sums of step τ^{1/α} → 0. For 1 < β < 2α + 1 both sums are dominated by i ≍ τ^{−1/α} ≍ n:
//!
//! - B = τ^{(β−1)/α} (I_B + o(1)), I_B = ∫_0^∞ x^{2α−β}/(1+x^α)² dx (integrable at 0 iff β < 2α+1, at ∞ iff
//!   β > 1);
//! - R* = τ^{(β−1)/α} (I_* + o(1)), I_* = ∫_0^∞ k x^{2α−β}/(1 + k x^{2α}) dx, with κ′ → k = α − 1 since
//!   Ω → (α−1)/α (Proposition 4).
//!
//! The scale τ^{(β−1)/α} (with τ n^α → c(α)) cancels in the ratio, and so does c(α):
//! ρ → K(α, β) = (1 − Ω_∞) I_*/I_B = I_*/(α I_B). With v = (β−1)/α ∈ (0, 2), the Beta integrals
//! ∫_0^∞ x^{s−1}/(1+x^a)² dx = (1/a) Γ(s/a)Γ(2−s/a) and ∫_0^∞ x^{s−1}/(1+x^a) dx = π/(a sin(πs/a)), at
//! s = 2α−β+1, give I_B = (1−v)π/(α sin(πv)) and I_* = k^{v/2} π/(2α sin(πv/2)), so
//!
//! K(α, β) = (α−1)^{v/2} cos(πv/2) / (α(1 − v)) = (α−1)^{(β−1)/(2α)} cos(π(β−1)/(2α)) / (α − β + 1),
//!
//! continuous at β = α + 1 (v = 1), where it is π √(α−1)/(2α). The corrections are O(1/n) (Ω's, Proposition 4)
//! and O(n^{−(2α−β+1)}) (the Riemann sums' ends at x = 0).
//!
//! For β > 2α + 1 both sums are dominated by the first indices, where ζ_i ≈ τ i^α and θ_i ≈ 1:
//! B ≈ τ² Σ i^{2α−β} and R* ≈ κ′ τ² Σ i^{2α−β}, so ρ → κ′(1 − Ω) = Ω_∞ = (α−1)/α, with corrections
//! O(n^{−(β−2α−1)}) + O(1/n). On the boundary β = 2α + 1 the paper gives no rate and K is not defined here.

use super::asymptotics::{check_alpha, power_law_spectrum};
use super::equivalent::Regime;
use super::error::{TheoryError, check_exponent};

/// ρ = R*/R(β^t) at `regime` for spectrum `lambda` and signal `beta_star`, noiseless: the optimal
/// surrogate-to-target risk over the standard target's (1 in the least-squares regime, where β^{s*} = β⋆).
#[track_caller]
pub(crate) fn optimal_ratio(regime: &Regime, lambda: &[f64], beta_star: &[f64]) -> f64 {
    match regime {
        Regime::Equivalent(_) => {
            regime.optimal_risk(lambda, beta_star, 0.0) / regime.standard_risk(lambda, beta_star, 0.0)
        }
        // Both noiseless risks are 0 there; the surrogate changes nothing (v2 Proposition 2).
        Regime::LeastSquares { .. } => 1.0,
    }
}

/// ρ_p(n) = R*/R(β^t) on p features at n samples for λ_i = i^{−α} and λ_i β⋆_i² = i^{−β} (i ≤ p), noiseless. The
/// ratio does not depend on the scale of β⋆, so the signal is taken unnormalised: β⋆_i = i^{(α−β)/2}.
///
/// Errors: α ≤ 1, β ≤ 1, or no interpolating regime (n ≥ p).
pub(crate) fn power_law_ratio(alpha: f64, beta: f64, n: usize, p: usize) -> Result<f64, TheoryError> {
    check_alpha(alpha)?;
    check_exponent("beta", beta, 1.0, "beta > 1")?;
    let lambda = power_law_spectrum(p, alpha);
    let beta_star: Vec<f64> = (1..=p).map(|i| (i as f64).powf(0.5 * (alpha - beta))).collect();
    let regime = Regime::with_ridge(&lambda, n, 0.0)?;
    Ok(optimal_ratio(&regime, &lambda, &beta_star))
}

/// K(α, β) = lim_{n→∞} R*/R(β^t) at p = ∞ (module docs): (α−1)^{v/2} cos(πv/2)/(α(1−v)) with v = (β−1)/α for
/// β < 2α + 1, (α−1)/α for β > 2α + 1, and `None` on the boundary β = 2α + 1.
pub(crate) fn ratio_constant(alpha: f64, beta: f64) -> Result<Option<f64>, TheoryError> {
    check_alpha(alpha)?;
    check_exponent("beta", beta, 1.0, "beta > 1")?;
    let boundary = 2.0 * alpha + 1.0;
    if beta > boundary {
        return Ok(Some((alpha - 1.0) / alpha));
    }
    if beta == boundary {
        return Ok(None);
    }
    let v = (beta - 1.0) / alpha;
    // cos(πv/2)/(1 − v) = sin(πw/2)/w with w = 1 − v: no 0/0 at v = 1, where it is π/2.
    let w = 1.0 - v;
    let half_angle = if w == 0.0 { std::f64::consts::FRAC_PI_2 } else { (std::f64::consts::FRAC_PI_2 * w).sin() / w };
    #[cfg(test)]
    let half_angle = if super::mutation::active() == Some(super::mutation::Mutation::ConstantFullAngle) {
        // The Beta integral of I_* read with 2α replaced by α: sin(πw)/w instead of sin(πw/2)/w.
        (std::f64::consts::PI * w).sin() / w
    } else {
        half_angle
    };
    Ok(Some((alpha - 1.0).powf(0.5 * v) * half_angle / alpha))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K(α, β) by mpmath 1.3.0 at 40 digits, rounded to f64 (π/4 at (2, 3)): the closed form, checked against
    /// `mp.quad(lambda x: k*x**(2*a-b)/(1+k*x**(2*a)), pts) / (a*mp.quad(lambda x: x**(2*a-b)/(1+x**a)**2, pts))`
    /// with k = a − 1 and pts = [0, 0.01, 1, 100, inf], which agreed to 1e-22 or better, but at (1.5, 1.2), where
    /// the slowly decaying x^{−1.2} tail left the quadrature 8e-11 off.
    const REFERENCE: [(f64, f64, f64); 6] = [
        (1.5, 1.2, 0.718_443_095_342_917_5),
        (2.0, 1.5, 0.615_919_688_340_857_9),
        (2.0, 2.5, 0.765_366_864_730_179_6),
        (3.0, 2.0, 0.486_040_324_309_916_4),
        (2.0, 3.0, std::f64::consts::FRAC_PI_4),
        (3.0, 6.5, 0.729_370_060_312_073),
    ];

    #[test]
    fn constant_matches_an_independent_quadrature() {
        for (alpha, beta, expected) in REFERENCE {
            let k = ratio_constant(alpha, beta).unwrap().unwrap();
            assert!((k / expected - 1.0).abs() < 1e-14, "α = {alpha}, β = {beta}: {k} vs {expected}");
        }
        // v = 1 exactly: π √(α−1)/(2α); above the boundary (α−1)/α; on it, none.
        assert!((ratio_constant(2.0, 3.0).unwrap().unwrap() - std::f64::consts::FRAC_PI_4).abs() < 1e-15);
        assert_eq!(ratio_constant(1.5, 5.0).unwrap(), Some(1.0 / 3.0));
        assert_eq!(ratio_constant(2.0, 5.0).unwrap(), None);
        assert!(ratio_constant(1.0, 2.0).is_err() && ratio_constant(2.0, 1.0).is_err());
    }

    /// ∫_0^∞ f, by the substitution x = e^u and the trapezoid rule on u ∈ [−150, 150] with step h = 1/64: for
    /// integrands analytic in a strip and decaying exponentially in u, the error falls like e^{−c/h} (Trefethen &
    /// Weideman, SIAM Review 2014, §5), and the slowest tail here, e^{−0.2u} at β = 1.2, is cut at 5e-13: an
    /// evaluation that shares no formula with the Beta-function closed form.
    fn half_line(f: impl Fn(f64) -> f64) -> f64 {
        let h = 1.0 / 64.0;
        (-150 * 64..=150 * 64).map(|j| f64::from(j) * h).map(|u| f(u.exp()) * u.exp()).sum::<f64>() * h
    }

    #[test]
    fn constant_is_the_ratio_of_the_integrals() {
        for (alpha, beta, _) in REFERENCE.iter().filter(|(a, b, _)| *b < 2.0 * a + 1.0) {
            let (a, b, k) = (*alpha, *beta, alpha - 1.0);
            // I_B and I_*, divided through by x^{2α} above x = 1 so that neither overflows at either end.
            let bias = half_line(|x| {
                if x < 1.0 {
                    x.powf(2.0 * a - b) / (1.0 + x.powf(a)).powi(2)
                } else {
                    x.powf(-b) / (x.powf(-a) + 1.0).powi(2)
                }
            });
            let optimal = half_line(|x| {
                if x < 1.0 {
                    k * x.powf(2.0 * a - b) / (1.0 + k * x.powf(2.0 * a))
                } else {
                    k * x.powf(-b) / (x.powf(-2.0 * a) + k)
                }
            });
            let expected = optimal / (a * bias);
            let got = ratio_constant(a, b).unwrap().unwrap();
            assert!((got / expected - 1.0).abs() < 1e-11, "α = {a}, β = {b}: {got} vs {expected}");
        }
    }

    #[test]
    fn finite_ratios_approach_the_constant_as_n_and_p_grow() {
        // The theory itself at p = 10^6 ≫ n = 800, against K: the gap is O(1/n) + O((n/p)^{min(α,β)−1}). numpy
        // (float64, bisection on eq. 7, the sums written out) gave 0.7654279 and 0.4863935 here.
        for (alpha, beta, numpy) in [(2.0, 2.5, 0.765_427_9), (3.0, 2.0, 0.486_393_5)] {
            let rho = power_law_ratio(alpha, beta, 800, 1_000_000).unwrap();
            assert!((rho - numpy).abs() < 1e-6, "α = {alpha}, β = {beta}: ρ = {rho} vs numpy {numpy}");
            let k = ratio_constant(alpha, beta).unwrap().unwrap();
            assert!((rho / k - 1.0).abs() < 1e-3, "α = {alpha}, β = {beta}: ρ = {rho}, K = {k}");
        }
        // At fixed n = 100 the ratio converges in p; numpy gave 0.4888443, 0.4881072, 0.4879226 at p = 16000, 64000,
        // 256000. With min(α, β) − 1 = 1 the gap to the limit shrinks about 4-fold per factor 4 in p.
        let rho: Vec<f64> =
            [16_000, 64_000, 256_000].iter().map(|&p| power_law_ratio(3.0, 2.0, 100, p).unwrap()).collect();
        for (got, numpy) in rho.iter().zip([0.488_844_3, 0.488_107_2, 0.487_922_6]) {
            assert!((got - numpy).abs() < 1e-6, "{got} vs numpy {numpy}");
        }
        let shrink = (rho[0] - rho[1]) / (rho[1] - rho[2]);
        assert!((shrink - 4.0).abs() < 0.5, "the gap shrinks by {shrink} per factor 4 in p, not about 4");
    }

    #[test]
    fn least_squares_has_no_gain() {
        let lambda = power_law_spectrum(50, 2.0);
        let beta = vec![1.0; 50];
        let regime = Regime::with_ridge(&lambda, 100, 0.0).unwrap();
        assert_eq!(optimal_ratio(&regime, &lambda, &beta), 1.0);
        assert!(power_law_ratio(2.0, 1.5, 50, 50).is_ok_and(|r| r == 1.0));
        assert!(power_law_ratio(2.0, 0.5, 10, 50).is_err());
    }
}
