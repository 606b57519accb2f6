//! Stage 5, [`Results`](crate::Results) → [`Verdicts`]: every claim decided by its statistical rule.

mod judge;

pub use judge::{Verdict, Verdicts, judge};
