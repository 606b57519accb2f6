//! The resolved claim: its rule, tolerance band, options and expectation.

use super::ClaimOption;
use crate::diagnostics::Span;

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
        /// Index into [`Spec::experiments`](super::Spec::experiments).
        experiment: usize,
        /// The agreement claimed: |E R − theory| ≤ band.
        band: Band,
    },
    /// Two simulated series (possibly of two experiments) have equal expected risks, within a band, at every
    /// common point (an equivalence test; paired by trial within one experiment, Welch's test across two).
    Equal {
        /// Index into [`Spec::experiments`](super::Spec::experiments) of the first series.
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
        /// Index into [`Spec::experiments`](super::Spec::experiments).
        experiment: usize,
        /// (lower, higher) series indices.
        pairs: Vec<(usize, usize)>,
        /// Which points are tested.
        points: PointFilter,
    },
    /// Ordering kind, in theory: in each pair, the first series' theory value is below (or, not strict, at most)
    /// the second's at every tested point.
    TheoryBelow {
        /// Index into [`Spec::experiments`](super::Spec::experiments).
        experiment: usize,
        /// (lower, higher, strict) series indices.
        pairs: Vec<(usize, usize, bool)>,
    },
    /// Two series' theory values are within a tolerance of each other at every tested point.
    Close {
        /// Index into [`Spec::experiments`](super::Spec::experiments).
        experiment: usize,
        /// The two series.
        series: (usize, usize),
        /// How close.
        tolerance: Tolerance,
    },
    /// The log-log slope of each series' theory values against x, fitted by least squares, is the expected one.
    Slope {
        /// Index into [`Spec::experiments`](super::Spec::experiments).
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
        /// Index into [`Spec::experiments`](super::Spec::experiments).
        experiment: usize,
        /// (numerator, denominator) series.
        series: (usize, usize),
        /// Relative tolerance on max/min − 1.
        tolerance: f64,
    },
    /// Corollary 1: a coefficient series exceeds the reference in magnitude exactly where 1 − ζ_i > Ω.
    Amplifies {
        /// Index into [`Spec::experiments`](super::Spec::experiments).
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
