//! The machine-readable results file, `<stem>.results.yaml`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::provenance::{COMMIT, design_words};
use super::render::RenderInput;
use crate::engine::{EquivalentSummary, Point, Stop};

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
    /// The data files the spec reads (`file("...")`): path relative to the spec → blake3 of its bytes, hex.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    data_files: BTreeMap<&'a str, &'a str>,
    /// The spec's seed (after `--seed`).
    seed: u64,
    /// Worker threads, only with `--record-threads` (results never depend on it).
    #[serde(skip_serializing_if = "Option::is_none")]
    threads: Option<usize>,
    /// The `--trials N` draft override every simulated experiment ran with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    draft_trials: Option<usize>,
    /// How many claims have each verdict.
    verdicts: BTreeMap<&'static str, usize>,
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
    /// Why the simulation stopped after `trials`: `fixed`, `decided` (adaptive, every claim decided at a look) or
    /// `cap` (adaptive, the cap was reached undecided).
    #[serde(skip_serializing_if = "Option::is_none")]
    stop: Option<Stop>,
    /// How the simulation draws its data, if simulated.
    #[serde(skip_serializing_if = "Option::is_none")]
    design: Option<String>,
    /// Trials solved by the QR fallback (the Cholesky solve of the Gram matrix was ill-conditioned), if any.
    #[serde(skip_serializing_if = "is_zero")]
    fallbacks: usize,
    /// How the `fallbacks` trials were solved, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    fallback: Option<&'static str>,
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
    /// `pass`, `fail`, `inconclusive`, `contradicted` or `unexpected`.
    verdict: &'static str,
    /// The decision rule in words.
    rule: &'a str,
    /// The outcome in words.
    outcome: &'a str,
    /// Why some points could not be decided.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    /// Why the spec expects the paper's statement to be contradicted, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    contradicted: Option<&'a str>,
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
                    stop: e.stop,
                    design,
                    fallbacks: e.fallbacks,
                    fallback: (e.fallbacks > 0).then_some(crate::engine::FALLBACK),
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
            notes: &v.notes,
            contradicted: v.contradicted.as_deref(),
        })
        .collect();
    let mut counts = BTreeMap::new();
    for v in &verdicts.claims {
        *counts.entry(v.status.word()).or_insert(0) += 1;
    }
    let file = ResultsFile {
        kdrepro: env!("CARGO_PKG_VERSION"),
        commit: COMMIT,
        title: &spec.title,
        spec_file: input.spec_file,
        spec_hash: input.spec_hash,
        data_files: spec.inputs.iter().map(|f| (f.path.as_str(), f.blake3.as_str())).collect(),
        seed: spec.seed,
        threads: input.threads,
        draft_trials: input.results.draft,
        verdicts: counts,
        experiments,
        claims,
    };
    serde_norway::to_string(&file).expect("results are plain data and always serialise")
}
