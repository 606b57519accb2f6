//! Stage 4, [`Plan`](crate::Plan) → [`Results`]: evaluate the theory at every point and run the plan's work
//! units, the Monte Carlo simulations.

mod cache;
mod measures;
mod results;
mod run;
mod surrogates;

pub use results::Results;
pub(crate) use results::{EquivalentSummary, ExperimentResults, FALLBACK, Point, Series, Stop};
pub use run::{RunError, RunOptions, StoppingRule, outline, run};
