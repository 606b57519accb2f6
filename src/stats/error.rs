//! Errors of the statistics module: the statistic is undefined for the given input.

use std::fmt;

/// Why a statistic could not be computed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StatsError {
    /// Fewer observations than the statistic needs (`needed` of them).
    TooFewSamples {
        /// Observations given.
        count: usize,
        /// Observations needed.
        needed: usize,
    },
    /// A confidence level or significance level outside (0, 1).
    InvalidLevel(f64),
    /// An observation is NaN or infinite.
    NonFinite {
        /// Zero-based index of the observation.
        index: usize,
    },
    /// A log-log fit got a value ≤ 0.
    NonPositive {
        /// Zero-based index of the observation.
        index: usize,
    },
    /// A regression whose abscissae are all equal has no slope.
    ConstantAbscissa,
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewSamples { count, needed } => {
                write!(f, "{count} observation(s) given, at least {needed} needed")
            }
            Self::InvalidLevel(level) => {
                write!(f, "level {level} must lie strictly between 0 and 1")
            }
            Self::NonFinite { index } => write!(f, "observation {} is not finite", index + 1),
            Self::NonPositive { index } => {
                write!(f, "observation {} must be positive to take its logarithm", index + 1)
            }
            Self::ConstantAbscissa => write!(f, "all x values are equal: the slope is undefined"),
        }
    }
}

impl std::error::Error for StatsError {}

/// Checks that a level (confidence or α) lies strictly in (0, 1).
pub(super) fn check_level(level: f64) -> Result<f64, StatsError> {
    if level > 0.0 && level < 1.0 { Ok(level) } else { Err(StatsError::InvalidLevel(level)) }
}

/// Checks that every observation is finite.
pub(super) fn check_finite(sample: &[f64]) -> Result<(), StatsError> {
    match sample.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(StatsError::NonFinite { index }),
        None => Ok(()),
    }
}
