//! Calibration of the intervals behind every claim (issue 6, item 1): the coverage of the nominal 95%
//! Student-t intervals, measured on simulated least-squares risks whose expectation is known exactly.
//!
//! Setting: OLS (n > p + 1) on a Gaussian design x ~ N(0, Σ), labels y = Xβ^s + z, z ~ N(0, σ²Iₙ). The fit is
//! β̂ = β^s + (XᵀX)⁻¹Xᵀz, so R(β̂) = ‖Σ^{1/2}(β^s − β⋆)‖² + 2(β^s − β⋆)ᵀΣ(XᵀX)⁻¹Xᵀz + σ²‖Σ^{1/2}(XᵀX)⁻¹Xᵀz‖²
//! and, with E[(XᵀX)⁻¹] = Σ⁻¹/(n − p − 1) (inverse Wishart mean) and the cross term centred,
//! E R = ‖Σ^{1/2}(β^s − β⋆)‖² + σ² p/(n − p − 1). Two surrogates share X and z (paired trials), so their
//! risk difference has expectation exactly ‖Σ^{1/2}(β^s₁ − β⋆)‖² − ‖Σ^{1/2}(β^s₂ − β⋆)‖².
//!
//! Every seed is an independent replication: `trials` trials from the streams of [`StreamKey::new`]`(seed, …)`,
//! one interval for the mean risk of β^s = β⋆ and one for the paired difference shifted − truth.
//!
//! The long version prints the coverage over 4000 seeds for 20 to 400 trials per interval:
//! `cargo test --release --lib calibration::long -- --ignored --nocapture`. Measured (p = 5, n = 20):
//! the paired-difference interval covers 94.3–95.4% at every trial count; the mean interval undercovers at
//! small counts (91.8% at 20 trials, 93.2% at 50 and 100) because the OLS risk is strongly right-skewed
//! (σ²‖Σ^{1/2}(XᵀX)⁻¹Xᵀz‖² has an inverse-Wishart tail at n − p − 1 = 14), and is calibrated from 150 trials
//! on (94.7% at 150, 94.3% at 200, 95.4% at 400). Paired differences are far less skewed: the shared noise
//! term cancels up to the cross term, which is symmetric.

use faer::Mat;

use crate::sim::{Design, PointJob, StreamKey, simulate_point};
use crate::stats::{PairedComparison, Summary};

/// The dimension p.
const P: usize = 5;
/// The sample size n > p + 1.
const N: usize = 20;
/// The label noise variance σ².
const NOISE: f64 = 0.5;
/// The nominal confidence of the intervals.
const CONFIDENCE: f64 = 0.95;

/// The spectrum λ_i = 1/i (the OLS risk does not depend on it; the shift's risk does).
fn lambda() -> Vec<f64> {
    (1..=P).map(|i| 1.0 / i as f64).collect()
}

/// β⋆ and the shift δ of the second surrogate β^s = β⋆ + δ.
fn beta_and_shift() -> (Vec<f64>, Vec<f64>) {
    let beta = (0..P).map(|i| 1.0 - 0.3 * i as f64).collect();
    let shift = (0..P).map(|i| if i % 2 == 0 { 0.2 } else { -0.1 }).collect();
    (beta, shift)
}

/// E R(β⋆) = σ² p/(n − p − 1) (OLS, inverse Wishart mean).
fn expected_risk() -> f64 {
    NOISE * P as f64 / (N - P - 1) as f64
}

/// E[R(β⋆ + δ) − R(β⋆)] = ‖Σ^{1/2}δ‖² = Σ λ_i δ_i².
fn expected_difference() -> f64 {
    let (_, shift) = beta_and_shift();
    lambda().iter().zip(&shift).map(|(l, d)| l * d * d).sum()
}

/// The job: columns β⋆ and β⋆ + δ on the diagonal design λ.
fn job() -> PointJob {
    let (beta, shift) = beta_and_shift();
    let columns = Mat::from_fn(P, 2, |i, j| beta[i] + if j == 1 { shift[i] } else { 0.0 });
    PointJob::new(Design::new(lambda()).unwrap(), beta, columns, NOISE, N).unwrap()
}

/// Measured coverage of both interval kinds over independent seeds.
#[derive(Debug)]
struct Coverage {
    /// Seeds (replications).
    seeds: usize,
    /// Fraction of mean intervals covering E R(β⋆).
    mean: f64,
    /// Fraction of paired-difference intervals covering E[R(β⋆ + δ) − R(β⋆)].
    paired: f64,
}

/// Replicates the experiment on seeds `first..first + seeds`, `trials` trials each.
fn coverage(first: u64, seeds: usize, trials: usize) -> Coverage {
    let job = job();
    let (risk, difference) = (expected_risk(), expected_difference());
    let (mut mean, mut paired) = (0, 0);
    for seed in first..first + seeds as u64 {
        let samples = simulate_point(&job, 0..trials, &StreamKey::new(seed, "calibration", 0), None).unwrap();
        assert_eq!(samples.info.fallbacks, 0, "OLS at n = {N}, p = {P} is well conditioned");
        let (truth, shifted) = (samples.surrogate(0), samples.surrogate(1));
        mean += usize::from(Summary::new(truth, CONFIDENCE).unwrap().covers(risk));
        paired += usize::from(PairedComparison::new(shifted, truth, CONFIDENCE).unwrap().difference.covers(difference));
    }
    Coverage { seeds, mean: mean as f64 / seeds as f64, paired: paired as f64 / seeds as f64 }
}

/// Asserts that both coverages lie within `band` of the nominal level.
#[track_caller]
fn assert_calibrated(c: &Coverage, band: (f64, f64)) {
    for (what, rate) in [("mean", c.mean), ("paired difference", c.paired)] {
        assert!(band.0 <= rate && rate <= band.1, "{what} coverage {rate} outside {band:?} over {} seeds", c.seeds);
    }
}

#[test]
fn the_closed_forms_are_what_the_simulation_averages_to() {
    // A direct check of the two expectations the coverage is measured against: 4000 trials, 4 standard errors.
    let samples = simulate_point(&job(), 0..4000, &StreamKey::new(99, "calibration", 0), None).unwrap();
    let truth = Summary::new(samples.surrogate(0), 0.95).unwrap();
    assert!((truth.mean - expected_risk()).abs() < 4.0 * truth.se, "{truth:?} vs {}", expected_risk());
    let d = PairedComparison::new(samples.surrogate(1), samples.surrogate(0), 0.95).unwrap().difference;
    assert!((d.mean - expected_difference()).abs() < 4.0 * d.se, "{d:?} vs {}", expected_difference());
}

#[test]
fn intervals_cover_at_the_nominal_rate_on_fixed_seeds() {
    // 400 seeds: the coverage of a calibrated 95% interval has standard error √(0.95·0.05/400) ≈ 0.011, so a
    // band of ±0.035 (3.2 standard errors) fails a calibrated interval with probability < 0.2% per kind, and
    // fails an interval that really covers 90% (or 99%).
    // 150 trials is the smallest count in specs/paper.kd; 20 trials undercover (see [`long`]).
    assert_calibrated(&coverage(1, 400, 150), (0.915, 0.985));
    assert_calibrated(&coverage(1_000_001, 400, 400), (0.915, 0.985));
}

#[test]
#[ignore = "long: about 25 s; run with --ignored --nocapture to print the coverage"]
fn long() {
    let runs: Vec<(usize, Coverage)> =
        [20, 50, 100, 150, 200, 400].into_iter().map(|t| (t, coverage(1, 4000, t))).collect();
    for (trials, c) in &runs {
        println!(
            "coverage of the nominal 95% intervals, {} seeds × {trials} trials (p = {P}, n = {N}): mean {:.2}%, \
             paired difference {:.2}%",
            c.seeds,
            100.0 * c.mean,
            100.0 * c.paired
        );
    }
    // Small samples undercover: the risk is right-skewed (inverse Wishart tail), see the module documentation.
    // The band is asserted from 150 trials on, the smallest trial count in specs/paper.kd.
    for (_, c) in runs.iter().filter(|(t, _)| *t >= 150) {
        assert_calibrated(c, (0.935, 0.965));
    }
}

/// The error rates of `agree` (an equivalence test) with fixed and adaptive trials, measured at the hardest true
/// claim: the true mean E R lies exactly on the edge of the band, E R = θ(1 + r) for a "theory" θ = E R/(1 + r)
/// and `tolerance relative(r)`. The claim is true (|E R − θ| ≤ r·θ), and it is falsely failed iff the interval
/// lies entirely above θ(1 + r) = E R, i.e. misses E R from above: at most 1 − confidence by construction.
mod equivalence {
    use crate::claims::Status;
    use crate::{Results, RunOptions, Spec, decided, judge, parse, resolve, run};

    /// The OLS setting of this module on an isotropic spectrum (the risk at β^s = β⋆ does not depend on it).
    fn spec(trials: &str, seed: u64) -> Spec {
        let source = format!(
            r#"
title "calibration"
seed {seed}
spectrum flat = isotropic(p: 5)
signal ones = constant(flat, power: 1)
task t = gaussian(flat, ones, noise: 0.5)
surrogate truth = ground_truth
experiment ols {{ task t  n 20  surrogates truth  trials {trials} }}
claim edge "the mean is within 10% of θ" {{ agree ols  tolerance relative(0.1)  confidence 0.9 }}
"#
        );
        resolve(&parse(&source).unwrap(), &source, std::path::Path::new(".")).unwrap()
    }

    /// E R = σ² p/(n − p − 1) (inverse-Wishart mean), as in [`super::expected_risk`], moved to the band's edge.
    fn edge(results: &mut Results) {
        let theory = super::expected_risk() / 1.1;
        results.experiments[0].series[0].points[0].theory = theory;
    }

    /// The verdict of the edge claim on seed `seed`.
    fn verdict(trials: &str, seed: u64) -> Status {
        let spec = spec(trials, seed);
        let plan = super::super::plan(&spec);
        let stop = |partial: &Results, running: usize| {
            let mut moved = partial.clone();
            edge(&mut moved);
            decided(&plan, &moved, running)
        };
        let mut results = run(&plan, &RunOptions { decided: Some(&stop), ..RunOptions::default() }).unwrap();
        edge(&mut results);
        judge(&plan, &results).claims[0].status
    }

    /// The fraction of `seeds` seeds (from `first`) that fail the true claim, with the upper end of its
    /// one-sided 99.9% Clopper–Pearson interval (by the normal approximation with continuity correction, enough
    /// at these counts).
    fn false_failures(trials: &str, first: u64, seeds: u64) -> (f64, f64, f64) {
        let statuses: Vec<Status> = (first..first + seeds).map(|s| verdict(trials, s)).collect();
        let rate = |s: Status| statuses.iter().filter(|&&x| x == s).count() as f64 / seeds as f64;
        let failed = rate(Status::Fail);
        let low = failed - 3.09 * (failed * (1.0 - failed) / seeds as f64).sqrt() - 0.5 / seeds as f64;
        (failed, low, rate(Status::Pass))
    }

    /// Asserts that the false-failure rate is not significantly above 1 − confidence = 0.1.
    #[track_caller]
    fn assert_controlled(trials: &str, seeds: u64) {
        let (failed, low, passed) = false_failures(trials, 1, seeds);
        println!(
            "agree at the band's edge, trials {trials}, {seeds} seeds: false failures {:.2}% (99.9% lower bound \
             {:.2}%), passes {:.2}%",
            100.0 * failed,
            100.0 * low.max(0.0),
            100.0 * passed
        );
        assert!(low <= 0.1, "false failures {failed} significantly above 1 − confidence = 0.1 ({trials})");
    }

    #[test]
    fn a_true_claim_is_falsely_failed_at_most_at_one_minus_confidence() {
        assert_controlled("200", 400);
        assert_controlled("auto(max: 800)", 400);
    }

    #[test]
    #[ignore = "long: about a minute; run with --ignored --nocapture to print the rates"]
    fn long() {
        for trials in ["100", "400", "auto(max: 800)", "auto(max: 3200)"] {
            assert_controlled(trials, 4000);
        }
    }
}
