//! What running a spec produces: theory and simulation values per experiment, series and point.

use serde::{Deserialize, Serialize};

use crate::stats::TrialSums;

/// The results of every experiment of a spec, in spec order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Results {
    /// One entry per experiment.
    pub(crate) experiments: Vec<ExperimentResults>,
    /// The first failure to write the cache, if the run had one that could not be written.
    #[serde(skip)]
    pub(crate) cache_failure: Option<String>,
}

/// Why an experiment's simulation stopped where it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "reason")]
pub(crate) enum Stop {
    /// `trials N`: it ran its N trials.
    Fixed,
    /// `trials auto`: every claim on it was decided at this look.
    Decided {
        /// The look, 1-based.
        look: usize,
        /// The looks planned.
        looks: usize,
    },
    /// `trials auto`: the cap was reached with some claim still undecided.
    Cap {
        /// The looks planned.
        looks: usize,
    },
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
    /// Why the simulation stopped after `trials` (set by the run, not cached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stop: Option<Stop>,
    /// The deterministic equivalent at each sample size.
    pub(crate) equivalents: Vec<EquivalentSummary>,
    /// One series per surrogate or quantity.
    pub(crate) series: Vec<Series>,
    /// Per simulated point, the exact sums of its trials' risks (each series, each pair of series), from which
    /// the claims' intervals and paired tests are computed.
    pub(crate) sums: Vec<TrialSums>,
    /// Trials solved by the QR fallback ([`FALLBACK`]) because the Cholesky (or LU) solve of the Gram matrix
    /// failed or missed its residual tolerance.
    #[serde(default)]
    pub(crate) fallbacks: usize,
    /// Per point, a fingerprint of each surrogate's coefficient vector, to tell equal surrogates apart.
    pub(crate) fingerprints: Vec<Vec<[u8; 32]>>,
    /// Where the results came from, when the run had a cache (set by the run, not cached).
    #[serde(skip)]
    pub(crate) cache: Option<CacheUse>,
}

/// How an experiment used the cache, for `build --explain` ([`Results::explanations`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CacheUse {
    /// Looks (one for a theory-only experiment) loaded from the cache.
    pub(crate) loaded: usize,
    /// Looks computed.
    pub(crate) computed: usize,
    /// When some look was computed: what changed in its key since the experiment was last recorded in this cache;
    /// `None` when it never was.
    pub(crate) changes: Option<Vec<String>>,
}

/// What the `fallbacks` count of an experiment names: how those trials were computed (`sim/estimator.rs`).
pub(crate) const FALLBACK: &str = "column-pivoted QR of the design";

impl Results {
    /// "experiment `x`: 3 trials were solved by column-pivoted QR of the design …", one line per such experiment.
    pub fn fallback_notes(&self) -> Vec<String> {
        self.experiments
            .iter()
            .filter(|e| e.fallbacks > 0)
            .map(|e| {
                format!(
                    "experiment `{}`: {} trials were solved by {FALLBACK} because the Cholesky solve of the Gram \
                     matrix was ill-conditioned (it failed, or its residual exceeded the relative tolerance {:.0e}); \
                     the estimator is the same (minimum-norm interpolator or least squares), only computed differently",
                    e.name,
                    e.fallbacks,
                    crate::sim::TOLERANCE
                )
            })
            .collect()
    }

    /// Why the run's cache could not be written (its first failure: a path and the I/O error), if so: nothing was
    /// cached, and the next run computes everything again.
    pub fn cache_failure(&self) -> Option<&str> {
        self.cache_failure.as_deref()
    }

    /// For `build --explain`: per experiment with a cache, one line saying whether it came from the cache or ran,
    /// and why it ran: the parts of its key that changed since it was last run through this cache (the kdrepro
    /// executable, the seed, the trials, a data file's content, its spec text), or that it never was, or that
    /// nothing changed and the entry was missing or damaged.
    pub fn explanations(&self) -> Vec<String> {
        self.experiments
            .iter()
            .filter_map(|e| Some((e, e.cache.as_ref()?)))
            .map(|(e, c)| {
                let looks = |k: usize| format!("{k} look{}", if k == 1 { "" } else { "s" });
                if c.computed == 0 {
                    return format!("{}: from the cache ({})", e.name, looks(c.loaded));
                }
                let ran = match c.loaded {
                    0 => format!("ran ({})", looks(c.computed)),
                    loaded => format!("ran {} ({} from the cache)", looks(c.computed), looks(loaded)),
                };
                let why = match &c.changes {
                    None => "never run with this cache before".to_owned(),
                    Some(changes) if changes.is_empty() => {
                        "its key is unchanged since the last run, so the entry was missing or damaged".to_owned()
                    }
                    Some(changes) => changes.join("; "),
                };
                format!("{}: {ran}: {why}", e.name)
            })
            .collect()
    }
}

/// The deterministic-equivalent quantities at one sample size (docs/dev/paper.md §2.1–2.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The target's ridge penalty λ at this point, in experiments with `ridge` (with `ridge tuned`, the λ found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ridge: Option<f64>,
    /// The self-distillation weight ξ at this point, for a `self_distilled` series (with `xi: optimal`, ξ*).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) xi: Option<f64>,
}
