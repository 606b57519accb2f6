//! Tests of the whole pipeline (parse → resolve → run → judge), kept out of the stage folders so that each
//! stage's imports show what it depends on: the syntax depends on nothing above it, and the claims sit below the
//! report.
//!
//! - `fuzz`: no panics, no hangs, on generated and mutated specs through `check` and `fmt`;
//! - `calibration`: every rule's error rates, against closed forms and Monte Carlo;
//! - `equivalence`: `agree` and `equal` as equivalence tests, decided on real runs;
//! - `inconclusive`: too few trials give inconclusive claims, never passes;
//! - `power`: each rule detects the theory mutations it should.

mod calibration;
mod equivalence;
mod fuzz;
mod inconclusive;
mod power;
