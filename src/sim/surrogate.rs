//! Surrogate columns: fixed coefficient vectors, or ERM surrogates fitted inside each trial
//! (docs/dev/paper.md §3 "Section 5", two-stage model; the weak surrogate sees only the first p_s features).

use faer::{Mat, MatMut};

use super::design::{draw_columns, validate_spectrum};
use super::entries::Entries;
use super::error::SimError;
use super::estimator::{Fitter, Inaccurate, Method};
use super::stream::{Draw, Source, TrialKey};

/// A surrogate fitted by ERM on its own data in every trial (eq. 3): x̃ ~ N(0, diag(λ_s)) (m rows, all p
/// features), ỹ = x̃ β⋆ + z̃ with z̃ ~ N(0, σ_s² I_m), β^s = Est(x̃_{:, 1..p_s}, ỹ) zero-padded to length p.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ErmSurrogate {
    /// The surrogate data's spectrum λ_s (length p, eigenbasis of the target design).
    pub(crate) lambda_s: Vec<f64>,
    /// p_s ≤ p: the fit uses the first p_s features only.
    pub(crate) features: usize,
    /// The surrogate sample size m.
    pub(crate) m: usize,
    /// The surrogate label noise variance σ_s².
    pub(crate) noise_s: f64,
}

/// One surrogate column of a point: β^s given, or fitted per trial.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SurrogateColumn {
    /// A fixed coefficient vector β^s (length p, eigenbasis).
    Fixed(Vec<f64>),
    /// An ERM surrogate refitted in every trial.
    Erm(ErmSurrogate),
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
        }
    }
}

/// `Err(NonFiniteCoefficient)` at the first non-finite entry.
pub(crate) fn finite(b: &[f64]) -> Result<(), SimError> {
    match b.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(SimError::NonFiniteCoefficient { index }),
        None => Ok(()),
    }
}

impl ErmSurrogate {
    /// Checks λ_s (length p, finite, ≥ 0), 1 ≤ p_s ≤ p, m ≥ 1 and σ_s² finite ≥ 0.
    fn validate(&self, p: usize) -> Result<(), SimError> {
        if self.lambda_s.len() != p {
            return Err(SimError::SpectrumLength { expected: p, found: self.lambda_s.len() });
        }
        validate_spectrum(&self.lambda_s)?;
        if !(1..=p).contains(&self.features) {
            return Err(SimError::InvalidFeatureCount { features: self.features, p });
        }
        if self.m == 0 {
            return Err(SimError::NoSamples);
        }
        if !(self.noise_s.is_finite() && self.noise_s >= 0.0) {
            return Err(SimError::InvalidNoiseVariance(self.noise_s));
        }
        Ok(())
    }
}

/// Reusable buffers of one ERM column's surrogate stage.
pub(crate) struct ErmStage {
    sqrt_lambda_s: Vec<f64>,
    /// Surrogate design x̃ (m × p).
    X: Mat<f64>,
    /// Labels ỹ (m × 1), overwritten by the fit.
    y: Mat<f64>,
    /// The fit on the first p_s features (p_s × 1).
    coef: Mat<f64>,
    fitter: Fitter,
}

impl ErmStage {
    /// Allocates the buffers of `erm`'s stage.
    pub(crate) fn new(erm: &ErmSurrogate) -> Self {
        let p = erm.lambda_s.len();
        Self {
            sqrt_lambda_s: erm.lambda_s.iter().map(|l| l.sqrt()).collect(),
            X: Mat::zeros(erm.m, p),
            y: Mat::zeros(erm.m, 1),
            coef: Mat::zeros(erm.features, 1),
            fitter: Fitter::new(erm.m, erm.features, 1),
        }
    }

    /// Draws column `j`'s surrogate data from `key` (design blocks then noise of `Source::Erm(j)`),
    /// fits β^s (eigenbasis, zero-padded) into `beta_s` and returns whether the QR fallback was used.
    ///
    /// Errors: [`Inaccurate`] when Est(X̃, ỹ) cannot be computed to its tolerance.
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
        let source = Source::Erm(j);
        // The surrogate's own data stay Gaussian, whatever the target's entries (docs/language.md, Tasks).
        draw_columns(&self.sqrt_lambda_s, Entries::Gaussian, key, source, 0, self.X.as_mut());
        // ỹ = x̃ β⋆ + z̃
        key.stream(source, Draw::Noise).fill_scaled_normals(self.y.col_as_slice_mut(0), erm.noise_s.sqrt());
        let beta = faer::ColRef::from_slice(beta_star).as_mat();
        faer::linalg::matmul::matmul(self.y.as_mut(), faer::Accum::Add, self.X.as_ref(), beta, 1.0, faer::Par::Seq);
        let ps = erm.features;
        let method =
            self.fitter.fit(self.X.subcols(0, ps), None, self.y.as_mut(), self.coef.as_mut(), force_fallback)?;
        beta_s.fill(0.0);
        beta_s.as_mut().subrows_mut(0, ps).copy_from(&self.coef);
        Ok(method == Method::Qr)
    }
}
