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

/// A weak ERM surrogate on 20 scattered features of p = 100 (issue 17 item 6), with its teacher.
const SUBSET_SPEC: &str = r#"
title "power of the subset theory"
seed 5
spectrum cov = powerlaw(p: 100, alpha: 1.5)
signal beta = powerlaw_energy(cov, beta: 1.2, power: 1.0)
task t = gaussian(cov, beta, noise: 0.05)
surrogate scattered = erm(spectrum: cov, m: 40, features: random(keep: 20, seed: 5))
surrogate alone = teacher(of: scattered)
experiment weak {
  task t
  n [30, 60]
  surrogates scattered, alone
  trials 300
}
claim agree "theory matches simulation within 10%" { agree weak tolerance relative(0.1) }
"#;

#[test]
fn issue_17_counting_the_first_features_omitted_fails_a_scattered_subset() {
    let evaluate = || {
        let spec = resolve(&parse(SUBSET_SPEC).unwrap(), SUBSET_SPEC, std::path::Path::new(".")).unwrap();
        let plan = super::plan(&spec);
        let results = run(&plan, &RunOptions::default()).unwrap();
        let v = judge(&plan, &results);
        v.claims.iter().map(|c| (c.name.clone(), c.status)).collect::<Vec<_>>()
    };
    let right = evaluate();
    assert!(!failed(&right, "agree"), "{right:?}");
    let wrong = with_mutation(Mutation::OmittedFirst, evaluate);
    assert!(failed(&wrong, "agree"), "{wrong:?}");
}
