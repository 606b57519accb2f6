//! Surrogate columns: fixed coefficient vectors, or ERM surrogates fitted inside each trial
//! (docs/dev/paper.md §3 "Section 5", two-stage model; the weak surrogate sees only the first p_s features, or
//! any subset S of them, issue 17 item 6).

use faer::{Mat, MatMut};

use super::design::{draw_columns, validate_spectrum};
use super::entries::Entries;
use super::error::SimError;
use super::estimator::{Fitter, Inaccurate, Method};
use super::stream::{Draw, Source, TrialKey};
use crate::theory::{Features, Kept};

/// A surrogate fitted by ERM on its own data in every trial (eq. 3): x̃ ~ N(0, diag(λ_s)) (m rows, all p
/// features), ỹ = x̃ β⋆ + z̃ with z̃ ~ N(0, σ_s² I_m), β^s = Est(x̃_{:, S}, ỹ) on the features S it sees (1..p_s, or
/// any subset) and 0 off S (ridge with penalty λ_s when λ_s > 0).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ErmSurrogate {
    /// The surrogate data's spectrum λ_s (length p, eigenbasis of the target design).
    pub(crate) lambda_s: Vec<f64>,
    /// The features S it fits on: the first p_s ≤ p, or a subset (0-based, increasing).
    pub(crate) features: Features,
    /// The surrogate sample size m.
    pub(crate) m: usize,
    /// The surrogate label noise variance σ_s².
    pub(crate) noise_s: f64,
    /// The surrogate fit's ridge penalty λ_s ≥ 0.
    pub(crate) ridge: f64,
    /// The per-coordinate gain g (length p) applied to the coefficients that label its data, ỹ = x̃ (g ⊙ β^prev)
    /// + z̃, when its teacher passes on its optimal surrogate (`theory::label_gain`); `None` for g = 1.
    pub(crate) gain: Option<Vec<f64>>,
    /// The ERM surrogate whose fit labels this one's data instead of β⋆ (a distillation chain, issue 17 item 3).
    pub(crate) labels: Option<Box<ErmSurrogate>>,
}

/// One surrogate column of a point: β^s given, or fitted per trial.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SurrogateColumn {
    /// A fixed coefficient vector β^s (length p, eigenbasis).
    Fixed(Vec<f64>),
    /// An ERM surrogate refitted in every trial.
    Erm(ErmSurrogate),
    /// Self-distillation (issue 17 item 2): the target's fit b on strong labels y = Xβ⋆ + z is refitted, on the
    /// same design and with the same penalty, to ξ·Xb + (1 − ξ)·y.
    SelfDistilled {
        /// The mixing weight ξ.
        xi: f64,
    },
}

impl SurrogateColumn {
    /// Checks the column against the dimension p.
    #[track_caller]
    pub(crate) fn validate(&self, p: usize) -> Result<(), SimError> {
        match self {
            Self::Fixed(b) => {
                assert_eq!(b.len(), p, "each surrogate must have one coefficient per feature");
                finite(b)
            }
            Self::Erm(erm) => erm.validate(p),
            Self::SelfDistilled { xi } if xi.is_finite() => Ok(()),
            Self::SelfDistilled { xi } => Err(SimError::InvalidWeight(*xi)),
        }
    }
}

/// `Err(InvalidRidge)` unless the penalty is finite and not negative.
pub(crate) fn check_ridge(ridge: f64) -> Result<(), SimError> {
    if ridge.is_finite() && ridge >= 0.0 { Ok(()) } else { Err(SimError::InvalidRidge(ridge)) }
}

/// `Err(NonFiniteCoefficient)` at the first non-finite entry.
pub(crate) fn finite(b: &[f64]) -> Result<(), SimError> {
    match b.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(SimError::NonFiniteCoefficient { index }),
        None => Ok(()),
    }
}

impl ErmSurrogate {
    /// Itself, then the generations its labels come from, nearest first.
    pub(crate) fn generations(&self) -> impl Iterator<Item = &ErmSurrogate> {
        std::iter::successors(Some(self), |g| g.labels.as_deref())
    }

    /// Checks every generation.
    fn validate(&self, p: usize) -> Result<(), SimError> {
        self.generations().try_for_each(|g| g.validate_own(p))
    }

    /// Checks λ_s (length p, finite, ≥ 0), S (1 ≤ p_s ≤ p, a subset increasing within 0..p), m ≥ 1 and σ_s² finite ≥ 0.
    fn validate_own(&self, p: usize) -> Result<(), SimError> {
        if self.lambda_s.len() != p {
            return Err(SimError::SpectrumLength { expected: p, found: self.lambda_s.len() });
        }
        validate_spectrum(&self.lambda_s)?;
        if self.features.kept().check(p).is_err() {
            return Err(SimError::InvalidFeatureCount { features: self.features.kept().count(), p });
        }
        if self.m == 0 {
            return Err(SimError::NoSamples);
        }
        if !(self.noise_s.is_finite() && self.noise_s >= 0.0) {
            return Err(SimError::InvalidNoiseVariance(self.noise_s));
        }
        if let Some(gain) = &self.gain {
            assert_eq!(gain.len(), p, "the label gain must have one entry per feature");
            finite(gain)?;
        }
        check_ridge(self.ridge)
    }
}

/// Reusable buffers of one ERM generation's fit.
struct GenerationFit {
    sqrt_lambda_s: Vec<f64>,
    /// Its design x̃ (m × p).
    X: Mat<f64>,
    /// Labels ỹ (m × 1), overwritten by the fit.
    y: Mat<f64>,
    /// The fit on the features it sees (p_s × 1).
    coef: Mat<f64>,
    /// The columns S of x̃ gathered for a subset's fit (m × p_s; empty for the first p_s, a view of x̃).
    kept_X: Mat<f64>,
    fitter: Fitter,
}

impl GenerationFit {
    /// Allocates the buffers of generation `erm` (its own fields only, not its labels' generations).
    fn new(erm: &ErmSurrogate) -> Self {
        let p = erm.lambda_s.len();
        let ps = erm.features.kept().count();
        Self {
            sqrt_lambda_s: erm.lambda_s.iter().map(|l| l.sqrt()).collect(),
            X: Mat::zeros(erm.m, p),
            y: Mat::zeros(erm.m, 1),
            coef: Mat::zeros(ps, 1),
            kept_X: match erm.features {
                Features::First(_) => Mat::zeros(0, 0),
                Features::Among(_) => Mat::zeros(erm.m, ps),
            },
            fitter: Fitter::with_ridge(erm.m, ps, 1, erm.ridge),
        }
    }
}

/// Reusable buffers of one ERM column's surrogate stage: one per generation of its chain, oldest first.
pub(crate) struct ErmStage {
    generations: Vec<GenerationFit>,
}

impl ErmStage {
    /// Allocates the buffers of `erm`'s stage and of the generations its labels come from.
    pub(crate) fn new(erm: &ErmSurrogate) -> Self {
        let mut generations: Vec<GenerationFit> = erm.generations().map(GenerationFit::new).collect();
        generations.reverse();
        Self { generations }
    }

    /// Fits column `j`'s surrogate for the trial `key`: each generation in turn, oldest first, draws its data (the
    /// column's last generation from `Source::Erm(j)`, as a single ERM stage always has; an earlier one from
    /// `Source::ErmGeneration { column: j, back }`, `back` generations before the last), labels it with the
    /// previous generation's fit (β⋆ for the first) plus noise, and fits it. Writes the last fit (eigenbasis,
    /// zero-padded) into `beta_s` and returns whether any fit used the QR fallback.
    ///
    /// Errors: [`Inaccurate`] when a fit cannot be computed to its tolerance.
    #[track_caller]
    pub(crate) fn fit(
        &mut self,
        erm: &ErmSurrogate,
        beta_star: &[f64],
        key: &TrialKey,
        j: usize,
        force_fallback: bool,
        mut beta_s: MatMut<'_, f64>,
    ) -> Result<bool, Inaccurate> {
        let mut chain: Vec<&ErmSurrogate> = erm.generations().collect();
        chain.reverse();
        let last = chain.len() - 1;
        beta_s.as_mut().col_mut(0).copy_from(faer::ColRef::from_slice(beta_star));
        let mut fallback = false;
        for (depth, (g, fit)) in chain.into_iter().zip(&mut self.generations).enumerate() {
            let source =
                if depth == last { Source::Erm(j) } else { Source::ErmGeneration { column: j, back: last - depth } };
            // A surrogate's own data stay Gaussian, whatever the target's entries (docs/language.md, Tasks).
            draw_columns(&fit.sqrt_lambda_s, Entries::Gaussian, key, source, 0, fit.X.as_mut());
            // ỹ = x̃ (g ⊙ β^prev) + z̃ (β^prev = β⋆ for the first generation; g = 1 unless its teacher passes on
            // its optimal surrogate).
            if let Some(gain) = &g.gain {
                beta_s.as_mut().col_mut(0).iter_mut().zip(gain).for_each(|(b, g)| *b *= g);
            }
            key.stream(source, Draw::Noise).fill_scaled_normals(fit.y.col_as_slice_mut(0), g.noise_s.sqrt());
            faer::linalg::matmul::matmul(
                fit.y.as_mut(),
                faer::Accum::Add,
                fit.X.as_ref(),
                beta_s.as_ref(),
                1.0,
                faer::Par::Seq,
            );
            // The same draw whatever S is: the first p_s fit a view of x̃ (bit for bit as always), a subset its
            // gathered columns; β^s is the fit at S and 0 elsewhere.
            let method = match g.features.kept() {
                Kept::First(ps) => {
                    fit.fitter.fit(fit.X.subcols(0, ps), None, fit.y.as_mut(), fit.coef.as_mut(), force_fallback)?
                }
                Kept::Among(subset) => {
                    for (c, &i) in subset.iter().enumerate() {
                        fit.kept_X.as_mut().col_mut(c).copy_from(fit.X.col(i));
                    }
                    fit.fitter.fit(fit.kept_X.as_ref(), None, fit.y.as_mut(), fit.coef.as_mut(), force_fallback)?
                }
            };
            fallback |= method == Method::Qr;
            beta_s.fill(0.0);
            match g.features.kept() {
                Kept::First(ps) => beta_s.as_mut().subrows_mut(0, ps).copy_from(&fit.coef),
                Kept::Among(subset) => {
                    for (r, &i) in subset.iter().enumerate() {
                        beta_s[(i, 0)] = fit.coef[(r, 0)];
                    }
                }
            }
        }
        Ok(fallback)
    }
}
