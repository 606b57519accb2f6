//! The machine-readable results file, `<stem>.results.yaml`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::provenance::{COMMIT, design_words};
use super::render::RenderInput;
use crate::engine::{EquivalentSummary, Point};

/// The whole file.
#[derive(Serialize)]
struct ResultsFile<'a> {
    /// kdrepro's version.
    kdrepro: &'static str,
    /// The git commit kdrepro was built from, or `unknown`.
    commit: &'static str,
    /// The report's title.
    title: &'a str,
    /// The spec's file name.
    spec_file: &'a str,
    /// blake3 of the spec's text, hex.
    spec_hash: &'a str,
    /// The spec's seed (after `--seed`).
    seed: u64,
    /// Worker threads, only with `--record-threads` (results never depend on it).
    #[serde(skip_serializing_if = "Option::is_none")]
    threads: Option<usize>,
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
    /// How the simulation draws its data, if simulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    design: Option<String>,
    /// Trials solved by the pseudo-inverse fallback (a numerically singular Gram matrix), if any.
    #[serde(skip_serializing_if = "is_zero")]
    fallbacks: usize,
    /// τ, Ω and the transitions per sample size.
    equivalents: &'a [EquivalentSummary],
    /// Per surrogate: its label and points.
    series: BTreeMap<&'a str, SeriesEntry<'a>>,
}

/// Whether a count is zero (such counts are left out of the file).
fn is_zero(count: &usize) -> bool {
    *count == 0
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
pub(super) fn results_yaml(input: &RenderInput<'_>) -> String {
    let (spec, verdicts) = (input.spec, input.verdicts);
    let experiments = input
        .results
        .experiments
        .iter()
        .zip(&spec.experiments)
        .map(|(e, declared)| {
            let series = e
                .series
                .iter()
                .map(|s| (s.name.as_str(), SeriesEntry { label: &s.label, points: &s.points }))
                .collect();
            let design = design_words(declared, e.trials);
            (
                e.name.as_str(),
                ExperimentEntry {
                    x: &e.x,
                    trials: e.trials,
                    design,
                    fallbacks: e.fallbacks,
                    equivalents: &e.equivalents,
                    series,
                },
            )
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
    let file = ResultsFile {
        kdrepro: env!("CARGO_PKG_VERSION"),
        commit: COMMIT,
        title: &spec.title,
        spec_file: input.spec_file,
        spec_hash: input.spec_hash,
        seed: spec.seed,
        threads: input.threads,
        experiments,
        claims,
    };
    serde_norway::to_string(&file).expect("results are plain data and always serialise")
}
