//! Running a spec: theory per point, then the simulation of every point's trials.

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{RunError, RunErrorKind, failure};
use super::outline::{empty, theory_point};
use super::results::{CacheUse, EquivalentSummary, ExperimentResults, Results, Stop};

use super::cache::{Cache, KeyParts};
use super::measures;
use super::shard::MergedWork;
use super::surrogates::{Coefficients, coefficients, without_regime};
use crate::plan::{Look, Plan, Points, WorkUnit};
use crate::sim::{
    ClassifyJob, Design, ErmSurrogate, Learner, NestedSweep, PointJob, PointSamples, Progress, StreamKey,
    SurrogateColumn, simulate_classifier, simulate_nested, simulate_point,
};
use crate::spec::{Erm, Experiment, Measure, Penalty, SurrogateKind};
use crate::stats::TrialSums;
use crate::theory::{self, Regime, TheoryError, TwoStage, TwoStageRisks};

/// The confidence of the intervals stored with every simulated point.
const POINT_CONFIDENCE: f64 = 0.95;

/// How to run a spec.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Called with the number of newly finished trials, from worker threads.
    pub progress: Option<&'a (dyn Fn(Tick) + Sync)>,
    /// A directory caching experiment results between runs.
    pub cache: Option<&'a std::path::Path>,
    /// The spec's file name (`paper.kd`), which scopes the cache's records of the key each experiment last ran
    /// with ([`Results::explanations`]): specs sharing a cache directory do not read each other's records.
    pub spec_file: Option<&'a str>,
    /// For `trials auto`: given the results so far (in spec order; experiments not yet run are empty) and the
    /// index of the experiment running, whether every claim on it is decided ([`decided`](crate::decided)).
    /// Without it, adaptive experiments run to their cap.
    pub decided: Option<&'a StoppingRule<'a>>,
    /// The simulated work of every look, read from the shards of a sharded run (`merge`) instead of simulated.
    pub merged: Option<&'a MergedWork>,
}

/// Progress of a run, reported from worker threads as it happens, for [`RunOptions::progress`].
#[derive(Clone, Copy, Debug)]
pub enum Tick {
    /// Trials finished.
    Done(Work),
    /// Planned trials that will not run: an adaptive experiment stopped before its last look.
    Skipped(Work),
}

/// An amount of simulation: how many point-trials of which experiment, and their estimated floating-point
/// operations (the plan's, so that an ETA weighs a large point's trial more than a small one's).
#[derive(Clone, Copy, Debug)]
pub struct Work {
    /// The experiment (index into the spec's experiments; [`Plan::experiment_name`] names it).
    pub experiment: usize,
    /// Point-trials.
    pub trials: u64,
    /// Their estimated floating-point operations.
    pub flops: f64,
}

/// The stopping rule of `trials auto`: given the results so far (in spec order) and the index of the experiment
/// running, whether every claim on it is decided.
pub type StoppingRule<'a> = dyn Fn(&Results, usize) -> bool + Sync + 'a;

/// Runs `plan`: the theory of every experiment and the work units of every look.
///
/// Theory-only experiments run concurrently beside the simulated ones, which run in spec order, each on all
/// threads (the stopping rule of an adaptive experiment reads the experiments before it). An experiment's numbers
/// depend only on the plan, never on the schedule, so the results are bit-identical for any thread count.
///
/// An adaptive experiment (`trials auto`) runs its looks one after another, each extending the previous one's
/// trials (the trial streams are prefixes of each other), and stops at the first look where `options.decided`
/// says every claim on it is decided, or at its last. Every look is cached on its own, so a rerun, or a run with
/// a larger cap, reuses what was simulated.
///
/// # Errors
/// Every experiment that cannot be evaluated, each at its first failing point, in spec order (the others still
/// run, so that one run reports them all).
pub fn run(plan: &Plan<'_>, options: &RunOptions<'_>) -> Result<Results, Vec<RunError>> {
    let spec = plan.spec();
    let cache = options.cache.map(|dir| Cache::new(dir, options.spec_file.unwrap_or("")));
    let cache = cache.as_ref();
    let (theory, simulated): (Vec<usize>, Vec<usize>) =
        (0..spec.experiments.len()).partition(|&i| plan.schedule(i).looks.is_empty());
    let (theory, mut outcome) = rayon::join(
        || {
            let run = |&i: &usize| {
                let e = &spec.experiments[i];
                let mut store = cache.map(|c| ExperimentCache::new(c, plan.seed(), None, e));
                let mut results = cached(store.as_mut(), None, e, || theory_only(plan, i))?;
                if let Some(store) = store {
                    store.finish(e, &mut results);
                }
                Ok(results)
            };
            theory.par_iter().map(|&i| (i, run(&i))).collect::<Vec<_>>()
        },
        || run_simulated(plan, &simulated, cache, options),
    );
    let mut errors = std::mem::take(&mut outcome.1);
    for (i, result) in theory {
        match result {
            Ok(r) => outcome.0.experiments[i] = r,
            Err(error) => errors.push(error),
        }
    }
    errors.sort_by_key(|e| e.span.start);
    outcome.0.cache_failure = cache.and_then(Cache::failure);
    if errors.is_empty() { Ok(outcome.0) } else { Err(errors) }
}

/// Runs the simulated experiments `indices` in order into results of every experiment of the plan (empty where
/// not run), with the errors of those that failed.
fn run_simulated(
    plan: &Plan<'_>,
    indices: &[usize],
    cache: Option<&Cache>,
    options: &RunOptions<'_>,
) -> (Results, Vec<RunError>) {
    let experiments = plan.spec().experiments.iter().map(|e| empty(e, None)).collect();
    let mut results = Results { experiments, cache_failure: None };
    let mut errors = Vec::new();
    for &i in indices {
        if let Err(error) = run_looks(plan, i, cache, options, &mut results) {
            errors.push(error);
            results.experiments[i] = empty(&plan.spec().experiments[i], None);
        }
    }
    (results, errors)
}

/// Runs the looks of simulated experiment `index` into its place in `results`, stopping early where
/// `options.decided` allows.
fn run_looks(
    plan: &Plan<'_>,
    index: usize,
    cache: Option<&Cache>,
    options: &RunOptions<'_>,
    results: &mut Results,
) -> Result<(), RunError> {
    let e = &plan.spec().experiments[index];
    let schedule = plan.schedule(index);
    let looks = schedule.looks.len();
    let mut previous: Option<ExperimentResults> = None;
    // The theory of every point, computed at the first look that is not cached and kept for the later ones.
    let mut theory: Option<Vec<PointTheory<'_>>> = None;
    let planned = schedule.looks.last().map(|look| look.trials.end);
    let mut store = cache.map(|c| ExperimentCache::new(c, plan.seed(), planned, e));
    for (k, look) in schedule.looks.iter().enumerate() {
        let current = cached(store.as_mut(), Some(look.trials.end), e, || {
            let points = match &mut theory {
                Some(points) => points,
                empty => empty.insert(checked_theories(e)?),
            };
            simulated(plan.seed(), e, points, (k, look), previous.as_ref(), options)
        })?;
        results.experiments[index] = current;
        let decided = schedule.is_adaptive() && options.decided.is_some_and(|d| d(results, index));
        results.experiments[index].stop = Some(match (schedule.is_adaptive(), decided) {
            (false, _) => Stop::Fixed,
            (true, true) => Stop::Decided { look: k + 1, looks },
            (true, false) => Stop::Cap { looks },
        });
        if decided || k + 1 == looks {
            if let Some(report) = options.progress {
                let skipped = schedule.looks[k + 1..].iter().map(|l| l.work(plan.spec()));
                let (trials, flops) = skipped.fold((0, 0.0), |(t, f), (lt, lf)| (t + lt, f + lf));
                report(Tick::Skipped(Work { experiment: index, trials, flops }));
            }
            break;
        }
        previous = Some(std::mem::replace(&mut results.experiments[index], empty(e, None)));
    }
    if let Some(store) = store {
        store.finish(e, &mut results.experiments[index]);
    }
    Ok(())
}

/// One experiment's use of the cache: the parts of its key, and how many looks were loaded or computed.
struct ExperimentCache<'a> {
    /// The cache.
    cache: &'a Cache,
    /// The key parts.
    key: KeyParts,
    /// Looks loaded from the cache.
    loaded: usize,
    /// Looks computed.
    computed: usize,
}

impl<'a> ExperimentCache<'a> {
    /// Experiment `e`, run with `seed` and `trials` planned (its fixed count or its cap), in `cache`.
    fn new(cache: &'a Cache, seed: u64, trials: Option<usize>, e: &Experiment) -> Self {
        Self { cache, key: KeyParts::new(seed, trials, e), loaded: 0, computed: 0 }
    }

    /// Records the key the experiment ended with for the next run, and in `results` what came from where and,
    /// when something was computed, what changed since the last record.
    fn finish(self, e: &Experiment, results: &mut ExperimentResults) {
        let changes = (self.computed > 0).then(|| self.cache.previous(&e.name).map(|p| self.key.changes_since(&p)));
        self.cache.remember(&e.name, &self.key);
        results.cache = Some(CacheUse { loaded: self.loaded, computed: self.computed, changes: changes.flatten() });
    }
}

/// The cached results of `e`'s look of `look` trials (`None`: theory only), or `compute`'s, stored for next time.
fn cached(
    store: Option<&mut ExperimentCache<'_>>,
    look: Option<usize>,
    e: &Experiment,
    compute: impl FnOnce() -> Result<ExperimentResults, RunError>,
) -> Result<ExperimentResults, RunError> {
    let Some(store) = store else { return compute() };
    if let Some(hit) = store.cache.load(&store.key, look, e) {
        store.loaded += 1;
        return Ok(hit);
    }
    let results = compute()?;
    store.computed += 1;
    store.cache.store(&store.key, look, &results);
    Ok(results)
}

/// Runs theory-only experiment `index`: every point's theory, concurrently.
fn theory_only(plan: &Plan<'_>, index: usize) -> Result<ExperimentResults, RunError> {
    let e = &plan.spec().experiments[index];
    let points = point_theories(e)?;
    let mut out = empty(e, None);
    for point in &points {
        record_point(&mut out, e, point, None)?;
    }
    if e.dimensions.is_some() {
        // `measure scale` with `p`: the points are the dimensions, at the one n whose equivalent was recorded.
        let values = measures::scale_in_p(e).map_err(|err| failure(e, e.sizes[0])(err.into()))?;
        for (p, values) in values {
            for (series, value) in out.series.iter_mut().zip(values) {
                series.points.push(theory_point(p as f64, value));
            }
        }
    }
    Ok(out)
}

/// Runs look `k` of simulated experiment `e` on the theory of its `points`: the look's work units (simulated, or
/// read from the merged shards of `options`), each point's trials extending those of `previous` (the results of
/// the looks before it).
fn simulated(
    seed: u64,
    e: &Experiment,
    points: &[PointTheory<'_>],
    (k, look): (usize, &Look),
    previous: Option<&ExperimentResults>,
    options: &RunOptions<'_>,
) -> Result<ExperimentResults, RunError> {
    let mut out =
        ExperimentResults { fallbacks: previous.map_or(0, |p| p.fallbacks), ..empty(e, Some(look.trials.end)) };
    // Units are simulated in order, each recorded before the next runs, so that the first failing point is the
    // one reported.
    for unit in &look.units {
        let work = match options.merged {
            Some(merged) => merged.unit(unit, k),
            None => simulate_unit(seed, e, points, unit, unit.trials.clone(), options.progress)?,
        };
        let unit_points = match unit.points {
            Points::One(i) => std::slice::from_ref(&points[i]),
            Points::Nested => points,
        };
        for (point, sums) in unit_points.iter().zip(work) {
            record_simulated(&mut out, e, point, previous, sums)?;
        }
    }
    Ok(out)
}

/// Simulates trials `trials` of `unit` (experiment `e`, whose points' theory is `points`): the sums of each of its
/// points, in point order.
pub(super) fn simulate_unit(
    seed: u64,
    e: &Experiment,
    points: &[PointTheory<'_>],
    unit: &WorkUnit,
    trials: Range<usize>,
    progress: Option<&(dyn Fn(Tick) + Sync)>,
) -> Result<Vec<PointSums>, RunError> {
    let tick = |count: usize| {
        let work = Work { experiment: unit.experiment, trials: count as u64, flops: count as f64 * unit.flops };
        progress.inspect(|report| report(Tick::Done(work)));
    };
    let progress: Option<Progress<'_>> = progress.map(|_| &tick as Progress<'_>);
    match unit.points {
        Points::One(i) => {
            let sums = simulate(seed, e, &points[i], trials, progress).map_err(failure(e, points[i].n))?;
            Ok(vec![sums])
        }
        Points::Nested => nested_sums(seed, e, points, trials, progress),
    }
}

/// Records the theory of one simulated point with the sums of its new trials, which extend those of `previous`.
fn record_simulated(
    out: &mut ExperimentResults,
    e: &Experiment,
    point: &PointTheory<'_>,
    previous: Option<&ExperimentResults>,
    PointSums { mut sums, fallbacks }: PointSums,
) -> Result<(), RunError> {
    out.fallbacks += fallbacks;
    if let Some(previous) = previous {
        sums.merge(&previous.sums[point.index]);
    }
    record_point(out, e, point, Some(sums))
}

/// The theory of every point of a simulated experiment `e`, before any trial: a point the theory or f64 cannot
/// evaluate is refused ([`check_resolution`]).
pub(super) fn checked_theories(e: &Experiment) -> Result<Vec<PointTheory<'_>>, RunError> {
    let points = point_theories(e)?;
    check_resolution(e, &points)?;
    Ok(points)
}

/// The theory of every point of `e`, computed concurrently; the first point that fails, in order, is the error.
fn point_theories(e: &Experiment) -> Result<Vec<PointTheory<'_>>, RunError> {
    let points: Vec<_> = e.sizes.par_iter().enumerate().map(|(index, &n)| PointTheory::new(e, index, n)).collect();
    points.into_iter().collect()
}

/// Records one point of `e`: its τ and Ω, its surrogates' fingerprints and its measure's values, with the
/// summary of its simulated risks (their exact `sums`) when there are any.
fn record_point(
    out: &mut ExperimentResults,
    e: &Experiment,
    point: &PointTheory<'_>,
    sums: Option<TrialSums>,
) -> Result<(), RunError> {
    let (n, surrogates) = (point.n, &point.surrogates);
    let fail = |kind: RunErrorKind| failure(e, n)(kind);
    out.fingerprints.push(surrogates.iter().zip(&e.surrogates).map(|(c, s)| c.fingerprint(&s.name)).collect());
    // A classification measure has no theory: no τ or Ω is recorded.
    let Some(regime) = &point.regime else { return risks(out, e, point, sums).map_err(fail) };
    out.equivalents.push(equivalent(&e.task.spectrum.lambda, regime));
    match e.measure {
        Measure::Coefficients => coefficient_profile(out, surrogates),
        Measure::ExcessRisk => risks(out, e, point, sums).map_err(fail)?,
        Measure::Accuracy | Measure::Error => unreachable!("classification measures have no regime"),
        Measure::Masks => {
            let (sweep, optimal) = measures::mask_sweep(&e.task, regime);
            let k = |i: usize| i as f64;
            out.series[0].points = sweep.iter().enumerate().map(|(i, &r)| theory_point(k(i), r)).collect();
            out.series[1].points = (0..sweep.len()).map(|i| theory_point(k(i), optimal)).collect();
        }
        // Against p: every point at once, after the equivalent of the one n (`theory_only`).
        Measure::Scale if e.dimensions.is_some() => {}
        m => {
            let values = measures::quantities(m, &e.task, regime).map_err(|err| fail(err.into()))?;
            for (series, value) in out.series.iter_mut().zip(values) {
                series.points.push(theory_point(n as f64, value));
            }
        }
    }
    Ok(())
}

/// τ, Ω and the transition indices of one sample size.
fn equivalent(lambda: &[f64], regime: &Regime) -> EquivalentSummary {
    let transitions = regime.transitions(lambda);
    let eq = regime.equivalent();
    EquivalentSummary {
        n: regime.n(),
        tau: eq.map(|q| q.tau),
        omega: eq.map(|q| q.omega),
        last_amplified: transitions.last_amplified,
        last_kept: transitions.last_kept,
        kept: regime.optimal_mask(lambda).iter().filter(|&&k| k).count(),
    }
}

/// Figure 1a: each surrogate's coefficients against the index i (theory only; the resolver admits only fixed
/// surrogates here).
fn coefficient_profile(out: &mut ExperimentResults, surrogates: &[Coefficients<'_>]) {
    for (series, c) in out.series.iter_mut().zip(surrogates) {
        if let Coefficients::Fixed(b) = c {
            series.points = b.iter().enumerate().map(|(i, &v)| theory_point(i as f64 + 1.0, v)).collect();
        }
    }
}

/// Some trials of one simulated point: the exact sums of their risks, and how many were solved by the QR fallback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct PointSums {
    /// The sums of the series' risks.
    pub(crate) sums: TrialSums,
    /// Trials solved by the QR fallback ([`super::FALLBACK`]).
    pub(crate) fallbacks: usize,
}

/// Simulates the trials `trials` of one point; returns the sums of its series' risks and how many trials were
/// solved by the QR fallback.
fn simulate(
    seed: u64,
    e: &Experiment,
    point: &PointTheory<'_>,
    trials: Range<usize>,
    progress: Option<Progress<'_>>,
) -> Result<PointSums, RunErrorKind> {
    if e.measure.classifies() {
        return Ok(classify(seed, e, point, trials, progress)?);
    }
    let (job, column_of) = point_job(e, point)?;
    let samples = simulate_point(&job, trials.clone(), &StreamKey::new(seed, &e.name, point.index), progress)?;
    let series: Vec<&[f64]> = (point.surrogates.iter().enumerate())
        .map(|(j, c)| match c {
            Coefficients::Teacher(of) => {
                samples.surrogate_risk(column_of[*of]).expect("an ERM column records its surrogate's risk")
            }
            _ => samples.surrogate(column_of[j]),
        })
        .collect();
    Ok(PointSums { sums: TrialSums::of_columns(trials, &series), fallbacks: samples.info.fallbacks })
}

/// Simulates the trials `trials` of one point of a classification measure (issue 18): each series' test accuracy
/// or 0-1 risk, by the random-feature networks of `e` on its task's rows.
fn classify(
    seed: u64,
    e: &Experiment,
    point: &PointTheory<'_>,
    trials: Range<usize>,
    progress: Option<Progress<'_>>,
) -> Result<PointSums, crate::sim::SimError> {
    let rows = e.task.rows.as_ref().expect("the resolver gives classification measures a data task");
    let networks: Vec<&str> =
        e.surrogates.iter().filter(|s| matches!(s.kind, SurrogateKind::Network(_))).map(|s| s.name.as_str()).collect();
    let teacher = |name: &str| networks.iter().position(|&t| t == name).expect("the resolver checked teachers");
    let series = (e.surrogates.iter())
        .map(|s| match &s.kind {
            SurrogateKind::Network(_) => Learner::Student(teacher(&s.name)),
            SurrogateKind::Teacher(of) => Learner::Teacher(teacher(of)),
            _ => Learner::Truth,
        })
        .collect();
    let job = ClassifyJob {
        data: &rows.data,
        test: rows.test,
        n: point.n,
        student: e.student.expect("the resolver gives classification measures a student"),
        ridge: e.student_ridge(),
        teachers: (e.surrogates.iter())
            .filter_map(|s| match &s.kind {
                SurrogateKind::Network(net) => Some((s.name.as_str(), net)),
                _ => None,
            })
            .collect(),
        series,
        zero_one_risk: e.measure == Measure::Error,
    };
    let samples = simulate_classifier(&job, trials.clone(), &StreamKey::new(seed, &e.name, point.index), progress)?;
    let series: Vec<&[f64]> = samples.values.iter().map(Vec::as_slice).collect();
    Ok(PointSums { sums: TrialSums::of_columns(trials, &series), fallbacks: samples.fallbacks })
}

/// Simulates every point of `e` on nested designs (`designs nested`), drawn from the streams of its largest
/// point; returns, per point, the sums of its series' risks and the number of QR fallbacks.
fn nested_sums(
    seed: u64,
    e: &Experiment,
    points: &[PointTheory<'_>],
    trials: Range<usize>,
    progress: Option<Progress<'_>>,
) -> Result<Vec<PointSums>, RunError> {
    let largest = e.sizes.len() - 1;
    let fail = |kind: RunErrorKind| failure(e, e.sizes[largest])(kind);
    let mut jobs = Vec::with_capacity(points.len());
    for point in points {
        jobs.push(point_job(e, point).map_err(fail)?.0);
    }
    let sweep = NestedSweep::new(jobs).map_err(|err| fail(err.into()))?;
    let samples = simulate_nested(&sweep, trials.clone(), &StreamKey::new(seed, &e.name, largest), progress)
        .map_err(|err| fail(err.into()))?;
    let per_point = |s: &PointSamples| {
        let series: Vec<&[f64]> = (0..e.surrogates.len()).map(|j| s.surrogate(j)).collect();
        PointSums { sums: TrialSums::of_columns(trials.clone(), &series), fallbacks: s.info.fallbacks }
    };
    Ok(samples.iter().map(per_point).collect())
}

/// The simulation job of one point of `e` and, for each series, its column (teachers read their ERM column).
fn point_job(e: &Experiment, point: &PointTheory<'_>) -> Result<(PointJob, Vec<usize>), RunErrorKind> {
    let (n, surrogates) = (point.n, &point.surrogates);
    let task = &e.task;
    let train = e.design.as_ref().unwrap_or(&task.spectrum).lambda.clone();
    let design = match (&task.data, task.rotation) {
        (Some(data), _) => Design::of_rows(train, data.rows.clone()),
        (None, None) => Design::new(train),
        (None, Some(rotation)) => Design::rotated(train, rotation),
    }?
    .with_entries(task.entries);
    // Teachers are not columns of their own: they read their ERM column's surrogate risk.
    let mut column_of = vec![0; surrogates.len()];
    let (mut columns, mut ridges) = (Vec::new(), Vec::new());
    for (j, c) in surrogates.iter().enumerate() {
        let column = match c {
            Coefficients::Fixed(b) => SurrogateColumn::Fixed(b.clone()),
            Coefficients::Trained(erm) => SurrogateColumn::Erm(erm_column(erm, n)?),
            Coefficients::SelfDistilled(xi) => SurrogateColumn::SelfDistilled { xi: *xi },
            Coefficients::Teacher(_) => continue,
            Coefficients::Network => unreachable!("networks label the rows of data tasks (`classify`)"),
        };
        column_of[j] = columns.len();
        columns.push(column);
        ridges.push(point.ridges[j]);
    }
    let mut job =
        PointJob::with_columns(design, task.beta.clone(), columns, task.noise_at(n), n)?.with_ridges(ridges)?;
    if e.design.is_some() {
        job = job.with_test_spectrum(task.spectrum.lambda.clone())?;
    }
    Ok((job, column_of))
}

/// The simulation of ERM surrogate `erm` (and of the generations its labels come from) at target sample size n.
fn erm_column(erm: &Erm, n: usize) -> Result<ErmSurrogate, TheoryError> {
    let (m, kept) = (erm.m.at(n), erm.features.kept());
    Ok(ErmSurrogate {
        lambda_s: erm.spectrum.lambda.clone(),
        features: erm.features.clone(),
        m,
        noise_s: erm.noise,
        ridge: erm.ridge,
        gain: erm.optimal_labels.then(|| theory::label_gain(&erm.spectrum.lambda, kept, m, erm.ridge)).transpose()?,
        labels: erm.labels.as_deref().map(|g| erm_column(g, n).map(Box::new)).transpose()?,
    })
}

/// One point's theory, computed once before any trial: its regime, each series' penalty, coefficients and, for
/// excess risks, theory risk.
pub(super) struct PointTheory<'e> {
    /// Its index into the experiment's sample sizes.
    index: usize,
    /// The sample size n.
    n: usize,
    /// Interpolation (τ, Ω), ridge (κ, Ω) or least squares at n: the first series' fit (the experiment's shared
    /// penalty when it has no surrogates), whose τ (κ) and Ω the results record. `None` for a classification
    /// measure, which has no theory.
    regime: Option<Regime>,
    /// Each series' target penalty λ at n (`ridge tuned` resolved); 0 for a teacher, which has no target.
    ridges: Vec<f64>,
    /// Each series' surrogate coefficients.
    surrogates: Vec<Coefficients<'e>>,
    /// Each series' theory risk (`measure excess_risk` only; empty otherwise).
    risks: Vec<f64>,
}

impl<'e> PointTheory<'e> {
    /// The theory of experiment `e` at sample size n.
    fn new(e: &'e Experiment, index: usize, n: usize) -> Result<Self, RunError> {
        if e.measure.classifies() {
            return Ok(Self::classification(e, index, n));
        }
        let fail = |err: TheoryError| failure(e, n)(err.into());
        let lambda = &e.task.spectrum.lambda;
        let series = (0..e.surrogates.len()).map(|j| series_theory(e, n, j)).collect::<Result<Vec<_>, _>>();
        let series = series.map_err(fail)?;
        let regime = match series.first() {
            Some(first) => first.regime,
            None => match e.ridge.of(0) {
                Penalty::Fixed(ridge) => Regime::with_ridge(lambda, n, ridge).map_err(fail)?,
                Penalty::Tuned => unreachable!("the resolver admits `ridge tuned` only with surrogates' risks"),
            },
        };
        let ridges = series.iter().map(|s| s.regime.ridge()).collect();
        let risks = if e.measure == Measure::ExcessRisk { series.iter().map(|s| s.risk).collect() } else { Vec::new() };
        let surrogates = series.into_iter().map(|s| s.coefficients).collect();
        Ok(Self { index, n, regime: Some(regime), ridges, surrogates, risks })
    }

    /// A point of a classification measure (issue 18): no regime and no theory risk, only the series' student
    /// penalty and their kinds (strong labels, networks, teachers: the resolver admits no others).
    fn classification(e: &'e Experiment, index: usize, n: usize) -> Self {
        // The resolver admits only strong labels, networks and teachers in classification.
        let surrogates = (0..e.surrogates.len()).map(|j| without_regime(&e.task, &e.surrogates, j)).collect();
        let ridges = vec![e.student_ridge(); e.surrogates.len()];
        Self { index, n, regime: None, ridges, surrogates, risks: Vec::new() }
    }
}

/// One series' theory at one point: its target's regime, its surrogate and its theory risk.
struct SeriesTheory<'e> {
    /// The target's fit (with the series' penalty).
    regime: Regime,
    /// The surrogate.
    coefficients: Coefficients<'e>,
    /// Its excess risk (also for measures other than `excess_risk`, where it is not recorded).
    risk: f64,
}

/// The theory of series `j` of `e` at sample size n, with its penalty resolved (`ridge tuned`: the λ > 0
/// minimising this series' theory risk, [`theory::tuned_ridge`]).
fn series_theory(e: &Experiment, n: usize, j: usize) -> Result<SeriesTheory<'_>, TheoryError> {
    let lambda = &e.task.spectrum.lambda;
    let at = |ridge: f64| -> Result<SeriesTheory<'_>, TheoryError> {
        let regime = Regime::with_ridge(lambda, n, ridge)?;
        let coefficients = coefficients(&e.task, &e.surrogates, j, &regime);
        let risk = if matches!(e.measure, Measure::ExcessRisk) { theory_risk(e, &regime, &coefficients)? } else { 0.0 };
        Ok(SeriesTheory { regime, coefficients, risk })
    };
    match e.ridge.of(j) {
        // A teacher's risk is its ERM surrogate's own: no target is fitted.
        _ if matches!(e.surrogates[j].kind, SurrogateKind::Teacher(_)) => at(0.0),
        Penalty::Fixed(ridge) => at(ridge),
        Penalty::Tuned => {
            let mean = lambda.iter().sum::<f64>() / lambda.len() as f64;
            at(theory::tuned_ridge(mean, |ridge| at(ridge).map(|s| s.risk))?)
        }
    }
}

/// Refuses a simulated experiment with a point whose theory risk f64 cannot resolve
/// ([`crate::sim::unresolvable`]): its simulated risks would be rounding, reported as if they were measurements.
/// The scale is the largest Σλβ² of β⋆ and the fixed surrogates (labels are made from them), plus σ²(n).
fn check_resolution(e: &Experiment, points: &[PointTheory<'_>]) -> Result<(), RunError> {
    let lambda = &e.task.spectrum.lambda;
    for point in points {
        let signal = point
            .surrogates
            .iter()
            .filter_map(|c| match c {
                Coefficients::Fixed(b) => Some(crate::sim::risk_scale(lambda, b, 0.0)),
                _ => None,
            })
            .fold(crate::sim::risk_scale(lambda, &e.task.beta, 0.0), f64::max);
        for (&risk, s) in point.risks.iter().zip(&e.surrogates) {
            if let Some(reason) = crate::sim::unresolvable(signal + e.task.noise_at(point.n), risk) {
                return Err(failure(e, point.n)(RunErrorKind::Unresolvable { surrogate: s.name.clone(), reason }));
            }
        }
    }
    Ok(())
}

/// The theoretical risk of one series at the sample size of `regime`.
fn theory_risk(e: &Experiment, regime: &Regime, c: &Coefficients<'_>) -> Result<f64, TheoryError> {
    let ridge = regime.ridge();
    let task = &e.task;
    let lambda = &task.spectrum.lambda;
    match (c, &e.design) {
        (Coefficients::Fixed(b), None) => Ok(regime.s2t_risk(lambda, &task.beta, b, task.theory_noise_at(regime.n()))),
        (Coefficients::Fixed(b), Some(design)) => {
            let noise = task.theory_noise_at(regime.n());
            theory::transfer_risk(&design.lambda, lambda, &task.beta, b, noise, regime.n(), ridge)
        }
        (Coefficients::Trained(erm), _) => two_stage_risks(e, erm, regime.n(), ridge).map(|r| r.student),
        (Coefficients::SelfDistilled(xi), _) => {
            let noise = task.theory_noise_at(regime.n());
            theory::SelfDistillation::new(lambda, &task.beta, noise, regime.n(), ridge).map(|sd| sd.risk(*xi))
        }
        (Coefficients::Network, _) => unreachable!("classification measures have no theory risk"),
        (Coefficients::Teacher(of), _) => match &e.surrogates[*of].kind {
            SurrogateKind::Erm(erm) => two_stage_risks(e, erm, regime.n(), 0.0).map(|r| r.teacher),
            _ => unreachable!("the resolver checked the teacher's surrogate"),
        },
    }
}

/// The risks of the two-stage model of an ERM surrogate feeding the experiment's target at sample size n
/// (Definition 3), with the generations of its `labels` chain before it (issue 17 item 3).
fn two_stage_risks(e: &Experiment, erm: &Erm, n: usize, ridge_t: f64) -> Result<TwoStageRisks, TheoryError> {
    let mut earlier: Vec<_> = erm
        .ancestors()
        .map(|g| theory::Generation {
            lambda: &g.spectrum.lambda,
            m: g.m.at(n),
            sigma2: g.noise,
            features: g.features.kept(),
            ridge: g.ridge,
            optimal_labels: g.optimal_labels,
        })
        .collect();
    earlier.reverse();
    TwoStage {
        lambda_s: &erm.spectrum.lambda,
        lambda_t: &e.task.spectrum.lambda,
        beta_star: &e.task.beta,
        sigma_s2: erm.noise,
        sigma_t2: e.task.theory_noise_at(n),
        m: erm.m.at(n),
        n,
        features: erm.features.kept(),
        ridge_s: erm.ridge,
        ridge_t,
        earlier: &earlier,
        optimal_labels: erm.optimal_labels,
    }
    .risks()
}

/// Figure 1b: theory risk and simulated summary of each series at one sample size (the classification measures
/// have no theory: NaN).
fn risks(
    out: &mut ExperimentResults,
    e: &Experiment,
    theory: &PointTheory<'_>,
    sums: Option<TrialSums>,
) -> Result<(), RunErrorKind> {
    let (n, ridges) = (theory.n, &theory.ridges);
    for (j, series) in out.series.iter_mut().enumerate() {
        let mut point = theory_point(n as f64, theory.risks.get(j).copied().unwrap_or(f64::NAN));
        point.infinite_variance = e.infinite_variance(j, n);
        point.ridge = e.records_ridge(j).then_some(ridges[j]);
        if let Coefficients::SelfDistilled(xi) = theory.surrogates[j] {
            point.xi = Some(xi);
        }
        if let Some(sums) = &sums {
            let s = sums.summary(j, POINT_CONFIDENCE)?;
            point.mean = Some(s.mean);
            point.se = Some(s.se);
            point.ci_low = Some(s.ci_low);
            point.ci_high = Some(s.ci_high);
            point.trials = Some(s.count);
        }
        series.points.push(point);
    }
    out.sums.extend(sums);
    Ok(())
}

#[cfg(test)]
mod tests;
