//! Moment guards (issue 10, item 2): whether the excess risk of a fitted stage has a finite mean and variance.
//!
//! The deterministic equivalents of docs/dev/paper.md §2 are finite at every sample size where they exist, but the risk
//! they describe need not be: with label noise the minimum-norm interpolator has E R = ∞ just below the number of
//! positive eigenvalues, and least squares just above it. This module decides, per stage and per point, which
//! moments exist, so that the resolver can refuse an infinite mean and the claims can refuse to decide on an
//! infinite variance.
//!
//! # The condition
//!
//! One stage fits n samples x ~ N(0, Σ), Σ = U diag(λ) Uᵀ with k positive eigenvalues (U = I in the eigenbasis,
//! docs/dev/paper.md §1 Observation 2), labels y = X b + z with z ~ N(0, σ² Iₙ) independent of X and b fixed or independent
//! of both. The estimator is β̂ = X⁺y (min-norm interpolation for n ≤ k, least squares on the k-dimensional support
//! for n ≥ k; docs/dev/paper.md §1), and its risk R = ‖Σ_t^{1/2}(β̂ − β⋆)‖² (eq. 5) with Σ_t the test covariance (Σ itself
//! unless the experiment declares a training `design`). With P = X⁺X (an orthogonal projection),
//!
//! ```text
//! R = ‖u + v‖²,   u = Σ_t^{1/2}(P b − β⋆),   v = Σ_t^{1/2} X⁺ z,
//! ```
//!
//! and ‖u‖² ≤ 2 λ_max(Σ_t)(‖b‖² + ‖β⋆‖²) is bounded, so ‖v‖²/2 − ‖u‖² ≤ R ≤ 2‖u‖² + 2‖v‖²: R has a finite
//! mean (second moment) exactly when N = ‖v‖² = zᵀAz, A = X⁺ᵀ Σ_t X⁺, does. Given X, E[N | X] = σ² tr A and
//! σ⁴(tr A)² ≤ E[N² | X] = σ⁴((tr A)² + 2 tr A²) ≤ 3σ⁴(tr A)².
//!
//! - **Min-norm (n ≤ k).** X⁺ = Xᵀ(XXᵀ)⁻¹, so A = (XXᵀ)⁻¹ X Σ_t Xᵀ (XXᵀ)⁻¹. Write X = G Λ^{1/2} on the k positive
//!   directions (G standard Gaussian, n × k), W = XXᵀ = G Λ Gᵀ and W̃ = G Gᵀ ~ W_n(I, k). Since c·Λ ≼ Λ^{1/2} Σ_t
//!   Λ^{1/2} ≼ C·Λ with c, C the extreme test eigenvalues on the support, c·W ≼ X Σ_t Xᵀ ≼ C·W and
//!   c tr W⁻¹ ≤ tr A ≤ C tr W⁻¹; and λ_min W̃ ≼ W ≼ λ_max W̃ (positive eigenvalues). So tr A is sandwiched between
//!   constant multiples of tr W̃⁻¹.
//! - **Least squares (n ≥ k).** tr A = tr(Σ_t (XᵀX)⁻¹) on the support, and XᵀX = Λ^{1/2} GᵀG Λ^{1/2} with
//!   GᵀG ~ W_k(I, n): the same with the roles of n and k exchanged.
//! - **Inverse-Wishart moments.** For W̃ ~ W_d(I, ν), 1/(W̃⁻¹)_{ii} ~ χ²_{ν−d+1} (Muirhead 1982, *Aspects of
//!   Multivariate Statistical Theory*, Thm 3.2.11), and (W̃⁻¹)_{11} ≤ tr W̃⁻¹ ≤ d·max_i (W̃⁻¹)_{ii}. A reciprocal
//!   χ²_q has a finite mean iff q > 2 and a finite second moment iff q > 4, so E tr W̃⁻¹ < ∞ iff ν − d − 1 > 0
//!   (then E W̃⁻¹ = I/(ν − d − 1), Muirhead Thm 3.2.12) and E (tr W̃⁻¹)² < ∞ iff ν − d − 3 > 0 (von Rosen 1988,
//!   "Moments for the inverted Wishart distribution", Scand. J. Statist. 15).
//!
//! With (d, ν) = (n, k) for min-norm and (k, n) for least squares, and σ² > 0:
//!
//! ```text
//! E R < ∞    ⇔  n ≤ k − 2  or  n ≥ k + 2        (|n − k| ≥ 2)
//! Var R < ∞  ⇔  n ≤ k − 4  or  n ≥ k + 4        (|n − k| ≥ 4)
//! ```
//!
//! (At n = k both readings give χ²₁: infinite.) With σ² = 0, R = ‖u‖² is bounded and every moment is finite.
//! The lower bounds need Σ_t positive on the training support; where it is not, the rule is conservative.
//!
//! # Sources of effective noise
//!
//! - **Target stage**, whatever the surrogate (fixed, masked, scaled, covariance shift, rotated, trained): the task's
//!   label noise σ²; k counts the positive eigenvalues of the spectrum the design is drawn from. A fixed or masked
//!   surrogate changes only b, and the target sees every feature, so it adds no noise.
//! - **ERM surrogate, stage one** (Section 5; docs/dev/paper.md §3 "Section 5"): m samples from N(0, diag λ^s) fitted on the
//!   first p_s features. The unseen features are Gaussian and independent of the seen ones, so their signal
//!   x̃_Dᵀβ⋆_D is label noise: σ_eff² = σ_s² + Σ_{i>p_s} λ^s_i β⋆_i² (misspecification), and k counts the positive
//!   eigenvalues among the first p_s.
//! - **Two stages.** The target risk is a quadratic in β^s, which is independent of the target's data: it is at
//!   most 3(λ_max‖β^s‖² + ‖Σ_t^{1/2}β⋆‖² + N) and, averaged over the target design (E P Σ_t P ≻ 0 on the support),
//!   at least a positive multiple of ‖β^s‖² minus a constant. So E R < ∞ iff both stages have a finite mean
//!   (E‖β^s‖² < ∞ is the surrogate's own finite mean), and Var R < ∞ iff both have a finite variance
//!   (E‖β^s‖⁴ < ∞). The surrogate's own risk (`teacher`) depends on stage one only.

use std::fmt;

use super::kept::Kept;
use crate::numbers::sig;

/// A moment of the risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Moment {
    /// E R.
    Mean,
    /// Var R (equivalently E R², once E R is finite).
    Variance,
}

impl Moment {
    /// How far the sample size must stay from k: |n − k| ≥ 2 for the mean, ≥ 4 for the variance.
    fn margin(self) -> usize {
        match self {
            Moment::Mean => 2,
            Moment::Variance => 4,
        }
    }

    /// "E R" or "Var R".
    fn symbol(self) -> &'static str {
        match self {
            Moment::Mean => "E R",
            Moment::Variance => "Var R",
        }
    }

    /// "the expected risk" or "the risk's variance".
    fn noun(self) -> &'static str {
        match self {
            Moment::Mean => "the expected risk",
            Moment::Variance => "the risk's variance",
        }
    }
}

/// What acts as label noise in a stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Noise {
    /// The target's label noise σ².
    Label(f64),
    /// An ERM surrogate's effective noise: its label noise σ_s² plus the signal Σ_{i>p_s} λ^s_i β⋆_i² on the
    /// features it does not see.
    Surrogate {
        /// σ_s².
        label: f64,
        /// Σ_{i>p_s} λ^s_i β⋆_i².
        unseen: f64,
    },
}

impl Noise {
    /// The effective noise variance σ_eff².
    pub(crate) fn variance(self) -> f64 {
        match self {
            Noise::Label(s) => s,
            Noise::Surrogate { label, unseen } => label + unseen,
        }
    }

    /// "label noise σ² = 1", or the surrogate's effective noise and where it comes from (Σ_(i>p_s) for the
    /// first p_s features, Σ_(i∉S) for a subset S when `scattered`).
    fn describe(self, scattered: bool) -> String {
        let omitted = if scattered { "i∉S" } else { "i>p_s" };
        match self {
            Noise::Label(s) => format!("label noise σ² = {}", sig(s, 3)),
            Noise::Surrogate { label, unseen: 0.0 } => format!("label noise σ_s² = {}", sig(label, 3)),
            Noise::Surrogate { label, unseen } => format!(
                "effective noise σ_s² + Σ_({omitted}) λ^s_i β⋆_i² = {} + {} (the signal it cannot see acts as noise)",
                sig(label, 3),
                sig(unseen, 3)
            ),
        }
    }
}

/// One fit, min-norm or least squares: what decides its risk's moments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Stage {
    /// Its sample size (n for the target, m for a surrogate).
    pub(crate) size: usize,
    /// k: the positive eigenvalues of the spectrum of the features it fits.
    pub(crate) positive: usize,
    /// The features it fits (p, or p_s for a weak surrogate).
    pub(crate) features: usize,
    /// Whether a weak surrogate's features are a subset S other than the first p_s (how messages name them).
    pub(crate) scattered: bool,
    /// Its effective noise.
    pub(crate) noise: Noise,
    /// Whether it has a ridge penalty λ > 0: the fit is then (XᵀX/n + λI)⁻¹Xᵀy/n, whose norm is at most
    /// ‖y‖/(2√(nλ)), so every moment of its risk is finite whatever the size.
    pub(crate) penalised: bool,
}

impl Stage {
    /// The target stage: n samples from the training spectrum `lambda`, label noise σ², with or without a ridge
    /// penalty.
    pub(crate) fn target(lambda: &[f64], n: usize, sigma2: f64, penalised: bool) -> Self {
        Self {
            size: n,
            positive: positive(lambda),
            features: lambda.len(),
            scattered: false,
            noise: Noise::Label(sigma2),
            penalised,
        }
    }

    /// Stage one of an ERM surrogate: m samples from diag(`lambda_s`) with labels from β⋆ and noise σ_s², fitted on
    /// the coordinates S of `features` (the first p_s or any subset), with or without a ridge penalty. Its noise
    /// counts the signal off S, Σ_{i∉S} λ^s_i β⋆_i², and k the positive eigenvalues on S.
    ///
    /// # Panics
    /// If the spectrum and the signal differ in length or `features` does not fit them (a programmer error).
    #[track_caller]
    pub(crate) fn surrogate(
        lambda_s: &[f64],
        beta_star: &[f64],
        features: Kept<'_>,
        m: usize,
        sigma_s2: f64,
        penalised: bool,
    ) -> Self {
        assert_eq!(lambda_s.len(), beta_star.len(), "spectrum and signal lengths differ");
        let p = lambda_s.len();
        assert!(features.check(p).is_ok(), "the features fit the spectrum");
        let unseen =
            super::compensated::compensated_sum(features.omitted(p).map(|i| lambda_s[i] * beta_star[i] * beta_star[i]));
        let noise = Noise::Surrogate { label: sigma_s2, unseen };
        Self {
            size: m,
            positive: positive(&features.gather(lambda_s)),
            features: features.count(),
            scattered: !features.is_first(),
            noise,
            penalised,
        }
    }

    /// The name of its sample size: n for the target, m for a surrogate.
    fn symbol(&self) -> &'static str {
        match self.noise {
            Noise::Label(_) => "n",
            Noise::Surrogate { .. } => "m",
        }
    }

    /// Whether `moment` of its risk is finite (module docs): always without noise (or with nothing to fit, or
    /// with ridge), otherwise iff |size − k| is at least the moment's margin.
    pub(crate) fn finite(&self, moment: Moment) -> bool {
        self.always_finite() || self.size.abs_diff(self.positive) >= moment.margin()
    }

    /// Whether every moment is finite at every size: no noise, nothing to fit, or a ridge penalty.
    fn always_finite(&self) -> bool {
        self.noise.variance() <= 0.0 || self.positive == 0 || self.penalised
    }

    /// Which moments of its risk are finite, with the reasons for those that are not.
    pub(crate) fn moments(&self) -> RiskMoments {
        let divergence = |moment| (!self.finite(moment)).then_some(Divergence { moment, stage: *self });
        RiskMoments { mean: divergence(Moment::Mean), variance: divergence(Moment::Variance) }
    }

    /// The sizes at which `moment` is finite, with this stage's k and noise (all sizes without noise).
    fn finite_sizes(&self, moment: Moment) -> Sizes {
        let symbol = self.symbol();
        if self.always_finite() {
            return Sizes { symbol, below: usize::MAX, from: 0 };
        }
        let (k, margin) = (self.positive, moment.margin());
        Sizes { symbol, below: k.saturating_sub(margin), from: k + margin }
    }

    /// The sizes the theory covers with a finite expected risk: every size without noise (interpolation below k,
    /// least squares on the k positive directions from k on), and |size − k| ≥ 2 with noise.
    pub(crate) fn allowed(&self) -> Sizes {
        self.finite_sizes(Moment::Mean)
    }

    /// Whether this is a surrogate's first stage.
    fn is_surrogate(&self) -> bool {
        matches!(self.noise, Noise::Surrogate { .. })
    }
}

/// The number of strictly positive eigenvalues.
fn positive(lambda: &[f64]) -> usize {
    lambda.iter().filter(|&&l| l > 0.0).count()
}

/// A set of sample sizes `symbol ≤ below or symbol ≥ from` (`below` = 0: none below).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sizes {
    /// "n" or "m".
    symbol: &'static str,
    /// The largest allowed size below k (0 when there is none).
    pub(crate) below: usize,
    /// The smallest allowed size above k.
    pub(crate) from: usize,
}

impl Sizes {
    /// Whether `size` is in the set.
    #[cfg(test)]
    pub(crate) fn contains(&self, size: usize) -> bool {
        (1..=self.below).contains(&size) || size >= self.from
    }

    /// The same set named by another symbol (m = n for a surrogate trained at the target's sample size).
    pub(crate) fn named(self, symbol: &'static str) -> Self {
        Self { symbol, ..self }
    }
}

impl fmt::Display for Sizes {
    /// "n ≤ 38 or n ≥ 42", "n ≥ 42" when no size below k qualifies, "every n" when every size does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.symbol;
        if self.from <= 1 {
            write!(f, "every {n}")
        } else if self.below == 0 {
            write!(f, "{n} ≥ {}", self.from)
        } else {
            write!(f, "{n} ≤ {} or {n} ≥ {}", self.below, self.from)
        }
    }
}

/// Why one moment of a stage's risk is infinite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Divergence {
    /// The moment.
    pub(crate) moment: Moment,
    /// The stage whose fit makes it infinite.
    pub(crate) stage: Stage,
}

impl Divergence {
    /// Whether it comes from a surrogate's first stage rather than the target's.
    pub(crate) fn is_in_stage_one(&self) -> bool {
        self.stage.is_surrogate()
    }
}

impl fmt::Display for Divergence {
    /// "n = 39: the expected risk is infinite: with label noise σ² = 1 and k = 40 positive eigenvalues,
    /// E R < ∞ needs n ≤ 38 or n ≥ 42 (inverse-Wishart moments)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.stage;
        let scope = match (s.is_surrogate(), s.scattered) {
            (false, _) => String::new(),
            (true, false) => format!(" among its first p_s = {} features", s.features),
            (true, true) => format!(" among the p_s = {} features S it sees", s.features),
        };
        write!(
            f,
            "{} = {}: {} is infinite: with {} and k = {} positive eigenvalues{scope}, {} < ∞ needs {} \
             (inverse-Wishart moments)",
            s.symbol(),
            s.size,
            self.moment.noun(),
            s.noise.describe(s.scattered),
            s.positive,
            self.moment.symbol(),
            s.finite_sizes(self.moment)
        )
    }
}

/// Which moments of a point's risk are finite: `None`, or why not.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub(crate) struct RiskMoments {
    /// Why E R = ∞, if it is.
    pub(crate) mean: Option<Divergence>,
    /// Why Var R = ∞, if it is.
    pub(crate) variance: Option<Divergence>,
}

impl RiskMoments {
    /// Every moment finite (a bounded risk, or a quantity that is not a risk).
    pub(crate) fn finite() -> Self {
        Self::default()
    }

    /// The moments of a risk that needs both `self` and `other` finite (two stages): the first reason is kept.
    pub(crate) fn and(self, other: RiskMoments) -> Self {
        Self { mean: self.mean.or(other.mean), variance: self.variance.or(other.variance) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (E R finite, Var R finite) of a stage.
    fn finite(stage: Stage) -> (bool, bool) {
        let m = stage.moments();
        (m.mean.is_none(), m.variance.is_none())
    }

    #[test]
    fn min_norm_thresholds_are_two_and_four_below_k() {
        let lambda = vec![1.0; 40];
        for (n, expected) in [(35, (true, true)), (36, (true, true)), (37, (true, false)), (38, (true, false))] {
            assert_eq!(finite(Stage::target(&lambda, n, 1.0, false)), expected, "n = {n}");
        }
        assert_eq!(finite(Stage::target(&lambda, 39, 1.0, false)), (false, false));
        // Noiseless: bias only, every moment finite.
        assert_eq!(finite(Stage::target(&lambda, 39, 0.0, false)), (true, true));
    }

    #[test]
    fn least_squares_thresholds_are_two_and_four_above_k() {
        let lambda = vec![1.0; 40];
        for (n, expected) in [(40, (false, false)), (41, (false, false)), (42, (true, false)), (43, (true, false))] {
            assert_eq!(finite(Stage::target(&lambda, n, 0.5, false)), expected, "n = {n}");
        }
        assert_eq!(finite(Stage::target(&lambda, 44, 0.5, false)), (true, true));
        assert_eq!(finite(Stage::target(&lambda, 41, 0.0, false)), (true, true));
    }

    #[test]
    fn k_counts_positive_eigenvalues_only() {
        // k = 3 of p = 5: n = 1 is k − 2 (finite mean, infinite variance); n = 2 is k − 1.
        let lambda = [1.0, 0.5, 0.25, 0.0, 0.0];
        assert_eq!(finite(Stage::target(&lambda, 1, 0.1, false)), (true, false));
        assert_eq!(finite(Stage::target(&lambda, 2, 0.1, false)), (false, false));
        // Least squares beyond p + 1 = 6 is ≥ k + 4: finite.
        assert_eq!(finite(Stage::target(&lambda, 7, 0.1, false)), (true, true));
    }

    #[test]
    fn a_weak_surrogate_is_noisy_through_the_features_it_cannot_see() {
        // σ_s² = 0, but β⋆ has signal on the 10 omitted features: effective noise 10·0.5·1 = 5.
        let lambda = vec![0.5; 50];
        let beta = vec![1.0; 50];
        let stage = Stage::surrogate(&lambda, &beta, Kept::First(40), 39, 0.0, false);
        assert_eq!(stage.noise, Noise::Surrogate { label: 0.0, unseen: 5.0 });
        assert_eq!(finite(stage), (false, false));
        assert_eq!(finite(Stage::surrogate(&lambda, &beta, Kept::First(40), 38, 0.0, false)), (true, false));
        assert_eq!(finite(Stage::surrogate(&lambda, &beta, Kept::First(40), 36, 0.0, false)), (true, true));
        assert_eq!(finite(Stage::surrogate(&lambda, &beta, Kept::First(40), 42, 0.0, false)), (true, false));
        assert_eq!(finite(Stage::surrogate(&lambda, &beta, Kept::First(40), 44, 0.0, false)), (true, true));
        // All features seen and no label noise: exact.
        assert_eq!(finite(Stage::surrogate(&lambda, &beta, Kept::First(50), 49, 0.0, false)), (true, true));
        // Omitted features without signal add no noise.
        let beta: Vec<f64> = (0..50).map(|i| if i < 40 { 1.0 } else { 0.0 }).collect();
        assert_eq!(finite(Stage::surrogate(&lambda, &beta, Kept::First(40), 39, 0.0, false)), (true, true));
        assert_eq!(finite(Stage::surrogate(&lambda, &beta, Kept::First(40), 39, 0.2, false)), (false, false));
    }

    #[test]
    fn two_stages_need_both() {
        let lambda = vec![1.0; 40];
        let beta = vec![1.0; 40];
        let one = Stage::surrogate(&lambda, &beta, Kept::First(40), 38, 0.1, false).moments(); // finite mean, infinite variance
        let two = Stage::target(&lambda, 30, 0.1, false).moments(); // all finite
        let both = one.and(two);
        assert!(both.mean.is_none() && both.variance.is_some_and(|d| d.is_in_stage_one()));
        let bad = Stage::target(&lambda, 39, 0.1, false).moments();
        assert!(one.and(bad).mean.is_some_and(|d| !d.is_in_stage_one()));
        assert_eq!(RiskMoments::finite().and(two), two);
    }

    #[test]
    fn reasons_name_the_noise_k_and_the_allowed_sizes() {
        let lambda = vec![1.0; 40];
        let reason = Stage::target(&lambda, 39, 1.0, false).moments().mean.unwrap().to_string();
        assert_eq!(
            reason,
            "n = 39: the expected risk is infinite: with label noise σ² = 1 and k = 40 positive eigenvalues, \
             E R < ∞ needs n ≤ 38 or n ≥ 42 (inverse-Wishart moments)"
        );
        let reason = Stage::target(&lambda, 38, 1.0, false).moments().variance.unwrap().to_string();
        assert!(reason.starts_with("n = 38: the risk's variance is infinite") && reason.contains("n ≤ 36 or n ≥ 44"));
        let beta = vec![1.0; 40];
        let reason =
            Stage::surrogate(&lambda, &beta, Kept::First(30), 29, 0.0, false).moments().mean.unwrap().to_string();
        assert!(reason.starts_with("m = 29: the expected risk is infinite: with effective noise"), "{reason}");
        assert!(
            reason.contains("= 0 + 10") && reason.contains("first p_s = 30") && reason.contains("m ≤ 28 or m ≥ 32")
        );
    }

    #[test]
    fn allowed_sizes_are_those_with_a_finite_mean() {
        let flat = vec![1.0; 40];
        assert_eq!(Stage::target(&flat, 1, 1.0, false).allowed().to_string(), "n ≤ 38 or n ≥ 42");
        assert_eq!(Stage::target(&flat, 1, 0.0, false).allowed().to_string(), "every n");
        let zeros: Vec<f64> = (0..40).map(|i| if i < 30 { 1.0 } else { 0.0 }).collect();
        let noisy = Stage::target(&zeros, 1, 1.0, false).allowed();
        // k = 30 of p = 40: least squares on the 30 positive directions from n = 32 on (issue 11: it was refused
        // up to p + 1 = 41).
        assert_eq!(noisy.to_string(), "n ≤ 28 or n ≥ 32");
        assert!(noisy.contains(28) && !noisy.contains(29) && !noisy.contains(31) && noisy.contains(32));
        // k = 1: no interpolating size has a finite mean with noise.
        assert_eq!(Stage::target(&[1.0, 0.0], 1, 1.0, false).allowed().to_string(), "n ≥ 3");
        assert_eq!(Stage::target(&[1.0], 1, 1.0, false).allowed().to_string(), "n ≥ 3");
        for n in 1..100 {
            for (lambda, noise) in [(&flat, 1.0), (&flat, 0.0), (&zeros, 1.0), (&zeros, 0.0)] {
                let stage = Stage::target(lambda, n, noise, false);
                assert_eq!(stage.allowed().contains(n), stage.moments().mean.is_none(), "n = {n}, σ² = {noise}");
            }
        }
    }
}
