//! The deterministic equivalent of the min-norm interpolator and of ridge regression: τ (eq. 7) or its ridge
//! generalisation κ, ζ_i and Ω (Corollary 1), and the [`Regime`] that decides between the equivalent and least
//! squares.
//!
//! Ridge (issue 17): β̂ = argmin (1/n)‖y − Xβ‖² + λ‖β‖² = Xᵀ(XXᵀ + nλI)⁻¹y has the deterministic equivalent
//! with the effective regularisation κ solving λ = κ(1 − (1/n) Σ_i λ_i/(λ_i + κ)) (Hastie, Montanari, Rosset,
//! Tibshirani 2022, Thm. 5; Bach 2024, §3; Cheng & Montanari 2024), i.e. Σ_i λ_i/(λ_i+κ) + nλ/κ = n, which is
//! eq. (7) at λ = 0. The distributional characterisation (Han & Xu 2023, Theorem 3 of the paper) holds for ridge
//! with κ in place of τ and Ω = (1/n) Σ (1−ζ_i)², so Definition 1, Proposition 1 / Corollary 1 and v2
//! Proposition 3 hold with κ for τ: their derivations only minimise the same separable quadratic in β^s.

use super::compensated::{NeumaierSum, compensated_sums};
use super::error::{TheoryError, check_finite, check_noise};

/// Passes allowed to the τ solver; safeguarded Newton needs a few tens at most (bisection alone would need ~60).
const MAX_PASSES: usize = 200;
/// Relative residual of eq. (7) (or its ridge form) at which the τ (κ) solver stops.
const RESIDUAL_TOL: f64 = 1e-14;

/// What one checked pass over a spectrum learns: the positive eigenvalues' count, sum and minimum.
#[derive(Clone, Copy, Debug)]
struct SpectrumSummary {
    /// Number of strictly positive eigenvalues.
    positive: usize,
    /// Σ λ_i.
    trace: f64,
    /// Smallest positive eigenvalue (infinite when there is none).
    min_positive: f64,
}

impl SpectrumSummary {
    /// Checks a spectrum (non-empty, finite, not negative) and summarises it in one pass.
    fn of(lambda: &[f64]) -> Result<Self, TheoryError> {
        if lambda.is_empty() {
            return Err(TheoryError::EmptySpectrum);
        }
        let mut trace = NeumaierSum::default();
        let mut positive = 0;
        let mut min_positive = f64::INFINITY;
        for (index, &value) in lambda.iter().enumerate() {
            if !value.is_finite() {
                return Err(TheoryError::NonFinite { what: "eigenvalue", index });
            }
            if value < 0.0 {
                return Err(TheoryError::NegativeEigenvalue { index, value });
            }
            if value > 0.0 {
                positive += 1;
                trace.add(value);
                min_positive = min_positive.min(value);
            }
        }
        Ok(Self { positive, trace: trace.value(), min_positive })
    }
}

/// Checks a spectrum: non-empty, finite, not negative.
pub(super) fn check_spectrum(lambda: &[f64]) -> Result<(), TheoryError> {
    SpectrumSummary::of(lambda).map(|_| ())
}

/// The deterministic equivalent of the min-norm interpolator (docs/dev/paper.md §2.1–§2.2), or of ridge with
/// penalty λ > 0 (module docs), fitted on n samples.
///
/// `tau` solves Σ_i λ_i/(λ_i+τ) + nλ/τ = n (eq. 7 at λ = 0; κ of the ridge literature for λ > 0); `omega` is
/// Ω = (1/n) Σ_i (1−ζ_i)², computed in the ratio form Σ(1−ζ_i)²/(Σ(1−ζ_i) + nλ/τ) (Corollary 1's at λ = 0) so
/// that Ω and 1 − Ω = (Σ(1−ζ_i)ζ_i + nλ/τ)/(Σ(1−ζ_i) + nλ/τ) are both accurate even when Ω is near 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Equivalent {
    /// Effective regularisation τ > 0: eq. (7)'s τ for the ridgeless interpolator, κ ≥ λ for ridge.
    pub(crate) tau: f64,
    /// The ridge penalty λ ≥ 0 of the objective (1/n)‖y − Xβ‖² + λ‖β‖².
    pub(crate) ridge: f64,
    /// Ω ∈ (0, 1).
    pub(crate) omega: f64,
    /// Sample size n.
    pub(crate) n: usize,
    /// Number of O(p) passes the τ solver used (informational, for reports).
    pub(crate) passes: usize,
    /// 1 − Ω, computed without cancellation.
    omega_complement: f64,
    /// κ′ = Ω/(1−Ω).
    kappa_prime: f64,
}

impl Equivalent {
    /// Solves eq. (7) for τ and computes Ω. Needs 1 ≤ n < number of positive eigenvalues.
    #[cfg(test)]
    pub(crate) fn solve(lambda: &[f64], n: usize) -> Result<Self, TheoryError> {
        Self::solve_summarised(lambda, n, 0.0, SpectrumSummary::of(lambda)?)
    }

    /// Solves the ridge equation λ = κ(1 − (1/n) Σ λ_i/(λ_i+κ)) for κ and computes Ω: any n ≥ 1 when λ > 0,
    /// n < number of positive eigenvalues when λ = 0 (then κ = τ of eq. 7).
    #[cfg(test)]
    pub(crate) fn solve_ridge(lambda: &[f64], n: usize, ridge: f64) -> Result<Self, TheoryError> {
        Self::solve_summarised(lambda, n, ridge, SpectrumSummary::of(lambda)?)
    }

    /// [`Equivalent::solve_ridge`] for an already checked spectrum and a checked penalty.
    fn solve_summarised(lambda: &[f64], n: usize, ridge: f64, summary: SpectrumSummary) -> Result<Self, TheoryError> {
        if n == 0 {
            return Err(TheoryError::NoSamples);
        }
        if ridge == 0.0 && n >= summary.positive {
            return Err(TheoryError::NoEquivalent { n, positive: summary.positive });
        }
        let (tau, moments, passes) = solve_tau(lambda, n, ridge, summary)?;
        // Corollary 1 (ridge: with the slack nλ/κ): Ω = Σ(1−ζ)²/(Σ(1−ζ) + s), 1 − Ω = (Σ(1−ζ)ζ + s)/(Σ(1−ζ) + s).
        let omega = moments.second / moments.learned;
        let omega_complement = (moments.mixed + moments.slack) / moments.learned;
        #[cfg(test)]
        let (omega, omega_complement) = super::mutation::omega_seen(omega, omega_complement);
        Ok(Self { tau, ridge, omega, n, passes, omega_complement, kappa_prime: omega / omega_complement })
    }

    /// ζ = τ/(λ+τ): the fraction of direction λ that is *not* learned.
    pub(crate) fn zeta(&self, lambda_i: f64) -> f64 {
        self.tau / (lambda_i + self.tau)
    }

    /// 1 − ζ = λ/(λ+τ), computed without cancellation.
    pub(crate) fn learned(&self, lambda_i: f64) -> f64 {
        lambda_i / (lambda_i + self.tau)
    }

    /// (1 − ζ, ζ) = (λ, τ)/(λ+τ) with a single division, for the O(p) loops.
    pub(crate) fn learned_and_zeta(&self, lambda_i: f64) -> (f64, f64) {
        let inv = 1.0 / (lambda_i + self.tau);
        (lambda_i * inv, self.tau * inv)
    }

    /// 1 − Ω, computed without cancellation.
    pub(crate) fn omega_complement(&self) -> f64 {
        self.omega_complement
    }

    /// κ′ = Ω/(1−Ω), the variance inflation of the interpolator (§3 "Derived from the above").
    pub(crate) fn kappa_prime(&self) -> f64 {
        self.kappa_prime
    }

    /// The eigenvalue where β^{s*} switches from amplifying to shrinking (Corollary 1): 1 − ζ = Ω ⇔ λ = τΩ/(1−Ω).
    #[cfg(test)]
    pub(crate) fn amplification_threshold(&self) -> f64 {
        self.tau * self.kappa_prime
    }

    /// The eigenvalue where the optimal mask switches from keeping to dropping (v2 Proposition 3):
    /// ζ² = 1 − Ω ⇔ λ = τ(1 − √(1−Ω))/√(1−Ω).
    #[cfg(test)]
    pub(crate) fn mask_threshold(&self) -> f64 {
        if super::mutation::active() == Some(super::mutation::Mutation::MaskOnZeta) {
            return self.amplification_threshold();
        }
        let root = self.omega_complement.sqrt();
        self.tau * (1.0 - root) / root
    }
}

/// The sums over directions that one pass at a given τ yields, with θ_i = 1 − ζ_i = λ_i/(λ_i+τ).
#[derive(Clone, Copy, Debug)]
struct LearnedMoments {
    /// h + s = Σ θ_i + nλ/τ, the left side of eq. (7) (its ridge form), as n + `residual`.
    learned: f64,
    /// s = nλ/τ, the ridge's share of the left side (0 without ridge).
    slack: f64,
    /// Σ θ_i² = nΩ at the root.
    second: f64,
    /// Σ θ_i ζ_i = −dh/d(ln τ) = n(1 − Ω) at the root; also the scale of `residual`'s terms, since
    /// θζ ≤ min(θ, ζ) ≤ 2θζ.
    mixed: f64,
    /// h + s − n written without cancellation: with L the number of directions with λ_i > τ,
    /// h − n = Σ_{λ_i ≤ τ} θ_i − Σ_{λ_i > τ} ζ_i + (L − n), every term at most 1/2 (the smaller of θ and ζ).
    residual: f64,
}

impl LearnedMoments {
    /// One compensated O(p) pass at τ, for sample size n and ridge penalty λ.
    fn at(lambda: &[f64], tau: f64, n: usize, ridge: f64) -> Self {
        let above = lambda.iter().filter(|&&l| l > tau).count();
        let [second, mixed, balance] = compensated_sums(lambda.iter().map(|&l| {
            let inv = 1.0 / (l + tau);
            let (theta, zeta) = (l * inv, tau * inv);
            // The smaller of θ and ζ carries the information: 1 − ζ would round ζ away when λ ≫ τ.
            [theta * theta, theta * zeta, if l > tau { -zeta } else { theta }]
        }));
        // L − n is an exact integer; adding it rounds only when it is non-zero, i.e. far from the root.
        // Ridge: the slack s = nλ/τ joins the left side (exactly 0 at λ = 0, so the ridgeless sums are unchanged).
        let slack = n as f64 * ridge / tau;
        #[cfg(test)]
        let slack = if super::mutation::active() == Some(super::mutation::Mutation::RidgeUnnormalised) {
            ridge / tau
        } else {
            slack
        };
        let residual = balance + (above as f64 - n as f64) + slack;
        Self { learned: n as f64 + residual, slack, second, mixed, residual }
    }
}

/// Solves eq. (7), Σ λ_i/(λ_i+τ) = n, by safeguarded Newton on F(u) = ln(h(e^u)/n) = ln(1 + g/n), u = ln τ,
/// g = h − n; returns τ, the moments at τ (so Ω costs no extra pass) and the number of passes used.
///
/// g is evaluated in the cancellation-free form of [`LearnedMoments::residual`], so the root is found to
/// relative accuracy even when the eigenvalues span the whole f64 range (e.g. λ = (1e16, 1e-16, 1e-16, 1e-16)
/// at n = 1, where τ = √3 and h − 1 is a difference of numbers of size 1e-16). F decreases in u, with
/// F′ = −Σ θ_i ζ_i / h, and is close to linear for power-law spectra, so Newton needs a handful of passes. The root is bracketed by τ_hi = tr Σ / n (where h ≤ tr Σ/τ = n) and
/// τ_lo = λ_min (k − n)/n (where h ≥ k λ_min/(λ_min + τ) = n); a Newton step that leaves the bracket or stalls
/// falls back to bisection. It stops when |g| ≤ `RESIDUAL_TOL` × Σθζ (the scale of g's terms), or when the
/// bracket of ln τ is 4 ulps wide.
///
/// Ridge (λ > 0) solves h + nλ/τ = n the same way, F′ = −(Σθζ + nλ/τ)/(h + nλ/τ), in the bracket
/// [max(λ, τ_lo), λ + tr Σ/n]: h ≥ 0 gives τ ≥ λ, and h ≤ tr Σ/τ gives τ ≤ λ + tr Σ/n.
fn solve_tau(
    lambda: &[f64],
    n: usize,
    ridge: f64,
    summary: SpectrumSummary,
) -> Result<(f64, LearnedMoments, usize), TheoryError> {
    let target = n as f64;
    let k = summary.positive as f64;
    let mut hi = (summary.trace / target + ridge).ln();
    // Clamped so that a spectrum with subnormal eigenvalues still has a finite bracket; from k on only the ridge
    // bounds it below.
    let interpolating =
        if target < k { (summary.min_positive * (k - target) / target).ln() } else { f64::NEG_INFINITY };
    let mut lo = interpolating.max(ridge.ln()).max(f64::MIN_POSITIVE.ln());
    let mut u = hi;
    let (mut step, mut step_before) = (hi - lo, hi - lo);
    for pass in 1..=MAX_PASSES {
        let moments = LearnedMoments::at(lambda, u.exp(), n, ridge);
        let g = moments.residual;
        // −dg/d(ln τ) = Σθζ + nλ/τ.
        let slope = moments.mixed + moments.slack;
        if g.abs() <= RESIDUAL_TOL * slope || hi - lo <= 4.0 * f64::EPSILON * hi.abs().max(lo.abs()).max(1.0) {
            // u is within RESIDUAL_TOL of ln τ, or known to its last ulps; but e^u carries |u|·ε relative error
            // (7e-14 at τ = 1e-150): a last Newton step applied to τ itself, τ·e^{g/Σθζ}, recovers the root to
            // rounding (the property test checks 1e-14 against a 2400-bit evaluation of eq. 7).
            let tau = u.exp() * (g / slope).exp();
            return Ok((tau, LearnedMoments::at(lambda, tau, n, ridge), pass + 1));
        }
        if g > 0.0 {
            lo = u;
        } else {
            hi = u;
        }
        // Newton on F(u) = ln(h/n) = ln(1 + g/n), nearly linear in u for power laws: F' = −Σθζ/h.
        let newton = (g / target).ln_1p() * moments.learned / slope;
        let stalls = 2.0 * newton.abs() > step_before.abs();
        step_before = step;
        step = if (lo < u + newton && u + newton < hi) && !stalls { newton } else { 0.5 * (lo + hi) - u };
        u += step;
    }
    Err(TheoryError::NoConvergence { n, bracket: (lo, hi) })
}

/// Which estimator the target stage uses, with what it needs to evaluate risks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Regime {
    /// Described by its deterministic equivalent: the min-norm interpolator (λ = 0, n below the number of positive
    /// eigenvalues), or ridge with λ > 0 at any n.
    Equivalent(Equivalent),
    /// Ridgeless with n ≥ k, the number of positive eigenvalues: least squares (pseudo-inverse on the positive
    /// eigen-directions), v2 Proposition 2.
    LeastSquares {
        /// Sample size.
        n: usize,
        /// Number of positive eigenvalues k; the noise term is σ² k/(n − k − 1).
        rank: usize,
    },
}

impl Regime {
    /// Decides the regime for a spectrum and sample size, solving for τ when interpolating: the min-norm
    /// interpolator below k (the number of positive eigenvalues), least squares on the k positive directions from
    /// k on (the fit X⁺y there interpolates nothing it could not fit exactly: v2 Proposition 2 with p replaced by
    /// k, whether n is above or below p).
    ///
    /// Errors: n = 0; an empty, non-finite or negative spectrum.
    #[cfg(test)]
    pub(crate) fn new(lambda: &[f64], n: usize) -> Result<Self, TheoryError> {
        Self::with_ridge(lambda, n, 0.0)
    }

    /// The regime of the estimator with ridge penalty λ ≥ 0 (module docs): [`Regime::new`] at λ = 0, the ridge
    /// equivalent (κ) at every n ≥ 1 when λ > 0.
    ///
    /// Errors: those of [`Regime::new`]; a negative or non-finite penalty.
    pub(crate) fn with_ridge(lambda: &[f64], n: usize, ridge: f64) -> Result<Self, TheoryError> {
        if !(ridge.is_finite() && ridge >= 0.0) {
            return Err(TheoryError::InvalidRidge { ridge });
        }
        let summary = SpectrumSummary::of(lambda)?;
        if n < summary.positive || (ridge > 0.0 && n > 0) {
            Equivalent::solve_summarised(lambda, n, ridge, summary).map(Self::Equivalent)
        } else if n == 0 {
            Err(TheoryError::NoSamples)
        } else {
            Ok(Self::LeastSquares { n, rank: summary.positive })
        }
    }

    /// Sample size n.
    pub(crate) fn n(&self) -> usize {
        match self {
            Self::Equivalent(eq) => eq.n,
            Self::LeastSquares { n, .. } => *n,
        }
    }

    /// Multiplier of σ² in every risk: κ′ = Ω/(1−Ω) when interpolating (Definition 1), k/(n−k−1) for least
    /// squares (v2 Proposition 2, with k the number of positive eigenvalues), infinite for n = k and k + 1.
    pub(crate) fn noise_gain(&self) -> f64 {
        match self {
            Self::Equivalent(eq) => eq.kappa_prime(),
            Self::LeastSquares { n, rank } if *n >= rank + 2 => *rank as f64 / (n - rank - 1) as f64,
            Self::LeastSquares { .. } => f64::INFINITY,
        }
    }

    /// The noise part of a risk, `variance` × [`Regime::noise_gain`]: 0 without noise even where the gain is
    /// infinite (an exact fit of noiseless labels), ∞ with noise there (E R = ∞; `moments` refuses such points).
    pub(crate) fn noise_term(&self, variance: f64) -> f64 {
        if variance == 0.0 { 0.0 } else { variance * self.noise_gain() }
    }

    /// [`Regime::with_ridge`] after checking the signals (finite, same length as the spectrum) and the noise
    /// variances.
    ///
    /// # Panics
    /// If a signal's length differs from the spectrum's (a programmer error).
    #[track_caller]
    pub(super) fn checked(
        lambda: &[f64],
        n: usize,
        ridge: f64,
        signals: &[(&'static str, &[f64])],
        noises: &[f64],
    ) -> Result<Self, TheoryError> {
        for &(what, values) in signals {
            assert_eq!(values.len(), lambda.len(), "{what} and spectrum lengths differ");
            check_finite(what, values)?;
        }
        noises.iter().try_for_each(|&sigma2| check_noise(sigma2))?;
        Self::with_ridge(lambda, n, ridge)
    }

    /// The ridge penalty λ of the fit (0 without ridge).
    pub(crate) fn ridge(&self) -> f64 {
        self.equivalent().map_or(0.0, |eq| eq.ridge)
    }

    /// The equivalent (τ or κ, Ω) when interpolating or ridge.
    pub(crate) fn equivalent(&self) -> Option<&Equivalent> {
        match self {
            Self::Equivalent(eq) => Some(eq),
            Self::LeastSquares { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Largest relative residual of eq. (7), recomputed naively.
    fn residual(lambda: &[f64], eq: &Equivalent) -> f64 {
        let h: f64 = lambda.iter().map(|l| l / (l + eq.tau)).sum();
        (h - eq.n as f64).abs() / eq.n as f64
    }

    #[test]
    fn isotropic_spectrum_has_closed_form() {
        // λ_i = c: p c/(c+τ) = n ⇒ τ = c(p−n)/n, ζ = 1 − n/p, Ω = n/p.
        let (p, n, c) = (1000, 300, 2.5);
        let eq = Equivalent::solve(&vec![c; p], n).unwrap();
        let tau = c * (p - n) as f64 / n as f64;
        assert!((eq.tau / tau - 1.0).abs() < 1e-13, "{} vs {tau}", eq.tau);
        assert!((eq.omega - 0.3).abs() < 1e-14);
        assert!((eq.omega_complement() - 0.7).abs() < 1e-14);
        assert!((eq.zeta(c) - 0.7).abs() < 1e-14);
    }

    #[test]
    fn two_level_spectrum_has_closed_form() {
        // λ = (1, 1, 0.25, 0.25), n = 2 ⇒ 1/(1+τ) + 0.25/(0.25+τ) = 1 ⇒ τ² = 0.25 ⇒ τ = 0.5.
        let eq = Equivalent::solve(&[1.0, 1.0, 0.25, 0.25], 2).unwrap();
        assert!((eq.tau - 0.5).abs() < 1e-15);
        // θ = (2/3, 2/3, 1/3, 1/3): Ω = (8/9 + 2/9)/2 = 5/9.
        assert!((eq.omega - 5.0 / 9.0).abs() < 1e-15);
    }

    #[test]
    fn eigenvalues_across_the_whole_f64_range_keep_the_root_exact() {
        // Issue 11: λ = (1e16, 1e-16, 1e-16, 1e-16), n = 1. Eq. (7): 1e16/(1e16 + τ) + 3e-16/(1e-16 + τ) = 1
        // ⇔ 3e-16/(1e-16 + τ) = τ/(1e16 + τ) ⇔ τ² = 3 − 1e-16 τ + ... : τ = √3 to 1e-32 relative (the
        // fixed point). The solver used to stop at τ = 0.4957, where h = 1 to rounding.
        let eq = Equivalent::solve(&[1e16, 1e-16, 1e-16, 1e-16], 1).unwrap();
        assert!((eq.tau / 3.0_f64.sqrt() - 1.0).abs() < 1e-14, "τ = {}", eq.tau);
        // Two levels: m copies of a, q of b; m a/(a + τ) + q b/(b + τ) = n is n τ² + Bτ + C = 0 with
        // B = n(a + b) − m a − q b and C = −(m + q − n) a b; its positive root, in the cancellation-free form.
        for (a, b, m, q, n) in [(1e12, 1e-12, 3, 5, 4), (1e150, 1e-150, 2, 7, 3), (1.0, 1e-300, 10, 10, 9)] {
            let mut lambda = vec![a; m];
            lambda.extend(std::iter::repeat_n(b, q));
            let (nf, mf, qf) = (n as f64, m as f64, q as f64);
            let (big, c_ab) = (nf * (a + b) - mf * a - qf * b, (mf + qf - nf) * a * b);
            let root = (big * big + 4.0 * nf * c_ab).sqrt();
            let tau = if big >= 0.0 { 2.0 * c_ab / (big + root) } else { (root - big) / (2.0 * nf) };
            let eq = Equivalent::solve(&lambda, n).unwrap();
            assert!((eq.tau / tau - 1.0).abs() < 1e-13, "a = {a}, b = {b}: τ = {} vs {tau}", eq.tau);
        }
    }

    /// Eq. (7)'s excess Σ λ_i/(λ_i + τ) − n at τ, for the exact f64 inputs, in 2400-bit binary floating point
    /// (dashu-float). f64 values span 2⁻¹⁰⁷⁴..2¹⁰²⁴, so every λ_i + τ is exact, and each quotient and partial
    /// sum is rounded at 2⁻²⁴⁰⁰ relative: far below the smallest excess the test resolves (δ·Σθ(1 − θ), which
    /// the cancellation in terms near 1 would hide from any precision short of the f64 range).
    fn excess_high_precision(lambda: &[f64], n: usize, tau: f64) -> dashu_float::FBig {
        let big = |x: f64| dashu_float::FBig::try_from(x).unwrap().with_precision(2400).value();
        let tau = big(tau);
        let mut sum = big(-(n as f64));
        for &l in lambda.iter().filter(|&&l| l > 0.0) {
            sum += big(l) / (big(l) + &tau);
        }
        sum
    }

    #[test]
    fn tau_is_the_root_of_eq_7_to_1e_14_on_random_spectra_across_the_f64_range() {
        // Issue 11's property test. The left side of eq. (7) decreases strictly in τ, so the exact root of the
        // exact (f64) inputs lies in [τ(1 − δ), τ(1 + δ)] iff the excess is > 0 at the left end and < 0 at the
        // right one. Those signs are evaluated in 2400-bit arithmetic, independently of the solver.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let delta = 1e-14;
        for case in 0..400 {
            let lambda: Vec<f64> = match case % 4 {
                // Power laws, α up to 15, p up to 400.
                0 => {
                    let (p, alpha) = (rng.random_range(2..400), rng.random_range(0.05..15.0));
                    (1..=p).map(|i| f64::from(i).powf(-alpha)).collect()
                }
                // Log-uniform over 1e-300..1e300, with repeats and zeros.
                1 | 2 => {
                    let mut values = vec![10f64.powf(rng.random_range(-300.0..300.0))];
                    for _ in 1..rng.random_range(2..60) {
                        let last = *values.last().unwrap();
                        values.push(match rng.random_range(0..10) {
                            0 | 1 => last,
                            2 => 0.0,
                            _ => 10f64.powf(rng.random_range(-300.0..300.0)),
                        });
                    }
                    values
                }
                // A few clusters far apart, each with many repeats.
                _ => (0..rng.random_range(2..5))
                    .flat_map(|_| vec![10f64.powf(rng.random_range(-300.0..300.0)); rng.random_range(1..40)])
                    .collect(),
            };
            let k = lambda.iter().filter(|&&l| l > 0.0).count();
            if k < 2 {
                continue;
            }
            let n = rng.random_range(1..k);
            let eq = Equivalent::solve(&lambda, n).unwrap();
            let (below, above) = (eq.tau * (1.0 - delta), eq.tau * (1.0 + delta));
            let zero = dashu_float::FBig::<dashu_float::round::mode::Zero>::ZERO;
            assert!(
                excess_high_precision(&lambda, n, below) > zero && excess_high_precision(&lambda, n, above) < zero,
                "case {case}: n = {n}, τ = {:e} is not the root to {delta:e}; λ = {lambda:?}",
                eq.tau
            );
        }
    }

    #[test]
    fn solves_hard_spectra_to_rounding() {
        let cases: Vec<(Vec<f64>, usize)> = vec![
            ((0..300).map(|i| 10f64.powf(-f64::from(i) / 10.0)).collect(), 150),
            ((0..300).map(|i| if i == 0 { 1e12 } else { 1.0 }).collect(), 1),
            ((0..300).map(|i| if i == 0 { 1e12 } else { 1.0 }).collect(), 2),
            ((1..=500).map(|i: i32| f64::from(i).powf(-8.0)).collect(), 400),
            ((1..=500).map(|i: i32| f64::from(i).powf(-8.0)).collect(), 2),
            (vec![1.0; 1000], 999),
            ((1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect(), 200),
            ((1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect(), 1),
            ((1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect(), 499),
            ((1..=1000).map(|i: i32| f64::from(i).powf(-0.5)).collect(), 999),
            ((1..=1000).map(|i: i32| f64::from(i).powf(-6.0)).collect(), 10),
            ((0..100).map(|i| if i < 3 { 1e6 } else { 1e-6 }).collect(), 50),
            ((0..100).map(|i| if i < 50 { 1.0 } else { 0.0 }).collect(), 49),
        ];
        for (lambda, n) in cases {
            let eq = Equivalent::solve(&lambda, n).unwrap();
            assert!(eq.passes <= 30, "n = {n}: {} passes", eq.passes);
            assert!(residual(&lambda, &eq) < 1e-12, "n = {n}: residual {}", residual(&lambda, &eq));
            assert!(eq.omega > 0.0 && eq.omega < 1.0);
            assert!((eq.omega + eq.omega_complement() - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn rejects_missing_equivalents() {
        let lambda = [1.0, 0.5, 0.0, 0.0];
        assert_eq!(Equivalent::solve(&lambda, 2), Err(TheoryError::NoEquivalent { n: 2, positive: 2 }));
        assert_eq!(Equivalent::solve(&lambda, 0), Err(TheoryError::NoSamples));
        assert_eq!(Equivalent::solve(&[], 1), Err(TheoryError::EmptySpectrum));
        assert_eq!(Equivalent::solve(&[1.0, -1.0], 1), Err(TheoryError::NegativeEigenvalue { index: 1, value: -1.0 }));
        assert_eq!(
            Equivalent::solve(&[1.0, f64::NAN], 1),
            Err(TheoryError::NonFinite { what: "eigenvalue", index: 1 })
        );
    }

    /// The isotropic ridge risk of Hastie, Montanari, Rosset, Tibshirani (2022), Theorem 2, written with the
    /// Marchenko–Pastur Stieltjes transform m(−λ) = ∫ dF_γ(s)/(s + λ) of the spectrum of XᵀX/n (γ = p/n):
    /// R = λ² r² ∫ dF/(s+λ)² + σ² γ ∫ s dF/(s+λ)², with ∫ dF/(s+λ)² = −dm/dλ. Independent of κ: no equation is
    /// solved. With a = 1 − γ + λ, D = √(a² + 4γλ), D′ = (a + 2γ)/D, m = (D − a)/(2γλ) = 2/(D + a); each form is
    /// used where it does not cancel (a ≥ 0: −dm/dλ = 2(1 + D′)/(D + a)²; a < 0: the quotient rule on the first).
    fn marchenko_pastur_ridge_risk(gamma: f64, ridge: f64, r2: f64, sigma2: f64) -> f64 {
        let a = 1.0 - gamma + ridge;
        let d = (a * a + 4.0 * gamma * ridge).sqrt();
        let d_prime = (a + 2.0 * gamma) / d;
        let (m, second) = if a >= 0.0 {
            (2.0 / (d + a), 2.0 * (1.0 + d_prime) / (d + a).powi(2))
        } else {
            let m = (d - a) / (2.0 * gamma * ridge);
            (m, ((d - a) - (d_prime - 1.0) * ridge) / (2.0 * gamma * ridge * ridge))
        };
        ridge * ridge * r2 * second + sigma2 * gamma * (m - ridge * second)
    }

    #[test]
    fn isotropic_ridge_matches_the_marchenko_pastur_closed_form() {
        // Σ = I, p features, n samples: the κ equation at finite p is the γ = p/n limit exactly.
        for (p, n) in [(400, 100), (100, 400), (300, 300), (500, 499)] {
            let lambda = vec![1.0; p];
            let beta: Vec<f64> = (0..p).map(|i| ((i % 7) as f64 - 3.0) / 10.0).collect();
            let r2: f64 = beta.iter().map(|b| b * b).sum();
            let gamma = p as f64 / n as f64;
            for ridge in [1e-3, 0.1, 1.0, 30.0] {
                let regime = Regime::with_ridge(&lambda, n, ridge).unwrap();
                for sigma2 in [0.0, 0.5] {
                    let expected = marchenko_pastur_ridge_risk(gamma, ridge, r2, sigma2);
                    let r = regime.standard_risk(&lambda, &beta, sigma2);
                    assert!((r / expected - 1.0).abs() < 1e-11, "p = {p}, n = {n}, λ = {ridge}: {r} vs {expected}");
                    let s2t = regime.s2t_risk(&lambda, &beta, &beta, sigma2);
                    assert!((s2t / expected - 1.0).abs() < 1e-11, "s2t: {s2t} vs {expected}");
                }
            }
        }
    }

    #[test]
    fn ridge_equation_is_solved_on_hard_spectra() {
        // The root of Σ λ_i/(λ_i+κ) + nλ/κ = n, recomputed naively, at every n (also n ≥ p) and penalty.
        let spectra: Vec<Vec<f64>> = vec![
            (1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect(),
            (1..=300).map(|i: i32| f64::from(i).powf(-8.0)).collect(),
            (0..100).map(|i| if i < 50 { 1.0 } else { 0.0 }).collect(),
        ];
        for lambda in &spectra {
            for n in [1, 10, 49, 50, 51, 200, 299, 300, 301, 2000] {
                for ridge in [1e-300, 1e-12, 1e-4, 1.0, 1e8] {
                    let eq = Equivalent::solve_ridge(lambda, n, ridge).unwrap();
                    let h: f64 = lambda.iter().map(|l| l / (l + eq.tau)).sum::<f64>() + n as f64 * ridge / eq.tau;
                    assert!((h / n as f64 - 1.0).abs() < 1e-12, "n = {n}, λ = {ridge}: κ = {:e}, h = {h}", eq.tau);
                    // κ ≥ λ, Ω in [0, 1) with both parts accurate.
                    // (Ω rounds to 1 where 1 − Ω is 1e-141: n = p with λ = 1e-300; its complement stays exact.)
                    assert!(eq.tau >= ridge && eq.omega >= 0.0 && eq.omega_complement() > 0.0, "{eq:?}");
                    let omega: f64 = lambda.iter().map(|l| (l / (l + eq.tau)).powi(2)).sum::<f64>() / n as f64;
                    assert!((eq.omega - omega).abs() <= 1e-12 * omega.max(1e-300), "Ω = {} vs {omega}", eq.omega);
                    assert!((eq.omega + eq.omega_complement() - 1.0).abs() < 1e-14);
                }
            }
        }
    }

    #[test]
    fn vanishing_ridge_recovers_the_ridgeless_values() {
        // Issue 17: λ → 0 gives the ridgeless equivalent to 1e-10 (n < p). κ − τ ≈ λ/(1 − Ω) to first order, so
        // λ = 1e-13 τ moves every value by about 1e-13/(1 − Ω) relative.
        let lambda: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect();
        let beta: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(0.25)).collect();
        let surrogate: Vec<f64> = beta.iter().enumerate().map(|(i, b)| b * (1.0 + (i as f64).sin())).collect();
        for n in [50, 200, 450] {
            let ridgeless = Regime::new(&lambda, n).unwrap();
            let tau = ridgeless.equivalent().unwrap().tau;
            let ridge = Regime::with_ridge(&lambda, n, 1e-13 * tau).unwrap();
            let close =
                |a: f64, b: f64, what: &str| assert!((a / b - 1.0).abs() < 1e-10, "n = {n}, {what}: {a} vs {b}");
            close(ridge.equivalent().unwrap().tau, tau, "κ");
            close(ridge.equivalent().unwrap().omega, ridgeless.equivalent().unwrap().omega, "Ω");
            for sigma2 in [0.0, 0.3] {
                close(
                    ridge.standard_risk(&lambda, &beta, sigma2),
                    ridgeless.standard_risk(&lambda, &beta, sigma2),
                    "R",
                );
                close(
                    ridge.s2t_risk(&lambda, &beta, &surrogate, sigma2),
                    ridgeless.s2t_risk(&lambda, &beta, &surrogate, sigma2),
                    "s2t",
                );
            }
            for (a, b) in
                ridge.optimal_surrogate(&lambda, &beta).iter().zip(ridgeless.optimal_surrogate(&lambda, &beta))
            {
                close(*a, b, "β^s*");
            }
        }
        // n ≥ p: κ → 0 and the ridge equivalent tends to the asymptotic least-squares risk σ² p/(n − p), not to
        // the exact finite-n value σ² p/(n − p − 1) that the ridgeless theory uses there.
        let flat = vec![1.0; 100];
        let ones = vec![1.0; 100];
        let r = Regime::with_ridge(&flat, 300, 1e-14).unwrap().standard_risk(&flat, &ones, 0.5);
        assert!((r / (0.5 * 100.0 / 200.0) - 1.0).abs() < 1e-10, "{r}");
    }

    #[test]
    fn infinite_ridge_gives_the_null_risk() {
        // λ → ∞: κ ≈ λ + tr Σ/n, ζ → 1, Ω → 0, β̂ → 0, so R → Σ λ_i β⋆_i² (the null predictor's risk), whatever the
        // labels; the relative error is O(tr Σ/(nλ)).
        let lambda: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(-2.0)).collect();
        let beta: Vec<f64> = (1..=500).map(|i: i32| f64::from(i).powf(0.25)).collect();
        let null: f64 = lambda.iter().zip(&beta).map(|(l, b)| l * b * b).sum();
        for n in [10, 200, 5000] {
            let regime = Regime::with_ridge(&lambda, n, 1e12).unwrap();
            for r in [regime.standard_risk(&lambda, &beta, 0.7), regime.s2t_risk(&lambda, &beta, &lambda, 0.7)] {
                assert!((r / null - 1.0).abs() < 1e-10, "n = {n}: {r} vs {null}");
            }
        }
    }

    #[test]
    fn ridge_penalty_is_checked() {
        let lambda = [1.0, 0.5];
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(Regime::with_ridge(&lambda, 1, bad), Err(TheoryError::InvalidRidge { .. })));
        }
        assert_eq!(Regime::with_ridge(&lambda, 0, 1.0), Err(TheoryError::NoSamples));
        assert!(matches!(Regime::with_ridge(&lambda, 5, 0.1), Ok(Regime::Equivalent(_))));
    }

    #[test]
    fn regime_follows_the_sample_size() {
        let lambda = vec![1.0; 10];
        assert!(matches!(Regime::new(&lambda, 9), Ok(Regime::Equivalent(_))));
        // From k on, least squares on the k positive directions; its noise gain k/(n − k − 1) is infinite at
        // n = k and k + 1, where only noiseless labels have a finite risk.
        for n in [10, 11] {
            let regime = Regime::new(&lambda, n).unwrap();
            assert_eq!(regime, Regime::LeastSquares { n, rank: 10 });
            assert_eq!((regime.noise_term(0.0), regime.noise_term(0.5)), (0.0, f64::INFINITY));
        }
        assert_eq!(Regime::new(&lambda, 12), Ok(Regime::LeastSquares { n: 12, rank: 10 }));
        // Issue 11: with 3 of 5 eigenvalues positive, n = 4 and 5 are least squares on those 3 (they were refused),
        // σ²·3/(n − 4) at n = 5.
        let zeros = [1.0, 0.5, 0.25, 0.0, 0.0];
        assert_eq!(Regime::new(&zeros, 4), Ok(Regime::LeastSquares { n: 4, rank: 3 }));
        assert_eq!(Regime::new(&zeros, 5).unwrap().noise_term(0.1), 0.1 * 3.0);
        assert_eq!(Regime::new(&lambda, 0), Err(TheoryError::NoSamples));
    }
}
