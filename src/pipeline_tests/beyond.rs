//! Issue 17's theories have power: each deliberately wrong formula (a test-only mutation) makes the claim that
//! checks it fail, while the right theory passes the same claims on the same simulations.

use crate::claims::Status;
use crate::theory::Mutation;

/// Ridge, a distillation chain (plain, and five generations with an optimal surrogate at every stage, where the
/// gain's square matters: at p = 300, m = 80 the mutation's theory is 8% low at the fifth, by
/// tests/fixtures/chain_reference.py's formulas) and self-distillation at p = 150, one `agree` claim each.
const SPEC: &str = r#"
title "power beyond the paper"
seed 17
spectrum cov = powerlaw(p: 150, alpha: 1.5)
signal beta = powerlaw_energy(cov, beta: 1.3, power: 1.0)
task t = gaussian(cov, beta, noise: 0.3)
surrogate truth = ground_truth
surrogate optimal = optimal
surrogate g1 = erm(spectrum: cov, m: 200, noise: 0.2)
surrogate g2 = erm(spectrum: cov, m: 200, noise: 0.2, labels: g1)
surrogate g3 = erm(spectrum: cov, m: 200, noise: 0.2, labels: g2)
surrogate last = teacher(of: g3)
spectrum steep = powerlaw(p: 300, alpha: 2.0)
signal steep_beta = powerlaw_energy(steep, beta: 2.0, power: 1.0)
task steep_task = gaussian(steep, steep_beta, noise: 0.5)
surrogate o1 = erm(spectrum: steep, m: 80, noise: 0.5, gain: optimal)
surrogate o2 = erm(spectrum: steep, m: 80, noise: 0.5, labels: o1, gain: optimal)
surrogate o3 = erm(spectrum: steep, m: 80, noise: 0.5, labels: o2, gain: optimal)
surrogate o4 = erm(spectrum: steep, m: 80, noise: 0.5, labels: o3, gain: optimal)
surrogate o5 = erm(spectrum: steep, m: 80, noise: 0.5, labels: o4, gain: optimal)
surrogate optimal_last = teacher(of: o5)
surrogate distilled = self_distilled(xi: optimal)
experiment ridged {
  task t
  n [60, 150, 300]
  surrogates truth, optimal
  ridge 0.01
  trials 400
}
experiment chain {
  task t
  n [60, 300]
  surrogates g3, last
  trials 400
}
experiment optimal_chain {
  task steep_task
  n [60, 200]
  surrogates o5, optimal_last
  trials 1000
}
experiment distillation {
  task t
  n [60, 300]
  surrogates truth, distilled
  ridge 0.001
  trials 400
}
claim ridge_agrees "ridge: theory matches simulation within 5%" { agree ridged tolerance relative(0.05) }
claim chain_agrees "chain: theory matches simulation within 10%" { agree chain tolerance relative(0.1) }
claim optimal_chain_agrees "chain of optimal surrogates: theory matches simulation within 5%" {
  agree optimal_chain
  tolerance relative(0.05)
}
claim distillation_agrees "self-distillation: theory matches simulation within 5%" {
  agree distillation
  tolerance relative(0.05)
}
claim distillation_helps "the optimally mixed student beats its teacher" { holds distillation.distilled < distillation.truth }
"#;

/// The verdicts of [`SPEC`], by claim name, under an optional mutation.
fn verdicts(mutation: Option<Mutation>) -> Vec<(String, Status)> {
    super::power::verdicts_of(SPEC, mutation)
}

/// The status of claim `name`.
fn status(verdicts: &[(String, Status)], name: &str) -> Status {
    verdicts.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn the_right_theories_pass() {
    let v = verdicts(None);
    assert!(v.iter().all(|(_, s)| *s == Status::Pass), "{v:?}");
}

#[test]
fn each_wrong_formula_fails_its_claim() {
    for (mutation, claim) in [
        (Mutation::RidgeUnnormalised, "ridge_agrees"),
        (Mutation::ChainForgetsVariance, "chain_agrees"),
        (Mutation::CrossRiskUninflated, "distillation_agrees"),
        (Mutation::GainUnsquared, "optimal_chain_agrees"),
    ] {
        let v = verdicts(Some(mutation));
        assert_eq!(status(&v, claim), Status::Fail, "{mutation:?}: {v:?}");
    }
}
