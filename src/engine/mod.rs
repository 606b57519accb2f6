//! Stages 3 and 4, [`Spec`](crate::Spec) → [`Results`]: evaluate the theory at every point and run the
//! Monte Carlo simulations.

mod results;
mod run;

pub use results::Results;
pub(crate) use results::{EquivalentSummary, ExperimentResults, Point};
pub use run::{RunError, RunOptions, run, total_trials};
