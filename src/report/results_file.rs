//! The machine-readable results file, `<stem>.results.yaml`: an owned, versioned schema that the report writes and
//! later tools (`diff`, `merge`) read back into the same types ([`ResultsFile::read`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::provenance::{COMMIT, design_words};
use super::render::RenderInput;
use crate::claims::{Decision, PointCheck, Status};
use crate::engine::{EquivalentSummary, Point, Stop};

/// The version of this schema, the file's first field. Raise it when a field changes meaning or goes away;
/// adding an optional field keeps it.
pub const SCHEMA: u32 = 1;

/// The whole file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultsFile {
    /// [`SCHEMA`] when written.
    pub schema: u32,
    /// kdrepro's version.
    pub kdrepro: String,
    /// The git commit kdrepro was built from, or `unknown`.
    pub commit: String,
    /// The report's title.
    pub title: String,
    /// The spec's file name.
    pub spec_file: String,
    /// blake3 of the spec's text, hex.
    pub spec_hash: String,
    /// The data files the spec reads (`file("...")`): path relative to the spec → blake3 of its bytes, hex.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "unique_keys")]
    pub data_files: BTreeMap<String, String>,
    /// The spec's seed (after `--seed`).
    pub seed: u64,
    /// Worker threads, only with `--record-threads` (results never depend on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// The `--trials N` draft override every simulated experiment ran with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_trials: Option<usize>,
    /// How many claims have each verdict.
    #[serde(deserialize_with = "unique_keys")]
    pub verdicts: BTreeMap<String, usize>,
    /// Per experiment.
    #[serde(deserialize_with = "unique_keys")]
    pub experiments: BTreeMap<String, ExperimentEntry>,
    /// Per figure: what it plots (absent from files written before figures were recorded).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "unique_keys")]
    pub figures: BTreeMap<String, FigureEntry>,
    /// Per claim, in spec order.
    pub claims: Vec<ClaimEntry>,
}

/// One experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentEntry {
    /// `n`, `i` or `k`.
    pub x: String,
    /// Trials per point, if simulated.
    pub trials: Option<usize>,
    /// Why the simulation stopped after `trials`: `fixed`, `decided` (adaptive, every claim decided at a look) or
    /// `cap` (adaptive, the cap was reached undecided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) stop: Option<Stop>,
    /// How the simulation draws its data, if simulated (without the trial count, which is `trials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
    /// Trials solved by the QR fallback (the Cholesky solve of the Gram matrix was ill-conditioned), if any.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fallbacks: usize,
    /// How the `fallbacks` trials were solved, when there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// τ, Ω and the transitions per sample size.
    pub(crate) equivalents: Vec<EquivalentSummary>,
    /// Per surrogate: its label and points.
    #[serde(deserialize_with = "unique_keys")]
    pub series: BTreeMap<String, SeriesEntry>,
}

/// Whether a count is zero (such counts are left out of the file).
#[allow(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// One series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesEntry {
    /// Legend label.
    pub label: String,
    /// Points in x order.
    pub(crate) points: Vec<Point>,
}

/// One figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FigureEntry {
    /// The experiments it plots, in the spec's order.
    pub experiments: Vec<String>,
    /// The series it shows (all of its experiments' when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<String>,
}

/// One claim: its decision in words and in full, point by point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimEntry {
    /// Its name.
    pub name: String,
    /// Its statement.
    pub label: String,
    /// Where the claim's name stands in the spec, in bytes.
    pub span: crate::Span,
    /// `pass`, `fail`, `inconclusive`, `contradicted` or `unexpected`.
    pub(crate) verdict: Status,
    /// The decision rule in words.
    pub rule: String,
    /// The outcome in words.
    pub outcome: String,
    /// Why some points could not be decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why the spec expects the paper's statement to be contradicted, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contradicted: Option<String>,
    /// The decision as data: rule, confidence, looks, the tally of points and the point that decided it.
    pub(crate) decision: Decision,
    /// Every tested point: series, x, observed and expected values, the acceptance interval and its status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) checks: Vec<PointCheck>,
}

/// Why a results file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Not YAML of this shape.
    Parse(String),
    /// Written by a schema this kdrepro does not read.
    Schema {
        /// The file's schema.
        found: u32,
    },
    /// Of this shape, but with values no build writes (two points at one x, a negative standard error, …).
    Invalid(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Parse(why) => write!(f, "not a kdrepro results file: {why}"),
            Self::Schema { found } => {
                write!(f, "results schema {found}, but this kdrepro reads schema {SCHEMA}: rebuild with one version")
            }
            Self::Invalid(why) => write!(f, "not a results file kdrepro wrote: {why}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl ResultsFile {
    /// Reads a results file's text back into its types.
    ///
    /// # Errors
    /// [`ReadError::Schema`] for another schema version (checked first, so that an incompatible file is named as
    /// such), [`ReadError::Parse`] for text that is not a results file (a key given twice included),
    /// [`ReadError::Invalid`] for values no build writes ([`ResultsFile::check`]).
    pub fn read(text: &str) -> Result<Self, ReadError> {
        #[derive(Deserialize)]
        struct Version {
            schema: Option<u32>,
        }
        let version: Version = serde_norway::from_str(text).map_err(|e| ReadError::Parse(e.to_string()))?;
        match version.schema {
            Some(SCHEMA) => {
                let file: Self = serde_norway::from_str(text).map_err(|e| ReadError::Parse(e.to_string()))?;
                file.check().map_err(ReadError::Invalid)?;
                Ok(file)
            }
            Some(found) => Err(ReadError::Schema { found }),
            None => Err(ReadError::Parse("it has no `schema` field".into())),
        }
    }

    /// Whether the values are what a build writes: distinct claim names, and in every series points at finite,
    /// strictly increasing x, each simulated mean from at least one trial with a standard error that is not
    /// negative. The message names the first place that is not.
    fn check(&self) -> Result<(), String> {
        for (i, claim) in self.claims.iter().enumerate() {
            if self.claims[..i].iter().any(|c| c.name == claim.name) {
                return Err(format!("the claim `{}` appears twice", claim.name));
            }
        }
        for (name, figure) in &self.figures {
            if let Some(e) = figure.experiments.iter().find(|e| !self.experiments.contains_key(*e)) {
                return Err(format!("the figure `{name}` shows the experiment `{e}`, which the file does not have"));
            }
        }
        for (e, experiment) in &self.experiments {
            if !["n", "i", "k", "p"].contains(&experiment.x.as_str()) {
                return Err(format!("experiment `{e}`: the x variable is `{}`, not n, i, k or p", experiment.x));
            }
            for (s, series) in &experiment.series {
                let place = |x: f64| format!("experiment `{e}`, series `{s}`, the point at {} = {x}", experiment.x);
                for (i, p) in series.points.iter().enumerate() {
                    if !p.x.is_finite() {
                        return Err(format!("experiment `{e}`, series `{s}`: a point's {} is {}", experiment.x, p.x));
                    }
                    if i > 0 && p.x <= series.points[i - 1].x {
                        return Err(format!(
                            "{}: not after the point before it (points are in increasing order)",
                            place(p.x)
                        ));
                    }
                    if p.se.is_some_and(|se| se < 0.0) {
                        return Err(format!("{}: a negative standard error", place(p.x)));
                    }
                    if p.mean.is_some() && p.trials.is_none_or(|t| t == 0) {
                        return Err(format!("{}: a simulated mean without trials", place(p.x)));
                    }
                }
            }
        }
        Ok(())
    }

    /// The file as YAML.
    ///
    /// # Panics
    /// Never: the file is plain data (strings, numbers, maps), which YAML always represents.
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).expect("results are plain data and always serialise")
    }
}

/// Deserialises a map whose keys must be distinct: YAML lets a key repeat, and serde would keep its last value.
fn unique_keys<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map with distinct keys")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, V>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("the key `{key}` appears twice")));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique(std::marker::PhantomData))
}

/// The results file of a build.
pub(crate) fn results_file(input: &RenderInput<'_>) -> ResultsFile {
    let (spec, verdicts) = (input.plan.spec(), input.verdicts);
    let experiments = input
        .results
        .experiments
        .iter()
        .zip(&spec.experiments)
        .map(|(e, declared)| {
            let series = e
                .series
                .iter()
                .map(|s| (s.name.clone(), SeriesEntry { label: s.label.clone(), points: s.points.clone() }))
                .collect();
            let entry = ExperimentEntry {
                x: e.x.clone(),
                trials: e.trials,
                stop: e.stop,
                design: design_words(declared, e.trials, false),
                fallbacks: e.fallbacks,
                fallback: (e.fallbacks > 0).then(|| crate::engine::FALLBACK.to_owned()),
                equivalents: e.equivalents.clone(),
                series,
            };
            (e.name.clone(), entry)
        })
        .collect();
    let claims = verdicts
        .claims
        .iter()
        .map(|v| ClaimEntry {
            name: v.name.clone(),
            label: v.label.clone(),
            span: v.span,
            verdict: v.status,
            rule: super::claim_words::rule(v),
            outcome: super::claim_words::outcome(v),
            notes: v.notes.clone(),
            contradicted: v.contradicted.clone(),
            decision: v.decision.clone(),
            checks: v.points.clone(),
        })
        .collect();
    let mut counts = BTreeMap::new();
    for v in &verdicts.claims {
        *counts.entry(v.status.word().to_owned()).or_insert(0) += 1;
    }
    ResultsFile {
        schema: SCHEMA,
        kdrepro: env!("CARGO_PKG_VERSION").to_owned(),
        commit: COMMIT.to_owned(),
        title: spec.title.clone(),
        spec_file: input.spec_file.to_owned(),
        spec_hash: input.spec_hash.to_owned(),
        data_files: spec.inputs.iter().map(|f| (f.path.clone(), f.blake3.clone())).collect(),
        seed: input.plan.seed(),
        threads: input.threads,
        draft_trials: input.plan.draft(),
        verdicts: counts,
        experiments,
        figures: spec
            .figures
            .iter()
            .map(|f| {
                let experiments = f.experiments.iter().map(|&i| spec.experiments[i].name.clone()).collect();
                (f.name.clone(), FigureEntry { experiments, series: f.series.clone() })
            })
            .collect(),
        claims,
    }
}
