//! `kdrepro build` and `kdrepro typst`: the commands that need the report (the Typst compiler).

use std::collections::BTreeMap;
use std::time::Instant;

use kdrepro::{Diagnostic, Fonts, Outcome, Overrides, Plan, RenderError, RenderInput, RunOptions};

use crate::cli::Failure;
use crate::cli::args::{BuildArgs, FONT_PATHS_VARIABLE, FontArgs, Format, TypstArgs};
use crate::cli::console::{Console, display, print_line};
use crate::cli::progress::Progress;
use crate::{affordable, load, spec_dir, warn};

/// The embedded fonts and those under the directories of `--font-path` (or `KDREPRO_FONT_PATHS`), or a printed
/// error (exit 2) when one cannot be read.
pub(crate) fn load_fonts(args: &FontArgs) -> Result<Fonts, Failure> {
    let (dirs, origin) = if args.dirs.is_empty() {
        let listed = std::env::var_os(FONT_PATHS_VARIABLE).unwrap_or_default();
        (std::env::split_paths(&listed).filter(|dir| !dir.as_os_str().is_empty()).collect(), FONT_PATHS_VARIABLE)
    } else {
        (args.dirs.clone(), "--font-path")
    };
    Fonts::load(&dirs).map_err(|e| {
        eprintln!("error: {origin}: {e}");
        Failure::Spec
    })
}

/// `kdrepro build`: the whole run, or with `--shard` one shard of it ([`crate::cli::shard::build_shard`]).
pub(crate) fn build(args: &BuildArgs, console: Console) -> Result<(), Failure> {
    let path = args.run.spec.as_path();
    let started = Instant::now();
    let fonts = load_fonts(&args.run.fonts)?;
    let (spec, source, mut warnings) = load(path, &fonts, console)?;
    let draft = args.run.trials.map(|t| usize::try_from(t).unwrap_or(usize::MAX));
    let overrides = Overrides { seed: args.run.seed, trials: draft };
    let plan = Plan::new(&spec, overrides);
    warnings.extend(plan.warnings());
    warn(path, &source, warnings, console);
    let cost = affordable(path, &plan, &source, args.run.jobs, args.memory_limit, console)?;
    console.detail(format_args!("plan:\n{cost}"));
    if let Some(shard) = &args.shard {
        let id = shard.resolve().map_err(|why| {
            eprintln!("error: --shard {shard}: {why}");
            Failure::Spec
        })?;
        let pool = worker_pool(args.run.jobs, console)?;
        return crate::cli::shard::build_shard(&args.run, (&plan, &source, overrides), id, &pool, console);
    }
    let out = args.run.out_dir();
    // Before any work: an output location that cannot take the report fails now, not after the simulation.
    kdrepro::check_output(&out).map_err(|e| Failure::Runtime(e.to_string()))?;
    let pool = worker_pool(args.run.jobs, console)?;
    console.detail(format_args!("checked the spec in {:.2} s", started.elapsed().as_secs_f64()));
    // The cache lives under the output directory unless `--cache` names another (builds may share one), keyed by
    // everything that determines each experiment's results.
    let cache = args.run.cache.clone().unwrap_or_else(|| out.join(".cache"));
    let spec_file = spec_file(path);
    let progress = Progress::new(&plan, (plan.total_trials(), plan.total_flops()), console.quiet);
    let tick = |tick: kdrepro::Tick| progress.tick(tick);
    let decided = |partial: &kdrepro::Results, running: usize| kdrepro::decided(&plan, partial, running);
    let options = RunOptions {
        progress: Some(&tick),
        cache: Some(&cache),
        spec_file: Some(&spec_file),
        decided: Some(&decided),
        merged: None,
    };
    let started = Instant::now();
    let results = pool.install(|| kdrepro::run(&plan, &options)).map_err(|errors| {
        progress.finish();
        evaluation_failure(&errors, path, &source, console)
    })?;
    progress.finish();
    // Timing goes to stderr only: the outputs stay byte-identical.
    let seconds = started.elapsed().as_secs_f64();
    console.info(format_args!(
        "ran theory and {} trials in {seconds:.2} s (cached experiments are not rerun)",
        progress.trials()
    ));
    if let Some(why) = results.cache_failure() {
        eprintln!("warning: the result cache {} cannot be written ({why}): nothing was cached", display(&cache));
    }
    if args.explain {
        for line in results.explanations() {
            eprintln!("explain: {line}");
        }
    }
    let threads = args.record_threads.then(|| pool.current_num_threads());
    let report = Publication { path, out: &out, source: &source, fonts: &fonts, threads, format: args.format, console };
    report.publish(&plan, &results)
}

/// The worker threads of a run (`--jobs`, default all cores), their count printed.
pub(crate) fn worker_pool(jobs: Option<usize>, console: Console) -> Result<rayon::ThreadPool, Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start worker threads: {e}")))?;
    let threads = pool.current_num_threads();
    console.info(format_args!("{threads} worker thread{}", if threads == 1 { "" } else { "s" }));
    Ok(pool)
}

/// The spec's file name (`paper.kd`), as the report and the cache name it.
pub(crate) fn spec_file(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| display(path), |n| n.to_string_lossy().into_owned())
}

/// Prints the located errors of experiments that could not be evaluated (exit 3).
pub(crate) fn evaluation_failure(
    errors: &[kdrepro::RunError],
    path: &std::path::Path,
    source: &str,
    console: Console,
) -> Failure {
    for error in errors {
        console.diagnostic(&error.diagnostic(), path, source);
    }
    Failure::Evaluation
}

/// What `build` and `merge` share once the results exist: judging the claims, writing the report, printing the
/// verdicts.
pub(crate) struct Publication<'a> {
    /// The spec's path as given.
    pub(crate) path: &'a std::path::Path,
    /// The output directory.
    pub(crate) out: &'a std::path::Path,
    /// The spec's text.
    pub(crate) source: &'a str,
    /// The fonts.
    pub(crate) fonts: &'a Fonts,
    /// The worker thread count, when recorded (`--record-threads`).
    pub(crate) threads: Option<usize>,
    /// What to print on stdout.
    pub(crate) format: Format,
    /// Where to print.
    pub(crate) console: Console,
}

impl Publication<'_> {
    /// Judges `results`, writes the report and prints the verdicts; the exit code follows the claims.
    pub(crate) fn publish(&self, plan: &Plan<'_>, results: &kdrepro::Results) -> Result<(), Failure> {
        let (path, source, console) = (self.path, self.source, self.console);
        // Fallbacks are part of the evidence: they are printed even with `--quiet`.
        for note in results.fallback_notes() {
            eprintln!("note: {note}");
        }
        let started = Instant::now();
        let verdicts = kdrepro::judge(plan, results);
        let stem = kdrepro::output_stem(path);
        let spec_hash = kdrepro::spec_hash(source);
        let spec_file = spec_file(path);
        let input = RenderInput {
            plan,
            spec_file: &spec_file,
            source,
            stem: &stem,
            results,
            verdicts: &verdicts,
            spec_hash: &spec_hash,
            threads: self.threads,
            fonts: self.fonts,
        };
        let report = kdrepro::render(&input).map_err(|e| match e {
            RenderError::Prose { span, message } => {
                console.diagnostic(&Diagnostic::at(span.start as usize, message), path, source);
                Failure::Spec
            }
            RenderError::Internal(_) => Failure::Runtime(e.to_string()),
        })?;
        console.detail(format_args!(
            "judged the claims and typeset the report in {:.2} s",
            started.elapsed().as_secs_f64()
        ));
        let written = kdrepro::write_report(&report, self.out, &stem).map_err(|e| Failure::Runtime(e.to_string()))?;
        for warning in &report.warnings {
            console.diagnostic(warning, path, source);
        }
        for diagnostic in kdrepro::located(&verdicts) {
            console.diagnostic(&diagnostic, path, source);
        }
        for line in verdicts.lines() {
            // `pass` and `contradicted` (as expected) lines are the summary; the others are what went wrong.
            if !console.quiet || !(line.starts_with("pass ") || line.starts_with("contradicted ")) {
                print_line(line);
            }
        }
        let written: Vec<String> = written.iter().map(|p| display(p)).collect();
        console.info(format_args!("wrote {}", written.join(", ")));
        if self.format == Format::Json {
            crate::cli::console::stdout(report.results.verdicts_json(&display(path), source, &written).as_bytes())?;
        }
        match verdicts.outcome() {
            Outcome::Pass => Ok(()),
            Outcome::Inconclusive => Err(Failure::Inconclusive),
            Outcome::Fail => Err(Failure::Claims),
        }
    }
}

/// `kdrepro typst`: compiles a report's Typst source, with every file beside and below it reachable by relative
/// path (hidden files, PDFs and results files aside), into a PDF.
pub(crate) fn typst(args: &TypstArgs, console: Console) -> Result<(), Failure> {
    let source = display(&args.file);
    let out = args.out.clone().unwrap_or_else(|| args.file.with_extension("pdf"));
    if args.file.is_dir() {
        eprintln!("error: {source} is a directory: give the report's Typst source, e.g. report/paper.typ");
        return Err(Failure::Spec);
    }
    let bytes = std::fs::read(&args.file).map_err(|e| Failure::Runtime(format!("cannot read {source}: {e}")))?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure::Runtime(format!("cannot create {}: {e}", display(dir))))?;
    }
    // The PDF must not replace its own source: `-o x.typ`, `-o dir/../x.typ`, a symbolic or hard link to it, or a
    // source named `x.pdf`. The same file is the same device and inode, whatever the path.
    if same_file(&args.file, &out) {
        eprintln!("error: the PDF would overwrite its source {source}: choose another `-o`");
        return Err(Failure::Spec);
    }
    let fonts = load_fonts(&args.fonts)?;
    let Ok(main) = String::from_utf8(bytes) else {
        eprintln!("error: {source} is not UTF-8 text");
        return Err(Failure::Spec);
    };
    let files = beside(&args.file)?;
    if files.contains_key("main.typ") {
        eprintln!(
            "error: {}: a file named main.typ beside the source cannot be used: kdrepro compiles the source under that \
             name; rename it",
            display(spec_dir(&args.file))
        );
        return Err(Failure::Spec);
    }
    // Typst recurses on the source: a deep one gets a large stack rather than overflowing the main thread's.
    let compiled = std::thread::Builder::new()
        .stack_size(TYPST_STACK)
        .spawn({
            let name = source.clone();
            move || kdrepro::compile_typst(&name, &main, &files, &fonts)
        })
        .and_then(|thread| thread.join().map_err(|_| std::io::Error::other("the Typst compiler panicked")))
        .map_err(|e| Failure::Runtime(format!("cannot compile {source}: {e}")))?;
    let (pdf, warnings) = compiled.map_err(|e| {
        eprintln!("error: {e}");
        Failure::Spec
    })?;
    for w in warnings {
        eprintln!("{w}");
    }
    std::fs::write(&out, pdf).map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", display(&out))))?;
    console.info(format_args!("wrote {}", display(&out)));
    Ok(())
}

/// Whether two paths name one existing file (links followed).
#[cfg(unix)]
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Whether two paths name one existing file (symbolic links followed; hard links are not seen here).
#[cfg(not(unix))]
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a.canonicalize().ok().zip(b.canonicalize().ok()).is_some_and(|(a, b)| a == b)
}

/// The stack of the thread that compiles a Typst source (reserved, not committed, until used).
const TYPST_STACK: usize = 512 << 20;

/// Every file beside and below `file` (hidden ones, PDFs and results files aside), by its relative path.
fn beside(file: &std::path::Path) -> Result<BTreeMap<String, Vec<u8>>, Failure> {
    let root = spec_dir(file);
    let mut files = BTreeMap::new();
    for entry in crate::cli::visible_entries(root) {
        let entry = entry.map_err(|e| Failure::Runtime(format!("cannot read {}: {e}", display(root))))?;
        let skip = [".pdf", ".results.yaml"].iter().any(|x| entry.file_name().to_string_lossy().ends_with(x));
        if !entry.file_type().is_file() || skip || same_file(entry.path(), file) {
            continue;
        }
        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
        let bytes = std::fs::read(entry.path())
            .map_err(|e| Failure::Runtime(format!("cannot read {}: {e}", display(entry.path()))))?;
        files.insert(relative.to_string_lossy().replace('\\', "/"), bytes);
    }
    Ok(files)
}
