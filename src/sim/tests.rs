//! Runner-level tests: determinism and exact finite-sample facts of the estimators.

use faer::Mat;

use super::error::SimError;
use super::runner::PointSamples;
use super::runner::simulate_point_with;
use super::surrogate::{ErmSurrogate, SurrogateColumn};
use super::workspace::SolvePath;
use super::*;
use crate::theory::{Features, Kept};

/// A job with diagonal covariance `lambda`, target β⋆ and surrogate columns `surrogates`.
fn job(lambda: Vec<f64>, beta_star: &[f64], surrogates: &[Vec<f64>], noise: f64, n: usize) -> PointJob {
    let p = lambda.len();
    let B = Mat::from_fn(p, surrogates.len(), |i, j| surrogates[j][i]);
    PointJob::new(Design::new(lambda).unwrap(), beta_star.to_vec(), B, noise, n).unwrap()
}

/// Mean and standard error of the mean.
fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that the Monte Carlo mean of `x` is within 4 standard errors of `expected`.
#[track_caller]
fn assert_mean(x: &[f64], expected: f64) {
    let (mean, se) = mean_se(x);
    assert!((mean - expected).abs() < 4.0 * se, "mean {mean} ± {se}, expected {expected}");
}

/// Simulates `trials` of `job` under a fixed test key.
fn run(job: &PointJob, trials: std::ops::Range<usize>, path: SolvePath) -> PointSamples {
    simulate_point_with(job, trials, &StreamKey::new(2024, "tests", 0), None, path).unwrap()
}

/// A noisy job on p = 30 features with λ_i = 1/i and two surrogates, at sample size `n`.
fn small_noisy_job(n: usize) -> PointJob {
    let lambda: Vec<f64> = (1..=30).map(|i| 1.0 / f64::from(i)).collect();
    let beta: Vec<f64> = (0..30).map(|i| f64::from(i % 3) - 0.5).collect();
    let other: Vec<f64> = beta.iter().map(|b| 0.5 * b).collect();
    job(lambda, &beta, &[beta.clone(), other], 0.3, n)
}

/// Runs `f` on a rayon pool of `threads` worker threads.
fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let job = small_noisy_job(12);
    let key = StreamKey::new(1, "threads", 4);
    let simulate = |threads| in_pool(threads, || simulate_point(&job, 0..40, &key, None).unwrap());
    let (one, two) = (simulate(1), simulate(2));
    assert_eq!(one.risks, two.risks);
    assert!(one.risks.col_as_slice(0).iter().all(|r| r.is_finite() && *r > 0.0));
    let sweep = small_sweep(&[5, 12]);
    let nested = |threads| in_pool(threads, || simulate_nested(&sweep, 0..40, &key, None).unwrap());
    assert_eq!(nested(1), nested(2));
}

#[test]
fn shorter_runs_are_prefixes_and_ranges_are_order_free() {
    let job = small_noisy_job(40);
    let long = run(&job, 0..30, SolvePath::Auto);
    let short = run(&job, 0..10, SolvePath::Auto);
    let middle = run(&job, 12..20, SolvePath::Auto);
    for j in 0..2 {
        assert_eq!(short.surrogate(j), &long.surrogate(j)[..10]);
        assert_eq!(middle.surrogate(j), &long.surrogate(j)[12..20]);
    }
}

#[test]
fn progress_is_reported_once_per_trial() {
    let job = small_noisy_job(12);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let report = |k: usize| {
        done.fetch_add(k, std::sync::atomic::Ordering::Relaxed);
    };
    simulate_point(&job, 3..20, &StreamKey::new(0, "progress", 0), Some(&report)).unwrap();
    assert_eq!(done.into_inner(), 17);
}

#[test]
fn surrogates_share_the_trial_noise() {
    // Two identical surrogate columns see the same X and the same z, hence identical risks.
    let lambda = vec![1.0; 6];
    let beta = [1.0, -1.0, 0.5, 0.0, 2.0, 1.0];
    let job = job(lambda, &beta, &[beta.to_vec(), beta.to_vec()], 1.0, 4);
    let samples = run(&job, 0..20, SolvePath::Auto);
    assert_eq!(samples.surrogate(0), samples.surrogate(1));
}

#[test]
fn least_squares_risk_matches_the_inverse_wishart_mean() {
    // OLS, n > p + 1: b − β^s = (XᵀX)⁻¹Xᵀz, so E R = (β^s−β⋆)ᵀΣ(β^s−β⋆) + σ² tr(Σ E(XᵀX)⁻¹)
    // = bias + σ² p/(n − p − 1) for any Σ (X = GΣ^{1/2}, E(GᵀG)⁻¹ = I/(n−p−1)).
    let (p, n, noise) = (10, 25, 1.0);
    let lambda: Vec<f64> = (1..=p).map(|i| 1.0 / f64::from(i)).collect();
    let beta: Vec<f64> = (1..=p).map(f64::from).collect();
    let shifted: Vec<f64> = beta.iter().map(|b| b + 1.0).collect();
    let bias: f64 = lambda.iter().sum(); // Σ λ_i · 1²
    let job = job(lambda, &beta, &[beta.clone(), shifted], noise, n);
    let samples = run(&job, 0..5000, SolvePath::Auto);
    let variance = noise * 10.0 / 14.0;
    assert_mean(samples.surrogate(0), variance);
    assert_mean(samples.surrogate(1), bias + variance);
    assert_eq!(samples.info.fallbacks, 0);
}

#[test]
fn noiseless_min_norm_projects_onto_a_random_subspace() {
    // Σ = I, σ = 0: b = Pβ⋆ with P the projection onto a uniform n-dim subspace of R^p, so
    // E R = E‖(I − P)β⋆‖² = ‖β⋆‖² (1 − n/p).
    let (p, n) = (50, 20);
    let beta: Vec<f64> = (0..p).map(|i| 1.0 + f64::from(i % 5)).collect();
    let norm2: f64 = beta.iter().map(|b| b * b).sum();
    let job = job(vec![1.0; p as usize], &beta, std::slice::from_ref(&beta), 0.0, n);
    let samples = run(&job, 0..2000, SolvePath::Auto);
    assert_mean(samples.surrogate(0), norm2 * (1.0 - 20.0 / 50.0));
}

#[test]
fn noisy_min_norm_adds_the_inverse_wishart_variance() {
    // Σ = I: E R = ‖β⋆‖²(1 − n/p) + σ² tr E(XXᵀ)⁻¹ = ‖β⋆‖²(1 − n/p) + σ² n/(p − n − 1).
    // n close to p makes the noise term dominate: 4 · (1 − 30/40) + 30/9.
    let (p, n, noise) = (40, 30, 1.0);
    let beta: Vec<f64> = (0..p).map(|i| if i % 2 == 0 { 0.4 } else { -0.2 }).collect();
    let norm2: f64 = beta.iter().map(|b| b * b).sum();
    let job = job(vec![1.0; p as usize], &beta, std::slice::from_ref(&beta), noise, n);
    let samples = run(&job, 0..2000, SolvePath::Auto);
    assert_mean(samples.surrogate(0), norm2 * 0.25 + noise * 30.0 / 9.0);
}

/// Asserts that the QR fallback reproduces the factorisation path and is counted.
#[track_caller]
fn assert_fallback_agrees(job: &PointJob) {
    let fast = run(job, 0..5, SolvePath::Auto);
    let robust = run(job, 0..5, SolvePath::ForceFallback);
    assert_eq!((fast.info.fallbacks, robust.info.fallbacks), (0, 5));
    for (a, b) in fast.risks.col_as_slice(0).iter().zip(robust.risks.col_as_slice(0)) {
        assert!((a - b).abs() <= 1e-8 * a.abs(), "factorisation {a} vs QR {b}");
    }
}

#[test]
fn fallback_matches_cholesky_for_min_norm() {
    assert_fallback_agrees(&small_noisy_job(12));
}

#[test]
fn fallback_matches_cholesky_for_least_squares() {
    assert_fallback_agrees(&small_noisy_job(60));
}

#[test]
fn fallback_matches_lu_for_square_designs() {
    assert_fallback_agrees(&small_noisy_job(30));
}

#[test]
fn exactly_singular_gram_is_solved_on_the_positive_directions() {
    // λ = (1, 1, 0, …): X has two non-zero columns, XXᵀ (n = 5) has rank 2. The min-norm solution
    // X⁺y recovers β⋆ on the two live features and is 0 elsewhere, so R = 0 (λ_i = 0 there).
    let lambda = [vec![1.0, 1.0], vec![0.0; 8]].concat();
    let beta = [0.7, -1.3, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    let min_norm = job(lambda, &beta, &[beta.to_vec()], 0.0, 5);
    // λ_5 = 0 makes XᵀX (p = 5, n = 20) singular; the minimum-norm least-squares fit is exact.
    let least_squares = job(vec![1.0, 2.0, 3.0, 4.0, 0.0], &beta[..5], &[beta[..5].to_vec()], 0.0, 20);
    for job in [min_norm, least_squares] {
        let samples = run(&job, 0..8, SolvePath::Auto);
        assert_eq!(samples.info.fallbacks, 8);
        assert!(samples.surrogate(0).iter().all(|r| r.abs() < 1e-20), "{:?}", samples.risks);
    }
}

#[test]
fn invalid_parameters_are_errors() {
    assert_eq!(Design::new(vec![]), Err(SimError::NoFeatures));
    assert_eq!(Design::new(vec![1.0, -0.5]), Err(SimError::InvalidEigenvalue { index: 1, value: -0.5 }));
    let design = || Design::new(vec![1.0; 3]).unwrap();
    let B = || Mat::<f64>::zeros(3, 1);
    assert_eq!(PointJob::new(design(), vec![0.0; 3], B(), 0.0, 0), Err(SimError::NoSamples));
    assert_eq!(PointJob::new(design(), vec![0.0; 3], B(), -1.0, 2), Err(SimError::InvalidNoiseVariance(-1.0)));
    assert_eq!(PointJob::new(design(), vec![0.0; 3], Mat::zeros(3, 0), 0.0, 2), Err(SimError::NoSurrogates));
}

/// Largest relative difference between two equally long risk samples.
fn max_relative_gap(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / x.abs().max(y.abs())).fold(0.0, f64::max)
}

/// λ_i = i^−α for i = 1..p.
fn power_law(p: usize, alpha: f64) -> Vec<f64> {
    (1..=p).map(|i| (i as f64).powf(-alpha)).collect()
}

/// A job over `design` with one fixed column per entry of `surrogates`.
fn job_on(design: Design, beta_star: &[f64], surrogates: &[Vec<f64>], noise: f64, n: usize) -> PointJob {
    let columns = surrogates.iter().map(|b| SurrogateColumn::Fixed(b.clone())).collect();
    PointJob::with_columns(design, beta_star.to_vec(), columns, noise, n).unwrap()
}

#[test]
fn streamed_design_matches_the_stored_one() {
    // p = 600 spans several generation chunks; the streamed fit accumulates XXᵀ chunk by chunk.
    let (p, n) = (600, 40);
    let lambda = power_law(p, 1.0);
    let beta: Vec<f64> = (0..p).map(|i| (i % 7) as f64 * 0.1 - 0.3).collect();
    let half: Vec<f64> = beta.iter().map(|b| 0.5 * b).collect();
    let stored = job_on(Design::new(lambda).unwrap(), &beta, &[beta.clone(), half], 0.5, n);
    let streamed = stored.clone().with_stream_entries(1);
    assert!(streamed.streams_design() && !stored.streams_design());
    let (a, b) = (run(&stored, 0..6, SolvePath::Auto), run(&streamed, 0..6, SolvePath::Auto));
    for j in 0..2 {
        let gap = max_relative_gap(a.surrogate(j), b.surrogate(j));
        assert!(gap < 1e-11, "surrogate {j}: stored and streamed differ by {gap:e}");
    }
}

#[test]
fn streamed_designs_refuse_a_point_they_cannot_fit_accurately() {
    // A streamed design has no QR fallback (X is never stored whole): when the Cholesky path is not accepted
    // (forced here), the point is refused with its reason instead of being fitted by another estimator.
    let job = small_noisy_job(12).with_stream_entries(1);
    let key = StreamKey::new(2024, "tests", 0);
    let err = simulate_point_with(&job, 0..3, &key, None, SolvePath::ForceFallback).unwrap_err();
    assert!(matches!(err, SimError::Inaccurate { trial: 0, by_qr: false, .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("too large to store for the QR fallback") && message.contains("refused"), "{message}");
}

#[test]
fn streamed_runs_are_deterministic_prefixes() {
    let job = small_noisy_job(12).with_stream_entries(1);
    let key = StreamKey::new(3, "streamed", 1);
    let long = in_pool(1, || simulate_point(&job, 0..12, &key, None).unwrap());
    let short = simulate_point(&job, 0..5, &key, None).unwrap();
    assert_eq!(short.surrogate(0), &long.surrogate(0)[..5]);
}

#[test]
fn rotated_designs_give_the_diagonal_risks() {
    // X = X̄ Uᵀ with the same X̄: b = U b̄ in exact arithmetic, so every trial's risk is unchanged (Obs. 2).
    for n in [12, 30, 55] {
        let lambda = power_law(30, 1.0);
        let beta: Vec<f64> = (0..30).map(|i| f64::from(i % 3) - 0.5).collect();
        let other: Vec<f64> = beta.iter().map(|b| 0.5 * b).collect();
        let surrogates = [beta.clone(), other];
        let diagonal = job_on(Design::new(lambda.clone()).unwrap(), &beta, &surrogates, 0.3, n);
        let rotated = job_on(Design::rotated(lambda, 9).unwrap(), &beta, &surrogates, 0.3, n);
        let (a, b) = (run(&diagonal, 0..20, SolvePath::Auto), run(&rotated, 0..20, SolvePath::Auto));
        for j in 0..2 {
            let gap = max_relative_gap(a.surrogate(j), b.surrogate(j));
            assert!(gap < 1e-9, "n = {n}, surrogate {j}: rotated and diagonal risks differ by {gap:e}");
        }
    }
}

#[test]
fn rotated_least_squares_matches_the_inverse_wishart_mean() {
    // OLS under any Σ = UΛUᵀ: E R = (β^s−β⋆)ᵀΣ(β^s−β⋆) + σ² p/(n − p − 1), measured in the eigenbasis.
    let (p, n) = (10, 25);
    let beta: Vec<f64> = (1..=p).map(f64::from).collect();
    let shifted: Vec<f64> = beta.iter().map(|b| b + 1.0).collect();
    let lambda = power_law(p as usize, 1.0);
    let bias: f64 = lambda.iter().sum();
    let job = job_on(Design::rotated(lambda, 5).unwrap(), &beta, &[beta.clone(), shifted], 1.0, n);
    let samples = run(&job, 0..3000, SolvePath::Auto);
    assert_mean(samples.surrogate(0), 10.0 / 14.0);
    assert_mean(samples.surrogate(1), bias + 10.0 / 14.0);
}

#[test]
fn test_spectrum_weights_the_risk() {
    // OLS with Σ_s = diag(λ_s), risk under Σ_t = diag(λ_t): b − β⋆ = (XᵀX)⁻¹Xᵀz and E(XᵀX)⁻¹ = Σ_s⁻¹/(n−p−1),
    // so E R = σ² Σ_i λ_t,i/λ_s,i /(n − p − 1) = 55/14 for λ_s,i = 1/i, λ_t = 1, p = 10, n = 25.
    let (p, n) = (10, 25);
    let beta = vec![1.0; p];
    let job = job_on(Design::new(power_law(p, 1.0)).unwrap(), &beta, std::slice::from_ref(&beta), 1.0, n);
    let shifted = job.with_test_spectrum(vec![1.0; p]).unwrap();
    assert_mean(run(&shifted, 0..4000, SolvePath::Auto).surrogate(0), 55.0 / 14.0);
}

/// A job whose only column is an ERM surrogate (fitted on `features` of p features, m samples).
fn two_stage_job(
    lambda_s: Vec<f64>,
    lambda_t: Vec<f64>,
    beta: &[f64],
    noises: (f64, f64),
    features: usize,
    m: usize,
    n: usize,
) -> PointJob {
    let erm = ErmSurrogate {
        lambda_s,
        features: Features::First(features),
        m,
        noise_s: noises.0,
        ridge: 0.0,
        gain: None,
        labels: None,
    };
    let columns = vec![SurrogateColumn::Erm(erm), SurrogateColumn::Fixed(beta.to_vec())];
    PointJob::with_columns(Design::new(lambda_t).unwrap(), beta.to_vec(), columns, noises.1, n).unwrap()
}

#[test]
fn two_stage_least_squares_adds_both_noise_terms() {
    // Both stages OLS with Σ_s = Σ_t: β^s − β⋆ and b − β^s are independent OLS noises, so
    // E R(b) = σ_s² p/(m−p−1) + σ_t² p/(n−p−1) and E R(β^s) = σ_s² p/(m−p−1) exactly.
    let (p, m, n) = (8, 20, 30);
    let lambda = power_law(p, 1.5);
    let beta: Vec<f64> = (0..p).map(|i| 1.0 - 0.2 * i as f64).collect();
    let job = two_stage_job(lambda.clone(), lambda, &beta, (0.5, 0.2), p, m, n);
    let samples = run(&job, 0..4000, SolvePath::Auto);
    assert_mean(samples.surrogate_risk(0).unwrap(), 0.5 * 8.0 / 11.0);
    assert_mean(samples.surrogate(0), 0.5 * 8.0 / 11.0 + 0.2 * 8.0 / 21.0);
    assert_mean(samples.surrogate(1), 0.2 * 8.0 / 21.0);
    assert_eq!(samples.surrogate_risk(1), None);
}

#[test]
fn weak_surrogate_treats_the_hidden_features_as_noise() {
    // OLS on the first p_s of p independent features: ỹ = x̃₁β₁ + (x̃₂β₂ + z̃), the bracket being
    // N(0, σ_s² + Σ_{i>p_s} λ_i β_i²) noise independent of x̃₁. So β^s = (β₁ + OLS noise, 0) and
    // E R(β^s) = h + (σ_s² + h) p_s/(m − p_s − 1) with h = Σ_{i>p_s} λ_i β_i².
    let (p, ps, m) = (12, 5, 30);
    let lambda = power_law(p, 1.0);
    let beta = vec![1.0; p];
    let hidden: f64 = lambda[ps..].iter().sum();
    let job = two_stage_job(lambda.clone(), lambda, &beta, (0.3, 0.0), ps, m, 40);
    let samples = run(&job, 0..4000, SolvePath::Auto);
    assert_mean(samples.surrogate_risk(0).unwrap(), hidden + (0.3 + hidden) * 5.0 / 24.0);
}

#[test]
fn a_scattered_subset_matches_the_theory_of_its_coordinates() {
    // Issue 17 item 6: a surrogate fitted on 15 scattered features of p = 60 (λ_i = i^-1): the draw is the one
    // a first-p_s surrogate makes, the fit gathers the columns S, and the theory counts Σ_{i∉S} λ_i β_i² as
    // noise. Checked at two least-squares surrogates (m > |S| + 1, where the teacher's theory is exact: an
    // interpolating one at |S| = 15 is 11% off the asymptotic equivalent at this size), with the target
    // interpolating, against the teacher's and the student's theory.
    let p = 60;
    let lambda = power_law(p, 1.0);
    let beta: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-0.3)).collect();
    let subset: Vec<usize> = vec![1, 4, 6, 11, 13, 20, 22, 29, 33, 38, 41, 47, 50, 55, 59];
    for m in [40, 120] {
        let erm = ErmSurrogate {
            lambda_s: lambda.clone(),
            features: Features::Among(subset.clone()),
            m,
            noise_s: 0.1,
            ridge: 0.0,
            gain: None,
            labels: None,
        };
        let job = PointJob::with_columns(
            Design::new(lambda.clone()).unwrap(),
            beta.clone(),
            vec![SurrogateColumn::Erm(erm)],
            0.05,
            30,
        )
        .unwrap();
        let samples = run(&job, 0..2000, SolvePath::Auto);
        let model = crate::theory::TwoStage {
            lambda_s: &lambda,
            lambda_t: &lambda,
            beta_star: &beta,
            sigma_s2: 0.1,
            sigma_t2: 0.05,
            m,
            n: 30,
            features: Kept::Among(&subset),
            ridge_s: 0.0,
            ridge_t: 0.0,
            earlier: &[],
            optimal_labels: false,
        };
        let risks = model.risks().unwrap();
        eprintln!(
            "scattered subset, m = {m}: teacher {}",
            against_theory(samples.surrogate_risk(0).unwrap(), risks.teacher)
        );
        eprintln!("scattered subset, m = {m}: student {}", against_theory(samples.surrogate(0), risks.student));
        assert_near_theory(samples.surrogate_risk(0).unwrap(), risks.teacher, 0.03);
        assert_near_theory(samples.surrogate(0), risks.student, 0.03);
        // Its omitted signal is not the tail's: the first-15 surrogate's teacher is far from this one.
        let first = crate::theory::TwoStage { features: Kept::First(subset.len()), ..model }.risks().unwrap();
        assert!((first.teacher / risks.teacher - 1.0).abs() > 0.1, "{first:?} vs {risks:?}");
    }
}

/// Mean, SE and the relative gap of a sample's mean to `theory`, for reporting.
fn against_theory(x: &[f64], theory: f64) -> String {
    let (mean, se) = mean_se(x);
    format!("simulated {mean:.4} ± {se:.4}, theory {theory:.4} ({:+.1}%)", 100.0 * (mean / theory - 1.0))
}

/// Asserts that the mean of `x` is within 4 SE + `slack` (relative, finite-p effects) of `theory`.
#[track_caller]
fn assert_near_theory(x: &[f64], theory: f64, slack: f64) {
    let (mean, se) = mean_se(x);
    let report = against_theory(x, theory);
    assert!((mean - theory).abs() < 4.0 * se + slack * theory, "{report}");
}

/// The two-stage theory (Definition 3) with a surrogate that sees every feature.
fn two_stage(
    lambda_s: &[f64],
    lambda_t: &[f64],
    beta_star: &[f64],
    (sigma_s2, sigma_t2): (f64, f64),
    m: usize,
    n: usize,
) -> f64 {
    let model = crate::theory::TwoStage {
        lambda_s,
        lambda_t,
        beta_star,
        sigma_s2,
        sigma_t2,
        m,
        n,
        features: Kept::First(beta_star.len()),
        ridge_s: 0.0,
        ridge_t: 0.0,
        earlier: &[],
        optimal_labels: false,
    };
    model.risks().unwrap().student
}

#[test]
fn two_stage_noiseless_matches_figure_2b() {
    // docs/dev/paper.md Figure 2b, α = 1, n = m = 41: p = 100, λ_i = 1/i, σ = 0, constant β⋆ with β⋆ᵀΣβ⋆ = 1;
    // the paper's theory curve reads 0.42 there.
    let lambda = power_law(100, 1.0);
    let c = 1.0 / lambda.iter().sum::<f64>().sqrt();
    let beta = vec![c; 100];
    let theory = two_stage(&lambda, &lambda, &beta, (0.0, 0.0), 41, 41);
    assert!((theory - 0.42).abs() < 0.01, "closed form {theory} vs the paper's 0.42");
    let job = two_stage_job(lambda.clone(), lambda.clone(), &beta, (0.0, 0.0), 100, 41, 41);
    let samples = run(&job, 0..2000, SolvePath::Auto);
    eprintln!("Figure 2b, n = m = 41: {}", against_theory(samples.surrogate(0), theory));
    assert_near_theory(samples.surrogate(0), theory, 0.03);
    // The surrogate itself is a standard min-norm fit on m samples (eq. 11).
    let standard = crate::theory::Regime::new(&lambda, 41).unwrap().standard_risk(&lambda, &beta, 0.0);
    assert_near_theory(samples.surrogate_risk(0).unwrap(), standard, 0.03);
}

#[test]
fn two_stage_with_covariance_shift_and_noise_matches_the_closed_form() {
    // Σ_s ≠ Σ_t, both stages interpolating (m, n < p), σ_s² = 0.2, σ_t² = 0.1.
    let (p, m, n) = (100, 60, 35);
    let (lambda_s, lambda_t) = (power_law(p, 0.5), power_law(p, 1.5));
    let beta: Vec<f64> = (1..=p).map(|i| (i as f64).powf(-0.25)).collect();
    let theory = two_stage(&lambda_s, &lambda_t, &beta, (0.2, 0.1), m, n);
    let job = two_stage_job(lambda_s, lambda_t, &beta, (0.2, 0.1), p, m, n);
    let samples = run(&job, 0..2000, SolvePath::Auto);
    eprintln!("two-stage, Σ_s ≠ Σ_t, noisy: {}", against_theory(samples.surrogate(0), theory));
    assert_near_theory(samples.surrogate(0), theory, 0.03);
}

#[test]
fn erm_and_rotated_runs_do_not_depend_on_thread_count() {
    let lambda = power_law(20, 1.0);
    let beta = vec![0.5; 20];
    let erm = two_stage_job(lambda.clone(), lambda.clone(), &beta, (0.1, 0.1), 15, 10, 8);
    let rotated = job_on(Design::rotated(lambda, 2).unwrap(), &beta, std::slice::from_ref(&beta), 0.1, 8);
    let key = StreamKey::new(4, "threads", 0);
    for job in [erm, rotated] {
        let simulate = |threads| in_pool(threads, || simulate_point(&job, 0..30, &key, None).unwrap());
        assert_eq!(simulate(1), simulate(2));
    }
}

#[test]
fn invalid_surrogate_columns_are_errors() {
    let erm = |features, m, noise_s, len| {
        let erm = ErmSurrogate {
            lambda_s: vec![1.0; len],
            features: Features::First(features),
            m,
            noise_s,
            ridge: 0.0,
            gain: None,
            labels: None,
        };
        PointJob::with_columns(
            Design::new(vec![1.0; 3]).unwrap(),
            vec![0.0; 3],
            vec![SurrogateColumn::Erm(erm)],
            0.0,
            2,
        )
    };
    assert_eq!(erm(0, 2, 0.0, 3), Err(SimError::InvalidFeatureCount { features: 0, p: 3 }));
    assert_eq!(erm(4, 2, 0.0, 3), Err(SimError::InvalidFeatureCount { features: 4, p: 3 }));
    assert_eq!(erm(3, 0, 0.0, 3), Err(SimError::NoSamples));
    assert!(matches!(erm(3, 2, -1.0, 3), Err(SimError::InvalidNoiseVariance(_))));
    assert_eq!(erm(3, 2, 0.0, 2), Err(SimError::SpectrumLength { expected: 3, found: 2 }));
    let job = erm(3, 2, 0.0, 3).unwrap();
    assert_eq!(job.clone().with_test_spectrum(vec![1.0; 2]), Err(SimError::SpectrumLength { expected: 3, found: 2 }));
    assert!(matches!(job.with_test_spectrum(vec![1.0, -1.0, 0.0]), Err(SimError::InvalidEigenvalue { index: 1, .. })));
}

/// A nested sweep of `small_noisy_job` at the sizes `ns`.
fn small_sweep(ns: &[usize]) -> NestedSweep {
    NestedSweep::new(ns.iter().map(|&n| small_noisy_job(n)).collect()).unwrap()
}

#[test]
fn nested_largest_point_is_the_independent_point() {
    // The sweep draws from the streams of its largest point, whose fit is the independent one bit for bit.
    let key = StreamKey::new(2024, "tests", 0);
    let nested = simulate_nested(&small_sweep(&[6, 11, 17]), 0..40, &key, None).unwrap();
    let independent = simulate_point(&small_noisy_job(17), 0..40, &key, None).unwrap();
    assert_eq!(nested[2].risks, independent.risks);
}

#[test]
fn nested_points_fit_the_leading_rows() {
    // Point n of trial t is the fit on the first n rows (and noise entries) of the trial's largest design:
    // its risk equals that of an independent fit on those rows, up to rounding.
    let sweep = small_sweep(&[4, 9, 20]);
    let key = StreamKey::new(7, "tests", 2);
    let nested = simulate_nested(&sweep, 0..5, &key, None).unwrap();
    let largest = small_noisy_job(20);
    let beta = largest.beta_star.clone();
    let (p, k) = (largest.dim(), largest.surrogate_count());
    for t in 0..5 {
        let mut X = Mat::zeros(20, p);
        super::workspace::draw_design(&largest, &key.trial(t), &mut X, None);
        let mut z = vec![0.0; 20];
        key.trial(t)
            .stream(super::stream::Source::Target, super::stream::Draw::Noise)
            .fill_scaled_normals(&mut z, 0.3_f64.sqrt());
        for (point, n) in [4, 9, 20].into_iter().enumerate() {
            let B = super::workspace::fixed_columns(&small_noisy_job(n));
            let mut Y = X.subrows(0, n) * &B;
            super::workspace::add_noise(Y.as_mut(), &z[..n], faer::Accum::Add);
            let mut coef = Mat::zeros(p, k);
            super::estimator::Fitter::new(n, p, k)
                .fit(X.subrows(0, n), None, Y.as_mut(), coef.as_mut(), false)
                .unwrap();
            for j in 0..k {
                let expected = super::risk::excess_risk(largest.risk_lambda(), coef.col_as_slice(j), &beta);
                let got = nested[point].surrogate(j)[t];
                assert!((got - expected).abs() <= 1e-10 * expected, "trial {t}, n = {n}: {got} vs {expected}");
            }
        }
    }
}

#[test]
fn nested_points_are_unbiased() {
    // Σ = I: E R = ‖β⋆‖²(1 − n/p) + σ² n/(p − n − 1) at every point, although the points share rows.
    let (p, noise) = (60, 0.5);
    let beta: Vec<f64> = (0..p).map(|i| if i % 3 == 0 { 0.5 } else { -0.25 }).collect();
    let norm2: f64 = beta.iter().map(|b| b * b).sum();
    let ns = [10, 25, 45];
    let jobs = ns.iter().map(|&n| job(vec![1.0; p], &beta, std::slice::from_ref(&beta), noise, n)).collect();
    let samples =
        simulate_nested(&NestedSweep::new(jobs).unwrap(), 0..1500, &StreamKey::new(3, "tests", 0), None).unwrap();
    for (s, n) in samples.iter().zip(ns) {
        let (n, p) = (n as f64, p as f64);
        assert_mean(s.surrogate(0), norm2 * (1.0 - n / p) + noise * n / (p - n - 1.0));
    }
}

#[test]
fn nested_sweeps_are_checked() {
    let sweep = |ns: &[usize]| NestedSweep::new(ns.iter().map(|&n| small_noisy_job(n)).collect()).unwrap_err();
    assert_eq!(sweep(&[10, 5]), SimError::NestedOrder { n: 5 });
    assert_eq!(sweep(&[10, 30]), SimError::NestedRegime { n: 30, p: 30 });
    let erm = ErmSurrogate {
        lambda_s: vec![1.0; 30],
        features: Features::First(30),
        m: 40,
        noise_s: 0.1,
        ridge: 0.0,
        gain: None,
        labels: None,
    };
    let trained = small_noisy_job(10);
    let columns = vec![SurrogateColumn::Erm(erm)];
    let trained = PointJob::with_columns(trained.design.clone(), trained.beta_star.clone(), columns, 0.3, 10).unwrap();
    assert_eq!(NestedSweep::new(vec![trained]).unwrap_err(), SimError::NestedTrainedSurrogate);
    let large = small_noisy_job(20).with_stream_entries(100);
    assert_eq!(NestedSweep::new(vec![large]).unwrap_err(), SimError::NestedTooLarge { n: 20, p: 30 });
}

/// The steep spectrum of issue 11, item 1: `powerlaw(p: 60, alpha: 12.0)` with `powerlaw_energy(cov, beta: 1.5,
/// power: 1.0)` (λ_i β_i² = i^−1.5, scaled to Σ λ_i β_i² = 1) and noise σ² = 0.01, at sample size `n`.
fn steep_job(n: usize) -> PointJob {
    let lambda = power_law(60, 12.0);
    let energy: Vec<f64> = (1..=60).map(|i| f64::from(i).powf(-1.5)).collect();
    let scale: f64 = energy.iter().sum();
    let beta: Vec<f64> = energy.iter().zip(&lambda).map(|(e, l)| (e / scale / l).sqrt()).collect();
    job(lambda, &beta, std::slice::from_ref(&beta), 0.01, n)
}

#[test]
fn steep_power_law_matches_the_exact_estimator() {
    // Issue 11, item 1. The reference means are an independent Monte Carlo of the exact estimator:
    // tests/fixtures/steep_reference.py (numpy's LAPACK gelsd, an SVD least squares with no effective cutoff,
    // 20 000 trials, seed 1): n = 50: 0.23867 ± 0.00104; n = 20: 1.2019 ± 0.0101. The Gram pseudo-inverse
    // fallback gave 0.1657 ± 0.0017 at n = 50, and means from 1.6 to 12.9 at n = 20. Agreement within
    // 4 combined standard errors, on 800 trials.
    for (n, reference, reference_se) in [(50, 0.23867, 0.00104), (20, 1.2019, 0.0101)] {
        let samples = run(&steep_job(n), 0..800, SolvePath::Auto);
        let (mean, se) = mean_se(samples.surrogate(0));
        let tolerance = 4.0 * se.hypot(reference_se);
        assert!((mean - reference).abs() < tolerance, "n = {n}: {mean} ± {se} vs exact {reference} ± {reference_se}");
        assert!(samples.info.fallbacks > 0, "n = {n}: the Gram matrix is ill-conditioned on this spectrum");
        if n == 50 {
            // The deterministic equivalent, 0.21460738674577917 (kdrepro's theory for the spec), is 10% below the
            // finite-size mean at p = 60: its own finite-size error, which an `agree` claim's tolerance must cover.
            assert!((mean / 0.214_607_386_745_779_17 - 1.0).abs() < 0.2, "n = 50: {mean} vs theory 0.2146");
        }
    }
}

#[test]
fn tiny_eigenvalues_keep_the_least_squares_variance() {
    // λ = (1, 1, 1, 1e-16 × 7), OLS with n = 20 > p = 10 and β^s = β⋆: E R = σ² p/(n − p − 1) for every Σ
    // (X = GΣ^{1/2}: b − β⋆ = Σ^{−1/2}(GᵀG)⁻¹Gᵀz, E(GᵀG)⁻¹ = I/(n − p − 1)), so the seven tiny directions carry
    // 7/10 of the risk; a fit that drops them (the old Gram pseudo-inverse) reports about 3/10 of it.
    let lambda = [vec![1.0; 3], vec![1e-16; 7]].concat();
    let beta: Vec<f64> = (0..10).map(|i| f64::from(i % 4) - 1.5).collect();
    let samples = run(&job(lambda, &beta, std::slice::from_ref(&beta), 1.0, 20), 0..2000, SolvePath::Auto);
    assert_mean(samples.surrogate(0), 10.0 / 9.0);
}

#[test]
fn zero_eigenvalues_give_least_squares_on_the_positive_directions() {
    // Issue 11, item 4 (simulation side): k = 4 of p = 10 eigenvalues positive, n = 8 between k + 1 and p.
    // X⁺y is least squares on the k live features (X has rank k < n, so no interpolator exists) and 0 on the
    // others, where λ_i = 0 weighs nothing: with β^s = β⋆, E R = σ² k/(n − k − 1) for any positive λ (the OLS
    // identity above on the live block) = 4/3 σ². The same for a rotated design, whose eigenbasis draw X̄ has
    // the exact zero columns the QR fallback drops.
    let lambda = [vec![1.0, 0.5, 0.25, 2.0], vec![0.0; 6]].concat();
    let beta: Vec<f64> = (0..10).map(|i| f64::from(i % 3) - 1.0).collect();
    let noise = 0.5;
    let plain = job(lambda.clone(), &beta, std::slice::from_ref(&beta), noise, 8);
    let rotated = job_on(Design::rotated(lambda, 3).unwrap(), &beta, std::slice::from_ref(&beta), noise, 8);
    for job in [plain, rotated] {
        let samples = run(&job, 0..4000, SolvePath::Auto);
        assert_mean(samples.surrogate(0), noise * 4.0 / 3.0);
        assert_eq!(samples.info.fallbacks, 4000, "XXᵀ has rank 4 < n = 8: every trial needs the QR fallback");
    }
}

#[test]
fn ridge_streamed_design_matches_the_stored_one() {
    // Ridge through the streamed n × n system (X Xᵀ + nλI) w = y gives the stored fit's risks.
    let (p, n) = (600, 40);
    let lambda = power_law(p, 1.0);
    let beta: Vec<f64> = (0..p).map(|i| (i % 7) as f64 * 0.1 - 0.3).collect();
    let half: Vec<f64> = beta.iter().map(|b| 0.5 * b).collect();
    let stored = job_on(Design::new(lambda).unwrap(), &beta, &[beta.clone(), half], 0.5, n).with_ridge(0.05).unwrap();
    let streamed = stored.clone().with_stream_entries(1);
    assert!(streamed.streams_design());
    let (a, b) = (run(&stored, 0..6, SolvePath::Auto), run(&streamed, 0..6, SolvePath::Auto));
    for j in 0..2 {
        let gap = max_relative_gap(a.surrogate(j), b.surrogate(j));
        assert!(gap < 1e-11, "surrogate {j}: stored and streamed ridge differ by {gap:e}");
    }
}

#[test]
fn ridge_risk_matches_its_deterministic_equivalent() {
    // Issue 17: the simulated ridge risk against the κ equivalent (which matches the Marchenko–Pastur closed form
    // for Σ = I, theory/equivalent.rs), on both sides of p and at n = p, where ridgeless has no finite risk
    // with noise. 4 SE plus 3% for the finite-p error of the equivalent (O(1/p) at p = 200).
    let p = 200;
    for (lambda, name) in [(vec![1.0; p], "isotropic"), (power_law(p, 1.5), "power law")] {
        let beta: Vec<f64> = (0..p).map(|i| 1.0 / (1.0 + i as f64).sqrt()).collect();
        let surrogate: Vec<f64> = beta.iter().map(|b| 1.3 * b).collect();
        for (n, ridge) in [(80, 0.05), (200, 0.01), (320, 0.2)] {
            let job = job(lambda.clone(), &beta, &[beta.clone(), surrogate.clone()], 0.5, n).with_ridge(ridge).unwrap();
            let samples = run(&job, 0..300, SolvePath::Auto);
            let regime = crate::theory::Regime::with_ridge(&lambda, n, ridge).unwrap();
            for (j, b) in [&beta, &surrogate].into_iter().enumerate() {
                let theory = regime.s2t_risk(&lambda, &beta, b, 0.5);
                let (mean, _) = mean_se(samples.surrogate(j));
                assert_near_theory(samples.surrogate(j), theory, 0.03);
                assert!(mean.is_finite(), "{name}, n = {n}");
            }
        }
    }
}

#[test]
fn ridge_two_stage_matches_its_equivalent() {
    // A ridge ERM surrogate (λ_s = 0.05) feeding a ridge target (λ_t = 0.02), both on power laws: Definition 3
    // with each stage's κ. m = 150 < p = 200 < n = 260.
    let p = 200;
    let lambda = power_law(p, 1.2);
    let beta: Vec<f64> = (0..p).map(|i| 1.0 / (1.0 + i as f64).powf(0.3)).collect();
    let erm = ErmSurrogate {
        lambda_s: lambda.clone(),
        features: Features::First(p),
        m: 150,
        noise_s: 0.2,
        ridge: 0.05,
        gain: None,
        labels: None,
    };
    let job = PointJob::with_columns(
        Design::new(lambda.clone()).unwrap(),
        beta.clone(),
        vec![SurrogateColumn::Erm(erm)],
        0.1,
        260,
    )
    .unwrap()
    .with_ridge(0.02)
    .unwrap();
    let samples = run(&job, 0..300, SolvePath::Auto);
    let model = crate::theory::TwoStage {
        lambda_s: &lambda,
        lambda_t: &lambda,
        beta_star: &beta,
        sigma_s2: 0.2,
        sigma_t2: 0.1,
        m: 150,
        n: 260,
        features: Kept::First(p),
        ridge_s: 0.05,
        ridge_t: 0.02,
        earlier: &[],
        optimal_labels: false,
    };
    let risks = model.risks().unwrap();
    assert_near_theory(samples.surrogate(0), risks.student, 0.03);
    assert_near_theory(samples.surrogate_risk(0).unwrap(), risks.teacher, 0.03);
}

#[test]
fn ridge_penalties_are_checked() {
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(small_noisy_job(10).with_ridge(bad), Err(SimError::InvalidRidge(r)) if r.to_bits() == bad.to_bits())
        );
    }
}

#[test]
fn distillation_chains_match_their_iterated_equivalent() {
    chain_against_its_equivalent(false);
}

#[test]
fn issue_17_chains_of_optimal_surrogates_match_their_iterated_equivalent() {
    // Each generation learns from the optimal surrogate (Corollary 1's gain, theory::label_gain) of β⋆ or of the
    // previous fit: the simulation scales the coefficients, the theory the moments (g E β, g² Var β).
    chain_against_its_equivalent(true);
}

/// Three generations of ERM (m = 120 < p = 150, then m = 300 > p, then m = 120), each with fresh data and noise
/// 0.1, then a target at n = 90: the simulated teacher and student risks against the iterated Definition 3
/// (theory::Generation), 4 SE plus 3% for the finite-p error; with `optimal`, every generation is taught by the
/// optimal surrogate of its teacher's coefficients.
fn chain_against_its_equivalent(optimal: bool) {
    let p = 150;
    let lambda = power_law(p, 1.4);
    let beta: Vec<f64> = (0..p).map(|i| 1.0 / (1.0 + i as f64).powf(0.2)).collect();
    let gain = |m| optimal.then(|| crate::theory::label_gain(&lambda, Kept::First(p), m, 0.0).unwrap());
    let generation = |m, labels| ErmSurrogate {
        lambda_s: lambda.clone(),
        features: Features::First(p),
        m,
        noise_s: 0.1,
        ridge: 0.0,
        gain: gain(m),
        labels,
    };
    let first = generation(120, None);
    let second = generation(300, Some(Box::new(first)));
    let third = generation(120, Some(Box::new(second)));
    let job = PointJob::with_columns(
        Design::new(lambda.clone()).unwrap(),
        beta.clone(),
        vec![SurrogateColumn::Erm(third)],
        0.0,
        90,
    )
    .unwrap();
    let samples = run(&job, 0..300, SolvePath::Auto);
    let theory_generation = |m| crate::theory::Generation {
        lambda: &lambda,
        m,
        sigma2: 0.1,
        features: Kept::First(p),
        ridge: 0.0,
        optimal_labels: optimal,
    };
    let earlier = [theory_generation(120), theory_generation(300)];
    let model = crate::theory::TwoStage {
        lambda_s: &lambda,
        lambda_t: &lambda,
        beta_star: &beta,
        sigma_s2: 0.1,
        sigma_t2: 0.0,
        m: 120,
        n: 90,
        features: Kept::First(p),
        ridge_s: 0.0,
        ridge_t: 0.0,
        earlier: &earlier,
        optimal_labels: optimal,
    };
    let risks = model.risks().unwrap();
    eprintln!("optimal = {optimal}: teacher {}", against_theory(samples.surrogate_risk(0).unwrap(), risks.teacher));
    assert_near_theory(samples.surrogate_risk(0).unwrap(), risks.teacher, 0.03);
    assert_near_theory(samples.surrogate(0), risks.student, 0.03);
}

/// The standard target's theory risk (eq. 11) at n, for a power-law job.
fn standard_theory(lambda: &[f64], beta: &[f64], noise: f64, n: usize) -> f64 {
    crate::theory::Regime::new(lambda, n).unwrap().standard_risk(lambda, beta, noise)
}

#[test]
fn issue_17_non_gaussian_designs_match_the_deterministic_equivalent() {
    // p = 200, λ_i = i^−1.5, λ_i β⋆_i² = i^−1.5, σ² = 0.1: universality predicts the Gaussian deterministic
    // equivalent for i.i.d. standardised entries. 1500 trials at n = 40 and 120; the slack of 4% covers the
    // finite-p gap (the Gaussian design at this size is within about 1%).
    let p = 200;
    let lambda = power_law(p, 1.5);
    let beta: Vec<f64> = lambda.iter().enumerate().map(|(i, l)| ((i as f64 + 1.0).powf(-1.5) / l).sqrt()).collect();
    for entries in [Entries::Gaussian, Entries::Rademacher, Entries::Uniform, Entries::StudentT { nu: 8.0 }] {
        for n in [40, 120] {
            let design = Design::new(lambda.clone()).unwrap().with_entries(entries);
            let job = job_on(design, &beta, std::slice::from_ref(&beta), 0.1, n);
            let samples = run(&job, 0..1500, SolvePath::Auto);
            let theory = standard_theory(&lambda, &beta, 0.1, n);
            eprintln!("{entries:?}, n = {n}: {}", against_theory(samples.surrogate(0), theory));
            assert_near_theory(samples.surrogate(0), theory, 0.04);
        }
    }
}

#[test]
fn issue_17_every_design_path_draws_the_task_entries() {
    // Stored, streamed, rotated and nested designs draw the same entries from the same streams: the streamed fit
    // equals the stored one, a rotated design the diagonal one (Observation 2), the nested sweep's largest point
    // the independent one, and every path is the same at any thread count.
    let (p, n) = (600, 40);
    let lambda = power_law(p, 1.0);
    let beta: Vec<f64> = (0..p).map(|i| (i % 7) as f64 * 0.1 - 0.3).collect();
    let key = StreamKey::new(5, "entries", 0);
    for entries in [Entries::Rademacher, Entries::Uniform, Entries::StudentT { nu: 3.0 }] {
        let design = Design::new(lambda.clone()).unwrap().with_entries(entries);
        let stored = job_on(design.clone(), &beta, std::slice::from_ref(&beta), 0.5, n);
        let streamed = stored.clone().with_stream_entries(1);
        let (a, b) = (run(&stored, 0..4, SolvePath::Auto), run(&streamed, 0..4, SolvePath::Auto));
        assert!(max_relative_gap(a.surrogate(0), b.surrogate(0)) < 1e-11, "{entries:?}: streamed");
        let gaussian = run(
            &job_on(Design::new(lambda.clone()).unwrap(), &beta, std::slice::from_ref(&beta), 0.5, n),
            0..4,
            SolvePath::Auto,
        );
        assert_ne!(a.surrogate(0), gaussian.surrogate(0), "{entries:?} draws its own entries");
        let rotated = Design::rotated(lambda[..60].to_vec(), 9).unwrap().with_entries(entries);
        let diagonal = Design::new(lambda[..60].to_vec()).unwrap().with_entries(entries);
        let (r, d) = (
            run(&job_on(rotated, &beta[..60], &[beta[..60].to_vec()], 0.5, 20), 0..4, SolvePath::Auto),
            run(&job_on(diagonal, &beta[..60], &[beta[..60].to_vec()], 0.5, 20), 0..4, SolvePath::Auto),
        );
        assert!(max_relative_gap(r.surrogate(0), d.surrogate(0)) < 1e-9, "{entries:?}: rotated");
        let sweep = |ns: &[usize]| {
            let jobs = ns.iter().map(|&m| job_on(design.clone(), &beta, std::slice::from_ref(&beta), 0.5, m)).collect();
            NestedSweep::new(jobs).unwrap()
        };
        let nested = in_pool(1, || simulate_nested(&sweep(&[10, 25, n]), 0..4, &key, None).unwrap());
        let independent = in_pool(2, || simulate_point(&stored, 0..4, &key, None).unwrap());
        assert_eq!(nested[2].risks, independent.risks, "{entries:?}: nested");
        assert_eq!(in_pool(1, || simulate_point(&stored, 0..4, &key, None).unwrap()).risks, independent.risks);
    }
}

#[test]
fn issue_17_nested_points_take_their_own_noise() {
    // Σ = I, σ²(n) = 0.5·n^−1/2 (a decaying noise): E R = ‖β⋆‖²(1 − n/p) + σ²(n) n/(p − n − 1) at every point.
    let p = 60;
    let beta: Vec<f64> = (0..p).map(|i| if i % 3 == 0 { 0.5 } else { -0.25 }).collect();
    let norm2: f64 = beta.iter().map(|b| b * b).sum();
    let ns = [10, 25, 45];
    let noise = |n: usize| crate::theory::noise_at(0.5, 0.5, n);
    let jobs = ns.iter().map(|&n| job(vec![1.0; p], &beta, std::slice::from_ref(&beta), noise(n), n)).collect();
    let samples =
        simulate_nested(&NestedSweep::new(jobs).unwrap(), 0..1500, &StreamKey::new(3, "tests", 0), None).unwrap();
    for (s, n) in samples.iter().zip(ns) {
        let (sigma2, n, p) = (noise(n), n as f64, p as f64);
        assert_mean(s.surrogate(0), norm2 * (1.0 - n / p) + sigma2 * n / (p - n - 1.0));
    }
}
