//! `kdrepro watch SPEC`: rebuilds the report whenever the spec or a data file it reads changes.
//!
//! Each build is `kdrepro build` run as a child process (the same executable), so a build that fails, or one
//! that Ctrl-C interrupts, never takes the watcher down, and each build prints exactly what `build` prints.
//! `build` replaces the output directory atomically, so a PDF viewer that reloads on change sees the new report
//! whole. File events come from `notify`, debounced ([`DEBOUNCE`]) so that an editor's burst of writes, renames and
//! backups during one save starts one build. Changes during a build start one more build after it, however many
//! there were. Ctrl-C (or SIGTERM) stops the watcher at once, killing a running build, whose output directory is
//! then left as it was (`build` replaces it atomically or not at all).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::cli::Failure;
use crate::cli::args::WatchArgs;
use crate::cli::console::{Console, display, print_line};
use crate::spec_dir;

/// How long the file events of one save are gathered before a build starts.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// How often a running build is checked while signals are awaited.
const POLL: Duration = Duration::from_millis(50);

/// What wakes the watcher.
enum Signal {
    /// Files changed (absolute paths, as the watcher reports them).
    Changed(Vec<PathBuf>),
    /// The watcher failed.
    Error(String),
    /// Ctrl-C or SIGTERM.
    Stop,
}

/// `kdrepro watch`: builds, then rebuilds on every change until stopped; exit 0 when stopped by a signal.
pub(crate) fn watch(args: &WatchArgs, console: Console) -> Result<(), Failure> {
    let spec = std::path::absolute(&args.run.spec)
        .map_err(|e| Failure::Runtime(format!("cannot locate {}: {e}", display(&args.run.spec))))?;
    if !spec.is_file() {
        let what = if spec.exists() { "not a file" } else { "no such file" };
        eprintln!("error: {}: {what}: give the spec to watch, e.g. specs/paper.kd", display(&args.run.spec));
        return Err(Failure::Spec);
    }
    let (send, receive) = mpsc::channel();
    let stop = send.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Signal::Stop);
    })
    .map_err(|e| Failure::Runtime(format!("cannot catch Ctrl-C: {e}")))?;
    let events = send.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let signal = match result {
            Ok(events) => Signal::Changed(
                events.into_iter().filter(|e| writes(e.event.kind)).flat_map(|e| e.event.paths).collect(),
            ),
            Err(errors) => Signal::Error(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
        };
        let _ = events.send(signal);
    })
    .map_err(|e| Failure::Runtime(format!("cannot watch files: {e}")))?;
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let mut directories: BTreeSet<PathBuf> = BTreeSet::new();
    let mut number = 0;
    loop {
        number += 1;
        // The files to watch, set before the build so that edits during it count: the spec, and the data files it
        // reads when it resolves (else those of before).
        watched = inputs(&spec).unwrap_or(watched);
        watched.insert(spec.clone());
        // The directories to watch: each watched path's parent, where it exists.
        let wanted: BTreeSet<PathBuf> =
            watched.iter().filter_map(|f| f.parent().filter(|p| p.is_dir()).map(Path::to_path_buf)).collect();
        for gone in directories.difference(&wanted) {
            let _ = debouncer.unwatch(gone);
        }
        for dir in wanted.difference(&directories) {
            debouncer
                .watch(dir, RecursiveMode::NonRecursive)
                .map_err(|e| Failure::Runtime(format!("cannot watch {}: {e}", display(dir))))?;
        }
        directories = wanted;
        let started = Instant::now();
        let (outcome, next) = supervise(build(args, &spec, console)?, &receive, &watched)?;
        let seconds = started.elapsed().as_secs_f64();
        let next = match next {
            Some(Next::Stop) => {
                print_line(format_args!(
                    "watch: build {number} stopped after {seconds:.1} s; the report was not rewritten"
                ));
                Next::Stop
            }
            Some(Next::Build(path)) => {
                print_line(format_args!("watch: build {number} finished in {seconds:.1} s: {outcome}"));
                console.info(format_args!("watch: {} changed during the build, rebuilding", display(&path)));
                Next::Build(path)
            }
            None => {
                print_line(format_args!(
                    "watch: build {number} finished in {seconds:.1} s: {outcome}; watching {} (Ctrl-C stops)",
                    count(watched.len(), "file")
                ));
                wait(&receive, &watched, console)
            }
        };
        if matches!(next, Next::Stop) {
            print_line("watch: stopped");
            return Ok(());
        }
    }
}

/// What the watcher does after a build.
enum Next {
    /// Build again: this watched file changed.
    Build(PathBuf),
    /// Stop (Ctrl-C or SIGTERM).
    Stop,
}

/// The first of `paths` that is watched.
fn watched_one(paths: Vec<PathBuf>, watched: &BTreeSet<PathBuf>) -> Option<PathBuf> {
    paths.into_iter().find(|p| watched.contains(p))
}

/// Waits for the running build `child` to end, and returns its outcome in words with what the signals that came
/// meanwhile ask for: a stop kills the build at once (its output directory is replaced atomically or not at all,
/// as for any interrupted build); a change asks for one more build after it.
fn supervise(
    mut child: Child,
    receive: &mpsc::Receiver<Signal>,
    watched: &BTreeSet<PathBuf>,
) -> Result<(String, Option<Next>), Failure> {
    let mut next = None;
    loop {
        let status = child.try_wait().map_err(|e| Failure::Runtime(format!("cannot wait for kdrepro build: {e}")))?;
        if let Some(status) = status {
            return Ok((outcome(status.code()), next));
        }
        match receive.recv_timeout(POLL) {
            Ok(Signal::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = child.kill();
                let _ = child.wait();
                return Ok((outcome(None), Some(Next::Stop)));
            }
            Ok(Signal::Changed(paths)) => {
                if next.is_none() {
                    next = watched_one(paths, watched).map(Next::Build);
                }
            }
            Ok(Signal::Error(why)) => eprintln!("warning: watching files: {why}"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
}

/// Waits, between builds, for a change to a watched file or a stop.
fn wait(receive: &mpsc::Receiver<Signal>, watched: &BTreeSet<PathBuf>, console: Console) -> Next {
    loop {
        match receive.recv() {
            Ok(Signal::Changed(paths)) => {
                if let Some(path) = watched_one(paths, watched) {
                    console.info(format_args!("watch: {} changed, rebuilding", display(&path)));
                    return Next::Build(path);
                }
            }
            Ok(Signal::Error(why)) => eprintln!("warning: watching files: {why}"),
            Ok(Signal::Stop) | Err(_) => return Next::Stop,
        }
    }
}

/// Starts `kdrepro build` on `spec` with the watch's options.
fn build(args: &WatchArgs, spec: &Path, console: Console) -> Result<Child, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure::Runtime(format!("cannot find kdrepro itself: {e}")))?;
    let mut command = Command::new(exe);
    command.arg("build").arg(spec).arg("--out").arg(args.run.out_dir());
    if let Some(jobs) = args.run.jobs {
        command.arg("--jobs").arg(jobs.to_string());
    }
    if let Some(seed) = args.run.seed {
        command.arg("--seed").arg(seed.to_string());
    }
    if let Some(trials) = args.run.trials {
        command.arg("--trials").arg(trials.to_string());
    }
    if let Some(cache) = &args.run.cache {
        command.arg("--cache").arg(cache);
    }
    for dir in &args.run.fonts.dirs {
        command.arg("--font-path").arg(dir);
    }
    if console.quiet {
        command.arg("--quiet");
    }
    command.spawn().map_err(|e| Failure::Runtime(format!("cannot run kdrepro build: {e}")))
}

/// A build's exit code in words: the claims' outcome, or why there is no report.
fn outcome(code: Option<i32>) -> String {
    match code {
        Some(0) => "every claim held".to_owned(),
        Some(1) => "the report was written, and a claim did not hold".to_owned(),
        Some(4) => "the report was written, and some claim is inconclusive".to_owned(),
        Some(2) => "the spec has errors (above); the report was not rewritten".to_owned(),
        Some(code) => format!("the build failed (exit {code}); the report was not rewritten"),
        None => "the build was interrupted; the report was not rewritten".to_owned(),
    }
}

/// What to watch besides `spec`: every data file it names, as absolute paths, whether it exists or not (a spec
/// that names a file not created yet rebuilds when it is), and each missing directory on the way to one (whose
/// creation rebuilds, which then watches inside it); `None` when the spec does not parse now.
fn inputs(spec: &Path) -> Option<BTreeSet<PathBuf>> {
    let source = std::fs::read_to_string(spec).ok()?;
    let source = source.strip_prefix(crate::cli::fmt::BOM).unwrap_or(&source);
    let dir = spec_dir(spec);
    let mut paths = BTreeSet::new();
    for file in kdrepro::named_files(&kdrepro::parse(source).ok()?) {
        let path = dir.join(file);
        // The missing directories on the way: the nearest existing one is watched, and their creation rebuilds.
        paths.extend(path.ancestors().skip(1).take_while(|a| !a.exists()).map(Path::to_path_buf));
        paths.insert(path);
    }
    Some(paths)
}

/// Whether an event can change a file's contents: not an opening or a read (the build itself reads the spec).
fn writes(kind: EventKind) -> bool {
    match kind {
        EventKind::Access(access) => matches!(access, AccessKind::Close(AccessMode::Write)),
        _ => true,
    }
}

/// `3 files`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
