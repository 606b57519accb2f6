//! Stages 3 and 4, [`Spec`](crate::Spec) → [`Results`]: evaluate the theory at every point and run the
//! Monte Carlo simulations.

mod cache;
mod measures;
mod plan;
mod results;
mod run;
mod surrogates;

pub use plan::{Plan, default_memory_limit, estimate, parse_bytes};
pub use results::Results;
pub(crate) use results::{EquivalentSummary, ExperimentResults, FALLBACK, Point, Series, Stop};
pub use run::{RunError, RunOptions, outline, run, total_trials};
