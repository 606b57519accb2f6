//! Stage 5, [`Results`](crate::Results) → [`Verdicts`]: every claim decided by its statistical rule.

#[cfg(test)]
mod calibration;
#[cfg(test)]
mod equivalence;
#[cfg(test)]
mod inconclusive;
mod judge;
#[cfg(test)]
mod power;
mod theory;

pub(crate) use judge::{Status, Verdict};
pub use judge::{Verdicts, decided, judge};
