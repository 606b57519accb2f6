//! The shape of a run's results before anything is computed: what `check` renders the prose against, and the
//! empty results every experiment starts from.

use super::results::{EquivalentSummary, ExperimentResults, Point, Results, Series};
use crate::spec::{Experiment, Measure, Spec, SurrogateKind};

/// The results of `e` before anything is computed: its name, x axis and series, no points.
pub(super) fn empty(e: &Experiment, trials: Option<usize>) -> ExperimentResults {
    let names: Vec<(String, String)> = match e.measure {
        m if m.compares() => e.surrogates.iter().map(|s| (s.name.clone(), s.label.clone())).collect(),
        m => m.series().iter().map(|s| ((*s).to_owned(), quantity_label(s).to_owned())).collect(),
    };
    ExperimentResults {
        name: e.name.clone(),
        x: match e.measure {
            Measure::Coefficients => "i",
            Measure::Masks => "k",
            Measure::Scale if e.dimensions.is_some() => "p",
            _ => "n",
        }
        .to_owned(),
        trials,
        stop: None,
        equivalents: Vec::with_capacity(e.sizes.len()),
        series: names.into_iter().map(|(name, label)| Series { name, label, points: Vec::new() }).collect(),
        sums: Vec::new(),
        fallbacks: 0,
        fingerprints: Vec::new(),
        cache: None,
    }
}

/// What running `spec` will produce, without computing it: every experiment, series and point that prose can
/// name, with NaN for every number (simulated fields present where the experiment simulates). `check` renders
/// the prose against it, so that a misnamed value is found before anything runs.
pub fn outline(spec: &Spec) -> Results {
    let experiments = spec
        .experiments
        .iter()
        .map(|e| {
            let simulated = e.measure.is_simulated() && e.trials.is_some();
            let mut out = empty(e, simulated.then_some(0));
            let p = e.task.spectrum.lambda.len();
            let xs: Vec<usize> = match e.measure {
                Measure::Coefficients => (1..=p).collect(),
                Measure::Masks => (0..=p).collect(),
                _ => e.sweep().to_vec(),
            };
            let nan = f64::NAN;
            let point = |x: usize, j: usize| Point {
                mean: simulated.then_some(nan),
                se: simulated.then_some(nan),
                ci_low: simulated.then_some(nan),
                ci_high: simulated.then_some(nan),
                trials: simulated.then_some(0),
                ridge: e.records_ridge(j).then_some(nan),
                xi: matches!(e.surrogates.get(j).map(|s| &s.kind), Some(SurrogateKind::SelfDistilled(_)))
                    .then_some(nan),
                ..theory_point(x as f64, nan)
            };
            for (j, s) in out.series.iter_mut().enumerate() {
                s.points = xs.iter().map(|&x| point(x, j)).collect();
            }
            // A classification measure has no theory, so no τ or Ω.
            out.equivalents = (e.sizes.iter().filter(|_| !e.measure.classifies()))
                .map(|&n| EquivalentSummary {
                    n,
                    tau: Some(nan),
                    omega: Some(nan),
                    last_amplified: Some(0),
                    last_kept: Some(0),
                    kept: 0,
                })
                .collect();
            out
        })
        .collect();
    Results { experiments, cache_failure: None }
}

/// The legend label of a quantity series.
fn quantity_label(name: &str) -> &'static str {
    match name {
        "tau_scaled" => "$tau n^alpha$",
        "tau_limit" => "$c(alpha) = (pi \\/ (alpha sin(pi \\/ alpha)))^alpha$",
        "omega" => "$Omega$",
        "omega_limit" => "$(alpha - 1) \\/ alpha$",
        "amplified" => "amplified features ($zeta_i < 1 - Omega$)",
        "n_c1" => "$n C_1$",
        "kept" => "features kept by the optimal mask ($zeta_i^2 < 1 - Omega$)",
        "n_c2" => "$n C_2$",
        "top_k" => "mask keeping the first $k$ features",
        "optimal_mask" => "optimal mask ($1 - zeta_i^2 > Omega$)",
        "inverse_tau" => "$1 \\/ tau$",
        "inverse_tau_lower" => "lower bound on $1 \\/ tau$ (v1 Prop. 7)",
        "inverse_tau_upper" => "upper bound on $1 \\/ tau$ (v1 Prop. 7)",
        "omega_lower" => "lower bound on $Omega$ (v1 Prop. 8)",
        "region_truth" => "strong labels, inside the v1 Prop. 9 region",
        "region_masked" => "optimal mask, inside the v1 Prop. 9 region",
        "ratio" => "$R^* \\/ R(beta^t)$",
        "constant" => "$K(alpha, beta) = lim_(n -> infinity) R^* \\/ R(beta^t)$",
        _ => "",
    }
}

/// A point with a theory value only.
pub(super) fn theory_point(x: f64, theory: f64) -> Point {
    Point {
        x,
        theory,
        mean: None,
        se: None,
        ci_low: None,
        ci_high: None,
        trials: None,
        infinite_variance: None,
        ridge: None,
        xi: None,
    }
}
