//! Statistics of simulated samples: exact sums of trials, Student-t summaries, paired t tests,
//! multiplicity control (Holm, Bonferroni) and log-log slope fits for scaling laws.

mod error;
mod multiplicity;
mod paired;
mod slope;
mod summary;
mod sums;
mod welch;

pub(crate) use error::StatsError;
pub(crate) use multiplicity::Holm;
pub(crate) use paired::PairedComparison;
pub(crate) use slope::LogLogFit;
pub(crate) use summary::Summary;
pub(crate) use sums::TrialSums;
pub(crate) use welch::{MeanEstimate, Welch, welch};
