//! Log-log slope fits for scaling laws.

use super::error::{StatsError, check_finite, check_level};
use super::summary::t_quantile;
use super::sums::TrialSums;

/// Ordinary least squares of ln y on ln x: ln y = intercept + slope · ln x, with the slope's
/// standard error √(RSS/(m − 2) / Σ(ln x_i − mean)²) and its Student-t interval on m − 2 degrees
/// of freedom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LogLogFit {
    /// Number of points m.
    pub(crate) count: usize,
    /// Fitted exponent.
    pub(crate) slope: f64,
    /// Fitted ln-scale intercept.
    pub(crate) intercept: f64,
    /// Standard error of the slope.
    pub(crate) slope_se: f64,
    /// Lower end of the slope's interval.
    pub(crate) ci_low: f64,
    /// Upper end of the slope's interval.
    pub(crate) ci_high: f64,
    /// Confidence level of the interval.
    pub(crate) confidence: f64,
}

/// The logarithms of a positive, finite sample.
fn logs(values: &[f64]) -> Result<Vec<f64>, StatsError> {
    check_finite(values)?;
    match values.iter().position(|&v| v <= 0.0) {
        Some(index) => Err(StatsError::NonPositive { index }),
        None => Ok(values.iter().map(|v| v.ln()).collect()),
    }
}

impl LogLogFit {
    /// Fits y ∝ x^slope through the points (x_i, y_i). Needs m ≥ 3 points (one residual degree of
    /// freedom for the error), positive finite values and at least two distinct x.
    #[track_caller]
    pub(crate) fn new(x: &[f64], y: &[f64], confidence: f64) -> Result<Self, StatsError> {
        assert_eq!(x.len(), y.len(), "one y per x");
        check_level(confidence)?;
        let count = x.len();
        if count < 3 {
            return Err(StatsError::TooFewSamples { count, needed: 3 });
        }
        let (u, v) = (logs(x)?, logs(y)?);
        let means = TrialSums::of_columns(0..count, &[&u, &v]);
        let (mu, mv) = (means.mean(0).expect("finite logarithms"), means.mean(1).expect("finite logarithms"));
        // Centred sums: slope = Σ(u−ū)(v−v̄) / Σ(u−ū)².
        let suu: f64 = u.iter().map(|a| (a - mu) * (a - mu)).sum();
        if suu == 0.0 {
            return Err(StatsError::ConstantAbscissa);
        }
        let suv: f64 = u.iter().zip(&v).map(|(a, b)| (a - mu) * (b - mv)).sum();
        let slope = suv / suu;
        let intercept = mv - slope * mu;
        let rss: f64 = u.iter().zip(&v).map(|(a, b)| (b - intercept - slope * a).powi(2)).sum();
        let df = (count - 2) as f64;
        let slope_se = (rss / df / suu).sqrt();
        let half = t_quantile(df, 0.5 + confidence / 2.0) * slope_se;
        Ok(Self { count, slope, intercept, slope_se, ci_low: slope - half, ci_high: slope + half, confidence })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_power_law_exactly() {
        // y = 3 x^{-1/2} on n = 100..1600: slope −0.5, intercept ln 3, no residual.
        let x: Vec<f64> = [100.0, 200.0, 400.0, 800.0, 1600.0].to_vec();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v.powf(-0.5)).collect();
        let fit = LogLogFit::new(&x, &y, 0.95).unwrap();
        assert!((fit.slope + 0.5).abs() < 1e-12, "slope {}", fit.slope);
        assert!((fit.intercept - 3.0_f64.ln()).abs() < 1e-10);
        assert!(fit.slope_se < 1e-12 && fit.ci_low <= fit.slope && fit.slope <= fit.ci_high);
    }

    #[test]
    fn slope_error_of_a_hand_computed_fit() {
        // ln x = (0, 1, 2), ln y = (0, 1, 3) (x = e^u): slope = Σ(u−1)(v−4/3)/2 = 3/2,
        // residuals (1/6, −1/3, 1/6), RSS = 1/6, se = √(RSS/1/2) = √(1/12).
        let e = std::f64::consts::E;
        let fit = LogLogFit::new(&[1.0, e, e * e], &[1.0, e, e.powi(3)], 0.9).unwrap();
        assert!((fit.slope - 1.5).abs() < 1e-12);
        assert!((fit.slope_se - (1.0_f64 / 12.0).sqrt()).abs() < 1e-12);
        // t_{0.95, 1} = 6.313751515.
        assert!((fit.ci_high - 1.5 - 6.313_751_515 * fit.slope_se).abs() < 1e-7);
    }

    #[test]
    fn rejects_undefined_fits() {
        assert_eq!(
            LogLogFit::new(&[1.0, 2.0], &[1.0, 2.0], 0.9),
            Err(StatsError::TooFewSamples { count: 2, needed: 3 })
        );
        assert_eq!(LogLogFit::new(&[1.0, 2.0, 0.0], &[1.0, 2.0, 3.0], 0.9), Err(StatsError::NonPositive { index: 2 }));
        assert_eq!(LogLogFit::new(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0], 0.9), Err(StatsError::ConstantAbscissa));
    }
}
