//! The third verdict: claims whose evidence is too weak to decide are inconclusive, neither pass nor fail.

use super::{plan, run_to_decision};
use crate::claims::Status;
use crate::{judge, parse, resolve};

/// The statuses of `spec`'s claims, by name, after a run with its own trial counts (adaptive experiments stop
/// once every claim on them is decided).
pub(super) fn statuses(spec: &str) -> Vec<(String, Status)> {
    let spec = resolve(&parse(spec).unwrap(), spec, std::path::Path::new(".")).unwrap();
    let plan = plan(&spec);
    let results = run_to_decision(&plan);
    judge(&plan, &results).claims.iter().map(|c| (c.name.clone(), c.status)).collect()
}

/// The status of claim `name`.
pub(super) fn status(statuses: &[(String, Status)], name: &str) -> Status {
    statuses.iter().find(|(n, _)| n == name).unwrap().1
}

/// Figure 1b's `mask_edge` of specs/paper.kd (p = 500, n = 425, where the optimal mask drops 12 features and the
/// theory gain is 0.2% of the risk) with only `trials` trials, and the same claim reversed.
fn mask_edge(trials: usize) -> String {
    format!(
        r#"
title "edge"
seed 20241024
spectrum cov = powerlaw(p: 500, alpha: 2.0)
signal beta = powerlaw_energy(cov, beta: 1.5, power: 1.0)
task t = gaussian(cov, beta, noise: 0.0)
surrogate truth = ground_truth
surrogate masked = optimal_mask
experiment mask_edge {{
  task t
  n 425
  surrogates truth, masked
  trials {trials}
}}
claim edge "masking the last 12 features beats strong labels" {{
  holds mask_edge.masked < mask_edge.truth
  points differing
  confidence 0.99
}}
claim reversed "strong labels beat masking" {{
  holds mask_edge.truth < mask_edge.masked
  points differing
  confidence 0.99
}}
"#
    )
}

#[test]
fn an_underpowered_ordering_is_inconclusive_both_ways() {
    // 40 trials cannot resolve a 0.2% gain: neither the claim nor its reverse can be decided. Under a two-state
    // rule both would fail, although one of them is true.
    let v = statuses(&mask_edge(40));
    assert_eq!(status(&v, "edge"), Status::Inconclusive, "{v:?}");
    assert_eq!(status(&v, "reversed"), Status::Inconclusive, "{v:?}");
}

/// A small Figure-1 setting at p = 60 with a large gain of the optimal surrogate, as in the CLI tests.
const SMALL: &str = concat!(
    "title \"small\"\n",
    include_str!("../../tests/fixtures/specs/sweep.kd"),
    r#"claim wins "the optimal surrogate wins" { holds sweep.best < sweep.truth }
claim loses "strong labels win" { holds sweep.truth < sweep.best }
claim agree "theory matches simulation within 20%" { agree sweep tolerance relative(0.2) }
claim sharp "theory matches simulation to 0.01%" { agree sweep tolerance relative(0.0001) }
claim loose "theory matches simulation to 50%" { agree sweep tolerance relative(0.5) }
"#
);

#[test]
fn a_well_powered_ordering_passes_and_its_reverse_fails() {
    let v = statuses(SMALL);
    assert_eq!(status(&v, "wins"), Status::Pass, "{v:?}");
    assert_eq!(status(&v, "loses"), Status::Fail, "{v:?}");
}

#[test]
fn agreement_is_inconclusive_when_its_intervals_are_wider_than_its_band() {
    // 300 trials give intervals of a few percent of the risk (up to about 10% at the Bonferroni level): far wider
    // than 0.01%, narrower than 20% and 50%.
    let v = statuses(SMALL);
    assert_eq!(status(&v, "agree"), Status::Pass, "{v:?}");
    assert_eq!(status(&v, "sharp"), Status::Inconclusive, "{v:?}");
    assert_eq!(status(&v, "loose"), Status::Pass, "{v:?}");
}

#[test]
fn a_theory_outside_the_interval_fails_a_narrow_band() {
    // Ω scaled by 5% moves the theory outside the intervals (see the power tests): the interval then lies outside
    // the 0.01% band around the theory, which is evidence against the claim, not a lack of it.
    use crate::theory::{Mutation, with_mutation};
    let v = with_mutation(Mutation::OmegaScaled(1.05), || statuses(SMALL));
    assert_eq!(status(&v, "sharp"), Status::Fail, "{v:?}");
}
