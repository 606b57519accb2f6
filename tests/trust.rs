//! Trustworthy outputs (issue 6): the inconclusive verdict on the command line, hostile specs, output paths,
//! provenance and numerics near the edges.

use crate::support::{Scratch, kdrepro};

/// A small spec: one simulated sweep and an agreement claim with a precision no 300 trials can reach.
const IMPRECISE: &str = r#"
title "Imprecise"
seed 7
spectrum cov = powerlaw(p: 60, alpha: 1.5)
signal beta = powerlaw_energy(cov, beta: 1.2, power: 1)
task t = gaussian(cov, beta, noise: 0.01)
surrogate truth = ground_truth
surrogate best = optimal
experiment sweep {
  task t
  n 10..40 step 10
  surrogates truth, best
  trials 300
}
claim wins "The optimal surrogate wins" { holds sweep.best < sweep.truth }
claim sharp "Theory matches simulation to 0.01%" { agree sweep tolerance relative(0.05) precision relative(0.0001) }
"#;

#[test]
fn an_inconclusive_claim_exits_four_and_shows_everywhere() {
    let dir = Scratch::new("inconclusive");
    let spec = dir.file("imprecise.kd", IMPRECISE);
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("INCONCLUSIVE sharp:") && stderr.contains("pass wins:"), "{stderr}");
    let yaml = std::fs::read_to_string(dir.path.join("out/imprecise.results.yaml")).unwrap();
    assert!(yaml.contains("verdict: inconclusive") && yaml.contains("verdict: pass"), "{yaml}");
    let typ = std::fs::read_to_string(dir.path.join("out/imprecise.typ")).unwrap();
    assert!(typ.contains("#verdict(\"inconclusive\")") && typ.contains("*Inconclusive*"), "{typ}");
    assert!(typ.contains("#verdict-word(\"inconclusive\")"), "{typ}");
    assert!(std::fs::read(dir.path.join("out/imprecise.pdf")).unwrap().starts_with(b"%PDF"));
}
