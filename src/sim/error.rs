//! Fatal errors of the Monte Carlo engine.

use std::fmt;

use super::estimator::{Inaccurate, TOLERANCE};

/// Why a simulation job could not be built. Shape mismatches between already validated parts are
/// programmer bugs and `assert!` instead.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SimError {
    /// The design has no rows (n = 0): Est(X, y) is undefined.
    NoSamples,
    /// The design has no features (p = 0).
    NoFeatures,
    /// No surrogate column was given (k = 0).
    NoSurrogates,
    /// An eigenvalue λ_i of the covariance is negative or not finite.
    InvalidEigenvalue {
        /// Zero-based feature index.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The label noise variance σ² is negative or not finite.
    InvalidNoiseVariance(f64),
    /// A ridge penalty λ is negative or not finite.
    InvalidRidge(f64),
    /// A self-distillation weight ξ is not finite.
    InvalidWeight(f64),
    /// Self-distillation needs X b, so the design must be stored.
    StreamedSelfDistillation,
    /// Ridge cannot share one factor across nested designs (X Xᵀ + nλI changes with n).
    NestedRidge,
    /// A streamed design fits every column with one factorisation, so its columns need one penalty.
    StreamedMixedRidge,
    /// A spectrum (test spectrum or ERM surrogate data) does not have one eigenvalue per feature.
    SpectrumLength {
        /// The dimension p.
        expected: usize,
        /// The spectrum's length.
        found: usize,
    },
    /// An ERM surrogate's feature count p_s is 0 or exceeds p.
    InvalidFeatureCount {
        /// The requested p_s.
        features: usize,
        /// The dimension p.
        p: usize,
    },
    /// A coefficient of β⋆ or of a surrogate is not finite.
    NonFiniteCoefficient {
        /// Zero-based feature index.
        index: usize,
    },
    /// Nested designs need strictly increasing sample sizes; `n` is the first out of order.
    NestedOrder {
        /// The sample size that does not exceed its predecessor.
        n: usize,
    },
    /// Nested designs share one Cholesky factor of X Xᵀ, which needs every n below p.
    NestedRegime {
        /// The largest sample size.
        n: usize,
        /// The dimension p.
        p: usize,
    },
    /// The largest nested design is too large to store (it would be streamed).
    NestedTooLarge {
        /// The largest sample size.
        n: usize,
        /// The dimension p.
        p: usize,
    },
    /// Nested designs need fixed surrogates (an ERM surrogate's training set may depend on n).
    NestedTrainedSurrogate,
    /// Trial `trial`'s estimator Est(X, y) could not be computed to [`TOLERANCE`] (residual check of
    /// `sim/estimator.rs`): the point is refused rather than reported with a different estimator.
    Inaccurate {
        /// The first trial index that failed.
        trial: usize,
        /// The relative residual reached.
        residual: f64,
        /// Whether the QR fallback was tried (false: a streamed design, too large to store for QR).
        by_qr: bool,
    },
    /// Trial `trial`'s last layer of a random-feature network (sim/classify.rs) could not be fitted to
    /// [`TOLERANCE`], even by column-pivoted QR: its hidden features are rank-deficient.
    NetworkHead {
        /// The first trial index that failed.
        trial: usize,
        /// Which network: `the student` or `teacher network `name``.
        network: String,
        /// Its hidden units.
        width: usize,
        /// The rows it is fitted on.
        rows: usize,
        /// The relative residual reached.
        residual: f64,
    },
}

impl SimError {
    /// The error of trial `trial` whose fit was [`Inaccurate`].
    pub(crate) fn inaccurate(trial: usize, e: Inaccurate) -> Self {
        Self::Inaccurate { trial, residual: e.residual, by_qr: e.by_qr }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSamples => write!(f, "the sample size n must be at least 1"),
            Self::NoFeatures => write!(f, "the dimension p must be at least 1"),
            Self::NoSurrogates => write!(f, "at least one surrogate is needed"),
            Self::InvalidEigenvalue { index, value } => {
                write!(f, "covariance eigenvalue λ_{} = {value} must be finite and non-negative", index + 1)
            }
            Self::InvalidNoiseVariance(v) => {
                write!(f, "noise variance σ² = {v} must be finite and non-negative")
            }
            Self::InvalidWeight(xi) => write!(f, "the self-distillation weight ξ = {xi} must be finite"),
            Self::StreamedSelfDistillation => write!(
                f,
                "self-distillation refits to X b, and this design is too large to store (n·p above 2^24 entries)"
            ),
            Self::InvalidRidge(ridge) => write!(f, "the ridge penalty λ = {ridge} must be finite and non-negative"),
            Self::StreamedMixedRidge => write!(
                f,
                "a design too large to store is fitted with one factorisation for all surrogates, so they need one \
                 ridge penalty"
            ),
            Self::NestedRidge => write!(
                f,
                "nested designs share one Cholesky factor of X Xᵀ across n, and ridge needs X Xᵀ + nλI at each n"
            ),
            Self::SpectrumLength { expected, found } => {
                write!(f, "a spectrum has {found} eigenvalues but the design has p = {expected} features")
            }
            Self::InvalidFeatureCount { features, p } => {
                write!(f, "the surrogate's feature count p_s = {features} must be between 1 and p = {p}")
            }
            Self::NonFiniteCoefficient { index } => {
                write!(f, "coefficient {} is not finite", index + 1)
            }
            Self::NestedOrder { n } => {
                write!(f, "nested designs need increasing sample sizes; n = {n} is out of order")
            }
            Self::NestedRegime { n, p } => {
                write!(f, "nested designs need every n below p, but n = {n} and p = {p}")
            }
            Self::NestedTooLarge { n, p } => {
                write!(f, "the largest nested design ({n} × {p}) is too large to store; use independent designs")
            }
            Self::NestedTrainedSurrogate => write!(f, "nested designs need fixed surrogates, not ERM-trained ones"),
            Self::NetworkHead { trial, network, width, rows, residual } => write!(
                f,
                "trial {trial}: the last layer of {network} ({width} hidden units, fitted on {rows} rows) could not be \
                 computed to relative accuracy {TOLERANCE:.0e}: its residual is {residual:.1e} even by column-pivoted \
                 QR. Its hidden features are rank-deficient (too few distinct inputs or rows for its units), where \
                 kdrepro does not compute the minimum-norm least-squares fit; give the fit a ridge penalty (`ridge` \
                 in the network, or the experiment's `ridge` for the student)"
            ),
            Self::Inaccurate { trial, residual, by_qr } => {
                write!(
                    f,
                    "trial {trial}: the estimator (minimum-norm interpolator or least squares) could not be computed \
                     to relative accuracy {TOLERANCE:.0e}: its residual is {residual:.1e} "
                )?;
                if *by_qr {
                    write!(f, "even by column-pivoted QR of the design")?;
                } else {
                    write!(
                        f,
                        "by Cholesky of the Gram matrix, and the design is too large to store for the QR fallback"
                    )?;
                }
                write!(f, "; the point is refused rather than simulated with a different estimator")
            }
        }
    }
}

impl std::error::Error for SimError {}
