//! The engine's errors: an experiment that cannot be evaluated, located at its name, with the stage that refused.

use std::fmt;

use crate::diagnostics::Span;
use crate::sim::SimError;
use crate::spec::Experiment;
use crate::stats::StatsError;
use crate::theory::TheoryError;

/// A failure to evaluate an experiment at one sample size, located at the experiment's name in the spec.
#[derive(Debug)]
pub struct RunError {
    /// The experiment.
    pub experiment: String,
    /// The sample size.
    pub n: usize,
    /// Where the experiment is declared.
    pub span: Span,
    /// What went wrong.
    pub(crate) kind: RunErrorKind,
}

/// What went wrong in a [`RunError`], by the stage that refused.
#[derive(Debug, PartialEq)]
pub(crate) enum RunErrorKind {
    /// The theory has no value at the point.
    Theory(TheoryError),
    /// The simulation could not set the point up, or refused it (an estimator it cannot compute to accuracy).
    Simulation(SimError),
    /// The simulated risks have no summary.
    Summary(StatsError),
    /// A series' theory risk lies below the f64 round-off of the task ([`crate::sim::unresolvable`]).
    Unresolvable {
        /// The series.
        surrogate: String,
        /// The numbers.
        reason: String,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "experiment `{}` at n = {}: ", self.experiment, self.n)?;
        match &self.kind {
            RunErrorKind::Theory(e) => write!(f, "{e}"),
            RunErrorKind::Simulation(e) => write!(f, "{e}"),
            RunErrorKind::Summary(e) => write!(f, "{e}"),
            RunErrorKind::Unresolvable { surrogate, reason } => {
                write!(f, "`{surrogate}`: {reason}; rescale the eigenvalues or the signal")
            }
        }
    }
}

impl RunError {
    /// The error as a diagnostic located at the experiment's name, to print like a parse error.
    pub fn diagnostic(&self) -> crate::Diagnostic {
        crate::Diagnostic::error(self.span, self.to_string())
    }
}

impl From<TheoryError> for RunErrorKind {
    fn from(e: TheoryError) -> Self {
        Self::Theory(e)
    }
}

impl From<SimError> for RunErrorKind {
    fn from(e: SimError) -> Self {
        Self::Simulation(e)
    }
}

impl From<StatsError> for RunErrorKind {
    fn from(e: StatsError) -> Self {
        Self::Summary(e)
    }
}

/// The error of experiment `e` at sample size `n`.
pub(super) fn failure(e: &Experiment, n: usize) -> impl Fn(RunErrorKind) -> RunError + '_ {
    move |kind| RunError { experiment: e.name.clone(), n, span: e.span, kind }
}

impl std::error::Error for RunError {}
