//! Writing a rendered report to its output directory: the whole set of files atomically.
//!
//! Every output of a build is written into a staging directory next to the output directory (same parent,
//! hidden name `.<out>.kdrepro-new-<pid>-<random>`, a `tempfile::TempDir`, so that every error path removes it),
//! then the two directories are swapped in one step with Linux `renameat2(RENAME_EXCHANGE)` (through `rustix`)
//! and the old one is removed. After a crash or a kill at any instant, `<out>`
//! therefore holds either the previous complete set or the new one, never a mix; leftover staging directories
//! are hidden and removed by the next build. Entries of the old directory that the new build does not write
//! (other specs' reports, the results cache `<out>/.cache/`) are hard-linked (or copied) into the staging
//! directory first, so they survive the swap. Where `RENAME_EXCHANGE` is unavailable (not Linux, or a file
//! system without it), the old directory is renamed aside and the new one into place: a crash between the two
//! renames leaves `<out>` missing and the previous set in `.<out>.kdrepro-old-<pid>`.
//!
//! A directory is only replaced if kdrepro wrote it (it holds the marker file `.kdrepro`, or only files kdrepro
//! writes), so `--out` can never wipe unrelated files. One build at a time per output directory.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::render::Report;

/// The marker file that identifies an output directory written by kdrepro.
const MARKER: &str = ".kdrepro";

/// Writes `<stem>.pdf`, `<stem>.typ`, `<stem>.results.yaml` and `figures/*.typ` into `dir`, replacing the
/// previous contents of `dir` atomically (see the module documentation). Returns the written paths (in `dir`).
///
/// # Errors
/// Any I/O failure, with the path it concerns; an existing `dir` that kdrepro did not write.
pub fn write_report(report: &Report, dir: &Path, stem: &str) -> io::Result<Vec<PathBuf>> {
    check_output(dir)?;
    let results = report.results.to_yaml();
    let mut files: Vec<(PathBuf, &[u8])> = vec![
        (PathBuf::from(format!("{stem}.pdf")), &report.pdf),
        (PathBuf::from(format!("{stem}.typ")), report.typst.as_bytes()),
        (PathBuf::from(format!("{stem}.results.yaml")), results.as_bytes()),
    ];
    files.extend(report.figures.iter().map(|(path, source)| (PathBuf::from(path), source.as_bytes())));
    let (parent, name) = split(dir)?;
    remove_stale(&parent, &name);
    let exists = dir.is_dir();
    let staging = tempfile::Builder::new()
        .prefix(&format!("{}{}-", staging_prefix(&name), std::process::id()))
        .tempdir_in(&parent)
        .map_err(|e| at(&parent, e))?;
    for (path, bytes) in &files {
        write_synced(&staging.path().join(path), bytes).map_err(|e| at(path, e))?;
    }
    write_synced(&staging.path().join(MARKER), b"written by kdrepro: replaced as a whole by every build\n")?;
    if exists {
        carry_over(dir, staging.path()).map_err(|e| at(dir, e))?;
    }
    sync_dir(staging.path())?;
    swap_into_place(staging, dir, &parent, &name, exists)?;
    Ok(files.into_iter().map(|(p, _)| dir.join(p)).collect())
}

/// Checks, before any work, that a report can be written to `dir`: a directory that does not exist yet or that
/// kdrepro wrote, whose parent exists or can be created and accepts the staging directory beside `dir` (a
/// probe is made and removed at once; nothing else is written outside `dir`).
///
/// # Errors
/// `dir` is a file, the root, a directory kdrepro did not write, or its parent cannot be written; the message
/// names the path.
pub fn check_output(dir: &Path) -> io::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(io::Error::other(format!("{}: the output path exists and is not a directory", dir.display())));
    }
    let (parent, name) = split(dir)?;
    if dir.is_dir() && !owned(dir)? {
        return Err(io::Error::other(format!(
            "{}: the output directory exists and was not written by kdrepro; choose another --out or empty it",
            dir.display()
        )));
    }
    fs::create_dir_all(&parent).map_err(|e| at(&parent, e))?;
    let probe = tempfile::Builder::new().prefix(&staging_prefix(&name)).tempdir_in(&parent).map_err(|e| {
        io::Error::new(e.kind(), format!("{}: cannot write the report's staging directory here: {e}", parent.display()))
    })?;
    probe.close().map_err(|e| at(&parent, e))
}

/// The start of the name of a staging directory of `name`, followed by the build's process id.
fn staging_prefix(name: &str) -> String {
    format!(".{name}.kdrepro-new-")
}

/// The parent directory and the final name of `dir` (made absolute, `.` and `..` resolved where it exists).
fn split(dir: &Path) -> io::Result<(PathBuf, String)> {
    let absolute = if dir.exists() { fs::canonicalize(dir)? } else { std::path::absolute(dir)? };
    let name = absolute.file_name().map(|n| n.to_string_lossy().into_owned());
    match (absolute.parent(), name) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name)),
        _ => Err(io::Error::other(format!("{}: not a usable output directory", dir.display()))),
    }
}

/// Adds the path an I/O error concerns.
#[allow(clippy::needless_pass_by_value, reason = "a map_err adaptor: the error is replaced")]
fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Whether kdrepro wrote `dir`: it has the marker, or holds only what kdrepro writes (reports of earlier
/// versions: `*.pdf`, `*.typ`, `*.results.yaml`, `figures/`, `.cache/`, hidden temporary files).
fn owned(dir: &Path) -> io::Result<bool> {
    if dir.join(MARKER).exists() {
        return Ok(true);
    }
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let known = [".pdf", ".typ", ".results.yaml"].iter().any(|x| name.ends_with(x))
            || name == "figures"
            || name == ".cache"
            || (name.starts_with('.') && name.contains(".tmp"));
        if !known {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Removes staging and old directories of `name` left by builds that were killed (their process is gone).
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        // `<prefix><pid>` or `<prefix><pid>-<random>`.
        let pid = [staging_prefix(name), format!(".{name}.kdrepro-old-")]
            .iter()
            .find_map(|prefix| file.strip_prefix(prefix.as_str()))
            .and_then(|rest| rest.split('-').next())
            .map(str::to_owned);
        if let Some(pid) = pid
            && pid.parse::<u32>().is_ok()
            && !Path::new("/proc").join(&pid).exists()
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Hard-links (or copies) every entry of `old` that `new` lacks into `new`, recursively.
fn carry_over(old: &Path, new: &Path) -> io::Result<()> {
    for entry in fs::read_dir(old)? {
        let entry = entry?;
        let target = new.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&target)?;
            carry_over(&entry.path(), &target)?;
        } else if !target.exists() && fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` (creating its directory) and flushes it to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a directory's entries to disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| at(dir, e))
}

/// Puts `staging` at `dir`: a plain rename when `dir` does not exist, else an atomic exchange (or two renames
/// where exchange is unsupported), then removes the previous set (now at the staging path, removed when the
/// `TempDir` is closed).
fn swap_into_place(staging: tempfile::TempDir, dir: &Path, parent: &Path, name: &str, exists: bool) -> io::Result<()> {
    if !exists {
        fs::rename(staging.keep(), dir).map_err(|e| at(dir, e))?;
        return sync_dir(parent);
    }
    if exchange(staging.path(), dir).is_ok() {
        sync_dir(parent)?;
        let old = staging.path().to_path_buf();
        return staging.close().map_err(|e| at(&old, e));
    }
    let old = parent.join(format!(".{name}.kdrepro-old-{}", std::process::id()));
    fs::rename(dir, &old).map_err(|e| at(dir, e))?;
    fs::rename(staging.keep(), dir).map_err(|e| at(dir, e))?;
    sync_dir(parent)?;
    fs::remove_dir_all(&old).map_err(|e| at(&old, e))
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Atomic exchange is not available: the caller falls back to two renames.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The output file stem for a spec path: its file stem, with anything but letters, digits, `-` and `_`
/// replaced, so that outputs cannot escape the output directory.
pub fn output_stem(spec: &Path) -> String {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let safe: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if safe.is_empty() { "report".to_owned() } else { safe }
}

#[cfg(test)]
mod tests;
