//! Stage 5, [`Results`](crate::Results) → [`Verdicts`]: every claim decided by its statistical rule.

mod judge;
mod theory;
mod verdict;

pub use judge::{decided, judge};
pub(crate) use verdict::{Decision, Detail, Fit, PointCheck, Scope, Status, Verdict};
pub use verdict::{Outcome, Verdicts};
