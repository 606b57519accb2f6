//! `kdrepro check` prints the plan; `check` and `build` refuse specs that would not fit in memory.

use crate::support::{Scratch, kdrepro, located};

/// One simulated and one theory-only experiment.
const SPEC: &str = r#"
title "Plan"
spectrum cov = isotropic(p: 100)
signal beta = constant(cov)
task t = gaussian(cov, beta, noise: 0.1)
surrogate truth = ground_truth
experiment sim {
  task t
  n [50, 200]
  surrogates truth
  trials 40
}
experiment th {
  task t
  n 50
  surrogates truth
  measure coefficients
}
claim c "Theory matches simulation" { agree sim  tolerance relative(0.05) }
"#;

#[test]
fn check_prints_experiments_costs_and_claims() {
    let dir = Scratch::new("plan-print");
    let spec = dir.file("plan.kd", SPEC);
    let out = kdrepro(&dir.path, &["check", spec.to_str().unwrap()], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for line in [
        "simulated experiments (1,",
        "  sim: 2 points (n = 50..200), p = 100, 40 trials per point,",
        "theory-only experiments (1):",
        "  th: 1 point (n = 50), p = 100",
        "  c: `agree` on sim (simulated, confidence 0.99): Theory matches simulation",
        "total: 80 trials,",
    ] {
        assert!(stdout.contains(line), "the plan lacks `{line}`:\n{stdout}");
    }
}

#[test]
fn a_spec_above_the_memory_limit_is_refused_at_its_experiment() {
    let dir = Scratch::new("plan-memory");
    dir.file("plan.kd", SPEC);
    let check: &[&str] = &["check", "plan.kd", "--memory-limit", "10K"];
    let build: &[&str] = &["build", "plan.kd", "--memory-limit", "10K", "--jobs", "1", "--out", "out"];
    for args in [check, build] {
        let out = kdrepro(&dir.path, args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(located(&stderr, "plan.kd:7:12", "error: experiment `sim` needs about"), "{args:?}: {stderr}");
        assert!(stderr.contains("above the limit of 10.0 KiB"), "{stderr}");
    }
    assert!(!dir.path.join("out").exists(), "a refused build writes nothing");
}
