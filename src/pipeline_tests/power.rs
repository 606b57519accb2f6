//! Claims have power: deliberately wrong theory (test-only mutations of the theory module) makes the matching
//! claims fail, while the right theory passes them on the same simulations.

use crate::claims::Status;
use crate::theory::{Mutation, with_mutation};
use crate::{RunOptions, Verdicts, judge, parse, resolve, run};

/// Figure 1's setting at p = 200, with one claim of each kind the mutations should break.
const SPEC: &str = r#"
title "power"
seed 11
spectrum cov = powerlaw(p: 200, alpha: 2.0)
signal beta = powerlaw_energy(cov, beta: 1.5, power: 1.0)
task t = gaussian(cov, beta, noise: 0.0)
surrogate truth = ground_truth
surrogate optimal = optimal
surrogate masked = optimal_mask
surrogate halfway = optimal(step: 0.5)
surrogate overshoot = optimal(step: 1.5)
experiment sweep {
  task t
  n [40, 80, 120]
  surrogates truth, masked, optimal
  trials 300
}
experiment path {
  task t
  n [40, 80, 120]
  surrogates halfway, optimal, overshoot
  trials 300
}
experiment masks {
  task t
  n 80
  measure masks
}
claim agree "theory matches simulation within 1%" { agree sweep tolerance relative(0.01) }
claim agree_loosely "theory matches simulation within 5%" { agree sweep tolerance relative(0.05) }
claim minimum "the optimal surrogate is optimal" { holds path.optimal < path.halfway, path.optimal < path.overshoot }
claim best_mask "the optimal mask beats every top-k mask" { theory masks.optimal_mask <= masks.top_k }
"#;

/// The verdicts of [`SPEC`], by claim name, under an optional mutation.
fn verdicts(mutation: Option<Mutation>) -> Vec<(String, Status)> {
    let evaluate = || {
        let spec = resolve(&parse(SPEC).unwrap(), SPEC, std::path::Path::new(".")).unwrap();
        let plan = super::plan(&spec);
        let results = run(&plan, &RunOptions::default()).unwrap();
        judge(&plan, &results)
    };
    let v: Verdicts = match mutation {
        Some(m) => with_mutation(m, evaluate),
        None => evaluate(),
    };
    v.claims.iter().map(|c| (c.name.clone(), c.status)).collect()
}

/// Whether claim `name` failed (not merely inconclusive: a wrong theory must be contradicted).
fn failed(verdicts: &[(String, Status)], name: &str) -> bool {
    verdicts.iter().find(|(n, _)| n == name).unwrap().1 == Status::Fail
}

#[test]
fn the_right_theory_passes_every_claim_it_has_the_evidence_for() {
    // 300 trials cannot confirm agreement to 1% (an equivalence test): that claim is undecided, never failed.
    let v = verdicts(None);
    let agree = v.iter().find(|(n, _)| n == "agree").unwrap().1;
    assert_eq!(agree, Status::Inconclusive, "{v:?}");
    assert!(v.iter().filter(|(n, _)| n != "agree").all(|(_, s)| *s == Status::Pass), "{v:?}");
}

#[test]
fn omega_off_by_five_or_three_percent_fails_the_agreement_claim() {
    for factor in [1.05, 0.95, 1.03, 0.97] {
        let v = verdicts(Some(Mutation::OmegaScaled(factor)));
        assert!(failed(&v, "agree"), "Ω × {factor} still agrees: {v:?}");
    }
}

#[test]
fn a_wrong_gain_formula_fails_the_optimality_claim() {
    let v = verdicts(Some(Mutation::GainWithoutVariance));
    assert!(failed(&v, "minimum"), "{v:?}");
}

#[test]
fn a_mask_threshold_on_zeta_fails_the_mask_claim() {
    let v = verdicts(Some(Mutation::MaskOnZeta));
    assert!(failed(&v, "best_mask"), "{v:?}");
}

/// Issue 17 item 7: the limit of R*/R(β^t) for α = 2, β = 2.5, where K(2, 2.5) = cos(3π/8)/(2 − 1.5) = 0.76537 and
/// the theory at p = 2·10^5 is within 0.1% of it from n = 200 on (numpy: 0.76584 at n = 200, 0.76560 at n = 400,
/// p = 4·10^6; p converges like (n/p)^{min(α,β)−1} = n/p here).
const SCALE_SPEC: &str = r#"
title "scale power"
spectrum cov = powerlaw(p: 200000, alpha: 2.0)
signal beta = powerlaw_energy(cov, beta: 2.5)
task t = gaussian(cov, beta)
experiment gain {
  task t
  n [200, 400]
  measure scale
}
experiment gain_p {
  task t
  n 100
  p [50000, 100000, 200000]
  measure scale
}
claim limit "R*/R(β^t) is within 0.2% of K(α, β)" { close gain.ratio, gain.constant tolerance relative(0.002) }
claim settled "R*/R(β^t) has settled in p" { flat gain_p.ratio, gain_p.constant tolerance relative(0.0002) }
"#;

/// The verdicts of [`SCALE_SPEC`], by claim name, under an optional mutation.
fn scale_verdicts(mutation: Option<Mutation>) -> Vec<(String, Status)> {
    let evaluate = || {
        let spec = resolve(&parse(SCALE_SPEC).unwrap(), SCALE_SPEC, std::path::Path::new(".")).unwrap();
        let plan = super::plan(&spec);
        let results = run(&plan, &RunOptions::default()).unwrap();
        judge(&plan, &results)
    };
    let v: Verdicts = match mutation {
        Some(m) => with_mutation(m, evaluate),
        None => evaluate(),
    };
    v.claims.iter().map(|c| (c.name.clone(), c.status)).collect()
}

#[test]
fn issue_17_a_wrong_omega_or_limit_formula_fails_the_scale_limit_claim() {
    let v = scale_verdicts(None);
    assert!(v.iter().all(|(_, s)| *s == Status::Pass), "{v:?}");
    // Ω off by 2% moves the finite ratio away from K (which needs no Ω); the wrong Beta integral moves K itself.
    for mutation in [Mutation::OmegaScaled(1.02), Mutation::OmegaScaled(0.98), Mutation::ConstantFullAngle] {
        let v = scale_verdicts(Some(mutation));
        assert!(failed(&v, "limit"), "{mutation:?} still passes: {v:?}");
    }
}
