//! The `kdrepro` command line: argument parsing, progress, printing and exit codes. Nothing is computed here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use kdrepro::{Diagnostic, Fonts, Overrides, Plan, RenderError, RenderInput, RunOptions, Spec};

/// Reproduces a theory paper as a checked, typeset report.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
enum Command {
    /// Run a spec's theory and simulations, judge its claims and write the report.
    Build(BuildArgs),
    /// Parse, resolve and plan a spec without running anything; print the plan.
    Check {
        /// The experiment file (`.kd`).
        spec: PathBuf,
        /// Refuse specs whose estimated peak memory exceeds this many bytes (suffixes K, M, G, T; default: half
        /// the physical memory).
        #[arg(long, value_parser = kdrepro::parse_bytes)]
        memory_limit: Option<u64>,
        /// The fonts the printed text is checked against.
        #[command(flatten)]
        fonts: FontArgs,
    },
    /// Print specs in canonical layout (every comment kept), or check or rewrite them.
    Fmt {
        /// The experiment files (`.kd`).
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Print nothing for canonical files, a diff for the others, and exit with 1 if there are any.
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Rewrite the files that are not canonical in place.
        #[arg(long)]
        write: bool,
    },
}

/// The arguments of `kdrepro build`.
#[derive(Args)]
struct BuildArgs {
    /// The experiment file (`.kd`).
    spec: PathBuf,
    /// Output directory.
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    jobs: Option<usize>,
    /// Overrides the spec's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Overrides every experiment's trial count (for quick drafts and benchmarks).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    trials: Option<u64>,
    /// Records the worker thread count in the report and the results file (outputs then differ between thread
    /// counts; the count is always printed on stderr).
    #[arg(long)]
    record_threads: bool,
    /// Refuse specs whose estimated peak memory exceeds this many bytes (suffixes K, M, G, T; default: half
    /// the physical memory).
    #[arg(long, value_parser = kdrepro::parse_bytes)]
    memory_limit: Option<u64>,
    /// The fonts the report is set in.
    #[command(flatten)]
    fonts: FontArgs,
}

/// The environment variable naming font directories (separated as in `PATH`) when `--font-path` is not given.
const FONT_PATHS_VARIABLE: &str = "KDREPRO_FONT_PATHS";

/// `--font-path`, shared by `build` and `check`.
#[derive(Args)]
struct FontArgs {
    /// Adds every font file (.ttf, .otf, .ttc, .otc) under DIR, searched recursively, after the embedded fonts;
    /// repeatable (default: the directories in KDREPRO_FONT_PATHS, separated by `:`). System fonts are never used.
    #[arg(long = "font-path", value_name = "DIR")]
    dirs: Vec<PathBuf>,
}

impl FontArgs {
    /// The embedded fonts and those under the directories, or a printed error (exit 2) when one cannot be read.
    fn load(&self) -> Result<Fonts, Failure> {
        let (dirs, origin) = if self.dirs.is_empty() {
            let listed = std::env::var_os(FONT_PATHS_VARIABLE).unwrap_or_default();
            (std::env::split_paths(&listed).filter(|dir| !dir.as_os_str().is_empty()).collect(), FONT_PATHS_VARIABLE)
        } else {
            (self.dirs.clone(), "--font-path")
        };
        Fonts::load(&dirs).map_err(|e| {
            eprintln!("error: {origin}: {e}");
            Failure::Spec
        })
    }
}

/// Why the process stops: each maps to one exit code.
enum Failure {
    /// The report was written but a claim failed (exit 1).
    Claims,
    /// The spec or the command line is wrong (exit 2).
    Spec,
    /// A runtime or I/O failure (exit 3).
    Runtime(String),
    /// Experiments that could not be evaluated, their located errors printed already (exit 3).
    Evaluation,
    /// `fmt --check` found a file that is not canonical (exit 1).
    NotCanonical,
    /// The report was written, no claim failed, but some claim is inconclusive (exit 4).
    Inconclusive,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Build(args) => build(&args),
        Command::Check { spec, memory_limit, fonts } => check(&spec, memory_limit, &fonts),
        Command::Fmt { specs, check, write } => fmt(&specs, check, write),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Claims | Failure::NotCanonical) => ExitCode::from(1),
        Err(Failure::Inconclusive) => ExitCode::from(4),
        Err(Failure::Spec) => ExitCode::from(2),
        Err(Failure::Runtime(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(3)
        }
        Err(Failure::Evaluation) => ExitCode::from(3),
    }
}

/// The UTF-8 byte-order mark some editors put at the start of a file.
const BOM: &str = "\u{feff}";

/// Reads a spec's text without a leading byte-order mark (editors add one invisibly), printing a located error
/// if it is not UTF-8.
fn read_source(path: &Path) -> Result<String, Failure> {
    read_raw(path).map(|text| text.strip_prefix(BOM).map_or(text.clone(), str::to_owned))
}

/// Reads a file's text as it is, printing a located error if it is not UTF-8.
fn read_raw(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::Runtime(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let d = Diagnostic::at(at, "the file is not UTF-8 text");
        eprint!("{}", d.render(&display(path), &String::from_utf8_lossy(&e.as_bytes()[..at])));
        Failure::Spec
    })
}

/// Reads, parses and resolves a spec, printing its errors; returns it with its source text and its warnings (among
/// them the printed text that no font of `fonts` can show), unprinted, so that the plan's join them in file order.
fn load(path: &Path, fonts: &Fonts) -> Result<(Spec, String, Vec<Diagnostic>), Failure> {
    let source = read_source(path)?;
    let display = display(path);
    let print = |diagnostics: Vec<Diagnostic>| {
        for d in diagnostics {
            eprint!("{}", d.render(&display, &source));
        }
        Failure::Spec
    };
    let ast = kdrepro::parse(&source).map_err(print)?;
    let spec = kdrepro::resolve(&ast, &source, spec_dir(path)).map_err(print)?;
    // Prose is rendered against the outline of the results now, so that a misnamed value stops `check` and
    // `build` before anything runs.
    kdrepro::check_prose(&spec, fonts).map_err(print)?;
    // Mathematics that Typst refuses stops here too, at its text, not in the report after the run.
    kdrepro::check_mathematics(&ast, &source, fonts).map_err(print)?;
    let mut warnings = kdrepro::lint(&ast, &spec);
    warnings.extend(kdrepro::check_fonts(&spec, &source, fonts));
    Ok((spec, source, warnings))
}

/// Prints warnings in file order. Warnings do not change the exit code.
fn warn(path: &Path, source: &str, mut warnings: Vec<Diagnostic>) {
    warnings.sort_by_key(|w| w.span.start);
    for w in warnings {
        eprint!("{}", w.render(&display(path), source));
    }
}

/// The directory of the spec file, which its `file("...")` paths are relative to.
fn spec_dir(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// `kdrepro check`: prints the plan of a valid spec that fits in memory.
fn check(path: &Path, memory_limit: Option<u64>, fonts: &FontArgs) -> Result<(), Failure> {
    let fonts = fonts.load()?;
    let (spec, source, mut warnings) = load(path, &fonts)?;
    let plan = Plan::new(&spec, Overrides::default());
    warnings.extend(plan.warnings());
    warn(path, &source, warnings);
    let cost = affordable(path, &plan, &source, None, memory_limit)?;
    print!("{cost}");
    eprintln!("{}: ok ({})", path.display(), spec.outline());
    Ok(())
}

/// Estimates the cost of running `plan`, refusing it (exit 2) when its peak memory exceeds the limit.
fn affordable(
    path: &Path,
    plan: &Plan<'_>,
    source: &str,
    jobs: Option<usize>,
    limit: Option<u64>,
) -> Result<kdrepro::Cost, Failure> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let cost = plan.cost(jobs.filter(|&j| j > 0).unwrap_or(cores));
    cost.check_memory(limit.unwrap_or_else(kdrepro::default_memory_limit)).map_err(|d| {
        eprint!("{}", d.render(&display(path), source));
        Failure::Spec
    })?;
    Ok(cost)
}

/// `kdrepro build`.
fn build(args: &BuildArgs) -> Result<(), Failure> {
    let (path, out) = (args.spec.as_path(), args.out.as_path());
    let fonts = args.fonts.load()?;
    let (spec, source, mut warnings) = load(path, &fonts)?;
    let draft = args.trials.map(|t| usize::try_from(t).unwrap_or(usize::MAX));
    let plan = Plan::new(&spec, Overrides { seed: args.seed, trials: draft });
    warnings.extend(plan.warnings());
    warn(path, &source, warnings);
    affordable(path, &plan, &source, args.jobs, args.memory_limit)?;
    // Before any work: an output location that cannot take the report fails now, not after the simulation.
    kdrepro::check_output(out).map_err(|e| Failure::Runtime(e.to_string()))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start worker threads: {e}")))?;
    eprintln!("{} worker threads", pool.current_num_threads());
    // The cache lives under the output directory, keyed by everything that determines each experiment's results.
    let cache = args.out.join(".cache");
    let progress = Progress::new(&plan);
    let tick = |tick: kdrepro::Tick| progress.tick(tick);
    let decided = |partial: &kdrepro::Results, running: usize| kdrepro::decided(&plan, partial, running);
    let options = RunOptions { progress: Some(&tick), cache: Some(&cache), decided: Some(&decided) };
    let started = std::time::Instant::now();
    let results = pool.install(|| kdrepro::run(&plan, &options)).map_err(|errors| {
        progress.finish();
        for error in &errors {
            eprint!("{}", error.diagnostic().render(&display(path), &source));
        }
        Failure::Evaluation
    })?;
    progress.finish();
    // Timing goes to stderr only: the outputs stay byte-identical.
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("ran theory and {} trials in {seconds:.2} s (cached experiments are not rerun)", progress.trials());
    for note in results.fallback_notes() {
        eprintln!("note: {note}");
    }
    let verdicts = kdrepro::judge(&plan, &results);
    let spec_file = path.file_name().map_or_else(|| display(path), |n| n.to_string_lossy().into_owned());
    let stem = kdrepro::output_stem(path);
    let spec_hash = kdrepro::spec_hash(&source);
    let threads = args.record_threads.then(|| pool.current_num_threads());
    let input = RenderInput {
        plan: &plan,
        spec_file: &spec_file,
        source: &source,
        stem: &stem,
        results: &results,
        verdicts: &verdicts,
        spec_hash: &spec_hash,
        threads,
        fonts: &fonts,
    };
    let report = kdrepro::render(&input).map_err(|e| match e {
        RenderError::Prose { span, message } => {
            eprint!("{}", Diagnostic::at(span.start as usize, message).render(&display(path), &source));
            Failure::Spec
        }
        RenderError::Internal(_) => Failure::Runtime(e.to_string()),
    })?;
    let written = kdrepro::write_report(&report, out, &stem).map_err(|e| Failure::Runtime(e.to_string()))?;
    for warning in &report.warnings {
        eprint!("{}", warning.render(&display(path), &source));
    }
    for diagnostic in kdrepro::located(&verdicts) {
        eprint!("{}", diagnostic.render(&display(path), &source));
    }
    for line in verdicts.lines() {
        eprintln!("{line}");
    }
    eprintln!("wrote {}", written.iter().map(|p| display(p)).collect::<Vec<_>>().join(", "));
    if verdicts.any_failed() {
        Err(Failure::Claims)
    } else if verdicts.any_inconclusive() {
        Err(Failure::Inconclusive)
    } else {
        Ok(())
    }
}

/// `kdrepro fmt`: formats every file, continuing past failures; the worst failure decides the exit code.
fn fmt(paths: &[PathBuf], check: bool, write: bool) -> Result<(), Failure> {
    let mut worst = Ok(());
    for path in paths {
        let outcome = fmt_one(path, check, write);
        worst = match (worst, outcome) {
            (Err(Failure::Runtime(m)), _) | (_, Err(Failure::Runtime(m))) => Err(Failure::Runtime(m)),
            (Err(Failure::Spec), _) | (_, Err(Failure::Spec)) => Err(Failure::Spec),
            (Err(f), _) | (_, Err(f)) => Err(f),
            (Ok(()), Ok(())) => Ok(()),
        };
    }
    worst
}

/// Formats one file: prints it, prints its diff (`--check`), or rewrites it (`--write`). CRLF line endings and a
/// byte-order mark are not formatting: the text is compared with LF endings, and `--write` keeps both.
fn fmt_one(path: &Path, check: bool, write: bool) -> Result<(), Failure> {
    let raw = read_raw(path)?;
    let bom = raw.starts_with(BOM);
    let crlf = raw.contains("\r\n");
    let source = raw.strip_prefix(BOM).unwrap_or(&raw).replace("\r\n", "\n");
    let formatted = kdrepro::format(&source, &kdrepro::Signatures).map_err(|diagnostics| {
        for d in diagnostics {
            eprint!("{}", d.render(&display(path), &source));
        }
        Failure::Spec
    })?;
    if check {
        let name = display(path);
        let diff = kdrepro::unified_diff(&name, &format!("{name} (formatted)"), &source, &formatted);
        print!("{diff}");
        return if diff.is_empty() { Ok(()) } else { Err(Failure::NotCanonical) };
    }
    if !write {
        print!("{formatted}");
    } else if formatted != source {
        let endings = if crlf { formatted.replace('\n', "\r\n") } else { formatted };
        std::fs::write(path, if bom { format!("{BOM}{endings}") } else { endings })
            .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", display(path))))?;
        eprintln!("formatted {}", display(path));
    }
    Ok(())
}

/// A path for messages.
fn display(path: &Path) -> String {
    path.display().to_string()
}

/// How often a build that is not on a terminal prints a progress line, unless `KDREPRO_PROGRESS_SECONDS` says.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// The progress of a build on stderr, weighted by the plan's estimated flops so that a large point's trial counts
/// for more than a small one's: a bar on a terminal, and elsewhere (CI logs, SLURM) a plain line every few seconds,
/// so that a long run is never silent.
struct Progress<'p> {
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
    /// The progress of running `plan`.
    fn new(plan: &'p Plan<'p>) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let (planned_trials, planned_flops) = (plan.total_trials(), plan.total_flops());
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
            every: std::env::var("KDREPRO_PROGRESS_SECONDS")
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map_or(PROGRESS_EVERY, Duration::from_secs_f64)
                .as_millis()
                .try_into()
                .unwrap_or(u64::MAX),
        }
    }

    /// Records finished or skipped work; from worker threads.
    fn tick(&self, tick: kdrepro::Tick) {
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
    fn trials(&self) -> u64 {
        self.trials.load(Ordering::Relaxed)
    }

    /// Clears the bar.
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
