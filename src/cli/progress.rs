//! The progress of a build on stderr: a bar on a terminal, a plain line every few seconds elsewhere.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kdrepro::Plan;

/// How often a build that is not on a terminal prints a progress line, unless `KDREPRO_PROGRESS_SECONDS` says.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// The progress of a build on stderr, weighted by the plan's estimated flops so that a large point's trial counts
/// for more than a small one's: a bar on a terminal, and elsewhere (CI logs, SLURM) a plain line every few seconds,
/// so that a long run is never silent.
pub(crate) struct Progress<'p> {
    /// The plan that runs, for experiment names.
    plan: &'p Plan<'p>,
    /// The plan's point-trials, adaptive experiments at their caps ([`Plan::total_trials`]; computed once: every
    /// tick of every worker reads it).
    planned_trials: u64,
    /// Their estimated floating-point operations ([`Plan::total_flops`]).
    planned_flops: f64,
    /// The bar, hidden when stderr is not a terminal.
    bar: indicatif::ProgressBar,
    /// Whether stderr is a terminal.
    terminal: bool,
    /// When the run started.
    started: Instant,
    /// Point-trials finished.
    trials: AtomicU64,
    /// Their estimated floating-point operations, rounded.
    flops: AtomicU64,
    /// Planned point-trials that adaptive experiments skipped by stopping early.
    skipped_trials: AtomicU64,
    /// Their estimated floating-point operations, rounded.
    skipped_flops: AtomicU64,
    /// When the last plain line was printed, in milliseconds since `started`.
    printed: AtomicU64,
    /// The interval between plain lines, in milliseconds.
    every: u64,
}

impl<'p> Progress<'p> {
    /// The progress of running `planned` point-trials and their estimated flops of `plan` (all of them, or one
    /// shard's); nothing at all if `quiet`.
    pub(crate) fn new(plan: &'p Plan<'p>, (planned_trials, planned_flops): (u64, f64), quiet: bool) -> Self {
        let terminal = !quiet && std::io::stderr().is_terminal();
        let bar = if terminal && planned_trials > 0 {
            let bar = indicatif::ProgressBar::new(planned_flops.max(1.0) as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} simulating {bar:40} {percent}% of the estimated work, {msg} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        let zero = || AtomicU64::new(0);
        Progress {
            plan,
            planned_trials,
            planned_flops,
            bar,
            terminal,
            started: Instant::now(),
            trials: zero(),
            flops: zero(),
            skipped_trials: zero(),
            skipped_flops: zero(),
            printed: zero(),
            every: if quiet { u64::MAX } else { Self::interval() },
        }
    }

    /// The interval between plain lines, in milliseconds.
    fn interval() -> u64 {
        std::env::var("KDREPRO_PROGRESS_SECONDS")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(PROGRESS_EVERY, Duration::from_secs_f64)
            .as_millis()
            .try_into()
            .unwrap_or(u64::MAX)
    }

    /// Records finished or skipped work; from worker threads.
    pub(crate) fn tick(&self, tick: kdrepro::Tick) {
        let (work, counter) = match tick {
            kdrepro::Tick::Done(work) => (work, (&self.trials, &self.flops)),
            kdrepro::Tick::Skipped(work) => (work, (&self.skipped_trials, &self.skipped_flops)),
        };
        counter.0.fetch_add(work.trials, Ordering::Relaxed);
        counter.1.fetch_add(work.flops as u64, Ordering::Relaxed);
        let (trials, flops) = (self.trials.load(Ordering::Relaxed), self.flops.load(Ordering::Relaxed));
        // What is left to run: the plan less what adaptive experiments skipped by stopping early.
        let total_trials = self.planned_trials.saturating_sub(self.skipped_trials.load(Ordering::Relaxed));
        let total_flops = (self.planned_flops - self.skipped_flops.load(Ordering::Relaxed) as f64).max(1.0);
        if self.terminal {
            self.bar.set_length(total_flops as u64);
            self.bar.set_position(flops);
            self.bar.set_message(format!("{trials}/{total_trials} trials"));
            return;
        }
        let elapsed = self.started.elapsed();
        let last = self.printed.load(Ordering::Relaxed);
        let now = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        // One thread prints, the first past the interval; the others see the updated time.
        if now.saturating_sub(last) < self.every
            || self.printed.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        let share = (flops as f64 / total_flops).min(1.0);
        let left = elapsed.as_secs_f64() * (1.0 - share) / share.max(f64::MIN_POSITIVE);
        eprintln!(
            "progress: {}: {trials} of at most {total_trials} trials, {:.0}% of the estimated work, {:.0} s \
             elapsed, at most about {:.0} s left",
            self.plan.experiment_name(work.experiment),
            100.0 * share,
            elapsed.as_secs_f64(),
            left
        );
    }

    /// Point-trials finished so far.
    pub(crate) fn trials(&self) -> u64 {
        self.trials.load(Ordering::Relaxed)
    }

    /// Clears the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
