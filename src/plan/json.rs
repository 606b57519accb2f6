//! `kdrepro check --format json`: the plan as one JSON document, for CI scripts. Its schema is
//! `docs/schema/check.schema.json` (a test validates this output against it); `format_version` changes when a field
//! changes meaning or is removed.

use serde::Serialize;

use super::cost::{ClaimPlan, Cost, ExperimentCost};
use crate::diagnostics::Span;
use crate::spec::Trials;

/// The version of the document's format.
const FORMAT_VERSION: u32 = 1;

/// Where a name stands in the spec, as diagnostics print it.
#[derive(Serialize)]
struct Location {
    /// 1-based line.
    line: usize,
    /// 1-based column, in characters.
    column: usize,
}

impl Location {
    /// The location of `span` in `source`.
    fn of(span: Span, source: &str) -> Self {
        let (line, column) = span.line_column(source);
        Location { line, column }
    }
}

/// The whole document.
#[derive(Serialize)]
struct CheckDocument<'a> {
    /// Always `kdrepro-check`.
    format: &'static str,
    /// [`FORMAT_VERSION`].
    format_version: u32,
    /// The spec's path as given.
    spec: &'a str,
    /// The worker threads the memory estimate assumes.
    threads: usize,
    /// Simulated and theory-only experiments, in file order.
    experiments: Vec<ExperimentDocument<'a>>,
    /// Claims, in file order.
    claims: Vec<ClaimDocument<'a>>,
    /// Point-trials of all simulated experiments (adaptive ones at their cap).
    total_trials: usize,
    /// Estimated floating-point operations of all trials.
    total_flops: f64,
    /// Estimated peak memory in bytes.
    peak_memory_bytes: u64,
}

/// One experiment's plan.
#[derive(Serialize)]
struct ExperimentDocument<'a> {
    name: &'a str,
    location: Location,
    /// Sample sizes n.
    n: &'a [usize],
    /// Features p.
    p: usize,
    /// `theory`, `fixed` or `adaptive`.
    trials: &'static str,
    /// Trials per point (fixed), the cap (adaptive), or 0 (theory only).
    trials_per_point: usize,
    flops: f64,
    peak_memory_bytes: f64,
}

/// One claim's plan.
#[derive(Serialize)]
struct ClaimDocument<'a> {
    name: &'a str,
    location: Location,
    /// The rule's keyword.
    rule: &'static str,
    /// The experiment it reads.
    experiment: &'a str,
    /// The confidence of a simulated claim; null on theory alone.
    confidence: Option<f64>,
    /// Its statement.
    label: &'a str,
}

impl Cost {
    /// The plan as a JSON document (`docs/schema/check.schema.json`), located against the spec `source` read from
    /// `spec`.
    ///
    /// # Panics
    /// Never: the document is plain data.
    pub fn to_json(&self, spec: &str, source: &str) -> String {
        let document = CheckDocument {
            format: "kdrepro-check",
            format_version: FORMAT_VERSION,
            spec,
            threads: self.threads,
            experiments: self.experiments.iter().map(|e| experiment(e, source)).collect(),
            claims: self.claims.iter().map(|c| claim(c, source)).collect(),
            total_trials: self.total_trials(),
            total_flops: self.total_flops(),
            peak_memory_bytes: self.peak_memory(),
        };
        serde_json::to_string_pretty(&document).expect("the plan is plain data") + "\n"
    }
}

/// One experiment's entry.
fn experiment<'a>(e: &'a ExperimentCost, source: &str) -> ExperimentDocument<'a> {
    let (trials, per_point) = match e.trials {
        None => ("theory", 0),
        Some(Trials::Auto { max }) => ("adaptive", max),
        Some(t) => ("fixed", t.max()),
    };
    ExperimentDocument {
        name: &e.name,
        location: Location::of(e.span, source),
        n: &e.sizes,
        p: e.features,
        trials,
        trials_per_point: per_point,
        flops: e.flops,
        peak_memory_bytes: e.memory,
    }
}

/// One claim's entry.
fn claim<'a>(c: &'a ClaimPlan, source: &str) -> ClaimDocument<'a> {
    ClaimDocument {
        name: &c.name,
        location: Location::of(c.span, source),
        rule: c.rule,
        experiment: &c.experiment,
        confidence: c.confidence,
        label: &c.label,
    }
}
