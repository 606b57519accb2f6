//! Stage 5, [`Results`](crate::Results) → [`Verdicts`]: every claim decided by its statistical rule.

mod judge;
mod theory;

pub(crate) use judge::{PointCheck, Status, Verdict};
pub use judge::{Verdicts, decided, judge};
