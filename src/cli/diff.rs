//! `kdrepro diff OLD NEW`: what changed between two builds, from their results files.

use std::path::{Path, PathBuf};

use kdrepro::ResultsFile;

use crate::cli::Failure;
use crate::cli::args::{DiffArgs, DiffFormat};
use crate::cli::console::display;

/// `kdrepro diff`: exit 0 without a meaningful change, 1 with one, 2 when an input cannot be read or compared.
pub(crate) fn diff(args: &DiffArgs) -> Result<(), Failure> {
    let (old_path, old) = read(&args.old)?;
    let (new_path, new) = read(&args.new)?;
    let paths = [display(&old_path), display(&new_path)];
    let diff = kdrepro::compare(&old, &new, [&paths[0], &paths[1]], args.level).map_err(|e| {
        eprintln!("error: --level: {e}");
        Failure::Spec
    })?;
    let text = match args.format {
        DiffFormat::Text => diff.to_text(),
        DiffFormat::Md => diff.to_markdown(),
        DiffFormat::Json => diff.to_json(),
    };
    crate::cli::console::stdout(text.as_bytes())?;
    if diff.meaningful { Err(Failure::Changed) } else { Ok(()) }
}

/// The results file at `path`, or the one results file (`*.results.yaml`) in the output directory `path`; an
/// error (exit 2) names the path and what is wrong with it.
fn read(path: &Path) -> Result<(PathBuf, ResultsFile), Failure> {
    let fail = |why: String| {
        eprintln!("error: {}: {why}", display(path));
        Failure::Spec
    };
    let file = if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| fail(format!("cannot read the directory: {e}")))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".results.yaml")))
            .collect();
        found.sort();
        match found.len() {
            1 => found.remove(0),
            0 => return Err(fail("no `*.results.yaml` in this directory: is it a report directory?".into())),
            _ => {
                let names: Vec<String> = found.iter().map(|p| display(p)).collect();
                return Err(fail(format!("several results files; name one: {}", names.join(", "))));
            }
        }
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => {
            fail("not a text file: give a results file (`<stem>.results.yaml`) or an output directory".into())
        }
        _ => fail(format!("cannot read: {e}")),
    })?;
    let results = ResultsFile::read(&text).map_err(|e| {
        eprintln!("error: {}: {e}", display(&file));
        Failure::Spec
    })?;
    Ok((file, results))
}
