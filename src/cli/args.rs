//! The command line's arguments (clap), shared by parsing, completions and the man page.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use kdrepro::VERSION;

/// The exit codes, listed at the end of `--help`.
#[cfg(not(feature = "report"))]
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  success: check: the spec is valid; fmt: nothing to change
  1  fmt --check: a file is not canonical
  2  the spec or the command line is wrong (located diagnostics on stderr)
  3  a runtime or I/O failure";

/// The exit codes, listed at the end of `--help`.
#[cfg(feature = "report")]
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  success: every claim held (or was contradicted where the spec says `contradicted`); check: the spec is valid;
     fmt: nothing to change
  1  the report was written but a claim failed, or held where the spec expected a contradiction;
     fmt --check: a file is not canonical; diff: a meaningful change
  2  the spec or the command line is wrong (located diagnostics on stderr); diff: a results file that cannot be
     read or compared
  3  a runtime or I/O failure, or experiments that could not be evaluated
  4  the report was written, no claim failed, but some claim is inconclusive";

/// Reproduces a theory paper as a checked, typeset report.
#[derive(Parser)]
#[command(name = "kdrepro", version = VERSION, about, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Print only errors, warnings, notes on fallbacks and claims that did not hold: no progress, no summary lines.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Also print the plan before a build and the time of each stage.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
    /// Colour diagnostics: `auto` (when stderr is a terminal and NO_COLOR is unset or empty), `always` or `never`.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub(crate) color: clap::ColorChoice,
}

/// The subcommands.
#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run a spec's theory and simulations, judge its claims and write the report.
    #[cfg(feature = "report")]
    #[command(after_help = EXIT_CODES)]
    Build(BuildArgs),
    /// Parse, resolve and plan a spec without running anything; print the plan.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Print specs in canonical layout (every comment kept), or check or rewrite them.
    #[command(after_help = EXIT_CODES)]
    Fmt(FmtArgs),
    /// Compile a report's Typst source (`report/paper.typ`, edited or not) into a PDF, as `build` does.
    #[cfg(feature = "report")]
    #[command(after_help = EXIT_CODES)]
    Typst(TypstArgs),
    /// Merge the shard files of a sharded build (`build --shard K/N`) into its report: the same results file and
    /// PDF as a single `build`, byte for byte. Refuses shards that are missing, given twice, or from another spec,
    /// seed or kdrepro version.
    #[cfg(feature = "report")]
    #[command(after_help = EXIT_CODES)]
    Merge(MergeArgs),
    /// Compare two builds' results (results files or output directories): verdicts, theory, structure, settings,
    /// and the simulated means whose change is significant beyond noise.
    #[cfg(feature = "report")]
    #[command(after_help = EXIT_CODES)]
    Diff(DiffArgs),
    /// Build a spec's report, then rebuild it whenever the spec or a data file it reads changes (Ctrl-C stops).
    #[cfg(feature = "report")]
    #[command(after_help = EXIT_CODES)]
    Watch(WatchArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    #[command(after_help = EXIT_CODES)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff) on stdout: `kdrepro man > kdrepro.1`, `kdrepro man build > kdrepro-build.1`.
    #[command(after_help = EXIT_CODES)]
    Man {
        /// The subcommand whose page to print (default: kdrepro's own).
        command: Option<String>,
    },
    /// Not in this build: kdrepro was built without the `report` feature.
    #[cfg(not(feature = "report"))]
    #[command(hide = true, disable_help_flag = true)]
    Build {
        /// Whatever was given.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Not in this build: kdrepro was built without the `report` feature.
    #[cfg(not(feature = "report"))]
    #[command(hide = true, disable_help_flag = true)]
    Typst {
        /// Whatever was given.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

/// What `check` and `build` print on stdout.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people: the plan (check); nothing (build: the verdicts go to stderr).
    Text,
    /// One JSON document: the plan (check, `docs/schema/check.schema.json`) or the verdicts (build,
    /// `docs/schema/build.schema.json`).
    Json,
}

/// What `build` and `watch` share: the spec, where its report goes, and how it runs.
#[cfg(feature = "report")]
#[derive(Args)]
pub(crate) struct RunArgs {
    /// The experiment file (`.kd`).
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub(crate) spec: PathBuf,
    /// Output directory, replaced atomically by each build (default: `report`). With `--shard`, the directory the
    /// shard file is added to (default: `shards`; other files in it are left alone).
    #[arg(short, long, value_hint = clap::ValueHint::DirPath)]
    pub(crate) out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(short, long)]
    pub(crate) jobs: Option<usize>,
    /// Overrides the spec's seed.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Overrides every experiment's trial count (for quick drafts and benchmarks).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub(crate) trials: Option<u64>,
    /// The result cache's directory (default: DIR/.cache of the output directory). Builds may share one: entries
    /// are keyed by content, and a cache written by another kdrepro executable is never used.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub(crate) cache: Option<PathBuf>,
    /// The fonts the report is set in.
    #[command(flatten)]
    pub(crate) fonts: FontArgs,
}

/// The arguments of `kdrepro build`.
#[cfg(feature = "report")]
#[derive(Args)]
pub(crate) struct BuildArgs {
    /// The spec and how it runs.
    #[command(flatten)]
    pub(crate) run: RunArgs,
    /// Records the worker thread count in the report and the results file (outputs then differ between thread
    /// counts; the count is always printed on stderr).
    #[arg(long)]
    pub(crate) record_threads: bool,
    /// Refuse specs whose estimated peak memory exceeds this many bytes (suffixes K, M, G, T; default: half
    /// the physical memory).
    #[arg(long, value_parser = kdrepro::parse_bytes)]
    pub(crate) memory_limit: Option<u64>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// Run one shard of the plan and write its shard file, `<stem>.shard-K-of-N.json`, for `kdrepro merge`:
    /// `K/N` (K from 0 to N − 1), `auto` (SLURM job arrays: K and N from SLURM_ARRAY_TASK_ID and
    /// SLURM_ARRAY_TASK_COUNT) or `auto/N` (Kubernetes Indexed Jobs: K from JOB_COMPLETION_INDEX). Shards split the
    /// plan's work by its estimated cost; adaptive experiments run to their cap (the merge replays the stopping
    /// rule), and nothing is cached (so not with --explain, --cache, --format or --record-threads).
    #[arg(long, value_name = "K/N", conflicts_with_all = ["explain", "cache", "record_threads", "format"])]
    pub(crate) shard: Option<crate::cli::shard::ShardArg>,
    /// Say for each experiment whether it ran or came from the cache, and why it ran: which part of its cache key
    /// changed since it last ran through this cache (its spec text, a data file, the seed, the trials, the
    /// kdrepro executable). Printed on stderr, even with `--quiet`.
    #[arg(long)]
    pub(crate) explain: bool,
}

#[cfg(feature = "report")]
impl RunArgs {
    /// The output directory: `--out`, or `report`.
    pub(crate) fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| PathBuf::from("report"))
    }
}

/// The arguments of `kdrepro merge`.
#[cfg(feature = "report")]
#[derive(Args)]
pub(crate) struct MergeArgs {
    /// The experiment file (`.kd`) the shards were built from.
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub(crate) spec: PathBuf,
    /// The shard files, or directories holding them (every `*.shard-*.json` file directly inside).
    #[arg(required = true, value_hint = clap::ValueHint::AnyPath)]
    pub(crate) shards: Vec<PathBuf>,
    /// Output directory, replaced atomically.
    #[arg(short, long, default_value = "report", value_hint = clap::ValueHint::DirPath)]
    pub(crate) out: PathBuf,
    /// Worker threads for the theory (default: all cores). Results do not depend on it.
    #[arg(short, long)]
    pub(crate) jobs: Option<usize>,
    /// What to print on stdout: nothing (`text`), or the verdicts as JSON as `build --format json` prints them.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// The fonts the report is set in.
    #[command(flatten)]
    pub(crate) fonts: FontArgs,
}

/// The arguments of `kdrepro watch`: those of `build` that each rebuild passes on.
#[cfg(feature = "report")]
#[derive(Args)]
pub(crate) struct WatchArgs {
    /// The spec and how each build runs.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// The arguments of `kdrepro diff`.
#[cfg(feature = "report")]
#[derive(Args)]
pub(crate) struct DiffArgs {
    /// The old build: its `<stem>.results.yaml`, or its output directory.
    #[arg(value_hint = clap::ValueHint::AnyPath)]
    pub(crate) old: PathBuf,
    /// The new build, likewise.
    #[arg(value_hint = clap::ValueHint::AnyPath)]
    pub(crate) new: PathBuf,
    /// What to print: text for a terminal, Markdown for a pull-request comment, or JSON
    /// (`docs/schema/diff.schema.json`).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: DiffFormat,
    /// The family-wise level α: the chance of reporting any simulated mean as changed when none changed is at
    /// most α (Welch's test per point, Holm's procedure over all compared points).
    #[arg(long, default_value_t = kdrepro::DEFAULT_LEVEL, value_parser = level)]
    pub(crate) level: f64,
}

/// What `diff` prints on stdout.
#[cfg(feature = "report")]
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// For a terminal.
    Text,
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Md,
    /// One JSON document (`docs/schema/diff.schema.json`).
    Json,
}

/// A level strictly between 0 and 1.
#[cfg(feature = "report")]
fn level(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(level) if level > 0.0 && level < 1.0 => Ok(level),
        Ok(_) => Err("the level must lie strictly between 0 and 1".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The arguments of `kdrepro check`.
#[derive(Args)]
pub(crate) struct CheckArgs {
    /// The experiment file (`.kd`).
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub(crate) spec: PathBuf,
    /// Refuse specs whose estimated peak memory exceeds this many bytes (suffixes K, M, G, T; default: half
    /// the physical memory).
    #[arg(long, value_parser = kdrepro::parse_bytes)]
    pub(crate) memory_limit: Option<u64>,
    /// Worker threads the memory estimate assumes (default: all cores), as `build --jobs`.
    #[arg(short, long)]
    pub(crate) jobs: Option<usize>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// The fonts the printed text is checked against.
    #[cfg(feature = "report")]
    #[command(flatten)]
    pub(crate) fonts: FontArgs,
}

/// The arguments of `kdrepro fmt`.
#[derive(Args)]
pub(crate) struct FmtArgs {
    /// Experiment files (`.kd`), directories (every `.kd` file below, hidden directories skipped) or `-` (standard
    /// input, printed or diffed on standard output).
    #[arg(required = true, value_hint = clap::ValueHint::AnyPath)]
    pub(crate) specs: Vec<PathBuf>,
    /// Print nothing for canonical files, a diff for the others, and exit with 1 if there are any.
    #[arg(long, conflicts_with = "write")]
    pub(crate) check: bool,
    /// Rewrite the files that are not canonical in place.
    #[arg(long)]
    pub(crate) write: bool,
}

/// The arguments of `kdrepro typst`.
#[cfg(feature = "report")]
#[derive(Args)]
pub(crate) struct TypstArgs {
    /// The Typst source; the files it includes are read relative to it.
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub(crate) file: PathBuf,
    /// The PDF to write (default: the source's path with `.pdf`).
    #[arg(short, long, value_hint = clap::ValueHint::FilePath)]
    pub(crate) out: Option<PathBuf>,
    /// The fonts, as for `build`.
    #[command(flatten)]
    pub(crate) fonts: FontArgs,
}

/// The environment variable naming font directories (separated as in `PATH`) when `--font-path` is not given.
#[cfg(feature = "report")]
pub(crate) const FONT_PATHS_VARIABLE: &str = "KDREPRO_FONT_PATHS";

/// `--font-path`, shared by `build`, `check` and `typst`.
#[cfg(feature = "report")]
#[derive(Args)]
pub(crate) struct FontArgs {
    /// Adds every font file (.ttf, .otf, .ttc, .otc) under DIR, searched recursively, after the embedded fonts;
    /// repeatable (default: the directories in KDREPRO_FONT_PATHS, separated by `:`). System fonts are never used.
    #[arg(long = "font-path", value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub(crate) dirs: Vec<PathBuf>,
}
