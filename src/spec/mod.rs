//! Stage 2, [`Ast`](crate::syntax::Ast) → [`Spec`]: names resolved, defaults filled in, every value checked.
//!
//! The types here are the meaning of the language. Nothing later reads spec text again, except the
//! excerpts kept for the report.

mod args;
mod resolve;

pub use resolve::resolve;

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
}

impl Spec {
    /// Replaces the seed (the command line's `--seed`).
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// "2 experiments, 2 figures, 3 claims".
    pub fn outline(&self) -> String {
        format!("{} experiments, {} figures, {} claims", self.experiments.len(), self.figures.len(), self.claims.len())
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

/// A covariance spectrum: the eigenvalues λ_i of Σ, in the given order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spectrum {
    /// The eigenvalues.
    pub(crate) lambda: Vec<f64>,
}

/// A Gaussian regression task: x ~ N(0, diag(λ)), y = xᵀβ⋆ + z, z ~ N(0, σ²).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Task {
    /// The declared name.
    pub(crate) name: String,
    /// The covariance spectrum.
    pub(crate) spectrum: Spectrum,
    /// The true coefficients β⋆, in the eigenbasis.
    pub(crate) beta: Vec<f64>,
    /// The label noise variance σ².
    pub(crate) noise: f64,
}

/// Which surrogate β^s labels the target's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SurrogateKind {
    /// β^s = β⋆: the standard target trained on strong labels.
    GroundTruth,
    /// The optimal surrogate of Proposition 1 / Corollary 1.
    Optimal,
    /// β⋆ restricted by the optimal mask of Proposition 3.
    OptimalMask,
}

/// A named surrogate as declared.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Surrogate {
    /// The declared name.
    pub(crate) name: String,
    /// What it is.
    pub(crate) kind: SurrogateKind,
    /// Its legend label.
    pub(crate) label: String,
}

/// What an experiment measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Measure {
    /// The excess risk ‖Σ^{1/2}(β̂ − β⋆)‖², by theory and (with trials) by simulation, against n.
    ExcessRisk,
    /// The surrogate's coefficients against the index i, at one n (theory only).
    Coefficients,
}

/// `experiment name { ... }`
#[derive(Clone, Debug)]
pub(crate) struct Experiment {
    /// The declared name.
    pub(crate) name: String,
    /// The task it runs.
    pub(crate) task: Task,
    /// The target's sample sizes n.
    pub(crate) sizes: Vec<usize>,
    /// The surrogates compared, each a series.
    pub(crate) surrogates: Vec<Surrogate>,
    /// Monte Carlo trials per point; `None` for theory only.
    pub(crate) trials: Option<usize>,
    /// What is measured.
    pub(crate) measure: Measure,
    /// The spec text that defines it: its declarations, then the block.
    pub(crate) excerpt: String,
}

/// How a figure's axes are scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Axes {
    /// Linear x and y.
    Linear,
    /// Logarithmic x and y.
    LogLog,
}

/// `figure name { show experiment ... }`
#[derive(Clone, Debug)]
pub(crate) struct Figure {
    /// The declared name.
    pub(crate) name: String,
    /// The experiment it plots (index into [`Spec::experiments`]).
    pub(crate) experiment: usize,
    /// The caption, literal text.
    pub(crate) caption: String,
    /// Axis scaling.
    pub(crate) axes: Axes,
}

/// `claim name "label" { ... }`: a statement decided by a statistical rule.
#[derive(Clone, Debug)]
pub(crate) struct Claim {
    /// The declared name.
    pub(crate) name: String,
    /// What it asserts, in words.
    pub(crate) label: String,
    /// How it is decided.
    pub(crate) rule: Rule,
    /// The family-wise confidence of the decision.
    pub(crate) confidence: f64,
    /// The sample sizes tested, when the claim is narrower than its experiment's sweep.
    pub(crate) at: Option<Vec<usize>>,
    /// The line of the spec where it starts.
    pub(crate) line: usize,
    /// The spec text of the claim.
    pub(crate) excerpt: String,
}

/// The decision rule of a claim.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Rule {
    /// Theorem-1 kind: at every point of every series, the simulated mean agrees with theory.
    Agree {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// Relative slack for the finite-p gap of the deterministic equivalent.
        relative: f64,
    },
    /// Ordering kind: one surrogate's risk is below another's at every tested point, paired by trial.
    Below {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// The series claimed lower (index into the experiment's surrogates).
        lower: usize,
        /// The series claimed higher.
        higher: usize,
        /// Which points are tested.
        points: PointFilter,
    },
}

/// Which points of a sweep a claim tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PointFilter {
    /// Every point.
    All,
    /// Only points where the two surrogates differ (e.g. where the mask drops a feature).
    Differing,
}
