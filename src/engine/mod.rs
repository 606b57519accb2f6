//! Stage 4, [`Plan`](crate::Plan) → [`Results`]: evaluate the theory at every point and run the plan's work
//! units, the Monte Carlo simulations.

mod cache;
mod error;
mod measures;
mod outline;
mod results;
mod run;
mod shard;
mod surrogates;

pub(crate) use cache::{executable_hex, write_atomically};
pub use error::RunError;
pub use outline::outline;
pub use results::Results;
pub(crate) use results::{EquivalentSummary, ExperimentResults, FALLBACK, Point, Series, Stop};
pub use run::{RunOptions, StoppingRule, Tick, Work, run};
pub use shard::{MergedWork, ShardWork, run_shard};
