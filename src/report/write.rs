//! Writing a rendered report to its output directory, each file atomically.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::render::Report;

/// Writes `<stem>.pdf`, `<stem>.typ`, `<stem>.results.yaml` and `figures/*.typ` into `dir`.
/// Each file is written to a temporary name and renamed into place, so a crash never leaves a torn file.
///
/// # Errors
/// Any I/O failure, with the path it concerns.
pub fn write_report(report: &Report, dir: &Path, stem: &str) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<(PathBuf, &[u8])> = vec![
        (dir.join(format!("{stem}.pdf")), &report.pdf),
        (dir.join(format!("{stem}.typ")), report.typst.as_bytes()),
        (dir.join(format!("{stem}.results.yaml")), report.results_yaml.as_bytes()),
    ];
    files.extend(report.figures.iter().map(|(path, source)| (dir.join(path), source.as_bytes())));
    // Figures first, so that the main file never refers to a figure that is not there yet.
    files.rotate_left(3);
    for (path, bytes) in &files {
        write_atomically(path, bytes).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Writes `bytes` to `path` through a temporary file in the same directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let mut file = fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&temporary, path)
}

/// The output file stem for a spec path: its file stem, with anything but letters, digits, `-` and `_`
/// replaced, so that outputs cannot escape the output directory.
pub fn output_stem(spec: &Path) -> String {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let safe: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if safe.is_empty() { "report".to_owned() } else { safe }
}
