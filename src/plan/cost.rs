//! The cost of a plan, before anything runs: every experiment's points and trials, its estimated simulation
//! cost in floating-point operations (flop-equivalents: the random draws and a trial's fixed work are counted at
//! what they cost beside the linear algebra) and its peak memory, and the claims. `kdrepro check` prints it;
//! `check` and `build` refuse a spec whose estimated peak memory exceeds a limit.
//!
//! The estimates are rough (the constant factors of the linear algebra are ignored) but monotone in every size,
//! which is what a budget check needs.

use std::fmt;

use super::Plan;
use crate::diagnostics::{Diagnostic, Span};
use crate::spec::{Claim, Designs, Experiment, Keyword, SurrogateKind, Trials};

/// Bytes of one f64.
const F64: f64 = 8.0;
/// Vectors of length p the theory of one point holds at once (λ, β⋆, β^s, weights and working copies).
const THEORY_VECTORS: f64 = 8.0;

/// What running a plan will cost ([`Plan::cost`]).
#[derive(Clone, Debug)]
pub struct Cost {
    /// One line per experiment, in file order.
    pub(super) experiments: Vec<ExperimentCost>,
    /// One per claim, in file order.
    pub(super) claims: Vec<ClaimPlan>,
    /// The worker threads the estimate assumes.
    pub(super) threads: usize,
}

/// A claim as planned: its rule, the experiment it reads and whether it is simulated.
#[derive(Clone, Debug)]
pub(super) struct ClaimPlan {
    /// Its name.
    pub(super) name: String,
    /// Where its name stands in the spec.
    pub(super) span: Span,
    /// The rule's keyword (`agree`, `holds`, ...).
    pub(super) rule: &'static str,
    /// The experiment it reads.
    pub(super) experiment: String,
    /// The confidence of a simulated claim; `None` for a claim on theory alone.
    pub(super) confidence: Option<f64>,
    /// Its statement.
    pub(super) label: String,
}

/// The cost of one experiment.
#[derive(Clone, Debug)]
pub(super) struct ExperimentCost {
    /// Its name.
    pub(super) name: String,
    /// Where its name stands in the spec.
    pub(super) span: Span,
    /// Its sample sizes n.
    pub(super) sizes: Vec<usize>,
    /// Its number of features p.
    pub(super) features: usize,
    /// Monte Carlo trials per point; `None` for theory only.
    pub(super) trials: Option<Trials>,
    /// Estimated floating-point operations (flop-equivalents, [`trial_flops`]) of all its trials (at the cap, for
    /// adaptive trials).
    pub(super) flops: f64,
    /// Estimated peak memory in bytes.
    pub(super) memory: f64,
}

impl Plan<'_> {
    /// Estimates the cost of running the plan with `threads` workers.
    pub fn cost(&self, threads: usize) -> Cost {
        let threads = threads.max(1);
        let experiments = (self.spec.experiments.iter().enumerate())
            .map(|(i, e)| experiment_cost(e, self.schedule(i).trials, threads))
            .collect();
        let claims = self.spec.claims.iter().map(|c| claim_plan(self, c)).collect();
        Cost { experiments, claims, threads }
    }
}

/// A claim's rule, experiment and confidence.
fn claim_plan(plan: &Plan<'_>, c: &Claim) -> ClaimPlan {
    ClaimPlan {
        name: c.name.clone(),
        span: c.span,
        rule: c.rule.kind().keyword(),
        experiment: plan.spec.experiments[c.rule.experiment()].name.clone(),
        confidence: c.rule.is_simulated().then_some(c.confidence),
        label: c.label.clone(),
    }
}

/// "name: `holds` on fig1b (simulated, confidence 0.99): label".
impl fmt::Display for ClaimPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = self.confidence.map_or_else(|| "theory".to_owned(), |c| format!("simulated, confidence {c}"));
        write!(f, "{}: `{}` on {} ({how}): {}", self.name, self.rule, self.experiment, self.label)
    }
}

/// The cost of one experiment running `trials` (`None`: theory only).
fn experiment_cost(e: &Experiment, trials: Option<Trials>, threads: usize) -> ExperimentCost {
    let p = e.task.spectrum.lambda.len();
    let theory_memory = THEORY_VECTORS * p as f64 * F64 + data_memory(e);
    let (flops, memory) = match trials.map(Trials::max) {
        None => (0.0, theory_memory),
        Some(t) => {
            let flops = t as f64 * sweep_trial_flops(e);
            let per_thread = e.sizes.iter().map(|&n| trial_memory(e, n, p)).fold(0.0, f64::max);
            // A rotation U is one p × p matrix shared by all threads.
            let rotation = if e.task.rotation.is_some() { (p * p) as f64 * F64 } else { 0.0 };
            (flops, theory_memory + rotation + threads as f64 * per_thread)
        }
    };
    ExperimentCost { name: e.name.clone(), span: e.span, sizes: e.sizes.clone(), features: p, trials, flops, memory }
}

/// Bytes of the data set a data task holds, shared by every thread: a classification task's rows (N × d) or a
/// regression task's rows in Σ̂'s eigenbasis (N × r) with their residuals.
fn data_memory(e: &Experiment) -> f64 {
    let rows = e.task.rows.as_ref().map_or(0, |r| r.data.features.nrows() * r.data.features.ncols());
    let data = e.task.data.as_ref().map_or(0, |d| d.rows.count() * (e.task.spectrum.lambda.len() + 1));
    (rows + data) as f64 * F64
}

/// Floating-point operations of one least-squares or min-norm fit on an n × p design: the Gram matrix
/// (n²p when n < p, else np²) and its Cholesky factor (k³/3, k = min(n, p)).
fn fit_flops(n: usize, p: usize) -> f64 {
    let (n, p) = (n as f64, p as f64);
    let gram = if n < p { n * n * p } else { n * p * p };
    gram + n.min(p).powi(3) / 3.0
}

/// The cost of one standard Gaussian draw in flop-equivalents: drawing a design costs about as much as 140
/// floating-point operations of the fit's linear algebra per entry (`bench/cost.sh`, on this project's 2-core
/// machine; the ratio, not the absolute speed, is what matters).
const GAUSSIAN_DRAW: f64 = 140.0;

/// The fixed cost of a trial in flop-equivalents (allocations, the risks, the exact sums): about 10 µs, as much as
/// 2.5·10⁵ operations of the fit (`bench/cost.sh`).
const TRIAL_OVERHEAD: f64 = 2.5e5;

/// The estimated cost of one trial at every point of `e`, in flop-equivalents: the sum of its points' trials
/// ([`trial_flops`]), or with `designs nested` one trial of the sweep ([`nested_trial_flops`]).
pub(super) fn sweep_trial_flops(e: &Experiment) -> f64 {
    let p = e.task.spectrum.lambda.len();
    match e.designs {
        Designs::Independent => e.sizes.iter().map(|&n| trial_flops(e, n, p)).sum(),
        Designs::Nested => nested_trial_flops(e, p),
    }
}

/// Surrogate columns a trial fits: every series but teachers (they read their ERM column).
fn columns(e: &Experiment) -> usize {
    e.surrogates.iter().filter(|s| !matches!(s.kind, SurrogateKind::Teacher(_))).count()
}

/// The estimated cost of one trial of a nested sweep at all its points, in flop-equivalents (`sim/nested.rs`): one
/// draw, Gram matrix and Cholesky factor at the largest n, then per point and surrogate column the labels, the
/// back-projection and the residual check (2np each) and two triangular solves (2n²), and the fixed overhead once.
fn nested_trial_flops(e: &Experiment, p: usize) -> f64 {
    let largest = e.sizes.last().copied().unwrap_or(0);
    let columns = columns(e) as f64;
    let points: f64 = e.sizes.iter().map(|&n| columns * (6.0 * (n * p) as f64 + 2.0 * (n * n) as f64)).sum();
    GAUSSIAN_DRAW * (largest * p) as f64 + fit_flops(largest, p) + points + TRIAL_OVERHEAD
}

/// The estimated cost of one trial at sample size n, in flop-equivalents: drawing the n × p design, the target's
/// fit, for each surrogate column its labels Xβ and the back-projection Xᵀα (2np each), every ERM surrogate's own
/// m × p draw, labels and fit, the rotation of the design (p²n) when Σ is rotated, and a fixed overhead. The linear algebra's
/// share of it alone would rank a trial at n = 10, p = 100 at a fifth of its measured cost relative to one at
/// n = 450, p = 500, which is what the shards of a plan are balanced by.
pub(super) fn trial_flops(e: &Experiment, n: usize, p: usize) -> f64 {
    if let Some(student) = e.student {
        // Per network: its features, the fit, and one right-hand side per output (ΦᵀY, the two triangular solves
        // and the outputs on the rows it predicts).
        let outputs = |(rows, fit, width, k, columns): (usize, usize, usize, usize, usize)| {
            let solves = 2.0 * ((rows + fit) * width + fit.min(width).pow(2)) as f64 * columns as f64;
            2.0 * (rows * width * k) as f64 + fit_flops(fit, width) + solves
        };
        return networks(e, n, student.width).map(outputs).sum::<f64>() + TRIAL_OVERHEAD;
    }
    let draw = |n: usize, p: usize| GAUSSIAN_DRAW * (n * p) as f64;
    // An ERM surrogate draws its m × p design (its labels x̃β⋆ read every feature) and fits on the p_s it sees.
    let stage = |m: usize, features: usize| draw(m, p) + 2.0 * (m * p) as f64 + fit_flops(m, features);
    let stages: f64 = erm_stages(e).map(|(m, features)| stage(m.at(n), features)).sum();
    let labels = 4.0 * (columns(e) * n * p) as f64;
    let rotation = if e.task.rotation.is_some() { (p * p * n) as f64 } else { 0.0 };
    draw(n, p) + fit_flops(n, p) + labels + stages + rotation + TRIAL_OVERHEAD
}

/// Bytes one worker holds during a trial at n: the design n·p and its Gram matrix k², k = min(n, p), and the
/// same for every ERM surrogate's data; for a classification measure, its largest network's matrices.
fn trial_memory(e: &Experiment, n: usize, p: usize) -> f64 {
    if let Some(student) = e.student {
        // Its gathered inputs and features, the fit's copy of them (QR fallback) and Gram matrix, the labels, last
        // layer and outputs. The networks of a trial are fitted one after another: the largest one counts.
        let held = |(rows, fit, width, k, columns): (usize, usize, usize, usize, usize)| {
            let matrices = rows * (k + width) + fit * width + fit.min(width).pow(2) + (rows + width) * columns;
            matrices as f64 * F64
        };
        return networks(e, n, student.width).map(held).fold(0.0, f64::max);
    }
    let fit = |n: usize, p: usize| ((n * p) as f64 + (n.min(p) as f64).powi(2)) * F64;
    fit(n, p) + erm_stages(e).map(|(m, features)| fit(m.at(n), features)).sum::<f64>()
}

/// The networks of a classification trial at n, each as (rows it computes features for, rows it is fitted on,
/// hidden units, inputs, outputs fitted): the student (its n rows and the test rows; one output per class for
/// each series it is trained for) and every teacher (its m rows, the student's and the test rows; one output per
/// class).
fn networks(e: &Experiment, n: usize, width: usize) -> impl Iterator<Item = (usize, usize, usize, usize, usize)> + '_ {
    let (test, d, classes) =
        e.task.rows.as_ref().map_or((0, 0, 0), |r| (r.test, r.data.features.ncols(), r.data.classes()));
    let teachers = e.surrogates.iter().filter_map(move |s| match &s.kind {
        SurrogateKind::Network(t) => {
            let inputs = t.inputs.as_ref().map_or(d, crate::spec::Inputs::count);
            Some((t.m + n + test, t.m, t.hidden.width, inputs, classes))
        }
        _ => None,
    });
    let trained = e.surrogates.iter().filter(|s| !matches!(s.kind, SurrogateKind::Teacher(_))).count();
    std::iter::once((n + test, n, width, d, classes * trained)).chain(teachers)
}

/// The (sample size, features) of every ERM fit of `e`: each ERM surrogate and the generations of its chain.
fn erm_stages(e: &Experiment) -> impl Iterator<Item = (crate::spec::SampleSize, usize)> + '_ {
    e.surrogates
        .iter()
        .filter_map(|s| match &s.kind {
            SurrogateKind::Erm(erm) => Some(erm.generations()),
            _ => None,
        })
        .flatten()
        .map(|g| (g.m, g.features.kept().count()))
}

impl Cost {
    /// Estimated floating-point operations of all trials.
    pub(super) fn total_flops(&self) -> f64 {
        self.experiments.iter().map(|e| e.flops).sum::<f64>().max(0.0)
    }

    /// Point-trials of all simulated experiments (adaptive ones at their cap).
    pub(super) fn total_trials(&self) -> usize {
        self.experiments.iter().map(|e| e.trials.map_or(0, Trials::max) * e.sizes.len()).sum()
    }

    /// The estimated peak memory in bytes: the largest simulated experiment (they run one after another, each on
    /// all threads) beside the largest theory-only experiments, which run concurrently with it, one per thread.
    pub fn peak_memory(&self) -> u64 {
        let (simulated, theory): (Vec<_>, Vec<_>) = self.experiments.iter().partition(|e| e.trials.is_some());
        let simulated = simulated.iter().map(|e| e.memory).fold(0.0, f64::max);
        let mut theory: Vec<f64> = theory.iter().map(|e| e.memory).collect();
        theory.sort_by(|a, b| b.total_cmp(a));
        (simulated + theory.iter().take(self.threads).sum::<f64>()) as u64
    }

    /// Refuses the plan if its estimated peak memory ([`Cost::peak_memory`]) exceeds `limit` bytes, pointing at the
    /// experiment that needs the most.
    ///
    /// # Errors
    /// A located error naming that experiment, the estimate and the limit.
    pub fn check_memory(&self, limit: u64) -> Result<(), Diagnostic> {
        let peak = self.peak_memory();
        let largest = self.experiments.iter().max_by(|a, b| a.memory.total_cmp(&b.memory));
        let Some(e) = largest.filter(|_| peak > limit) else { return Ok(()) };
        Err(Diagnostic::error(
            e.span,
            format!(
                "experiment `{}` needs about {} of memory with {} worker thread(s), above the limit of {}",
                e.name,
                bytes(peak as f64),
                self.threads,
                bytes(limit as f64)
            ),
        )
        .with_hint("lower `n` or `p`, run fewer threads with `--jobs`, or raise `--memory-limit`"))
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (simulated, theory): (Vec<_>, Vec<_>) = self.experiments.iter().partition(|e| e.trials.is_some());
        let plural = if self.threads == 1 { "" } else { "s" };
        writeln!(f, "simulated experiments ({}, {} worker thread{plural}):", simulated.len(), self.threads)?;
        for e in &simulated {
            let trials = match e.trials {
                Some(Trials::Auto { max }) => format!("adaptive trials (up to {max}) per point"),
                t => format!("{} trials per point", t.map_or(0, Trials::max)),
            };
            writeln!(
                f,
                "  {}: {}, p = {}, {trials}, {} flops, {} peak memory",
                e.name,
                sweep(&e.sizes),
                e.features,
                flops(e.flops),
                bytes(e.memory)
            )?;
        }
        writeln!(f, "theory-only experiments ({}):", theory.len())?;
        for e in &theory {
            writeln!(f, "  {}: {}, p = {}", e.name, sweep(&e.sizes), e.features)?;
        }
        writeln!(f, "claims ({}):", self.claims.len())?;
        for c in &self.claims {
            writeln!(f, "  {c}")?;
        }
        let (total, trials) = (self.total_flops(), self.total_trials());
        let adaptive = simulated.iter().any(|e| matches!(e.trials, Some(Trials::Auto { .. })));
        let trials = if adaptive { format!("at most {trials}") } else { trials.to_string() };
        writeln!(f, "total: {trials} trials, {} flops, {} peak memory", flops(total), bytes(self.peak_memory() as f64))
    }
}

/// "17 points (n = 50..450)" or "1 point (n = 200)".
fn sweep(sizes: &[usize]) -> String {
    match (sizes.first(), sizes.last()) {
        (Some(a), Some(b)) if sizes.len() > 1 => format!("{} points (n = {a}..{b})", sizes.len()),
        (Some(a), _) => format!("1 point (n = {a})"),
        _ => "no points".to_owned(),
    }
}

/// A flop count in engineering notation: "3.2e9".
fn flops(x: f64) -> String {
    if x < 1e3 { format!("{x:.0}") } else { format!("{x:.1e}") }
}

/// A byte count in binary units: "1.5 GiB".
fn bytes(x: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = x;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{value:.0} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Parses a byte count with an optional binary suffix: `8G`, `512M`, `64k`, `1T`, `4096` (a trailing `B` or
/// `iB` is accepted, e.g. `8GiB`).
///
/// # Errors
/// A message for the command line when the text is not such a count.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t.strip_suffix("iB").or_else(|| t.strip_suffix('B')).unwrap_or(t);
    let (digits, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("unknown unit in `{text}`: use K, M, G or T")),
            };
            (&t[..i], shift)
        }
        _ => (t, 0),
    };
    let n: u64 = digits.trim().parse().map_err(|_| format!("`{text}` is not a byte count such as 8G or 512M"))?;
    n.checked_mul(1u64 << shift).ok_or_else(|| format!("`{text}` is too large"))
}

/// Half of the physical memory (from /proc/meminfo), or 8 GiB where that cannot be read.
pub fn default_memory_limit() -> u64 {
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
        let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    });
    total_kib.map_or(8 << 30, |kib| kib * 1024 / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, resolve};

    /// A spec with one simulated experiment of p = 100 at n = 50 and 200, and one theory experiment.
    const SPEC: &str = "title \"t\"\nspectrum s = isotropic(p: 100)\nsignal b = constant(spectrum: s)\n\
task t = gaussian(spectrum: s, signal: b, noise: 0.1)\nsurrogate g = ground_truth\n\
experiment e {\n task t\n n [50, 200]\n surrogates g\n trials 10\n}\n\
experiment th {\n task t\n n 50\n surrogates g\n}\n";

    fn plan(threads: usize) -> Cost {
        let spec = resolve(&parse(SPEC).unwrap(), SPEC, std::path::Path::new(".")).unwrap();
        Plan::new(&spec, super::super::Overrides::default()).cost(threads)
    }

    #[test]
    fn flops_follow_the_gram_and_cholesky_counts_with_the_draw_labels_and_overhead() {
        let p = plan(1);
        // The fit: n = 50 < p: 50²·100 + 50³/3; n = 200 > p: 200·100² + 100³/3. The draw, 140 per entry of the
        // n × 100 design; the one column's labels and back-projection, 4np; 2.5·10⁵ per trial. Ten trials each.
        let fit = 250_000.0 + 125_000.0 / 3.0 + 2_000_000.0 + 1_000_000.0 / 3.0;
        let draw = 140.0 * (5_000.0 + 20_000.0);
        let labels = 4.0 * (5_000.0 + 20_000.0);
        let expected = 10.0 * (fit + draw + labels + 2.0 * 2.5e5);
        assert!((p.experiments[0].flops - expected).abs() < 1e-6 * expected);
        assert_eq!(p.experiments[1].flops, 0.0);
    }

    #[test]
    fn memory_grows_with_threads_and_the_largest_point_decides() {
        // The largest point n = 200: design 200·100 and Gram 100², eight bytes each, per thread; eight vectors of
        // p = 100 for the theory of each experiment, the theory-only one running beside the simulated one.
        let per_thread = (20_000.0 + 10_000.0) * 8.0;
        let theory = 8.0 * 100.0 * 8.0;
        assert_eq!(plan(1).peak_memory(), (2.0 * theory + per_thread) as u64);
        assert_eq!(plan(4).peak_memory(), (2.0 * theory + 4.0 * per_thread) as u64);
        assert!(plan(4).check_memory(plan(4).peak_memory()).is_ok());
        let refused = plan(4).check_memory(plan(4).peak_memory() - 1).unwrap_err();
        assert!(refused.message.starts_with("experiment `e` needs about"), "{}", refused.message);
    }

    #[test]
    fn byte_counts_take_binary_suffixes() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("8G"), Ok(8 << 30));
        assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
        assert_eq!(parse_bytes("64k"), Ok(64 << 10));
        assert!(parse_bytes("8X").is_err());
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999T").is_err());
    }
}
