//! Tests of the whole pipeline (parse → resolve → run → judge), kept out of the stage folders so that each
//! stage's imports show what it depends on: the syntax depends on nothing above it, and the claims sit below the
//! report.
//!
//! - `fuzz`: no panics, no hangs, on generated and mutated specs through `check` and `fmt`;
//! - `calibration`: every rule's error rates, against closed forms and Monte Carlo;
//! - `data`: a data task (issue 18) end to end, against an independent fit of its rows;
//! - `diff`: two builds compared, noise told apart from change;
//! - `equivalence`: `agree` and `equal` as equivalence tests, decided on real runs;
//! - `inconclusive`: too few trials give inconclusive claims, never passes;
//! - `layout`: where the report's text lands on the page;
//! - `power`: each rule detects the theory mutations it should;
//! - `beyond`: so do the claims on issue 17's theories (ridge, distillation chains, self-distillation);
//! - `networks`: the claims on issue 18's random-feature networks can fail.

mod beyond;
mod calibration;
mod data;
#[cfg(feature = "report")]
mod diff;
#[cfg(feature = "report")]
mod equivalence;
mod fuzz;
mod inconclusive;
#[cfg(feature = "report")]
mod layout;
mod networks;
mod power;

use crate::{Overrides, Plan, Results, RunOptions, Spec, decided, run};

/// The plan of `spec` as written, without command-line overrides.
fn plan(spec: &Spec) -> Plan<'_> {
    Plan::new(spec, Overrides::default())
}

/// A run of `plan` whose adaptive experiments stop once their claims are decided.
fn run_to_decision(plan: &Plan<'_>) -> Results {
    let stop = |partial: &Results, running: usize| decided(plan, partial, running);
    run(plan, &RunOptions { decided: Some(&stop), ..RunOptions::default() }).unwrap()
}
