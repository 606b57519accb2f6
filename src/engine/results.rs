//! What running a spec produces: theory and simulation values per experiment, series and point.

use serde::{Deserialize, Serialize};

/// The results of every experiment of a spec, in spec order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Results {
    /// One entry per experiment.
    pub(crate) experiments: Vec<ExperimentResults>,
}

/// The results of one experiment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ExperimentResults {
    /// The experiment's name.
    pub(crate) name: String,
    /// What the x coordinate is: `n` (sample size) or `i` (feature index).
    pub(crate) x: String,
    /// Monte Carlo trials per point, if simulated.
    pub(crate) trials: Option<usize>,
    /// The deterministic equivalent at each sample size.
    pub(crate) equivalents: Vec<EquivalentSummary>,
    /// One series per surrogate or quantity.
    pub(crate) series: Vec<Series>,
    /// Per point and series, the per-trial risks in trial order, for paired claims.
    pub(crate) samples: Vec<Vec<Vec<f64>>>,
    /// Trials whose Gram matrix was numerically singular and were solved by the pseudo-inverse fallback.
    #[serde(default)]
    pub(crate) fallbacks: usize,
    /// Per point, a fingerprint of each surrogate's coefficient vector, to tell equal surrogates apart.
    pub(crate) fingerprints: Vec<Vec<[u8; 32]>>,
}

impl Results {
    /// "experiment `x`: 3 of 400 trials at some n needed the pseudo-inverse fallback", one line per such experiment.
    pub fn fallback_notes(&self) -> Vec<String> {
        self.experiments
            .iter()
            .filter(|e| e.fallbacks > 0)
            .map(|e| {
                format!(
                    "experiment `{}`: {} trials had a numerically singular Gram matrix and were solved by the \
                     pseudo-inverse fallback",
                    e.name, e.fallbacks
                )
            })
            .collect()
    }
}

/// The deterministic-equivalent quantities at one sample size (PAPER.md §2.1–2.2).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct EquivalentSummary {
    /// The sample size n.
    pub(crate) n: usize,
    /// The effective regularisation τ (absent in the least-squares regime n > p + 1).
    pub(crate) tau: Option<f64>,
    /// Ω = (1/n) Σ (1 − ζ_i)².
    pub(crate) omega: Option<f64>,
    /// The last index the optimal surrogate amplifies (ζ_i < 1 − Ω), 1-based.
    pub(crate) last_amplified: Option<usize>,
    /// The last index the optimal mask keeps (ζ_i² < 1 − Ω), 1-based.
    pub(crate) last_kept: Option<usize>,
    /// How many features the optimal mask keeps.
    pub(crate) kept: usize,
}

/// One series: a surrogate's values, or a quantity, along the experiment's x axis.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Series {
    /// The series name: a surrogate, or a quantity such as `omega`.
    pub(crate) name: String,
    /// Its legend label.
    pub(crate) label: String,
    /// The values, in x order.
    pub(crate) points: Vec<Point>,
}

/// Theory and simulation at one x.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Point {
    /// The x coordinate (n or i).
    pub(crate) x: f64,
    /// The theoretical value.
    pub(crate) theory: f64,
    /// The simulation's mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mean: Option<f64>,
    /// Its standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) se: Option<f64>,
    /// Lower end of the 95% Student-t interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ci_low: Option<f64>,
    /// Upper end of the 95% Student-t interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ci_high: Option<f64>,
    /// Trials behind the simulated values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) trials: Option<usize>,
    /// Why the risk's variance is infinite at this point (inverse-Wishart moments), when it is: interval-based
    /// rules cannot decide here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) infinite_variance: Option<String>,
}
