//! Stage 2, [`Ast`](crate::syntax::Ast) → [`Spec`]: names resolved, defaults filled in, every value checked.
//!
//! The types here are the meaning of the language. Nothing later reads spec text again, except the
//! excerpts kept for the report.

mod args;
mod files;
mod lint;
mod printed;
mod resolve;
mod signature;

pub use lint::lint;
pub use resolve::resolve;
pub use signature::Signatures;
#[cfg(test)]
pub(crate) use signature::Vocabulary;
pub(crate) use signature::{ClaimOption, Keyword};

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

/// A covariance spectrum: the eigenvalues λ_i of Σ, in the given order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Spectrum {
    /// The eigenvalues.
    pub(crate) lambda: Vec<f64>,
    /// The exponent α when λ_i = i^−α (the power-law results need it).
    pub(crate) alpha: Option<f64>,
}

/// A Gaussian regression task: x ~ N(0, diag(λ)), y = xᵀβ⋆ + z, z ~ N(0, σ²).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Task {
    /// The declared name.
    pub(crate) name: String,
    /// The covariance spectrum.
    pub(crate) spectrum: Spectrum,
    /// The true coefficients β⋆, in the eigenbasis.
    pub(crate) beta: Vec<f64>,
    /// The exponent β when λ_i β⋆_i² = i^−β (the scaling laws need it).
    pub(crate) energy_exponent: Option<f64>,
    /// The label noise variance σ².
    pub(crate) noise: f64,
    /// The seed of a Haar rotation U when Σ = U diag(λ) Uᵀ is not diagonal (Observation 2).
    pub(crate) rotation: Option<u64>,
}

/// Which surrogate β^s labels the target's data.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) enum SurrogateKind {
    /// β^s = β⋆: the standard target trained on strong labels.
    GroundTruth,
    /// β⋆ + step·(β^{s*} − β⋆): the optimal surrogate of Proposition 1 / Corollary 1 at step 1.
    Optimal {
        /// How far along the segment from β⋆ to β^{s*}.
        step: f64,
    },
    /// β⋆ restricted by the optimal mask of Proposition 3.
    OptimalMask,
    /// β⋆ restricted to its first k features.
    TopK(usize),
    /// β⋆ restricted to `keep` features drawn at random (without replacement) from a seeded stream.
    RandomMask {
        /// Features kept.
        keep: usize,
        /// The mask's seed.
        seed: u64,
    },
    /// c·β⋆.
    Scaled(f64),
    /// β^s = Aβ⋆ with A_ii = (λ^s_i/λ_i)^{1/2}: the model shift equivalent to a covariance shift (Observation 1).
    CovarianceShift(Spectrum),
    /// A surrogate trained by ERM in every trial (Section 5): m samples from N(0, diag(λ_s)) with labels from β⋆
    /// and noise σ_s², fitted on the first p_s features only.
    Erm(Erm),
    /// The risk of an ERM surrogate itself (the "teacher"), named by the surrogate.
    Teacher(String),
}

/// The first stage of the two-stage model.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Erm {
    /// The spectrum of the surrogate's data.
    pub(crate) spectrum: Spectrum,
    /// The surrogate's label noise variance σ_s².
    pub(crate) noise: f64,
    /// Its sample size.
    pub(crate) m: SampleSize,
    /// p_s: it sees the first p_s features.
    pub(crate) features: usize,
}

/// The surrogate's sample size m.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum SampleSize {
    /// A fixed m.
    Fixed(usize),
    /// m = n, the target's sample size at each point (Figure 2b).
    SameAsTarget,
}

impl SampleSize {
    /// m at target sample size n.
    pub(crate) fn at(self, n: usize) -> usize {
        match self {
            SampleSize::Fixed(m) => m,
            SampleSize::SameAsTarget => n,
        }
    }
}

/// A named surrogate as declared.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Surrogate {
    /// The declared name.
    pub(crate) name: String,
    /// What it is.
    pub(crate) kind: SurrogateKind,
    /// Its legend label.
    #[serde(skip)] // Presentation only: not in the cache key.
    pub(crate) label: String,
}

/// What an experiment measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Measure {
    /// The excess risk ‖Σ^{1/2}(β̂ − β⋆)‖², by theory and (with trials) by simulation, against n.
    ExcessRisk,
    /// The surrogate's coefficients against the index i, at one n (theory only).
    Coefficients,
    /// τ, Ω and their power-law limits against n (Proposition 4, v2).
    Equivalent,
    /// How many features the optimal surrogate amplifies and the optimal mask keeps, against n, with the
    /// asymptotic cut-offs n·C1 and n·C2 (Proposition 5, v2; Figure 3).
    Cutoffs,
    /// The risk of the mask keeping the first k features, against k, with the optimal mask's risk (Proposition 3).
    Masks,
    /// The finite-p bounds on 1/τ and Ω of arXiv v1 Propositions 7 and 8 against n, where their conditions hold,
    /// and the risks of strong labels and the optimal mask inside the region of v1 Proposition 9.
    Bounds,
}

impl Experiment {
    /// The names of its series: its surrogates, or the fixed series of its measure.
    pub(crate) fn series_names(&self) -> Vec<&str> {
        match self.measure {
            Measure::ExcessRisk | Measure::Coefficients => self.surrogates.iter().map(|s| s.name.as_str()).collect(),
            m => m.series().to_vec(),
        }
    }
}

impl Measure {
    /// The fixed series of a measure that does not compare surrogates.
    pub(crate) fn series(self) -> &'static [&'static str] {
        match self {
            Measure::ExcessRisk | Measure::Coefficients => &[],
            Measure::Equivalent => &["tau_scaled", "tau_limit", "omega", "omega_limit"],
            Measure::Cutoffs => &["amplified", "n_c1", "kept", "n_c2"],
            Measure::Masks => &["top_k", "optimal_mask"],
            Measure::Bounds => &[
                "inverse_tau",
                "inverse_tau_lower",
                "inverse_tau_upper",
                "omega",
                "omega_lower",
                "region_truth",
                "region_masked",
            ],
        }
    }
}

/// `experiment name { ... }`
#[derive(Clone, Debug, serde::Serialize)]
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
    // Not in the cache key: each look is keyed by its own trial count, so a larger cap reuses every look.
    #[serde(skip)]
    pub(crate) trials: Option<Trials>,
    /// The training design's spectrum when it differs from the task's (covariance shift, Observation 1); the
    /// risk is always measured under the task's covariance.
    pub(crate) design: Option<Spectrum>,
    /// What is measured.
    pub(crate) measure: Measure,
    /// How its trials draw their designs across the sweep.
    pub(crate) designs: Designs,
    /// Its legend label when a figure shows several experiments, e.g. "α = 1.5".
    #[serde(skip)] // Presentation only: not in the cache key (engine/cache.rs).
    pub(crate) label: Option<String>,
    /// The spec text that defines it: its declarations, then the block.
    #[serde(skip)] // Presentation only: not in the cache key.
    pub(crate) excerpt: String,
    /// Where its name stands in the spec, for diagnostics about the whole experiment.
    #[serde(skip)] // Presentation only: not in the cache key.
    pub(crate) span: Span,
}

/// How many Monte Carlo trials an experiment runs per point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Trials {
    /// `trials N`: exactly N.
    Fixed(usize),
    /// `trials auto(max: N)`: batches at the [`Trials::looks`] until every claim on the experiment is decided.
    Auto {
        /// The cap N.
        max: usize,
    },
}

impl Trials {
    /// The cap of `trials auto` when none is given.
    pub(crate) const DEFAULT_MAX: usize = 20_000;
    /// The first look of `trials auto`; every further look doubles it, the last is the cap.
    pub(crate) const FIRST_LOOK: usize = 100;

    /// The most trials a point can run.
    pub(crate) fn max(self) -> usize {
        match self {
            Trials::Fixed(n) | Trials::Auto { max: n } => n,
        }
    }

    /// The trial counts at which the claims look at the data: `[N]` for fixed trials; 100, 200, 400, … below the
    /// cap, then the cap, for `auto`. Claims split their error rate over these looks (Bonferroni).
    pub(crate) fn looks(self) -> Vec<usize> {
        match self {
            Trials::Fixed(n) => vec![n],
            Trials::Auto { max } => {
                let doubling = std::iter::successors(Some(Self::FIRST_LOOK), |t| t.checked_mul(2));
                doubling.take_while(|&t| t < max).chain(std::iter::once(max)).collect()
            }
        }
    }
}

/// How the trials of an experiment draw their designs across its sample sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Designs {
    /// A fresh design for every point and trial.
    Independent,
    /// One design per trial at the largest n; every smaller n uses its leading rows (issue 4, item 6).
    Nested,
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
    /// Whether the paper's statement is expected to hold or to be contradicted.
    pub(crate) expectation: Expectation,
    /// The sample sizes tested, when the claim is narrower than its experiment's sweep.
    pub(crate) at: Option<Vec<usize>>,
    /// Where its name stands in the spec.
    pub(crate) span: Span,
    /// Where its rule's keyword stands in the spec.
    pub(crate) rule_span: Span,
    /// The spec text of the claim.
    pub(crate) excerpt: String,
}

/// The kind of a claim's rule: the keyword of its first setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleKind {
    /// `agree E`: Theorem 1 as an equivalence test.
    Agree,
    /// `equal E.a, F.b`: two series' expected risks agree.
    Equal,
    /// `holds E.a < E.b`: simulated orderings.
    Holds,
    /// `theory E.a < E.b`: theory orderings.
    Theory,
    /// `close E.a, E.b`: two theory series within a tolerance.
    Close,
    /// `slope E.a`: a log-log slope.
    Slope,
    /// `flat E.a, E.b`: a ratio that does not move.
    Flat,
    /// `amplifies E.a, E.b`: coefficient amplification.
    Amplifies,
}

impl Rule {
    /// Its kind, whose keyword introduced it.
    pub(crate) fn kind(&self) -> RuleKind {
        match self {
            Rule::Agree { .. } => RuleKind::Agree,
            Rule::Equal { .. } => RuleKind::Equal,
            Rule::Below { .. } => RuleKind::Holds,
            Rule::TheoryBelow { .. } => RuleKind::Theory,
            Rule::Close { .. } => RuleKind::Close,
            Rule::Slope { .. } => RuleKind::Slope,
            Rule::Flat { .. } => RuleKind::Flat,
            Rule::Amplifies { .. } => RuleKind::Amplifies,
        }
    }
}

impl RuleKind {
    /// The claim settings this rule accepts besides itself.
    pub(crate) fn options(self) -> &'static [ClaimOption] {
        use ClaimOption::{At, Confidence, Contradicted, Expect, Points, Tolerance};
        match self {
            RuleKind::Agree | RuleKind::Equal => &[Tolerance, Confidence, At, Contradicted],
            RuleKind::Holds => &[Points, Confidence, At, Contradicted],
            RuleKind::Close | RuleKind::Flat => &[Tolerance, At, Contradicted],
            RuleKind::Slope => &[Expect, Tolerance, At, Contradicted],
            RuleKind::Theory | RuleKind::Amplifies => &[At, Contradicted],
        }
    }
}

/// The decision rule of a claim.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Rule {
    /// Theorem-1 kind: at every point of every series, the simulated mean is within the band of theory
    /// (an equivalence test).
    Agree {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// The agreement claimed: |E R − theory| ≤ band.
        band: Band,
    },
    /// Two simulated series (possibly of two experiments) have equal expected risks, within a band, at every
    /// common point (an equivalence test; paired by trial within one experiment, Welch's test across two).
    Equal {
        /// Index into [`Spec::experiments`] of the first series.
        experiment: usize,
        /// The first series.
        series: usize,
        /// The second series: (experiment, series).
        other: (usize, usize),
        /// The difference allowed: |E R_a − E R_b| ≤ band, relative to the second series' theory value.
        band: Band,
    },
    /// Ordering kind, by simulation: in each pair, the first series' risk is below the second's at every tested
    /// point, paired by trial.
    Below {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// (lower, higher) series indices.
        pairs: Vec<(usize, usize)>,
        /// Which points are tested.
        points: PointFilter,
    },
    /// Ordering kind, in theory: in each pair, the first series' theory value is below (or, not strict, at most)
    /// the second's at every tested point.
    TheoryBelow {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// (lower, higher, strict) series indices.
        pairs: Vec<(usize, usize, bool)>,
    },
    /// Two series' theory values are within a tolerance of each other at every tested point.
    Close {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// The two series.
        series: (usize, usize),
        /// How close.
        tolerance: Tolerance,
    },
    /// The log-log slope of each series' theory values against x, fitted by least squares, is the expected one.
    Slope {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// The series.
        series: Vec<usize>,
        /// The expected slope.
        expected: f64,
        /// Absolute tolerance on the slope.
        tolerance: f64,
    },
    /// The ratio of two series' theory values is constant in x: max/min − 1 within a tolerance.
    Flat {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// (numerator, denominator) series.
        series: (usize, usize),
        /// Relative tolerance on max/min − 1.
        tolerance: f64,
    },
    /// Corollary 1: a coefficient series exceeds the reference in magnitude exactly where 1 − ζ_i > Ω.
    Amplifies {
        /// Index into [`Spec::experiments`].
        experiment: usize,
        /// The surrogate's series and the reference (β⋆) series.
        series: (usize, usize),
    },
}

impl Rule {
    /// Every experiment a rule reads: [`Rule::experiment`], and for [`Rule::Equal`] the second series'.
    pub(crate) fn experiments(&self) -> Vec<usize> {
        match self {
            Rule::Equal { experiment, other, .. } if *experiment != other.0 => vec![*experiment, other.0],
            rule => vec![rule.experiment()],
        }
    }

    /// Whether the rule decides on simulated values (and so on trials).
    pub(crate) fn is_simulated(&self) -> bool {
        matches!(self, Rule::Agree { .. } | Rule::Equal { .. } | Rule::Below { .. })
    }

    /// The experiment a rule reads (the first one, for [`Rule::Equal`]).
    pub(crate) fn experiment(&self) -> usize {
        match self {
            Rule::Agree { experiment, .. }
            | Rule::Equal { experiment, .. }
            | Rule::Below { experiment, .. }
            | Rule::TheoryBelow { experiment, .. }
            | Rule::Close { experiment, .. }
            | Rule::Slope { experiment, .. }
            | Rule::Flat { experiment, .. }
            | Rule::Amplifies { experiment, .. } => *experiment,
        }
    }
}

/// The half-width of an equivalence band around a reference value r: `absolute + relative·|r|`
/// (`tolerance absolute(a), relative(b)`; either may be absent, i.e. 0).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Band {
    /// The absolute part, in risk units.
    pub(crate) absolute: f64,
    /// The part relative to |r|, a fraction in [0, 1).
    pub(crate) relative: f64,
}

impl Band {
    /// The half-width around the reference value `r`.
    pub(crate) fn half_width(self, r: f64) -> f64 {
        self.absolute + self.relative * r.abs()
    }
}

/// What the spec expects of a claim's verdict.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expectation {
    /// The paper's statement is expected to hold (the default).
    Holds,
    /// The paper's statement is expected to be contradicted by the evidence, for the reason given
    /// (`contradicted "..."`): a confirmed contradiction does not fail the build; a statement that holds after all
    /// is flagged.
    Contradicted(String),
}

/// An absolute or relative tolerance.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "amount")]
pub(crate) enum Tolerance {
    /// |a − b| ≤ x.
    Absolute(f64),
    /// |a − b| ≤ x·|b|.
    Relative(f64),
}

/// Which points of a sweep a claim tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PointFilter {
    /// Every point.
    All,
    /// Only points where the two surrogates differ (e.g. where the mask drops a feature).
    Differing,
}
