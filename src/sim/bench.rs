//! Kernel efficiency benchmark (issue 4, target 2), run on demand:
//! `cargo test --release --lib kernel_efficiency -- --ignored --nocapture`.
//!
//! For min-norm trials (p = 500, k = 3, n = 50..450) it times the normal draws (ns per normal) and
//! the dense work (Gram lower triangle, Cholesky, solves, X B and Xᵀ W), and compares the dense
//! time with its flop count divided by faer's measured (fastest) GEMM rate on this machine. The target of
//! issue 4 is the n = 450 row: dense time ≤ 1.5 × flops / GEMM rate.

use std::time::Instant;

use faer::dyn_stack::MemBuffer;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

use super::design::draw_columns;
use super::estimator::{self, gram_lower};
use super::stream::{Source, StreamKey};

/// The benchmark's dimension and surrogate count: the Figure 1b workload.
const P: usize = 500;
const K: usize = 3;

/// This thread's CPU time in seconds (Linux `/proc/thread-self/schedstat`, updated at scheduler ticks),
/// so that other processes sharing the cores do not inflate the timings; wall time elsewhere.
fn thread_seconds(origin: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| origin.elapsed().as_secs_f64(), |ns| ns * 1e-9)
}

/// The CPU times (seconds) of one run of `f` in 5 batches, sorted, each batch repeating `f` for at least
/// 100 ms of CPU time (many scheduler ticks), after one warm-up run.
fn batch_secs(mut f: impl FnMut()) -> [f64; 5] {
    f();
    let origin = Instant::now();
    let mut batch = || {
        let start = thread_seconds(origin);
        let mut reps = 0;
        while thread_seconds(origin) - start < 0.1 {
            f();
            reps += 1;
        }
        (thread_seconds(origin) - start) / f64::from(reps)
    };
    let mut times = [batch(), batch(), batch(), batch(), batch()];
    times.sort_by(f64::total_cmp);
    times
}

/// The median CPU time (seconds) of one run of `f` (see [`batch_secs`]).
fn median_secs(f: impl FnMut()) -> f64 {
    batch_secs(f)[2]
}

/// faer's sequential GEMM rate (flop/s) on a square product of size `m`: 2m³ flops over the fastest batch,
/// the machine's rate when nothing else disturbs it (the dense timings below are medians).
fn gemm_rate(m: usize) -> f64 {
    let a = Mat::from_fn(m, m, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
    let b = Mat::from_fn(m, m, |i, j| ((i * 5 + j) % 13) as f64 - 6.0);
    let mut c = Mat::<f64>::zeros(m, m);
    let secs = batch_secs(|| matmul(c.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0, Par::Seq))[0];
    2.0 * (m as f64).powi(3) / secs
}

/// Flops of one min-norm trial's dense work: Gram lower triangle n(n+1)p, Cholesky n³/3,
/// two triangular solves 2n²k, labels X B 2npk and coefficients Xᵀ W 2npk.
fn dense_flops(n: f64, p: f64, k: f64) -> f64 {
    n * (n + 1.0) * p + n.powi(3) / 3.0 + 2.0 * n * n * k + 4.0 * n * p * k
}

/// Median times (seconds) of one n × P trial: (normal draws, Gram, Cholesky + solves, X B + Xᵀ W).
fn trial_times(n: usize) -> [f64; 4] {
    let sqrt_lambda: Vec<f64> = (1..=P).map(|i| 1.0 / i as f64).collect();
    let key = StreamKey::new(0, "bench", 0).trial(0);
    let mut X = Mat::<f64>::zeros(n, P);
    let draw =
        median_secs(|| draw_columns(&sqrt_lambda, super::Entries::Gaussian, &key, Source::Target, 0, X.as_mut()));
    let B = Mat::from_fn(P, K, |i, j| 1.0 / (1.0 + (i + j) as f64));
    let (mut Y, mut gram, mut coef) = (Mat::<f64>::zeros(n, K), Mat::<f64>::zeros(n, n), Mat::<f64>::zeros(P, K));
    let mut factor = Mat::<f64>::zeros(n, n);
    let mut stack = MemBuffer::new(estimator::llt_scratch(n));
    let gram_time = median_secs(|| gram_lower(gram.as_mut(), X.as_ref(), Accum::Replace));
    let copy = median_secs(|| factor.copy_from(&gram));
    let solve = median_secs(|| {
        factor.copy_from(&gram);
        estimator::llt_solve(factor.as_mut(), Y.as_mut(), &mut stack)
            .expect("a Wishart Gram matrix is positive definite");
    }) - copy;
    let thin = median_secs(|| {
        matmul(Y.as_mut(), Accum::Replace, X.as_ref(), B.as_ref(), 1.0, Par::Seq);
        estimator::transpose_times(coef.as_mut(), X.as_ref(), Y.as_ref());
    });
    [draw, gram_time, solve, thin]
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn kernel_efficiency() {
    let rate = gemm_rate(512);
    println!("GEMM rate (faer matmul 512³, Par::Seq): {:.1} Gflop/s", rate / 1e9);
    println!("    n  ns/normal  draw ms  gram ms  chol+solve ms  XB+Xᵀw ms  dense ms  ideal ms  ratio");
    for n in [50, 150, 250, 350, 450] {
        let [draw, gram, solve, thin] = trial_times(n);
        let dense = gram + solve + thin;
        let ideal = dense_flops(n as f64, P as f64, K as f64) / rate;
        let ns = draw / (n * P) as f64 * 1e9;
        let ms = |s: f64| s * 1e3;
        println!(
            "{n:5}  {ns:9.2}  {:7.3}  {:7.3}  {:13.3}  {:9.3}  {:8.3}  {:8.3}  {:5.2}",
            ms(draw),
            ms(gram),
            ms(solve),
            ms(thin),
            ms(dense),
            ms(ideal),
            dense / ideal
        );
        assert!(dense.is_finite() && dense > 0.0);
    }
}
