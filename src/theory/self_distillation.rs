//! Self-distillation in ridge regression (issue 17 item 2; Dang, Patil, Rinaldo, arXiv 2602.17565): the ridge
//! fit β̂ (penalty λ > 0) on labels y is refitted, on the same data, to ξ·Xβ̂ + (1 − ξ)·y.
//!
//! With Σ̂ = XᵀX/n and S = (Σ̂ + λI)⁻¹Xᵀ/n, the student is β̂_ξ = S(ξXβ̂ + (1 − ξ)y) = β̂ + ξ(SXβ̂ − β̂), and
//! SXβ̂ − β̂ = −λ(Σ̂ + λI)⁻¹β̂ = λ ∂β̂/∂λ. So, with β̂′ = ∂β̂/∂λ, the student's excess risk is the quadratic
//! R(ξ) = R_T + ξλ ∂R_T/∂λ + ξ²λ² ‖Σ^{1/2}β̂′‖², where R_T is the teacher's (the ridge fit's) risk. It is minimised
//! at ξ* = −∂R_T/∂λ / (2λ‖Σ^{1/2}β̂′‖²), whose sign is opposite to the slope of the teacher's risk in λ, and
//! R(ξ*) = R_T − (∂R_T/∂λ)²/(4‖Σ^{1/2}β̂′‖²) < R_T wherever that slope is not 0: the two statements of Dang et al.
//!
//! The deterministic equivalents come from the cross risk of two ridge fits on the same data,
//! C(λ₁, λ₂) = E⟨β̂(λ₁) − β⋆, β̂(λ₂) − β⋆⟩_Σ ≈ (κ₁κ₂ Σ_i λ_i β⋆_i²/((λ_i+κ₁)(λ_i+κ₂)) + σ²Ω₁₂)/(1 − Ω₁₂) with
//! Ω₁₂ = (1/n) Σ_i λ_i²/((λ_i+κ₁)(λ_i+κ₂)) (the ensemble form of the ridge equivalent: Patil, Du, Tibshirani,
//! and Bach 2024, §4; it is the ridge risk at κ₁ = κ₂). Then R_T = C(λ, λ), ∂R_T/∂λ = 2∂₁C and
//! ‖Σ^{1/2}β̂′‖² = ∂₁∂₂C, with dκ/dλ = 1/(1 − Ω) from the κ equation. The derivatives in κ₁, κ₂ are exact
//! (hyper-dual numbers, [`HyperDual`]): no finite difference is taken.

use std::ops::{Add, Div, Mul, Sub};

use super::compensated::NeumaierSum;
use super::equivalent::Regime;
use super::error::TheoryError;

/// The self-distillation quadratic at one (n, λ) (module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SelfDistillation {
    /// R_T: the teacher's (ridge fit's) excess risk.
    pub(crate) teacher: f64,
    /// ∂R_T/∂λ: the slope of the teacher's risk in the penalty.
    pub(crate) slope: f64,
    /// λ²‖Σ^{1/2}∂β̂/∂λ‖²: the curvature of R(ξ) over 2.
    pub(crate) curvature: f64,
    /// The penalty λ.
    pub(crate) ridge: f64,
}

impl SelfDistillation {
    /// The equivalents for the ridge fit with penalty λ > 0 on n samples of (Σ = diag `lambda`, β⋆, σ²).
    ///
    /// Errors: λ not positive and finite, and those of [`Regime::with_ridge`].
    pub(crate) fn new(
        lambda: &[f64],
        beta_star: &[f64],
        sigma2: f64,
        n: usize,
        ridge: f64,
    ) -> Result<Self, TheoryError> {
        if !(ridge.is_finite() && ridge > 0.0) {
            return Err(TheoryError::InvalidRidge { ridge });
        }
        let Regime::Equivalent(eq) = Regime::with_ridge(lambda, n, ridge)? else {
            unreachable!("ridge with λ > 0 always has an equivalent")
        };
        let kappa = |seed: [f64; 2]| HyperDual { re: eq.tau, e1: seed[0], e2: seed[1], e12: 0.0 };
        let c = cross_risk(lambda, beta_star, sigma2, n, kappa([1.0, 0.0]), kappa([0.0, 1.0]));
        // dκ/dλ = 1/(1 − Ω): λ = κ − (1/n) Σ λ_i κ/(λ_i+κ) has dλ/dκ = 1 − (1/n) Σ λ_i²/(λ_i+κ)².
        let dkappa = 1.0 / eq.omega_complement();
        Ok(Self {
            teacher: c.re,
            slope: 2.0 * c.e1 * dkappa,
            curvature: ridge * ridge * c.e12 * dkappa * dkappa,
            ridge,
        })
    }

    /// R(ξ) = R_T + ξλ ∂R_T/∂λ + ξ²λ²‖Σ^{1/2}β̂′‖²: the student's risk at mixing weight ξ.
    pub(crate) fn risk(&self, xi: f64) -> f64 {
        self.teacher + xi * self.ridge * self.slope + xi * xi * self.curvature
    }

    /// ξ* = −λ ∂R_T/∂λ / (2λ²‖Σ^{1/2}β̂′‖²), the weight minimising R(ξ).
    pub(crate) fn optimal_weight(&self) -> f64 {
        -self.ridge * self.slope / (2.0 * self.curvature)
    }
}

/// C(κ₁, κ₂) of the module docs, evaluated on hyper-dual κ's so that ∂₁C, ∂₂C and ∂₁∂₂C come out exactly.
fn cross_risk(lambda: &[f64], beta: &[f64], sigma2: f64, n: usize, k1: HyperDual, k2: HyperDual) -> HyperDual {
    let (mut bias, mut omega) = ([NeumaierSum::default(); 4], [NeumaierSum::default(); 4]);
    for (&l, &b) in lambda.iter().zip(beta) {
        let w = HyperDual::real(1.0) / ((k1 + l) * (k2 + l));
        for (sum, v) in bias.iter_mut().zip((w * (l * b * b)).parts()) {
            sum.add(v);
        }
        for (sum, v) in omega.iter_mut().zip((w * (l * l / n as f64)).parts()) {
            sum.add(v);
        }
    }
    let bias = HyperDual::from_parts(bias.map(NeumaierSum::value));
    let omega = HyperDual::from_parts(omega.map(NeumaierSum::value));
    #[cfg(test)]
    if super::mutation::active() == Some(super::mutation::Mutation::CrossRiskUninflated) {
        return k1 * k2 * bias + omega * sigma2;
    }
    // C = (κ₁κ₂ B₁₂ + σ²Ω₁₂)/(1 − Ω₁₂).
    (k1 * k2 * bias + omega * sigma2) / (HyperDual::real(1.0) - omega)
}

/// A hyper-dual number re + e1·ε₁ + e2·ε₂ + e12·ε₁ε₂ with ε₁² = ε₂² = 0 (Fike & Alonso 2011): a function evaluated
/// at (x + ε₁, y + ε₂) carries its exact first partial derivatives in e1, e2 and its mixed second one in e12.
#[derive(Clone, Copy, Debug, PartialEq)]
struct HyperDual {
    re: f64,
    e1: f64,
    e2: f64,
    e12: f64,
}

impl HyperDual {
    /// A constant.
    fn real(re: f64) -> Self {
        Self { re, e1: 0.0, e2: 0.0, e12: 0.0 }
    }

    /// Its four parts, in order.
    fn parts(self) -> [f64; 4] {
        [self.re, self.e1, self.e2, self.e12]
    }

    /// The number with these four parts.
    fn from_parts([re, e1, e2, e12]: [f64; 4]) -> Self {
        Self { re, e1, e2, e12 }
    }
}

impl Add for HyperDual {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self { re: self.re + o.re, e1: self.e1 + o.e1, e2: self.e2 + o.e2, e12: self.e12 + o.e12 }
    }
}

impl Add<f64> for HyperDual {
    type Output = Self;
    fn add(self, c: f64) -> Self {
        Self { re: self.re + c, ..self }
    }
}

impl Sub for HyperDual {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Self { re: self.re - o.re, e1: self.e1 - o.e1, e2: self.e2 - o.e2, e12: self.e12 - o.e12 }
    }
}

impl Mul for HyperDual {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        Self {
            re: self.re * o.re,
            e1: self.re * o.e1 + self.e1 * o.re,
            e2: self.re * o.e2 + self.e2 * o.re,
            e12: self.re * o.e12 + self.e1 * o.e2 + self.e2 * o.e1 + self.e12 * o.re,
        }
    }
}

impl Mul<f64> for HyperDual {
    type Output = Self;
    fn mul(self, c: f64) -> Self {
        Self { re: self.re * c, e1: self.e1 * c, e2: self.e2 * c, e12: self.e12 * c }
    }
}

impl Div for HyperDual {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        // 1/(a + bε₁ + cε₂ + dε₁ε₂) = 1/a − (b/a²)ε₁ − (c/a²)ε₂ + (2bc/a³ − d/a²)ε₁ε₂.
        let inv = 1.0 / o.re;
        let reciprocal = Self {
            re: inv,
            e1: -o.e1 * inv * inv,
            e2: -o.e2 * inv * inv,
            e12: (2.0 * o.e1 * o.e2 * inv - o.e12) * inv * inv,
        };
        self * reciprocal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure1() -> (Vec<f64>, Vec<f64>) {
        let lambda: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect();
        let beta: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(0.25)).collect();
        (lambda, beta)
    }

    #[test]
    fn teacher_and_slope_are_the_ridge_risk_and_its_derivative() {
        // R_T is the ridge equivalent's risk (Regime::standard_risk, an independent code path), and ∂R_T/∂λ its
        // derivative: against a central difference of that risk with step 1e-4 λ (truncation error ~1e-8
        // relative, rounding ~1e-12/1e-4).
        let (lambda, beta) = figure1();
        for (n, sigma2, ridge) in [(200, 0.1, 1e-4), (200, 0.0, 1e-2), (50, 1.0, 0.3), (800, 0.1, 1e-3)] {
            let sd = SelfDistillation::new(&lambda, &beta, sigma2, n, ridge).unwrap();
            let risk = |l: f64| Regime::with_ridge(&lambda, n, l).unwrap().standard_risk(&lambda, &beta, sigma2);
            assert!((sd.teacher / risk(ridge) - 1.0).abs() < 1e-12, "n = {n}: {} vs {}", sd.teacher, risk(ridge));
            let h = 1e-4 * ridge;
            let difference = (risk(ridge + h) - risk(ridge - h)) / (2.0 * h);
            assert!((sd.slope / difference - 1.0).abs() < 1e-6, "n = {n}, λ = {ridge}: {} vs {difference}", sd.slope);
        }
    }

    #[test]
    fn cross_risk_limits() {
        // κ₂ → ∞: β̂(λ₂) → 0, so C → E⟨β̂₁ − β⋆, −β⋆⟩_Σ = Σ λβ⋆² − Σ λβ⋆² θ₁ = Σ λ_i β⋆_i² κ₁/(λ_i + κ₁).
        let (lambda, beta) = figure1();
        let k1 = 3e-3;
        let c = cross_risk(&lambda, &beta, 0.4, 200, HyperDual::real(k1), HyperDual::real(1e15));
        let expected: f64 = lambda.iter().zip(&beta).map(|(l, b)| l * b * b * k1 / (l + k1)).sum();
        assert!((c.re / expected - 1.0).abs() < 1e-9, "{} vs {expected}", c.re);
    }

    #[test]
    fn hyper_dual_derivatives_are_exact() {
        // f(x, y) = x²y/(1 + xy): ∂x f, ∂y f and ∂x∂y f by hand at (1.5, 0.7).
        let (x, y) = (1.5, 0.7);
        let f = |x: HyperDual, y: HyperDual| x * x * y / (HyperDual::real(1.0) + x * y);
        let v = f(HyperDual { re: x, e1: 1.0, e2: 0.0, e12: 0.0 }, HyperDual { re: y, e1: 0.0, e2: 1.0, e12: 0.0 });
        let d = 1.0 + x * y;
        let fx = (2.0 * x * y * d - x * x * y * y) / (d * d); // = (2xy + x²y²)/d²
        let fy = (x * x * d - x * x * y * x) / (d * d); // = x²/d²
        let fxy = 2.0 * x / (d * d) - 2.0 * x * x * y / (d * d * d); // ∂/∂x of x²/d²
        assert!((v.re - x * x * y / d).abs() < 1e-15);
        assert!((v.e1 - fx).abs() < 1e-14 && (v.e2 - fy).abs() < 1e-14 && (v.e12 - fxy).abs() < 1e-14, "{v:?}");
    }

    #[test]
    fn the_stated_results_hold_in_the_equivalent() {
        // Dang et al.: sign ξ* = −sign ∂R_T/∂λ, and R(ξ*) < R_T where the slope is not 0; around the tuned λ the
        // slope changes sign.
        let (lambda, beta) = figure1();
        for ridge in [1e-6, 1e-4, 1e-2, 1.0] {
            let sd = SelfDistillation::new(&lambda, &beta, 0.1, 200, ridge).unwrap();
            let xi = sd.optimal_weight();
            assert!(xi * sd.slope < 0.0, "λ = {ridge}: ξ* = {xi}, slope {}", sd.slope);
            assert!(sd.risk(xi) < sd.teacher && sd.risk(0.0) == sd.teacher);
            // R(ξ) is the quadratic: its minimum over a fine grid of ξ is at ξ*.
            let grid = (-4000..=4000).map(|k| sd.risk(f64::from(k) / 1000.0)).fold(f64::INFINITY, f64::min);
            assert!(sd.risk(xi) <= grid, "λ = {ridge}");
        }
    }
}
