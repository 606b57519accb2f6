//! The two-stage model of Section 5 (Definition 3, Lemma 1, Theorem 2) for jointly diagonal Σ_s, Σ_t: the
//! surrogate β^s = Est(X̃, ỹ) is itself fitted on m samples, then the target on n samples of its labels. The
//! surrogate may see only its first p_s features (a weak surrogate trained by ERM, issue 3 item 12), or any subset S
//! of them (issue 17 item 6).

use super::compensated::compensated_sum;
use super::equivalent::{Regime, check_spectrum};
use super::error::{TheoryError, check_finite, check_noise};
use super::kept::Kept;

/// Per-coordinate mean and variance of the fitted surrogate β^s in the common eigenbasis.
///
/// The target risk is a separable quadratic in β^s, so these two moments determine the two-stage risk.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SurrogateMoments {
    /// E β^s_i.
    pub(crate) mean: Vec<f64>,
    /// Var β^s_i.
    pub(crate) variance: Vec<f64>,
}

impl Regime {
    /// Moments of the surrogate fitted on m samples of (Σ_s, β⋆, σ_s²), with `self` the regime of (λ^s, m):
    /// - interpolating (Theorem 3 / diagonal closed form): E β^s_i = φ_i β⋆_i, Var β^s_i = (G_s/m) φ_i²/λ^s_i,
    ///   φ_i = λ^s_i/(λ^s_i+τ_s), G_s = (σ_s² + Σ λ^s_i ζ_i² β⋆_i²)/(1−Ω_s) = R(β^s) + σ_s² (eq. 11);
    /// - least squares, m ≥ k (k positive eigenvalues): E β^s = β⋆, Cov β^s = σ_s² Σ_s^{-1}/(m − k − 1)
    ///   (inverse-Wishart mean; the pseudo-inverse gives β^s_i = 0 on zero eigenvalues).
    #[track_caller]
    pub(crate) fn surrogate_moments(&self, lambda_s: &[f64], beta_star: &[f64], sigma_s2: f64) -> SurrogateMoments {
        assert_eq!(beta_star.len(), lambda_s.len(), "signal and spectrum lengths differ");
        let scale = match self {
            Self::Equivalent(eq) => (self.standard_risk(lambda_s, beta_star, sigma_s2) + sigma_s2) / eq.n as f64,
            // σ_s²/(m − k − 1) = noise term / k: 0 without noise, ∞ at m ≤ k + 1 (there `moments` refuses it).
            Self::LeastSquares { rank, .. } => self.noise_term(sigma_s2) / (*rank).max(1) as f64,
        };
        let (mean, variance) = lambda_s
            .iter()
            .zip(beta_star)
            .map(|(&l, &b)| match self {
                // (G_s/m) φ²/λ = (G_s/m) λ/(λ+τ)², which is 0 (not 0/0) on a zero eigenvalue.
                Self::Equivalent(eq) => (eq.learned(l) * b, scale * l / (l + eq.tau).powi(2)),
                Self::LeastSquares { .. } if l > 0.0 => (b, scale / l),
                Self::LeastSquares { .. } => (0.0, 0.0),
            })
            .unzip();
        SurrogateMoments { mean, variance }
    }

    /// Moments of a generation fitted on m samples of Σ_s whose labels come from a random β^prev with the given
    /// per-coordinate moments and noise σ_eff², with `self` the regime of (λ^s, m) ([`Generation`]).
    #[track_caller]
    pub(crate) fn chained_moments(
        &self,
        lambda_s: &[f64],
        labels: &SurrogateMoments,
        sigma_eff2: f64,
    ) -> SurrogateMoments {
        let second = |i: usize| labels.mean[i].powi(2) + labels.variance[i];
        let scale = match self {
            // E G/m = (σ_eff² + Σ λ ζ² E(β^prev)²)/((1 − Ω) m).
            Self::Equivalent(eq) => {
                let bias =
                    compensated_sum(lambda_s.iter().enumerate().map(|(i, &l)| l * eq.zeta(l).powi(2) * second(i)));
                (sigma_eff2 + bias) / (eq.omega_complement() * eq.n as f64)
            }
            Self::LeastSquares { rank, .. } => self.noise_term(sigma_eff2) / (*rank).max(1) as f64,
        };
        #[cfg(test)]
        let labels = &if super::mutation::active() == Some(super::mutation::Mutation::ChainForgetsVariance) {
            SurrogateMoments { mean: labels.mean.clone(), variance: vec![0.0; labels.variance.len()] }
        } else {
            labels.clone()
        };
        let (mean, variance) = lambda_s
            .iter()
            .enumerate()
            .map(|(i, &l)| match self {
                Self::Equivalent(eq) => {
                    let theta = eq.learned(l);
                    (theta * labels.mean[i], theta * theta * labels.variance[i] + scale * l / (l + eq.tau).powi(2))
                }
                Self::LeastSquares { .. } if l > 0.0 => (labels.mean[i], labels.variance[i] + scale / l),
                Self::LeastSquares { .. } => (0.0, 0.0),
            })
            .unzip();
        SurrogateMoments { mean, variance }
    }

    /// E R(β^{s2t}) over the fitted surrogate, with `self` the target regime of (λ^t, n) (Lemma 1 / Theorem 2).
    ///
    /// - interpolating target, the diagonal closed form of Section 5 when E β^s_i = φ_i β⋆_i:
    ///   `Σ λ^t_i (θ_i E β^s_i − β⋆_i)² + Σ λ^t_i θ_i² Var β^s_i + Ω_t G_t`,
    ///   with G_t = (σ_t² + Σ λ^t_i (ζ^t_i)² E(β^s_i)²)/(1−Ω_t);
    /// - least-squares target (n > p + 1): `Σ λ^t_i [(E β^s_i − β⋆_i)² + Var β^s_i] + σ_t² k/(n−k−1)`.
    pub(crate) fn expected_s2t_risk(
        &self,
        lambda_t: &[f64],
        beta_star: &[f64],
        moments: &SurrogateMoments,
        sigma_t2: f64,
    ) -> f64 {
        assert_eq!(moments.variance.len(), lambda_t.len(), "surrogate and spectrum lengths differ");
        self.expected_s2t_risk_with(lambda_t, beta_star, &moments.mean, |i| moments.variance[i], sigma_t2)
    }
}

/// The two-stage model of Section 5 with a possibly weak surrogate: stage 1 fits β^s by ERM on m samples
/// x̃ ~ N(0, diag λ_s), ỹ = x̃ᵀβ⋆ + z̃, z̃ ~ N(0, σ_s²), but sees only the first `features` = p_s coordinates (issue 3
/// item 12, the weak surrogate of Section 3.1 trained by ERM); stage 2 fits the target on all p coordinates from n
/// samples x ~ N(0, diag λ_t), y = xᵀβ^s + z, z ~ N(0, σ_t²). Risks are measured against (Σ_t, β⋆) (eq. 5). Each
/// stage is min-norm interpolation (fewer samples than its features) or least squares (more than features + 1),
/// or ridge with its own penalty (issue 17: each stage's distributional characterisation holds with κ for τ, so
/// the surrogate's moments and Lemma 1's risk take the ridge equivalent of their stage). With `features` = p and
/// no ridge this is exactly Definition 3 / Theorem 2.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TwoStage<'a> {
    /// Eigenvalues λ^s_i of the surrogate's covariance.
    pub(crate) lambda_s: &'a [f64],
    /// Eigenvalues λ^t_i of the target's covariance, in the same basis.
    pub(crate) lambda_t: &'a [f64],
    /// The true model β⋆ in that basis.
    pub(crate) beta_star: &'a [f64],
    /// Label noise σ_s² of the surrogate's data.
    pub(crate) sigma_s2: f64,
    /// Label noise σ_t² added to the surrogate's labels for the target.
    pub(crate) sigma_t2: f64,
    /// Surrogate sample size m.
    pub(crate) m: usize,
    /// Target sample size n.
    pub(crate) n: usize,
    /// The coordinates S the surrogate sees: 1..=p_s, or any subset (issue 17 item 6).
    pub(crate) features: Kept<'a>,
    /// Ridge penalty λ_s ≥ 0 of the surrogate's fit (0: min-norm or least squares).
    pub(crate) ridge_s: f64,
    /// Ridge penalty λ_t ≥ 0 of the target's fit.
    pub(crate) ridge_t: f64,
    /// The generations before the surrogate's own stage, oldest first (issue 17 item 3, a distillation chain):
    /// the first learns from β⋆, each later one, and then the surrogate's stage, from the previous one's fit.
    /// Empty for the paper's two-stage model.
    pub(crate) earlier: &'a [Generation<'a>],
    /// Whether the surrogate's own stage learns from the optimal surrogate of the last earlier generation's fit
    /// (of β⋆ without one), [`Generation::optimal_labels`].
    pub(crate) optimal_labels: bool,
}

/// One ERM generation of a distillation chain (issue 17 item 3, the paper's open question 2): m fresh samples
/// x̃ ~ N(0, diag λ) labelled by the previous generation's fit β^prev (β⋆ for the first) plus noise of variance
/// σ², fitted on the features S it sees (the first p_s, or any subset) with ridge penalty λ_r ≥ 0.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Generation<'a> {
    /// Eigenvalues of its data's covariance.
    pub(crate) lambda: &'a [f64],
    /// Its sample size m.
    pub(crate) m: usize,
    /// Its label noise σ².
    pub(crate) sigma2: f64,
    /// The coordinates S it sees: the first p_s, or any subset (issue 17 item 6).
    pub(crate) features: Kept<'a>,
    /// Its ridge penalty (0: min-norm or least squares).
    pub(crate) ridge: f64,
    /// Whether its labels come from the optimal surrogate of the coefficients passed to it rather than from the
    /// coefficients themselves: [`label_gain`] applied to β⋆ or to the previous fit (issue 17 item 3, an optimal
    /// surrogate at every stage).
    pub(crate) optimal_labels: bool,
}

/// The per-coordinate gain that turns the coefficients a generation is taught from into the optimal surrogate for
/// that generation: Corollary 1's gain λ_i(λ_i+τ)/(λ_i² + Ωτ²/(1−Ω)) of the generation's regime (its kept spectrum,
/// its m, its ridge, with κ for τ under ridge; 1 for least squares, v2 Proposition 2) on the coordinates it sees,
/// and 0 on those it does not (their labels only add noise of variance Σ_{i∉S} λ_i b_i² to a fit that is 0 there).
///
/// Corollary 1's gain does not depend on β⋆ or on the label noise, so a teacher can apply it to its own fit: this
/// is the plug-in optimal surrogate. It minimises the learner's risk when the coefficients are β⋆; for a random
/// fit it is the teacher treating its fit as the truth, not the optimum over the fit's distribution.
///
/// Returns a vector of length p = `lambda.len()`. Errors: the regime's ([`Regime::with_ridge`]) and those of an
/// invalid feature set.
pub(crate) fn label_gain(lambda: &[f64], features: Kept<'_>, m: usize, ridge: f64) -> Result<Vec<f64>, TheoryError> {
    let p = lambda.len();
    features.check(p)?;
    let kept = features.gather(lambda);
    let regime = Regime::with_ridge(&kept, m, ridge)?;
    // Cor. 1 on S: gain_i = λ_i(λ_i+τ)/(λ_i² + κ′τ²); 0 off S.
    Ok(features.scatter(kept.iter().map(|&l| regime.gain(l)).collect(), p))
}

impl SurrogateMoments {
    /// The moments of g ⊙ β for a fixed gain g: g_i E β_i and g_i² Var β_i.
    fn scaled(&self, gain: &[f64]) -> SurrogateMoments {
        let square = |g: f64| {
            #[cfg(test)]
            if super::mutation::active() == Some(super::mutation::Mutation::GainUnsquared) {
                return g;
            }
            g * g
        };
        SurrogateMoments {
            mean: self.mean.iter().zip(gain).map(|(m, g)| m * g).collect(),
            variance: self.variance.iter().zip(gain).map(|(v, &g)| v * square(g)).collect(),
        }
    }
}

impl Generation<'_> {
    /// The moments of this generation's fit given the moments of its labels' coefficients (`None`: β⋆ itself).
    ///
    /// Iterating the distributional characterisation (Theorem 3, Han & Xu 2023) one generation further: given
    /// β^prev, the fit is θ ⊙ β^prev + Gaussian noise of per-coordinate variance (G/m) λ_i/(λ_i+τ)² with
    /// G = (σ_eff² + Σ λ_i ζ_i² (β^prev_i)²)/(1 − Ω), σ_eff² = σ² + Σ_{i∉S} λ_i (β^prev_i)² (omitted features act
    /// as noise). Averaging over β^prev (independent of this generation's data) by the laws of total expectation
    /// and variance: E β_i = θ_i E β^prev_i, Var β_i = θ_i² Var β^prev_i + (E G/m) λ_i/(λ_i+τ)², with E G and E
    /// σ_eff² using E(β^prev_i)² = (E β^prev_i)² + Var β^prev_i. Only these marginal moments enter, because every
    /// risk here is a separable quadratic in the coefficients (diagonal spectra). Least squares (m ≥ k, no ridge):
    /// E β_i = E β^prev_i, Var β_i = Var β^prev_i + σ_eff²/((m − k − 1) λ_i) on the positive directions.
    ///
    /// # Panics
    /// If the spectrum and the moments have different lengths (a programmer error).
    fn moments(&self, beta_star: &[f64], labels: Option<&SurrogateMoments>) -> Result<SurrogateMoments, TheoryError> {
        let p = beta_star.len();
        assert_eq!(self.lambda.len(), p, "generation spectrum and signal lengths differ");
        self.features.check(p)?;
        check_spectrum(self.lambda)?;
        // The coordinates are independent (diagonal spectrum): the kept ones, gathered in increasing order, are
        // an ordinary fit; the omitted ones, wherever they are, act as label noise.
        let kept = self.features.gather(self.lambda);
        let omitted = omitted_coordinates(self.features, p);
        // With an optimal surrogate at this stage, it learns from g ⊙ β⋆ or g ⊙ β^prev instead.
        let gain =
            if self.optimal_labels { Some(label_gain(self.lambda, self.features, self.m, self.ridge)?) } else { None };
        let taught = gain.as_ref().map(|g| beta_star.iter().zip(g).map(|(b, g)| b * g).collect::<Vec<_>>());
        let beta_star = taught.as_deref().unwrap_or(beta_star);
        let gained = labels.zip(gain.as_ref()).map(|(l, g)| l.scaled(g));
        let labels = gained.as_ref().or(labels);
        let moments = match labels {
            // The first generation: the paper's stage one (Section 5), exactly as before.
            None => {
                let kept_beta = self.features.gather(beta_star);
                let regime = Regime::checked(&kept, self.m, self.ridge, &[("signal", &kept_beta)], &[self.sigma2])?;
                // Omitted features as label noise: σ_eff² = σ² + Σ_{i∉S} λ_i β⋆_i².
                let unseen = compensated_sum(omitted.iter().map(|&i| self.lambda[i] * beta_star[i] * beta_star[i]));
                regime.surrogate_moments(&kept, &kept_beta, self.sigma2 + unseen)
            }
            Some(previous) => {
                let previous_kept = SurrogateMoments {
                    mean: self.features.gather(&previous.mean),
                    variance: self.features.gather(&previous.variance),
                };
                let regime =
                    Regime::checked(&kept, self.m, self.ridge, &[("surrogate", &previous_kept.mean)], &[self.sigma2])?;
                // σ_eff² = σ² + Σ_{i∉S} λ_i E(β^prev_i)².
                let second = |i: usize| previous.mean[i].powi(2) + previous.variance[i];
                let unseen = compensated_sum(omitted.iter().map(|&i| self.lambda[i] * second(i)));
                regime.chained_moments(&kept, &previous_kept, self.sigma2 + unseen)
            }
        };
        let moments = SurrogateMoments {
            mean: self.features.scatter(moments.mean, p),
            variance: self.features.scatter(moments.variance, p),
        };
        check_finite("surrogate", &moments.variance)?;
        Ok(moments)
    }
}

/// The coordinates of 0..p the fit does not see, increasing: the complement of S (under
/// `Mutation::OmittedFirst`, deliberately the coordinates after the first |S| whatever S is).
fn omitted_coordinates(features: Kept<'_>, p: usize) -> Vec<usize> {
    #[cfg(test)]
    if super::mutation::active() == Some(super::mutation::Mutation::OmittedFirst) {
        return (features.count()..p).collect();
    }
    features.omitted(p).collect()
}

/// The three risks a weak-to-strong comparison needs, all against (Σ_t, β⋆).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TwoStageRisks {
    /// E R(β^{s2t}): the target (student) trained on the fitted surrogate's labels (Lemma 1 / Theorem 2).
    pub(crate) student: f64,
    /// E R(β^s): the surrogate (teacher) itself, used as a predictor on the target's distribution.
    pub(crate) teacher: f64,
    /// R(β^t): the standard target trained on n strong labels (eq. 11; v2 Proposition 2 when n > p + 1).
    pub(crate) strong: f64,
}

impl TwoStage<'_> {
    /// Per-coordinate moments of the fitted surrogate, over all p coordinates: each generation of `earlier` in
    /// turn, then the surrogate's own stage ([`Generation`]).
    ///
    /// The omitted coordinates x̃_i, i ∉ S, are Gaussian and independent of the kept ones, so x̃_Dᵀβ⋆_D + z̃ is
    /// label noise of variance σ_s² + Σ_{i∉S} λ^s_i β⋆_i², independent of the kept features: stage 1 is the
    /// ordinary estimator on the kept spectrum with that noise, and β^s_i = 0 on the omitted coordinates.
    ///
    /// # Panics
    /// If the spectra and the signal have different lengths (a programmer error).
    pub(crate) fn surrogate_moments(&self) -> Result<SurrogateMoments, TheoryError> {
        let p = self.beta_star.len();
        assert_eq!(self.lambda_s.len(), p, "surrogate spectrum and signal lengths differ");
        assert_eq!(self.lambda_t.len(), p, "target spectrum and signal lengths differ");
        check_finite("signal", self.beta_star)?;
        check_noise(self.sigma_t2)?;
        let own = Generation {
            lambda: self.lambda_s,
            m: self.m,
            sigma2: self.sigma_s2,
            features: self.features,
            ridge: self.ridge_s,
            optimal_labels: self.optimal_labels,
        };
        let mut moments: Option<SurrogateMoments> = None;
        for generation in self.earlier.iter().chain(std::iter::once(&own)) {
            moments = Some(generation.moments(self.beta_star, moments.as_ref())?);
        }
        Ok(moments.expect("the surrogate's own stage is a generation"))
    }

    /// The student's, the teacher's and the strong-label target's risks.
    pub(crate) fn risks(&self) -> Result<TwoStageRisks, TheoryError> {
        let moments = self.surrogate_moments()?;
        let target = Regime::with_ridge(self.lambda_t, self.n, self.ridge_t)?;
        Ok(TwoStageRisks {
            student: target.expected_s2t_risk(self.lambda_t, self.beta_star, &moments, self.sigma_t2),
            teacher: teacher_risk(self.lambda_t, self.beta_star, &moments),
            strong: target.standard_risk(self.lambda_t, self.beta_star, self.sigma_t2),
        })
    }
}

/// E R(β^s) = E‖Σ_t^{1/2}(β^s − β⋆)‖² = Σ λ^t_i [(E β^s_i − β⋆_i)² + Var β^s_i] (eq. 5, Σ_t diagonal).
fn teacher_risk(lambda_t: &[f64], beta_star: &[f64], moments: &SurrogateMoments) -> f64 {
    // Eq. (5) averaged over β^s: bias² + variance per coordinate, weighted by λ^t_i.
    compensated_sum(
        lambda_t
            .iter()
            .zip(beta_star)
            .zip(moments.mean.iter().zip(&moments.variance))
            .map(|((&l, &b), (&m, &v))| l * ((m - b).powi(2) + v)),
    )
}

/// A noiseless model with Σ_s = Σ_t = diag(`lambda`), for tests.
#[cfg(test)]
pub(crate) fn same_spectra<'a>(
    lambda: &'a [f64],
    beta: &'a [f64],
    m: usize,
    n: usize,
    features: usize,
) -> TwoStage<'a> {
    TwoStage {
        lambda_s: lambda,
        lambda_t: lambda,
        beta_star: beta,
        sigma_s2: 0.0,
        sigma_t2: 0.0,
        m,
        n,
        features: Kept::First(features),
        ridge_s: 0.0,
        ridge_t: 0.0,
        earlier: &[],
        optimal_labels: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{s2t_risk, standard_risk};
    use super::*;

    #[test]
    fn least_squares_stages_are_exact() {
        // Both stages OLS with Σ_s = Σ_t: E R = σ_s² p/(m−p−1) + σ_t² p/(n−p−1), whatever β⋆; the teacher alone
        // has E R(β^s) = σ_s² p/(m−p−1) (inverse-Wishart mean).
        let lambda = [2.0, 1.0, 0.5, 0.1];
        let beta = [1.0, -2.0, 0.3, 4.0];
        let risks =
            TwoStage { sigma_s2: 0.5, sigma_t2: 0.2, ..same_spectra(&lambda, &beta, 10, 20, 4) }.risks().unwrap();
        let expected = 0.5 * 4.0 / 5.0 + 0.2 * 4.0 / 15.0;
        assert!((risks.student - expected).abs() < 1e-15, "{risks:?} vs {expected}");
        assert!((risks.teacher - 0.4).abs() < 1e-15 && (risks.strong - 0.2 * 4.0 / 15.0).abs() < 1e-15);
    }

    #[test]
    fn noiseless_least_squares_surrogate_is_the_signal() {
        // m > p + 1, σ_s = 0: β^s = β⋆ exactly, so the two-stage risk is the standard target risk.
        let lambda: Vec<f64> = (1..=50).map(|i: i32| f64::from(i).powf(-1.0)).collect();
        let beta = vec![0.4; 50];
        let risks = TwoStage { sigma_t2: 0.1, ..same_spectra(&lambda, &beta, 60, 20, 50) }.risks().unwrap();
        assert!((risks.student / standard_risk(&lambda, &beta, 0.1, 20).unwrap() - 1.0).abs() < 1e-14);
        assert_eq!(risks.teacher, 0.0);
    }

    #[test]
    fn noiseless_least_squares_target_copies_the_surrogate() {
        // n > p + 1, σ_t = 0, Σ_t = Σ_s: β^{s2t} = β^s exactly, so the risk is the surrogate's own eq. (11) risk.
        let lambda: Vec<f64> = (1..=50).map(|i: i32| f64::from(i).powf(-1.7)).collect();
        let beta: Vec<f64> = (1..=50).map(|i: i32| f64::from(i).sqrt()).collect();
        let risks = TwoStage { sigma_s2: 0.3, ..same_spectra(&lambda, &beta, 20, 60, 50) }.risks().unwrap();
        let surrogate = standard_risk(&lambda, &beta, 0.3, 20).unwrap();
        assert!((risks.student / surrogate - 1.0).abs() < 1e-13, "{risks:?} vs {surrogate}");
        assert!((risks.teacher / surrogate - 1.0).abs() < 1e-13, "{risks:?} vs {surrogate}");
    }

    #[test]
    fn all_features_is_section_5_exactly() {
        // p_s = p adds no omitted-feature noise and pads nothing: bit for bit the Definition 3 machinery.
        let lambda_s: Vec<f64> = (1..=120).map(|i: i32| f64::from(i).powf(-1.3)).collect();
        let lambda_t: Vec<f64> = (1..=120).map(|i: i32| 1.0 / (1.0 + f64::from(i))).collect();
        let beta: Vec<f64> = (1..=120).map(|i: i32| (f64::from(i) * 0.7).cos()).collect();
        for (m, n) in [(30, 60), (200, 40), (50, 300)] {
            let model = TwoStage {
                lambda_s: &lambda_s,
                lambda_t: &lambda_t,
                beta_star: &beta,
                sigma_s2: 0.2,
                sigma_t2: 0.1,
                m,
                n,
                features: Kept::First(120),
                ridge_s: 0.0,
                ridge_t: 0.0,
                earlier: &[],
                optimal_labels: false,
            };
            let direct = Regime::new(&lambda_s, m).unwrap().surrogate_moments(&lambda_s, &beta, 0.2);
            assert_eq!(model.surrogate_moments().unwrap(), direct);
            let student = Regime::new(&lambda_t, n).unwrap().expected_s2t_risk(&lambda_t, &beta, &direct, 0.1);
            assert_eq!(model.risks().unwrap().student, student);
        }
    }

    #[test]
    fn omitted_features_match_zero_eigenvalues() {
        // Features with λ^s_i = 0 carry no signal and no noise for the surrogate, which then sets β^s_i = 0 (the
        // min-norm and pseudo-inverse solutions): a full-feature surrogate on (λ_1..λ_{p_s}, 0, ..., 0) is the
        // weak surrogate on p_s features. Checks the zero-eigenvalue path against the truncation path.
        let (p, features) = (90, 40);
        let lambda_t: Vec<f64> = (1..=p).map(|i: i32| f64::from(i).powf(-1.1)).collect();
        let lambda_s: Vec<f64> = (1..=p).map(|i: i32| if i <= 40 { f64::from(i).powf(-0.8) } else { 0.0 }).collect();
        let beta: Vec<f64> = (1..=p).map(|i: i32| 1.0 + (f64::from(i) * 0.2).sin()).collect();
        for m in [10, 35, 95] {
            let weak = TwoStage {
                lambda_s: &lambda_s,
                lambda_t: &lambda_t,
                beta_star: &beta,
                sigma_s2: 0.3,
                sigma_t2: 0.05,
                m,
                n: 50,
                features: Kept::First(features),
                ridge_s: 0.0,
                ridge_t: 0.0,
                earlier: &[],
                optimal_labels: false,
            };
            let (a, b) = (weak.risks().unwrap(), TwoStage { features: Kept::First(90), ..weak }.risks().unwrap());
            for (x, y) in [(a.student, b.student), (a.teacher, b.teacher)] {
                assert!((x / y - 1.0).abs() < 1e-13, "m = {m}: {a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn isotropic_weak_teacher_has_the_min_norm_closed_form() {
        // Σ_s = Σ_t = I, m < p_s: the teacher is the min-norm interpolator on p_s features with noise
        // σ² = σ_s² + ‖β⋆_D‖², so (Hastie et al. 2020, γ = p_s/m) E R(β^s) = ‖β⋆_D‖² + ‖β⋆_K‖²(1 − 1/γ) + σ²/(γ − 1).
        let (p, features, m) = (300, 120, 40);
        let lambda = vec![1.0; p];
        let beta: Vec<f64> = (0..p).map(|i| if i % 2 == 0 { 0.1 } else { -0.05 }).collect();
        let (kept, dropped): (f64, f64) =
            (beta[..features].iter().map(|b| b * b).sum(), beta[features..].iter().map(|b| b * b).sum());
        let gamma = features as f64 / m as f64;
        let sigma2 = 0.25 + dropped;
        let expected = dropped + kept * (1.0 - 1.0 / gamma) + sigma2 / (gamma - 1.0);
        let model = TwoStage { sigma_s2: 0.25, ..same_spectra(&lambda, &beta, m, 100, features) };
        let teacher = model.risks().unwrap().teacher;
        assert!((teacher / expected - 1.0).abs() < 1e-12, "{teacher} vs {expected}");
    }

    #[test]
    fn infinite_surrogate_data_gives_the_masked_signal() {
        // m → ∞ (OLS): E β^s = (β⋆_K, 0), Var β^s = σ_eff²/((m − p_s − 1) λ^s) → 0, so the student's risk tends to
        // s2t_risk(λ_t, β⋆, masked β⋆) (= eq. (16) for Σ_s = Σ_t) and the teacher's to Σ_{i>p_s} λ^t_i β⋆_i², with a
        // gap that falls as 1/(m − p_s − 1).
        let p = 200;
        let lambda_s: Vec<f64> = (1..=p).map(|i: i32| f64::from(i).powf(-2.0)).collect();
        let lambda_t: Vec<f64> = (1..=p).map(|i: i32| f64::from(i).powf(-1.5)).collect();
        let beta: Vec<f64> = (1..=p).map(|i: i32| f64::from(i).powf(0.25)).collect();
        let mask: Vec<bool> = (0..p).map(|i| i < 50).collect();
        let masked_beta = super::super::masked(&beta, &mask);
        let limit = s2t_risk(&lambda_t, &beta, &masked_beta, 0.1, 80).unwrap();
        let omitted: f64 = (50..200).map(|i| lambda_t[i] * beta[i] * beta[i]).sum();
        let mut scaled_gaps = Vec::new();
        for m in [10_051_usize, 1_000_051, 100_000_051] {
            let model = TwoStage {
                lambda_s: &lambda_s,
                lambda_t: &lambda_t,
                beta_star: &beta,
                sigma_s2: 0.5,
                sigma_t2: 0.1,
                m,
                n: 80,
                features: Kept::First(50),
                ridge_s: 0.0,
                ridge_t: 0.0,
                earlier: &[],
                optimal_labels: false,
            };
            let risks = model.risks().unwrap();
            assert!(risks.student > limit && risks.teacher > omitted);
            scaled_gaps.push([(risks.student - limit) * (m - 51) as f64, (risks.teacher - omitted) * (m - 51) as f64]);
        }
        for pair in scaled_gaps.windows(2) {
            for (later, earlier) in pair[1].iter().zip(pair[0]) {
                assert!((later / earlier - 1.0).abs() < 1e-5, "{scaled_gaps:?}");
            }
        }
        // Σ_s = Σ_t: the limit is the masked risk of eq. (16).
        let regime = Regime::new(&lambda_s, 80).unwrap();
        let model = TwoStage { sigma_t2: 0.1, ..same_spectra(&lambda_s, &beta, 1 << 40, 80, 50) };
        let student = model.risks().unwrap().student;
        let eq16 = regime.masked_risk(&lambda_s, &beta, &mask, 0.1);
        assert!((student / eq16 - 1.0).abs() < 1e-6, "{student} vs {eq16}");
    }

    #[test]
    fn reports_the_failing_stage() {
        let lambda = [1.0, 0.5, 0.25];
        let beta = [1.0; 3];
        let error = |model: TwoStage<'_>| model.risks().unwrap_err();
        assert_eq!(error(same_spectra(&lambda, &beta, 0, 1, 3)), TheoryError::NoSamples);
        assert_eq!(
            error(TwoStage { sigma_t2: -1.0, ..same_spectra(&lambda, &beta, 1, 1, 3) }),
            TheoryError::InvalidNoise { sigma2: -1.0 }
        );
        assert_eq!(error(same_spectra(&lambda, &beta, 1, 1, 0)), TheoryError::InvalidFeatures { features: 0, p: 3 });
        assert_eq!(error(same_spectra(&lambda, &beta, 1, 1, 4)), TheoryError::InvalidFeatures { features: 4, p: 3 });
        let nan = [1.0, 1.0, f64::NAN];
        assert_eq!(error(same_spectra(&lambda, &nan, 1, 1, 2)), TheoryError::NonFinite { what: "signal", index: 2 });
    }
}

#[cfg(test)]
mod chain_tests {
    use super::*;

    /// A chain of `k` generations, all on `lambda` with m samples and noise σ², before the target.
    fn chain(lambda: &[f64], m: usize, sigma2: f64, k: usize) -> Vec<Generation<'_>> {
        vec![
            Generation { lambda, m, sigma2, features: Kept::First(lambda.len()), ridge: 0.0, optimal_labels: false };
            k
        ]
    }

    #[test]
    fn least_squares_generations_add_their_noise() {
        // Model collapse with replaced labels (Dohmatob, Feng, Kempe 2024, Theorem 1 for OLS): every least-squares
        // generation on p features and m samples adds σ² p/(m − p − 1) to the risk (inverse-Wishart mean), so
        // after k generations the teacher's risk is k σ² p/(m − p − 1), linear in k, whatever β⋆.
        let lambda = [2.0, 1.0, 0.5, 0.25, 0.1];
        let beta = [1.0, -1.0, 0.5, 2.0, 0.0];
        for k in 1..=5 {
            let earlier = chain(&lambda, 20, 0.3, k - 1);
            let model = TwoStage { sigma_s2: 0.3, earlier: &earlier, ..same_spectra(&lambda, &beta, 20, 40, 5) };
            let risks = model.risks().unwrap();
            let expected = k as f64 * 0.3 * 5.0 / 14.0;
            assert!((risks.teacher / expected - 1.0).abs() < 1e-13, "k = {k}: {} vs {expected}", risks.teacher);
            // The target (least squares, noiseless, n = 40 > p + 1) copies its teacher, plus its own variance 0.
            assert!((risks.student / expected - 1.0).abs() < 1e-13, "k = {k}: {}", risks.student);
        }
    }

    #[test]
    fn one_generation_is_the_two_stage_model_bit_for_bit() {
        let lambda: Vec<f64> = (1..=100).map(|i: i32| f64::from(i).powf(-1.3)).collect();
        let beta: Vec<f64> = (1..=100).map(|i: i32| (f64::from(i) * 0.3).sin()).collect();
        let model = TwoStage { sigma_s2: 0.2, sigma_t2: 0.1, ..same_spectra(&lambda, &beta, 60, 80, 70) };
        let first = Generation {
            lambda: &lambda,
            m: 60,
            sigma2: 0.2,
            features: Kept::First(70),
            ridge: 0.0,
            optimal_labels: false,
        };
        assert_eq!(model.surrogate_moments().unwrap(), first.moments(&beta, None).unwrap());
    }

    #[test]
    fn noiseless_min_norm_generations_shrink_geometrically() {
        // Noiseless labels, Σ = I (p = 200), m = 50 per generation: each min-norm fit projects onto a random
        // m-dimensional subspace, so E β^(k) = (m/p)^k β⋆, and the risk E‖β^(k) − β⋆‖² = ‖β⋆‖²(1 − (m/p)^k) — the
        // projections compose (each generation's fit is a projection of the previous fit onto an independent
        // random subspace, so E‖P_k⋯P_1 β⋆‖² = (m/p)^k ‖β⋆‖² by rotation invariance, and Pythagoras gives the rest).
        let p = 200;
        let lambda = vec![1.0; p];
        let beta: Vec<f64> = (0..p).map(|i| ((i % 9) as f64 - 4.0) / 10.0).collect();
        let norm2: f64 = beta.iter().map(|b| b * b).sum();
        for k in 1..=5_i32 {
            let earlier = chain(&lambda, 50, 0.0, k as usize - 1);
            let model = TwoStage { earlier: &earlier, ..same_spectra(&lambda, &beta, 50, 10, p) };
            let teacher = model.risks().unwrap().teacher;
            let expected = norm2 * (1.0 - 0.25_f64.powi(k));
            assert!((teacher / expected - 1.0).abs() < 1e-12, "k = {k}: {teacher} vs {expected}");
        }
    }

    #[test]
    fn a_generation_taught_by_the_optimal_surrogate_has_its_risk() {
        // A first generation with `optimal_labels` fits m samples labelled by β^{s*} = g ⊙ β⋆, so its own risk is
        // the optimal surrogate-to-target risk at n = m: R* = κ′σ² + Σ λβ⋆² κ′ζ²/((1−ζ)² + κ′ζ²) (Corollary 1,
        // Regime::optimal_risk, a separate closed form checked against PAPER.md's Figure 1b), interpolating at
        // m = 60 < p = 100; least squares at m = 130, where g = 1 (v2 Proposition 2) and R* is the standard risk.
        let lambda: Vec<f64> = (1..=100).map(|i: i32| f64::from(i).powf(-1.3)).collect();
        let beta: Vec<f64> = (1..=100).map(|i: i32| (f64::from(i) * 0.3).sin()).collect();
        for m in [60, 130] {
            let model = TwoStage { sigma_s2: 0.2, optimal_labels: true, ..same_spectra(&lambda, &beta, m, 80, 100) };
            let teacher = model.risks().unwrap().teacher;
            let expected = Regime::with_ridge(&lambda, m, 0.0).unwrap().optimal_risk(&lambda, &beta, 0.2);
            assert!((teacher / expected - 1.0).abs() < 1e-12, "m = {m}: {teacher} vs R* = {expected}");
        }
    }

    #[test]
    fn isotropic_optimal_surrogates_change_nothing() {
        // Σ = I: τ = p/m − 1, Ω = m/p, κ′ = m/(p − m), so g = (1+τ)/(1 + κ′τ²) = (p/m)/(1 + (p − m)/m) = 1
        // (Corollary 1: β^{s*} = β⋆ iff Σ ∝ I), and the noiseless chain keeps ‖β⋆‖²(1 − (m/p)^k).
        let p = 200;
        let lambda = vec![1.0; p];
        let beta: Vec<f64> = (0..p).map(|i| ((i % 9) as f64 - 4.0) / 10.0).collect();
        let norm2: f64 = beta.iter().map(|b| b * b).sum();
        let gain = label_gain(&lambda, Kept::First(p), 50, 0.0).unwrap();
        assert!(gain.iter().all(|g| (g - 1.0).abs() < 1e-13), "{:?}", &gain[..3]);
        for k in 1..=5_i32 {
            let mut earlier = chain(&lambda, 50, 0.0, k as usize - 1);
            for g in &mut earlier {
                g.optimal_labels = true;
            }
            let model = TwoStage { earlier: &earlier, optimal_labels: true, ..same_spectra(&lambda, &beta, 50, 10, p) };
            let teacher = model.risks().unwrap().teacher;
            let expected = norm2 * (1.0 - 0.25_f64.powi(k));
            assert!((teacher / expected - 1.0).abs() < 1e-12, "k = {k}: {teacher} vs {expected}");
        }
    }

    #[test]
    fn chains_match_the_numpy_reference() {
        // tests/fixtures/chain_reference.py, written from the formulas in docs/language.md: p = 200, λ_i = i^−1.5,
        // λ_i β⋆_i² ∝ i^−1.2 (summing to 1), σ² = 0.2 per generation, five interpolating generations, plain and with
        // an optimal surrogate at every stage; each generation's own risk.
        let reference: [(usize, bool, [f64; 5]); 4] = [
            (
                120,
                false,
                [0.515_945_754_437, 0.903_631_189_943, 1.211_746_955_500, 1.466_997_591_859, 1.685_046_927_792],
            ),
            (
                120,
                true,
                [0.498_661_454_181, 0.839_123_422_553, 1.124_747_016_026, 1.382_275_270_931, 1.621_814_113_293],
            ),
            (
                40,
                false,
                [0.477_956_576_858, 0.645_437_792_642, 0.753_134_952_537, 0.836_851_538_686, 0.906_610_439_009],
            ),
            (40, true, [0.402_867_886_245, 0.575_024_004_392, 0.707_651_355_636, 0.823_701_431_797, 0.929_947_432_242]),
        ];
        let p = 200;
        let lambda: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-1.5)).collect();
        let energy: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-1.2)).collect();
        let total: f64 = energy.iter().sum();
        let beta: Vec<f64> = energy.iter().zip(&lambda).map(|(e, l)| (e / total / l).sqrt()).collect();
        for (m, optimal, risks) in reference {
            for (k, expected) in risks.iter().enumerate() {
                let mut earlier = chain(&lambda, m, 0.2, k);
                for g in &mut earlier {
                    g.optimal_labels = optimal;
                }
                let model = TwoStage {
                    sigma_s2: 0.2,
                    earlier: &earlier,
                    optimal_labels: optimal,
                    ..same_spectra(&lambda, &beta, m, 50, p)
                };
                let teacher = model.risks().unwrap().teacher;
                assert!((teacher / expected - 1.0).abs() < 1e-10, "m = {m}, {optimal}, k = {}: {teacher}", k + 1);
            }
        }
    }

    #[test]
    fn the_label_gain_is_zero_off_the_seen_features() {
        // Features the learner does not see only add label noise Σ_{i∉S} λ_i b_i²: their optimal gain is 0, and on S
        // it is Corollary 1's gain of the kept spectrum.
        let lambda: Vec<f64> = (1..=40).map(|i: i32| f64::from(i).powf(-1.5)).collect();
        let subset = [0, 3, 7, 20, 39];
        let gain = label_gain(&lambda, Kept::Among(&subset), 3, 0.0).unwrap();
        let kept: Vec<f64> = subset.iter().map(|&i| lambda[i]).collect();
        let regime = Regime::with_ridge(&kept, 3, 0.0).unwrap();
        for (i, g) in gain.iter().enumerate() {
            match subset.iter().position(|&s| s == i) {
                Some(r) => assert_eq!(*g, regime.gain(kept[r])),
                None => assert_eq!(*g, 0.0),
            }
        }
    }
}

#[cfg(test)]
mod subset_tests {
    use super::*;

    /// The same model as `model` but with the coordinates reordered by `order` (new i holds old order[i]).
    fn permuted(values: &[f64], order: &[usize]) -> Vec<f64> {
        order.iter().map(|&i| values[i]).collect()
    }

    #[test]
    fn the_first_k_listed_are_features_k_bit_for_bit() {
        // Issue 17 item 6: S = {1..k} given as a list takes the subset path (gather, scatter) and must agree with
        // the first-k split exactly, for one generation and for a chain.
        let lambda_s: Vec<f64> = (1..=150).map(|i: i32| f64::from(i).powf(-1.4)).collect();
        let lambda_t: Vec<f64> = (1..=150).map(|i: i32| f64::from(i).powf(-1.1)).collect();
        let beta: Vec<f64> = (1..=150).map(|i: i32| (f64::from(i) * 0.37).cos() + 0.2).collect();
        let first: Vec<usize> = (0..60).collect();
        for (m, n) in [(30, 80), (200, 40), (64, 300)] {
            let earlier = [Generation {
                lambda: &lambda_s,
                m: 90,
                sigma2: 0.1,
                features: Kept::First(60),
                ridge: 0.0,
                optimal_labels: false,
            }];
            let listed_earlier = [Generation {
                lambda: &lambda_s,
                m: 90,
                sigma2: 0.1,
                features: Kept::Among(&first),
                ridge: 0.0,
                optimal_labels: false,
            }];
            for (ridge_s, chain) in [(0.0, false), (1e-3, false), (0.0, true)] {
                let model = TwoStage {
                    lambda_s: &lambda_s,
                    lambda_t: &lambda_t,
                    beta_star: &beta,
                    sigma_s2: 0.2,
                    sigma_t2: 0.05,
                    m,
                    n,
                    features: Kept::First(60),
                    ridge_s,
                    ridge_t: 0.0,
                    earlier: if chain { &earlier[..] } else { &[] },
                    optimal_labels: false,
                };
                let listed = TwoStage {
                    features: Kept::Among(&first),
                    earlier: if chain { &listed_earlier[..] } else { &[] },
                    optimal_labels: false,
                    ..model
                };
                assert_eq!(model.surrogate_moments().unwrap(), listed.surrogate_moments().unwrap());
                assert_eq!(model.risks().unwrap(), listed.risks().unwrap(), "m = {m}, n = {n}");
            }
        }
    }

    #[test]
    fn permuting_spectrum_signal_and_subset_together_changes_no_risk() {
        // The coordinates are exchangeable under a diagonal spectrum: relabelling them (with S relabelled the
        // same way) is the same model.
        let p = 120;
        let lambda: Vec<f64> = (1..=p).map(|i: i32| f64::from(i).powf(-1.5)).collect();
        let beta: Vec<f64> = (1..=p).map(|i: i32| f64::from(i).powf(-0.4) * (f64::from(i) * 0.9).sin()).collect();
        let subset: Vec<usize> = (0..p as usize).filter(|i| i % 3 == 1 || *i > 100).collect();
        // A fixed permutation: i ↦ 37 i mod p (37 is prime to 120).
        let order: Vec<usize> = (0..p as usize).map(|i| (37 * i) % p as usize).collect();
        let mut position = vec![0; p as usize];
        for (new, &old) in order.iter().enumerate() {
            position[old] = new;
        }
        let mut moved: Vec<usize> = subset.iter().map(|&i| position[i]).collect();
        moved.sort_unstable();
        let (lambda_p, beta_p) = (permuted(&lambda, &order), permuted(&beta, &order));
        for (m, n, ridge) in [(20, 60, 0.0), (80, 30, 0.0), (subset.len() + 30, 200, 0.0), (25, 50, 1e-2)] {
            let model = TwoStage {
                lambda_s: &lambda,
                lambda_t: &lambda,
                beta_star: &beta,
                sigma_s2: 0.1,
                sigma_t2: 0.02,
                m,
                n,
                features: Kept::Among(&subset),
                ridge_s: ridge,
                ridge_t: 0.0,
                earlier: &[],
                optimal_labels: false,
            };
            let relabelled = TwoStage {
                lambda_s: &lambda_p,
                lambda_t: &lambda_p,
                beta_star: &beta_p,
                features: Kept::Among(&moved),
                ..model
            };
            let (a, b) = (model.risks().unwrap(), relabelled.risks().unwrap());
            for (x, y) in [(a.student, b.student), (a.teacher, b.teacher), (a.strong, b.strong)] {
                assert!((x / y - 1.0).abs() < 1e-13, "m = {m}, n = {n}: {a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn isotropic_least_squares_on_a_subset_has_the_inverse_wishart_closed_form() {
        // Σ = I, noiseless task labels, surrogate least squares on q scattered features with m > q + 1: the
        // omitted signal is noise σ² = σ_s² + Σ_{i∉S} β_i², so β^s_S = β⋆_S + (X_SᵀX_S)⁻¹X_Sᵀz with
        // E (X_SᵀX_S)⁻¹ = I/(m − q − 1) (inverse Wishart): E β^s = β⋆ on S, 0 off S, Var = σ²/(m − q − 1) on S, and
        // the teacher's risk is Σ_{i∉S} β_i² + q σ²/(m − q − 1).
        let p = 40;
        let lambda = vec![1.0; p];
        let beta: Vec<f64> = (0..p).map(|i| 0.5 - (i as f64) / 50.0).collect();
        let subset = [0, 3, 4, 9, 17, 22, 30, 31, 39];
        let q = subset.len();
        let omitted: f64 = (0..p).filter(|i| !subset.contains(i)).map(|i| beta[i] * beta[i]).sum();
        for (m, sigma_s2) in [(15, 0.0), (30, 0.3), (400, 1.0)] {
            let model = TwoStage { sigma_s2, features: Kept::Among(&subset), ..same_spectra(&lambda, &beta, m, 10, p) };
            let moments = model.surrogate_moments().unwrap();
            let variance = (sigma_s2 + omitted) / (m - q - 1) as f64;
            for (i, &b) in beta.iter().enumerate() {
                let (mean, var) = if subset.contains(&i) { (b, variance) } else { (0.0, 0.0) };
                assert_eq!(moments.mean[i], mean, "E β^s_{i}");
                assert!(
                    (moments.variance[i] - var).abs() <= 1e-14 * var,
                    "Var β^s_{i}: {} vs {var}",
                    moments.variance[i]
                );
            }
            let expected = omitted + q as f64 * variance;
            let teacher = model.risks().unwrap().teacher;
            assert!((teacher / expected - 1.0).abs() < 1e-13, "m = {m}: {teacher} vs {expected}");
        }
    }

    #[test]
    fn invalid_subsets_are_refused() {
        let lambda = [1.0, 0.5, 0.25];
        let beta = [1.0; 3];
        let error =
            |s: &[usize]| TwoStage { features: Kept::Among(s), ..same_spectra(&lambda, &beta, 10, 2, 3) }.risks();
        assert_eq!(error(&[]).unwrap_err(), TheoryError::InvalidFeatures { features: 0, p: 3 });
        assert_eq!(error(&[0, 3]).unwrap_err(), TheoryError::InvalidFeatures { features: 2, p: 3 });
        assert_eq!(error(&[1, 1]).unwrap_err(), TheoryError::InvalidFeatures { features: 2, p: 3 });
        assert!(error(&[2, 0]).is_err() && error(&[0, 2]).is_ok());
    }
}
