//! The `kdrepro` command line: it runs the commands and maps their failures to exit codes. Nothing is computed
//! here; arguments, output and progress are in `cli/`.

mod cli;

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, ValueEnum};
use kdrepro::{Ast, Diagnostic, Overrides, Plan, PrintedProse, Spec};

use cli::Failure;
use cli::args::{CheckArgs, Cli, Command, Format};
use cli::console::{Console, display};
use cli::fmt::{BOM, read_raw};

/// What the checks before a run typeset with: the fonts of the report, or nothing without the `report` feature.
#[cfg(feature = "report")]
type Typesetting = kdrepro::Fonts;
/// What the checks before a run typeset with: the fonts of the report, or nothing without the `report` feature.
#[cfg(not(feature = "report"))]
type Typesetting = ();

fn main() -> ExitCode {
    let cli = parse();
    let console = Console::new(cli.color, cli.quiet, cli.verbose);
    let outcome = match cli.command {
        #[cfg(feature = "report")]
        Command::Build(args) => cli::build::build(&args, console),
        Command::Check(args) => check(&args, console),
        Command::Fmt(args) => cli::fmt::fmt(&args, console),
        #[cfg(feature = "report")]
        Command::Typst(args) => cli::build::typst(&args, console),
        #[cfg(feature = "report")]
        Command::Merge(args) => cli::shard::merge(&args, console),
        #[cfg(feature = "report")]
        Command::Diff(args) => cli::diff::diff(&args),
        #[cfg(feature = "report")]
        Command::Watch(args) => cli::watch::watch(&args, console),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kdrepro", &mut script);
            cli::console::stdout(&script)
        }
        Command::Man { command } => cli::man::man(command.as_deref()),
        #[cfg(not(feature = "report"))]
        Command::Build { .. } | Command::Typst { .. } => {
            eprintln!(
                "error: this kdrepro was built without the `report` feature, which `build` and `typst` need: \
                 build it with the default features (`cargo install --path .`)"
            );
            Err(Failure::Spec)
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Claims | Failure::NotCanonical | Failure::Changed) => ExitCode::from(1),
        Err(Failure::Inconclusive) => ExitCode::from(4),
        Err(Failure::Spec) => ExitCode::from(2),
        Err(Failure::Runtime(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(3)
        }
        Err(Failure::Evaluation) => ExitCode::from(3),
    }
}

/// The command line, or clap's message and exit (2; 0 for `--help` and `--version`). `--color` applies to clap's own
/// help and errors too, so it is read before them; `-q` and `-v` conflict wherever they stand (clap checks global
/// flags only where they are given).
fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let color = args.iter().zip(args.iter().skip(1).map(Some).chain([None])).find_map(|(arg, next)| {
        let arg = arg.to_str()?;
        let value = match arg.strip_prefix("--color") {
            Some("") => next?.to_str()?,
            Some(rest) => rest.strip_prefix('=')?,
            None => return None,
        };
        clap::ColorChoice::from_str(value, false).ok()
    });
    let mut command = Cli::command();
    if let Some(color) = color {
        command = command.color(color);
    }
    let cli = command.try_get_matches_from_mut(&args).and_then(|m| Cli::from_arg_matches(&m)).unwrap_or_else(|e| {
        // `--help` and `--version` go to stdout: one that cannot be written is a failure (exit 3), as for any output.
        if let Err(io) = e.print() {
            let _ = writeln!(std::io::stderr(), "error: cannot write to standard output: {io}");
            std::process::exit(3);
        }
        std::process::exit(e.exit_code())
    });
    if cli.quiet && cli.verbose {
        let message = "the argument '--quiet' cannot be used with '--verbose'";
        command.error(clap::error::ErrorKind::ArgumentConflict, message).exit();
    }
    cli
}

/// Reads, parses and resolves a spec, printing its errors; returns it with its source text and its warnings (among
/// them the printed text that no font of `fonts` can show), unprinted, so that the plan's join them in file order.
#[cfg_attr(not(feature = "report"), allow(clippy::trivially_copy_pass_by_ref, reason = "the fonts of a report build"))]
pub(crate) fn load(
    path: &Path,
    fonts: &Typesetting,
    console: Console,
) -> Result<(Spec, String, Vec<Diagnostic>), Failure> {
    if path.as_os_str() == "-" {
        eprintln!("error: a spec is read from a file, not standard input (`-`): its data files are found beside it");
        return Err(Failure::Spec);
    }
    let raw = read_raw(path, console)?;
    // Editors add a byte-order mark invisibly; it is not part of the spec.
    let source = raw.strip_prefix(BOM).map_or(raw.clone(), str::to_owned);
    let print = |diagnostics: Vec<Diagnostic>| {
        for d in diagnostics {
            console.diagnostic(&d, path, &source);
        }
        Failure::Spec
    };
    let ast = kdrepro::parse(&source).map_err(print)?;
    let spec = kdrepro::resolve(&ast, &source, spec_dir(path)).map_err(print)?;
    // Prose is rendered against the outline of the results now, so that a misnamed value stops `check` and
    // `build` before anything runs.
    let prose = kdrepro::check_prose(&spec).map_err(print)?;
    let mut warnings = typeset_checks(&ast, &prose, &spec, &source, fonts).map_err(print)?;
    warnings.extend(kdrepro::lint(&ast, &spec));
    Ok((spec, source, warnings))
}

/// Mathematics that Typst refuses stops `check` and `build` too, at its text, not in the report after the run;
/// text that no font can show is a warning.
#[cfg(feature = "report")]
fn typeset_checks(
    ast: &Ast,
    prose: &PrintedProse<'_>,
    spec: &Spec,
    source: &str,
    fonts: &Typesetting,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    kdrepro::check_mathematics(ast, source, fonts)?;
    kdrepro::check_printed_mathematics(prose, fonts)?;
    Ok(kdrepro::check_fonts(spec, source, fonts))
}

/// Without the Typst compiler nothing is typeset: said on stderr (even with `--quiet`), never passed over.
#[cfg(not(feature = "report"))]
#[allow(
    clippy::unnecessary_wraps,
    clippy::trivially_copy_pass_by_ref,
    reason = "the signature of the report build's checks"
)]
fn typeset_checks(
    _: &Ast,
    _: &PrintedProse<'_>,
    _: &Spec,
    _: &str,
    (): &Typesetting,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    eprintln!(
        "note: kdrepro was built without the `report` feature: mathematics is checked against Typst's grammar and \
         its math names but not typeset (a name's modifiers, as in `arrow.r.long`, are not checked), and the fonts \
         of printed text are not checked; a full build checks them before it runs"
    );
    Ok(Vec::new())
}

/// Prints warnings in file order. Warnings do not change the exit code.
pub(crate) fn warn(path: &Path, source: &str, mut warnings: Vec<Diagnostic>, console: Console) {
    warnings.sort_by_key(|w| w.span.start);
    for w in warnings {
        console.diagnostic(&w, path, source);
    }
}

/// The directory of the spec file, which its `file("...")` paths are relative to.
pub(crate) fn spec_dir(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// `kdrepro check`: prints the plan of a valid spec that fits in memory.
fn check(args: &CheckArgs, console: Console) -> Result<(), Failure> {
    let path = args.spec.as_path();
    let started = std::time::Instant::now();
    #[cfg(feature = "report")]
    let fonts = cli::build::load_fonts(&args.fonts)?;
    #[cfg(not(feature = "report"))]
    let fonts = ();
    let (spec, source, mut warnings) = load(path, &fonts, console)?;
    let plan = Plan::new(&spec, Overrides::default());
    warnings.extend(plan.warnings());
    warn(path, &source, warnings, console);
    let cost = affordable(path, &plan, &source, args.jobs, args.memory_limit, console)?;
    match args.format {
        Format::Text => cli::console::stdout(cli::console::visible(&cost.to_string()).as_bytes())?,
        Format::Json => cli::console::stdout(cost.to_json(&display(path), &source).as_bytes())?,
    }
    console.detail(format_args!("checked and planned the spec in {:.2} s", started.elapsed().as_secs_f64()));
    console.info(format_args!("{}: ok ({})", path.display(), spec.outline()));
    Ok(())
}

/// Estimates the cost of running `plan`, refusing it (exit 2) when its peak memory exceeds the limit.
pub(crate) fn affordable(
    path: &Path,
    plan: &Plan<'_>,
    source: &str,
    jobs: Option<usize>,
    limit: Option<u64>,
    console: Console,
) -> Result<kdrepro::Cost, Failure> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let cost = plan.cost(jobs.filter(|&j| j > 0).unwrap_or(cores));
    cost.check_memory(limit.unwrap_or_else(kdrepro::default_memory_limit)).map_err(|d| {
        console.diagnostic(&d, path, source);
        Failure::Spec
    })?;
    Ok(cost)
}
