//! Runner-level tests: determinism and exact finite-sample facts of the estimators.

use faer::Mat;

use super::error::SimError;
use super::runner::PointSamples;
use super::runner::simulate_point_with;
use super::workspace::SolvePath;
use super::*;

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
    simulate_point_with(job, trials, &StreamKey::new(2024, "tests", 0), None, path)
}

/// A noisy job on p = 30 features with λ_i = 1/i and two surrogates, at sample size `n`.
fn small_noisy_job(n: usize) -> PointJob {
    let lambda: Vec<f64> = (1..=30).map(|i| 1.0 / f64::from(i)).collect();
    let beta: Vec<f64> = (0..30).map(|i| f64::from(i % 3) - 0.5).collect();
    let other: Vec<f64> = beta.iter().map(|b| 0.5 * b).collect();
    job(lambda, &beta, &[beta.clone(), other], 0.3, n)
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let job = small_noisy_job(12);
    let key = StreamKey::new(1, "threads", 4);
    let in_pool = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| simulate_point(&job, 0..40, &key, None))
    };
    let one = in_pool(1);
    let two = in_pool(2);
    assert_eq!(one.risks, two.risks);
    assert!(one.risks.col_as_slice(0).iter().all(|r| r.is_finite() && *r > 0.0));
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
    simulate_point(&job, 3..20, &StreamKey::new(0, "progress", 0), Some(&report));
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
    let beta: Vec<f64> = (0..p).map(|i| 1.0 + (i % 5) as f64).collect();
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

/// Asserts that the fallback path reproduces the factorisation path and is counted.
#[track_caller]
fn assert_fallback_agrees(job: &PointJob) {
    let fast = run(job, 0..5, SolvePath::Auto);
    let robust = run(job, 0..5, SolvePath::ForceFallback);
    assert_eq!((fast.info.fallbacks, robust.info.fallbacks), (0, 5));
    for (a, b) in fast.risks.col_as_slice(0).iter().zip(robust.risks.col_as_slice(0)) {
        assert!((a - b).abs() <= 1e-8 * a.abs(), "factorisation {a} vs pseudo-inverse {b}");
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
fn exactly_singular_gram_uses_the_pseudo_inverse() {
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
