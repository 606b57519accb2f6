//! The machine-readable results file, `<stem>.results.yaml`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::claims::Verdicts;
use crate::engine::{EquivalentSummary, Point, Results};
use crate::spec::Spec;

/// The whole file.
#[derive(Serialize)]
struct ResultsFile<'a> {
    /// kdrepro's version.
    kdrepro: &'static str,
    /// The report's title.
    title: &'a str,
    /// The spec's seed.
    seed: u64,
    /// Per experiment.
    experiments: BTreeMap<&'a str, ExperimentEntry<'a>>,
    /// Per claim, in spec order.
    claims: Vec<ClaimEntry<'a>>,
}

/// One experiment.
#[derive(Serialize)]
struct ExperimentEntry<'a> {
    /// `n` or `i`.
    x: &'a str,
    /// Trials per point, if simulated.
    trials: Option<usize>,
    /// τ, Ω and the transitions per sample size.
    equivalents: &'a [EquivalentSummary],
    /// Per surrogate: its label and points.
    series: BTreeMap<&'a str, SeriesEntry<'a>>,
}

/// One series.
#[derive(Serialize)]
struct SeriesEntry<'a> {
    /// Legend label.
    label: &'a str,
    /// Points in x order.
    points: &'a [Point],
}

/// One claim.
#[derive(Serialize)]
struct ClaimEntry<'a> {
    /// Its name.
    name: &'a str,
    /// Its statement.
    label: &'a str,
    /// `pass`, `fail` or `inconclusive`.
    verdict: &'static str,
    /// The decision rule in words.
    rule: &'a str,
    /// The outcome in words.
    outcome: &'a str,
}

/// Serialises results and verdicts as YAML.
pub(super) fn results_yaml(spec: &Spec, results: &Results, verdicts: &Verdicts) -> String {
    let experiments = results
        .experiments
        .iter()
        .map(|e| {
            let series = e
                .series
                .iter()
                .map(|s| (s.name.as_str(), SeriesEntry { label: &s.label, points: &s.points }))
                .collect();
            (e.name.as_str(), ExperimentEntry { x: e.x, trials: e.trials, equivalents: &e.equivalents, series })
        })
        .collect();
    let claims = verdicts
        .claims
        .iter()
        .map(|v| ClaimEntry {
            name: &v.name,
            label: &v.label,
            verdict: v.status.word(),
            rule: &v.rule,
            outcome: &v.outcome,
        })
        .collect();
    let file =
        ResultsFile { kdrepro: env!("CARGO_PKG_VERSION"), title: &spec.title, seed: spec.seed, experiments, claims };
    serde_norway::to_string(&file).expect("results are plain data and always serialise")
}
