//! Stage 5, [`Results`](crate::Results) → [`Verdicts`]: every claim decided by its statistical rule.

mod judge;
#[cfg(test)]
mod power;
mod theory;

pub(crate) use judge::Verdict;
pub use judge::{Verdicts, judge};
