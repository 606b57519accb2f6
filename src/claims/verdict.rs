//! The verdicts: each claim's status, its decision as data (which the report words) and every tested point, with
//! the claim's span.

use serde::{Deserialize, Serialize};

use crate::spec::{Band, Expectation, PointFilter, Tolerance};

/// The verdicts of every claim, in spec order.
#[derive(Clone, Debug, Serialize)]
pub struct Verdicts {
    /// One per claim.
    pub(crate) claims: Vec<Verdict>,
}

/// The outcome of a build, from its claims' verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every claim held, or was contradicted where the spec expects it (exit 0).
    Pass,
    /// Some claim failed, or held where the spec expected a contradiction (exit 1).
    Fail,
    /// No claim failed, but some claim is inconclusive (exit 4).
    Inconclusive,
}

impl Outcome {
    /// The outcome of claims with these verdicts: a failure outweighs an inconclusive claim.
    pub(crate) fn of(statuses: impl IntoIterator<Item = Status>) -> Self {
        statuses.into_iter().fold(Outcome::Pass, |outcome, status| match (outcome, status) {
            (Outcome::Fail, _) | (_, Status::Fail | Status::Unexpected) => Outcome::Fail,
            (Outcome::Inconclusive, _) | (_, Status::Inconclusive) => Outcome::Inconclusive,
            _ => Outcome::Pass,
        })
    }

    /// `pass`, `fail` or `inconclusive`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Inconclusive => "inconclusive",
        }
    }

    /// The exit code of `kdrepro build` for this outcome: 0, 1 or 4.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
            Outcome::Inconclusive => 4,
        }
    }
}

impl Verdicts {
    /// The outcome of the build these verdicts end.
    pub fn outcome(&self) -> Outcome {
        Outcome::of(self.claims.iter().map(|c| c.status))
    }

    /// One line per claim: `pass name: statement`, `FAIL name: statement`, `INCONCLUSIVE name: statement`,
    /// `contradicted name: statement` (as the spec expected) or `UNEXPECTED name: statement (held, …)`.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.claims.iter().map(|v| {
            let word = match v.status {
                Status::Pass => "pass",
                Status::Fail => "FAIL",
                Status::Inconclusive => "INCONCLUSIVE",
                Status::Contradicted => "contradicted",
                Status::Unexpected => "UNEXPECTED",
            };
            let tail =
                if v.status == Status::Unexpected { " (held, but the spec expects a contradiction)" } else { "" };
            format!("{word} {}: {}{tail}", v.name, v.label)
        })
    }
}

/// The outcome of a claim or of one tested point: held, contradicted, or not decided by the evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// The evidence supports the claim at its confidence.
    Pass,
    /// The evidence contradicts the claim at its confidence (or an exact check failed).
    Fail,
    /// The evidence is too weak to decide either way: more trials would decide.
    Inconclusive,
    /// The evidence contradicts the paper's statement, as the spec expected (`contradicted "..."`).
    Contradicted,
    /// The paper's statement held although the spec expected it to be contradicted: flagged, fails the build.
    Unexpected,
}

impl Status {
    /// Pass or fail, for exact checks.
    pub(super) fn of(ok: bool) -> Self {
        if ok { Status::Pass } else { Status::Fail }
    }

    /// The word used in the results file and the report: `pass`, `fail`, `inconclusive`, `contradicted` or
    /// `unexpected`.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Inconclusive => "inconclusive",
            Status::Contradicted => "contradicted",
            Status::Unexpected => "unexpected",
        }
    }

    /// A claim's status under the spec's expectation: a contradiction expected and found is `Contradicted`, a
    /// statement expected to be contradicted that holds is `Unexpected`.
    pub(super) fn expected(self, expectation: &Expectation) -> Self {
        match (expectation, self) {
            (Expectation::Contradicted(_), Status::Fail) => Status::Contradicted,
            (Expectation::Contradicted(_), Status::Pass) => Status::Unexpected,
            (_, status) => status,
        }
    }

    /// A claim's status from its points': fail if any point fails (or none was tested), else inconclusive if
    /// any point is, else pass.
    pub(super) fn of_claim(points: &[PointCheck]) -> Self {
        let any = |s: Status| points.iter().any(|p| p.status == s);
        if points.is_empty() || any(Status::Fail) {
            Status::Fail
        } else if any(Status::Inconclusive) {
            Status::Inconclusive
        } else {
            Status::Pass
        }
    }
}

/// The decision on one claim.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Verdict {
    /// The claim's name.
    pub(crate) name: String,
    /// What it asserts.
    pub(crate) label: String,
    /// Where the claim's name stands in the spec.
    #[serde(skip)]
    pub(crate) span: crate::Span,
    /// Whether it held, failed or is undecided.
    pub(crate) status: Status,
    /// Why some points could not be decided (infinite variance, no interval), one line each.
    pub(crate) notes: Vec<String>,
    /// The spec's reason to expect the paper's statement to be contradicted, if it does.
    pub(crate) contradicted: Option<String>,
    /// Every tested point.
    pub(crate) points: Vec<PointCheck>,
    /// The decision as data.
    pub(crate) decision: Decision,
}

/// A claim's decision as data, beside its words: the rule, its error-rate budget, the tally of its points and the
/// point that decided it. `diff` and `merge` compare these rather than sentences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Decision {
    /// The rule's keyword: `agree`, `equal`, `holds`, `theory`, `close`, `slope`, `flat` or `amplifies`.
    pub(crate) rule: String,
    /// The family-wise confidence of a simulated rule; `None` for a theory rule, which is exact.
    pub(crate) confidence: Option<f64>,
    /// The looks at the data its error rate is split over (`trials auto`); 1 for fixed trials and theory.
    pub(crate) looks: usize,
    /// Tested points that held.
    pub(crate) held: usize,
    /// Tested points that failed.
    pub(crate) failed: usize,
    /// Tested points the evidence did not decide.
    pub(crate) undecided: usize,
    /// The point that decided the claim, as an index into its checks: the first that failed, else the first
    /// undecided one; `None` when every point held (or none was tested).
    pub(crate) deciding: Option<usize>,
    /// The worst case, as an index into the checks ([`Detail::worst`]): for equivalence tests the largest
    /// deviation as a fraction of its band, for `holds` the largest one-sided p-value, for `close` and `slope`
    /// the largest |observed − expected|; for the other rules the deciding point.
    pub(crate) worst: Option<usize>,
    /// What the rule computed beyond its point checks, for its words.
    pub(crate) detail: Detail,
}

/// The sample sizes a claim tests: every point of its experiment, or the ones its `at` names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Scope {
    /// What the x coordinate is (`n`, `i`, `k`).
    pub(crate) x: String,
    /// The points tested.
    pub(crate) points: usize,
    /// Their x values when the claim is restricted to some of its experiment's points; `None` for all.
    pub(crate) restricted: Option<Vec<f64>>,
}

impl Detail {
    /// The index of the worst check, where the rule has a measure of it (see [`Decision::worst`]).
    fn worst(&self, checks: &[PointCheck]) -> Option<usize> {
        // Among the checks with an observed value; the last of equals, as `Iterator::max_by` gives.
        let argmax = |badness: &dyn Fn(usize) -> f64| {
            (0..checks.len())
                .filter(|&i| checks[i].observed.is_finite())
                .max_by(|&a, &b| badness(a).total_cmp(&badness(b)))
        };
        let gap = |i: usize| (checks[i].observed - checks[i].expected).abs();
        match self {
            Detail::Agree { allowed, .. } | Detail::Equal { allowed, .. } => {
                argmax(&|i| gap(i) / allowed[i].max(f64::MIN_POSITIVE))
            }
            Detail::Holds { p_values, .. } => argmax(&|i| p_values[i]),
            Detail::Close { .. } | Detail::Slope { .. } => argmax(&gap),
            Detail::Theory { .. } | Detail::Flat { .. } | Detail::Amplifies { .. } => None,
        }
    }
}

/// The quantity of a `holds` rule written before it was named: the excess risk.
fn risk_symbol() -> String {
    "R".to_owned()
}

/// A series' log-log fit (`slope` rule): the slope, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "outcome", content = "value")]
pub(crate) enum Fit {
    /// The fitted slope.
    Fitted(SlopeFit),
    /// Why no line could be fitted.
    Failed(String),
}

/// A fitted log-log slope with its 95% interval (`slope` rule).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SlopeFit {
    /// The least-squares slope.
    pub(crate) slope: f64,
    /// The interval's lower end.
    pub(crate) ci_low: f64,
    /// Its upper end.
    pub(crate) ci_high: f64,
}

/// What a rule computed beyond its point checks: the parameters and summaries its words need. One variant per
/// rule; the report words them (`report/claim_words.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub(crate) enum Detail {
    /// `agree`: an equivalence test of every simulated mean against its theory value.
    Agree {
        /// The points tested.
        scope: Scope,
        /// Points × series.
        tests: usize,
        /// The per-test level α/(tests · looks).
        level: f64,
        /// The band.
        band: Band,
        /// Each check's half-width (the band, or the round-off floor where larger), in check order.
        allowed: Vec<f64>,
    },
    /// `equal`: an equivalence test of a difference of two series' means against 0.
    Equal {
        /// The points tested.
        scope: Scope,
        /// `experiment.series` of the first series.
        first: String,
        /// `experiment.series` of the second, whose theory value the band is relative to.
        second: String,
        /// Paired by trial (one experiment), or Welch's interval (two).
        paired: bool,
        /// The per-test level.
        level: f64,
        /// The band.
        band: Band,
        /// Each check's half-width, in check order.
        allowed: Vec<f64>,
    },
    /// `holds`: one-sided paired t-tests with Holm's procedure.
    Holds {
        /// The points of the experiment in scope.
        scope: Scope,
        /// What is compared, as the rule writes it: `R` (the excess risk), `accuracy` or `zero_one_risk` (verdicts
        /// written before it existed compared risks).
        #[serde(default = "risk_symbol")]
        quantity: String,
        /// Each comparison, (lower, higher) series names.
        comparisons: Vec<(String, String)>,
        /// Which points are tested.
        filter: PointFilter,
        /// Tests in all.
        tests: usize,
        /// Holm's family-wise level, α over the looks.
        alpha: f64,
        /// Each test's one-sided p-value of H0: E[difference] ≥ 0, in check order (1 where there is no test).
        p_values: Vec<f64>,
    },
    /// `theory`: exact orderings of theory values.
    Theory {
        /// The points tested.
        scope: Scope,
        /// Each comparison: (lower, higher, strict).
        comparisons: Vec<(String, String, bool)>,
        /// Points where a value is not defined.
        skipped: usize,
    },
    /// `close`: two theory series within a tolerance.
    Close {
        /// The points tested.
        scope: Scope,
        /// The series compared.
        a: String,
        /// The reference series.
        b: String,
        /// The tolerance.
        tolerance: Tolerance,
        /// Points where a value is not defined.
        skipped: usize,
        /// The largest |a − b|.
        largest: f64,
    },
    /// `slope`: log-log slopes of theory series.
    Slope {
        /// The points fitted.
        scope: Scope,
        /// The expected slope.
        expected: f64,
        /// Its tolerance.
        tolerance: f64,
        /// Per series, in check order: its name and the fitted slope with its 95% interval, or why there is none.
        fits: Vec<(String, Fit)>,
    },
    /// `flat`: a flat ratio of two theory series.
    Flat {
        /// The points tested.
        scope: Scope,
        /// The numerator series.
        a: String,
        /// The denominator series.
        b: String,
        /// The tolerance on max/min − 1.
        tolerance: f64,
        /// The smallest ratio.
        low: f64,
        /// The largest ratio.
        high: f64,
    },
    /// `amplifies`: Corollary 1's amplification pattern.
    Amplifies {
        /// The surrogate's series.
        surrogate: String,
        /// β⋆'s series.
        truth: String,
        /// Ω at the experiment's sample size; `None` in the least-squares regime, where τ is not defined.
        omega: Option<f64>,
        /// Coordinates the surrogate amplifies.
        amplified: usize,
    },
}

impl Decision {
    /// The decision of a rule of kind `rule` on `points`.
    pub(super) fn new(
        rule: &str,
        confidence: Option<f64>,
        looks: usize,
        points: &[PointCheck],
        detail: Detail,
    ) -> Self {
        let count = |s: Status| points.iter().filter(|p| p.status == s).count();
        let first = |s: Status| points.iter().position(|p| p.status == s);
        let deciding = first(Status::Fail).or_else(|| first(Status::Inconclusive));
        Decision {
            rule: rule.to_owned(),
            confidence,
            looks,
            held: count(Status::Pass),
            failed: count(Status::Fail),
            undecided: count(Status::Inconclusive),
            deciding,
            worst: detail.worst(points).or(deciding),
            detail,
        }
    }
}

/// One tested point of a claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct PointCheck {
    /// The series (or `a − b` for paired claims).
    pub(crate) series: String,
    /// The sample size.
    pub(crate) x: f64,
    /// The simulated value (mean, or mean paired difference).
    pub(crate) observed: f64,
    /// The reference value (theory, or 0 for a paired difference).
    pub(crate) expected: f64,
    /// The acceptance interval or the one-sided p-value's bound, low end.
    pub(crate) low: f64,
    /// High end.
    pub(crate) high: f64,
    /// Whether this point passed, failed or is undecided.
    pub(crate) status: Status,
}

#[cfg(test)]
mod tests {
    use super::{Outcome, Status};

    #[test]
    fn a_failure_outweighs_an_inconclusive_claim_and_an_expected_contradiction_passes() {
        use Status::{Contradicted, Fail, Inconclusive, Pass, Unexpected};
        // The exit codes of the README: 1 if any claim failed or held unexpectedly, else 4 if any is undecided.
        let cases = [
            (vec![], Outcome::Pass, 0),
            (vec![Pass, Contradicted], Outcome::Pass, 0),
            (vec![Pass, Inconclusive, Contradicted], Outcome::Inconclusive, 4),
            (vec![Inconclusive, Unexpected], Outcome::Fail, 1),
            (vec![Fail, Inconclusive], Outcome::Fail, 1),
            (vec![Inconclusive, Fail, Pass], Outcome::Fail, 1),
        ];
        for (statuses, outcome, code) in cases {
            assert_eq!(Outcome::of(statuses.clone()), outcome, "{statuses:?}");
            assert_eq!(outcome.exit_code(), code);
        }
    }
}
