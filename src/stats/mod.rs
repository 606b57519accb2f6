//! Statistics of simulated samples: stable moments, Student-t summaries, paired t tests,
//! multiplicity control (Holm, Bonferroni) and log-log slope fits for scaling laws.
#![allow(
    dead_code,
    unused_imports,
    reason = "used by later stages; wired in by the integrator"
)]

mod error;
mod moments;
mod multiplicity;
mod paired;
mod slope;
mod summary;

pub(crate) use error::StatsError;
pub(crate) use moments::Moments;
pub(crate) use multiplicity::{Holm, bonferroni_confidence};
pub(crate) use paired::PairedComparison;
pub(crate) use slope::LogLogFit;
pub(crate) use summary::{Summary, t_quantile};
