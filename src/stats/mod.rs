//! Statistics of simulated samples: stable moments, Student-t summaries, paired t tests,
//! multiplicity control (Holm, Bonferroni) and log-log slope fits for scaling laws.

mod error;
mod moments;
mod multiplicity;
mod paired;
mod slope;
mod summary;
mod welch;

pub(crate) use error::StatsError;
pub(crate) use multiplicity::Holm;
pub(crate) use paired::PairedComparison;
pub(crate) use slope::LogLogFit;
pub(crate) use summary::Summary;
pub(crate) use welch::{MeanEstimate, Welch, welch};
