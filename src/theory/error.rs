//! The theory module's error type, and the input checks that produce it.

use std::fmt;

/// Why a theoretical quantity cannot be evaluated for the given inputs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TheoryError {
    /// The spectrum has no eigenvalues.
    EmptySpectrum,
    /// An input value is NaN or infinite.
    NonFinite {
        /// Which input ("eigenvalue", "signal", "surrogate", ...).
        what: &'static str,
        /// 0-based position in the slice.
        index: usize,
    },
    /// A covariance eigenvalue is negative.
    NegativeEigenvalue {
        /// 0-based position in the spectrum.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// The sample size is zero.
    NoSamples,
    /// The interpolation equation Σ λ_i/(λ_i+τ) = n has no solution (n ≥ number of positive eigenvalues, n < p).
    NoEquivalent {
        /// Sample size.
        n: usize,
        /// Number of strictly positive eigenvalues.
        positive: usize,
    },
    /// A ridge penalty is negative or not finite.
    InvalidRidge {
        /// The offending penalty λ.
        ridge: f64,
    },
    /// A noise variance is negative or not finite.
    InvalidNoise {
        /// The offending variance.
        sigma2: f64,
    },
    /// An exponent lies outside the range where a proposition is stated.
    InvalidExponent {
        /// The exponent's name in the paper ("alpha", "beta").
        name: &'static str,
        /// The offending value.
        value: f64,
        /// The required range, in words.
        requirement: &'static str,
    },
    /// The weak surrogate's feature count p_s is 0 or exceeds the number of features p.
    InvalidFeatures {
        /// The requested p_s.
        features: usize,
        /// Number of features p.
        p: usize,
    },
    /// Observation 1 needs Σ_s = AΣ_tA with A diagonal, impossible where λ^t_i = 0 < λ^s_i.
    UnmatchedShift {
        /// 0-based position in the spectra.
        index: usize,
    },
    /// The root finder for τ did not converge (a numerical failure, not a user error).
    NoConvergence {
        /// Sample size.
        n: usize,
        /// Last bracket of log τ.
        bracket: (f64, f64),
    },
}

impl fmt::Display for TheoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptySpectrum => write!(f, "the spectrum is empty: at least one eigenvalue is needed"),
            Self::NonFinite { what, index } => {
                write!(f, "{what} value number {} is not a finite number", index + 1)
            }
            Self::NegativeEigenvalue { index, value } => {
                write!(f, "eigenvalue number {} is {value}, but covariance eigenvalues cannot be negative", index + 1)
            }
            Self::NoSamples => write!(f, "the sample size is 0: at least one sample is needed"),
            Self::NoEquivalent { n, positive } => write!(
                f,
                "with n = {n} samples and only {positive} positive eigenvalues, the equation \
                 sum_i lambda_i/(lambda_i + tau) = n has no solution tau: the interpolation theory needs \
                 n smaller than the number of positive eigenvalues"
            ),
            Self::InvalidRidge { ridge } => {
                write!(f, "the ridge penalty {ridge} must be a finite number that is not negative")
            }
            Self::InvalidNoise { sigma2 } => {
                write!(f, "the noise variance {sigma2} must be a finite number that is not negative")
            }
            Self::InvalidExponent { name, value, requirement } => {
                write!(f, "{name} = {value} is outside the range of the result: it needs {requirement}")
            }
            Self::InvalidFeatures { features, p } => write!(
                f,
                "the weak surrogate sees {features} features, but it needs between 1 and the p = {p} features of \
                 the model"
            ),
            Self::UnmatchedShift { index } => write!(
                f,
                "eigenvalue number {} is 0 for the target but positive for the surrogate, so no diagonal A maps \
                 one covariance to the other (Observation 1)",
                index + 1
            ),
            Self::NoConvergence { n, bracket } => write!(
                f,
                "the solver for tau did not converge for n = {n} (log tau still in [{}, {}])",
                bracket.0, bracket.1
            ),
        }
    }
}

impl std::error::Error for TheoryError {}

/// Checks that every entry of `values` is finite.
pub(super) fn check_finite(what: &'static str, values: &[f64]) -> Result<(), TheoryError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(TheoryError::NonFinite { what, index }),
        None => Ok(()),
    }
}

/// Checks that a noise variance is finite and not negative.
pub(super) fn check_noise(sigma2: f64) -> Result<(), TheoryError> {
    if sigma2.is_finite() && sigma2 >= 0.0 { Ok(()) } else { Err(TheoryError::InvalidNoise { sigma2 }) }
}

/// Checks that a power-law exponent exceeds `min` (the propositions need α > 1, or α > 4 for v1 Proposition 9).
pub(super) fn check_exponent(
    name: &'static str,
    value: f64,
    min: f64,
    requirement: &'static str,
) -> Result<(), TheoryError> {
    if value.is_finite() && value > min {
        Ok(())
    } else {
        Err(TheoryError::InvalidExponent { name, value, requirement })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_plain_words() {
        let e = TheoryError::NoEquivalent { n: 10, positive: 5 };
        assert!(e.to_string().contains("has no solution"));
        assert_eq!(
            TheoryError::NonFinite { what: "signal", index: 0 }.to_string(),
            "signal value number 1 is not a finite number"
        );
    }

    #[test]
    fn checks_reject_bad_values() {
        assert_eq!(check_finite("signal", &[1.0, f64::NAN]), Err(TheoryError::NonFinite { what: "signal", index: 1 }));
        assert!(check_noise(-1.0).is_err());
        assert!(check_noise(f64::INFINITY).is_err());
        assert!(check_noise(0.0).is_ok());
        assert_eq!(
            TheoryError::InvalidRidge { ridge: -1.0 }.to_string(),
            "the ridge penalty -1 must be a finite number that is not negative"
        );
        assert!(check_exponent("alpha", 1.0, 1.0, "alpha > 1").is_err());
        assert!(check_exponent("alpha", f64::NAN, 1.0, "alpha > 1").is_err());
    }
}
