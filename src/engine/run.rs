//! Running a spec: theory per point, then the simulation of every point's trials.

use std::fmt;

use super::results::{EquivalentSummary, ExperimentResults, Point, Results, Series};
use crate::sim::{Design, PointJob, StreamKey, simulate_point};
use crate::spec::{Experiment, Measure, Spec, SurrogateKind, Task};
use crate::stats::Summary;
use crate::theory::{self, Equivalent, TheoryError};

/// The confidence of the intervals stored with every simulated point.
const POINT_CONFIDENCE: f64 = 0.95;

/// How to run a spec.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Overrides every experiment's trial count (for quick drafts and benchmarks).
    pub trials: Option<usize>,
    /// Called once per finished trial, from worker threads.
    pub progress: Option<&'a (dyn Fn() + Sync)>,
}

/// A failure to evaluate an experiment.
#[derive(Debug)]
pub struct RunError {
    /// The experiment.
    pub experiment: String,
    /// The sample size.
    pub n: usize,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "experiment `{}` at n = {}: {}", self.experiment, self.n, self.message)
    }
}

impl std::error::Error for RunError {}

/// The number of Monte Carlo trials a run of `spec` performs.
pub fn total_trials(spec: &Spec, options: &RunOptions<'_>) -> u64 {
    spec.experiments
        .iter()
        .filter_map(|e| trials(e, options).map(|t| (t * e.sizes.len()) as u64))
        .sum()
}

/// The trials of one point of `e`, after the override.
fn trials(e: &Experiment, options: &RunOptions<'_>) -> Option<usize> {
    e.trials.map(|t| options.trials.unwrap_or(t))
}

/// Runs every experiment of `spec`.
///
/// # Errors
/// The first experiment whose theory cannot be evaluated.
pub fn run(spec: &Spec, options: &RunOptions<'_>) -> Result<Results, RunError> {
    let experiments =
        spec.experiments.iter().map(|e| experiment(spec.seed, e, options)).collect::<Result<_, _>>()?;
    Ok(Results { experiments, threads: rayon::current_num_threads() })
}

/// Runs one experiment.
fn experiment(seed: u64, e: &Experiment, options: &RunOptions<'_>) -> Result<ExperimentResults, RunError> {
    let fail = |n: usize| move |err: TheoryError| RunError { experiment: e.name.clone(), n, message: err.to_string() };
    let equivalents = e.sizes.iter().map(|&n| equivalent(&e.task, n).map_err(fail(n))).collect::<Result<_, _>>()?;
    let mut out = ExperimentResults {
        name: e.name.clone(),
        x: if e.measure == Measure::Coefficients { "i" } else { "n" },
        trials: trials(e, options),
        equivalents,
        series: e
            .surrogates
            .iter()
            .map(|s| Series { surrogate: s.name.clone(), label: s.label.clone(), points: Vec::new() })
            .collect(),
        samples: Vec::new(),
        fingerprints: Vec::new(),
    };
    for (index, &n) in e.sizes.iter().enumerate() {
        let surrogates = e
            .surrogates
            .iter()
            .map(|s| surrogate(&e.task, s.kind, n))
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail(n))?;
        out.fingerprints.push(surrogates.iter().map(|b| fingerprint(b)).collect());
        match e.measure {
            Measure::Coefficients => coefficients(&mut out, &surrogates),
            Measure::ExcessRisk => {
                let samples = out.trials.map(|t| simulate(seed, e, index, n, &surrogates, t, options));
                risks(&mut out, &e.task, n, &surrogates, samples).map_err(fail(n))?;
            }
        }
    }
    Ok(out)
}

/// τ, Ω and the transition indices at sample size `n`.
fn equivalent(task: &Task, n: usize) -> Result<EquivalentSummary, TheoryError> {
    let lambda = &task.spectrum.lambda;
    let mask = theory::optimal_mask(lambda, n)?;
    let kept = mask.iter().filter(|&&k| k).count();
    if n > lambda.len() {
        return Ok(EquivalentSummary { n, tau: None, omega: None, last_amplified: None, last_kept: None, kept });
    }
    let eq = Equivalent::solve(lambda, n)?;
    let transitions = theory::Transitions::of(lambda, &eq);
    Ok(EquivalentSummary {
        n,
        tau: Some(eq.tau),
        omega: Some(eq.omega),
        last_amplified: transitions.last_amplified,
        last_kept: transitions.last_kept,
        kept,
    })
}

/// The coefficient vector β^s of a surrogate at sample size `n`.
fn surrogate(task: &Task, kind: SurrogateKind, n: usize) -> Result<Vec<f64>, TheoryError> {
    let (lambda, beta) = (&task.spectrum.lambda, &task.beta);
    match kind {
        SurrogateKind::GroundTruth => Ok(beta.clone()),
        SurrogateKind::Optimal => theory::optimal_surrogate(lambda, beta, n),
        SurrogateKind::OptimalMask => Ok(theory::masked(beta, &theory::optimal_mask(lambda, n)?)),
    }
}

/// A fingerprint of a coefficient vector's exact bits.
fn fingerprint(b: &[f64]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    for x in b {
        hasher.update(&x.to_le_bytes());
    }
    *hasher.finalize().as_bytes()
}

/// Figure 1a: each surrogate's coefficients against the index i (theory only).
fn coefficients(out: &mut ExperimentResults, surrogates: &[Vec<f64>]) {
    for (series, b) in out.series.iter_mut().zip(surrogates) {
        series.points = b.iter().enumerate().map(|(i, &v)| theory_point(i as f64 + 1.0, v)).collect();
    }
}

/// A point with a theory value only.
fn theory_point(x: f64, theory: f64) -> Point {
    Point { x, theory, mean: None, se: None, ci_low: None, ci_high: None, trials: None }
}

/// Simulates `trials` trials of one point; returns trial-major risks, one column per surrogate.
fn simulate(
    seed: u64,
    e: &Experiment,
    index: usize,
    n: usize,
    surrogates: &[Vec<f64>],
    trials: usize,
    options: &RunOptions<'_>,
) -> Vec<f64> {
    let design = Design::diagonal(&e.task.spectrum.lambda);
    let job = PointJob { design: &design, beta_star: &e.task.beta, surrogates, noise: e.task.noise, n };
    let key = StreamKey::new(seed, &e.name, index);
    simulate_point(&job, &key, 0..trials, options.progress)
}

/// Figure 1b: theory risk and simulated summary of each surrogate at sample size `n`.
fn risks(
    out: &mut ExperimentResults,
    task: &Task,
    n: usize,
    surrogates: &[Vec<f64>],
    samples: Option<Vec<f64>>,
) -> Result<(), TheoryError> {
    let k = surrogates.len();
    for (j, (series, b)) in out.series.iter_mut().zip(surrogates).enumerate() {
        let theory = theory::s2t_risk(&task.spectrum.lambda, &task.beta, b, task.noise, n)?;
        let mut point = theory_point(n as f64, theory);
        if let Some(samples) = &samples {
            let column: Vec<f64> = samples.iter().skip(j).step_by(k).copied().collect();
            let s = Summary::of(&column, POINT_CONFIDENCE);
            point.mean = Some(s.mean);
            point.se = Some(s.se);
            point.ci_low = Some(s.ci_low);
            point.ci_high = Some(s.ci_high);
            point.trials = Some(column.len());
        }
        series.points.push(point);
    }
    out.samples.extend(samples);
    Ok(())
}
