//! `kdrepro build --format json`: the verdicts of a build as one JSON document on stdout, for CI scripts. Its
//! schema is `docs/schema/build.schema.json` (a test validates this output against it); `format_version` changes
//! when a field changes meaning or is removed. The full results (every point) stay in the results file.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ResultsFile;
use crate::claims::{Outcome, Status};

/// The version of the document's format.
const FORMAT_VERSION: u32 = 1;

/// The whole document.
#[derive(Serialize)]
struct BuildDocument<'a> {
    /// Always `kdrepro-build`.
    format: &'static str,
    /// [`FORMAT_VERSION`].
    format_version: u32,
    kdrepro: &'a str,
    commit: &'a str,
    /// The spec's path as given.
    spec: &'a str,
    spec_hash: &'a str,
    seed: u64,
    draft_trials: Option<usize>,
    /// `pass`, `fail` or `inconclusive`: the build's outcome.
    outcome: &'static str,
    /// The process's exit code: 0, 1 or 4.
    exit_code: u8,
    /// How many claims have each verdict.
    verdicts: &'a BTreeMap<String, usize>,
    claims: Vec<ClaimDocument<'a>>,
    /// The files written.
    outputs: &'a [String],
}

/// One claim's verdict.
#[derive(Serialize)]
struct ClaimDocument<'a> {
    name: &'a str,
    label: &'a str,
    /// 1-based line and column (in characters) of the claim's name.
    line: usize,
    column: usize,
    /// `pass`, `fail`, `inconclusive`, `contradicted` or `unexpected`.
    verdict: Status,
    /// The decision rule in words.
    rule: &'a str,
    /// The outcome in words.
    outcome: &'a str,
    notes: &'a [String],
    /// Why the spec expects the paper's statement to be contradicted; null if it does not.
    contradicted: Option<&'a str>,
}

impl ResultsFile {
    /// The verdicts as a JSON document (`docs/schema/build.schema.json`): the spec read from `spec` with text
    /// `source` (for the claims' lines), and the `outputs` written.
    ///
    /// # Panics
    /// Never: the document is plain data.
    pub fn verdicts_json(&self, spec: &str, source: &str, outputs: &[String]) -> String {
        let outcome = Outcome::of(self.claims.iter().map(|c| c.verdict));
        let claims = self
            .claims
            .iter()
            .map(|c| {
                let (line, column) = c.span.line_column(source);
                ClaimDocument {
                    name: &c.name,
                    label: &c.label,
                    line,
                    column,
                    verdict: c.verdict,
                    rule: &c.rule,
                    outcome: &c.outcome,
                    notes: &c.notes,
                    contradicted: c.contradicted.as_deref(),
                }
            })
            .collect();
        let document = BuildDocument {
            format: "kdrepro-build",
            format_version: FORMAT_VERSION,
            kdrepro: &self.kdrepro,
            commit: &self.commit,
            spec,
            spec_hash: &self.spec_hash,
            seed: self.seed,
            draft_trials: self.draft_trials,
            outcome: outcome.word(),
            exit_code: outcome.exit_code(),
            verdicts: &self.verdicts,
            claims,
            outputs,
        };
        serde_json::to_string_pretty(&document).expect("verdicts are plain data") + "\n"
    }
}
