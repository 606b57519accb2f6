//! The command line's parts: arguments, output, progress, the `fmt` command, and `build` and `typst` (which need the
//! report). `main.rs` runs `check` and maps every command's failure to its exit code.

pub(crate) mod args;
#[cfg(feature = "report")]
pub(crate) mod build;
pub(crate) mod console;
#[cfg(feature = "report")]
pub(crate) mod diff;
pub(crate) mod fmt;
pub(crate) mod man;
#[cfg(feature = "report")]
pub(crate) mod progress;
#[cfg(feature = "report")]
pub(crate) mod shard;
#[cfg(feature = "report")]
pub(crate) mod watch;

/// Why the process stops: each maps to one exit code (listed in `--help`).
#[cfg_attr(not(feature = "report"), allow(dead_code, reason = "claims are judged only by `build`"))]
pub(crate) enum Failure {
    /// The report was written but a claim failed (exit 1).
    Claims,
    /// The spec or the command line is wrong (exit 2), its errors printed already.
    Spec,
    /// A runtime or I/O failure (exit 3).
    Runtime(String),
    /// Experiments that could not be evaluated, their located errors printed already (exit 3).
    Evaluation,
    /// `fmt --check` found a file that is not canonical (exit 1).
    NotCanonical,
    /// The report was written, no claim failed, but some claim is inconclusive (exit 4).
    Inconclusive,
    /// `diff` found a meaningful change between two builds (exit 1).
    Changed,
}

/// The entries below `dir` (itself first), sorted by name; hidden ones (`.git`, a report's `.cache`) are skipped
/// with everything below them. `fmt DIR` and `typst FILE` read what this yields.
pub(crate) fn visible_entries(dir: &std::path::Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    let hidden = |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_entry(move |e| !hidden(e))
}
