//! Stage 2, [`Ast`](crate::syntax::Ast) → [`Spec`]: names resolved, defaults filled in, every value checked.
//!
//! The types here are the meaning of the language. Nothing later reads spec text again, except the
//! excerpts kept for the report.

mod args;
mod claim;
mod dataset;
mod experiment;
mod files;
mod lint;
mod network;
mod printed;
mod resolve;
mod signature;
mod subset;
mod texts;

pub(crate) use claim::{Band, Claim, Expectation, PointFilter, Rule, RuleKind, Tolerance};
pub(crate) use dataset::{Dataset, Labels, digits};
pub(crate) use experiment::{
    DataTask, Designs, Erm, Experiment, Measure, Penalty, Ridge, SampleSize, Spectrum, Surrogate, SurrogateKind, Task,
    Trials, Weight,
};
pub use files::named_files;
pub use lint::lint;
pub(crate) use network::{Activation, Inputs, Network, Output, RandomFeatures, Rows};
pub use resolve::resolve;
pub use signature::Signatures;
#[cfg(test)]
pub(crate) use signature::Vocabulary;
pub(crate) use signature::{ClaimOption, Keyword};
pub(crate) use subset::{random_mask, random_subset};
pub(crate) use texts::texts;

use crate::diagnostics::Span;

/// A resolved experiment file.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The report's title.
    pub(crate) title: String,
    /// Where the paper comes from, e.g. `arXiv:2410.18837`.
    pub(crate) source: Option<String>,
    /// The seed every random stream derives from.
    pub(crate) seed: u64,
    /// Experiments, in file order.
    pub(crate) experiments: Vec<Experiment>,
    /// Figures, in file order.
    pub(crate) figures: Vec<Figure>,
    /// Claims, in file order.
    pub(crate) claims: Vec<Claim>,
    /// What the report shows, in reading order.
    pub(crate) document: Vec<Part>,
    /// The data files the spec reads (`file("...")`), sorted by path.
    pub(crate) inputs: Vec<DataFile>,
    /// Where the spec text that the report prints stands (excerpts and strings), sorted: the fonts must show it.
    pub(crate) printed: Vec<Span>,
}

/// A file of numbers a spec reads, for the report's provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DataFile {
    /// The path as the spec writes it, relative to the spec's directory.
    pub(crate) path: String,
    /// blake3 of its bytes, hex.
    pub(crate) blake3: String,
}

impl Spec {
    /// The data files the spec reads (`file("...")`), as it writes their paths: relative to its directory.
    pub fn data_files(&self) -> impl Iterator<Item = &str> {
        self.inputs.iter().map(|f| f.path.as_str())
    }

    /// "2 experiments, 2 figures, 3 claims".
    pub fn outline(&self) -> String {
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let (e, f, c) = (self.experiments.len(), self.figures.len(), self.claims.len());
        format!("{}, {}, {}", count(e, "experiment"), count(f, "figure"), count(c, "claim"))
    }
}

/// One piece of the report, in the order the spec gives it.
#[derive(Clone, Debug)]
pub(crate) enum Part {
    /// A numbered result of the paper starts here.
    Section(Section),
    /// Prose, with `{{ ... }}` interpolation of computed values.
    Text(Text),
    /// The spec and the table of an experiment (index into [`Spec::experiments`]).
    Experiment(usize),
    /// A figure (index into [`Spec::figures`]).
    Figure(usize),
    /// A claim and its verdict (index into [`Spec::claims`]).
    Claim(usize),
}

/// A numbered result of the paper: `section prop1 "Proposition 1" { ... }`.
#[derive(Clone, Debug)]
pub(crate) struct Section {
    /// Its ICLR (v2) label, e.g. "Proposition 3".
    pub(crate) label: String,
    /// Its arXiv v1 label where it differs, e.g. "Proposition 2".
    pub(crate) v1: Option<String>,
    /// A short title.
    pub(crate) title: Option<String>,
    /// The statement, as literal text.
    pub(crate) statement: Option<String>,
}

/// `text """..."""`: prose whose `{{ ... }}` expressions read computed values.
#[derive(Clone, Debug)]
pub(crate) struct Text {
    /// The template source.
    pub(crate) template: String,
    /// Where it stands in the spec.
    pub(crate) span: Span,
}

/// How a figure's axes are scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Axes {
    /// Linear x and y.
    Linear,
    /// Logarithmic x and y.
    LogLog,
    /// Logarithmic x, linear y.
    LogX,
    /// Linear x, logarithmic y.
    LogY,
}

/// `figure name { show experiment ... }`
#[derive(Clone, Debug)]
pub(crate) struct Figure {
    /// The declared name.
    pub(crate) name: String,
    /// The experiments it plots (indices into [`Spec::experiments`]), all of one measure.
    pub(crate) experiments: Vec<usize>,
    /// The series it shows (all when empty).
    pub(crate) series: Vec<String>,
    /// The caption, literal text.
    pub(crate) caption: String,
    /// Axis scaling.
    pub(crate) axes: Axes,
    /// Where its name stands in the spec.
    pub(crate) span: Span,
}
