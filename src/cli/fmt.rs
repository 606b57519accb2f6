//! `kdrepro fmt`: files, directories (every `.kd` file below) and `-` (standard input and output).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::Failure;
use super::args::FmtArgs;
use super::console::{Console, display, stdout};

/// The UTF-8 byte-order mark some editors put at the start of a file.
pub(crate) const BOM: &str = "\u{feff}";

/// The name standard input goes by in messages and diffs.
const STDIN: &str = "<stdin>";

/// One input of `fmt`.
enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// A directory entry that could not be read: an error in its place, the other inputs still formatted.
    Unreadable(String),
}

/// Formats every input, continuing past failures.
pub(crate) fn fmt(args: &FmtArgs, console: Console) -> Result<(), Failure> {
    let inputs = inputs(&args.specs)?;
    let stdin = inputs.iter().filter(|i| matches!(i, Input::Stdin)).count();
    let refusal = if args.write && stdin > 0 {
        Some("`--write` cannot rewrite standard input (`-`): leave out `--write` to print the result")
    } else if stdin > 1 {
        Some("standard input (`-`) can be read once")
    } else if !args.check && !args.write && inputs.len() > 1 {
        Some("several files printed one after another would run together: use `--check` or `--write`, or one file")
    } else {
        None
    };
    if let Some(refusal) = refusal {
        eprintln!("error: {refusal}");
        return Err(Failure::Spec);
    }
    // Every input is formatted; the worst failure decides the exit code: I/O (3), a spec error (2), a file that
    // is not canonical (1). I/O failures are printed as they happen, the others print their own diagnostics.
    let (mut unreadable, mut invalid, mut not_canonical) = (0, false, false);
    for input in &inputs {
        match fmt_one(input, args.check, args.write, console) {
            Err(Failure::Runtime(message)) => {
                eprintln!("error: {message}");
                unreadable += 1;
            }
            Err(Failure::NotCanonical) => not_canonical = true,
            Err(_) => invalid = true,
            Ok(()) => {}
        }
    }
    if unreadable > 0 {
        Err(Failure::Runtime(format!("{unreadable} of {} inputs could not be read or written", inputs.len())))
    } else if invalid {
        Err(Failure::Spec)
    } else if not_canonical {
        Err(Failure::NotCanonical)
    } else {
        Ok(())
    }
}

/// The inputs in order: `-`, files as given, and each directory's `.kd` files, sorted, hidden directories skipped.
fn inputs(paths: &[PathBuf]) -> Result<Vec<Input>, Failure> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            let before = inputs.len();
            for entry in super::visible_entries(path) {
                match entry {
                    // A link to a file counts as the file; links to directories are not followed.
                    Ok(e) if e.path().is_file() && e.path().extension().is_some_and(|x| x == "kd") => {
                        inputs.push(Input::File(e.into_path()));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let at = e.path().map_or_else(|| display(path), display);
                        inputs.push(Input::Unreadable(format!("cannot read {at}: {e}")));
                    }
                }
            }
            if inputs.len() == before {
                eprintln!(
                    "error: {}: no `.kd` file in this directory or below (hidden ones are skipped)",
                    display(path)
                );
                return Err(Failure::Spec);
            }
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    Ok(inputs)
}

/// Formats one input: prints it, prints its diff (`--check`), or rewrites it (`--write`). CRLF line endings and a
/// byte-order mark are not formatting: the text is compared with LF endings, and `--write` keeps both.
fn fmt_one(input: &Input, check: bool, write: bool, console: Console) -> Result<(), Failure> {
    let (raw, name) = match input {
        Input::File(path) => (read_raw(path, console)?, display(path)),
        Input::Stdin => (read_stdin(console)?, STDIN.to_owned()),
        Input::Unreadable(message) => return Err(Failure::Runtime(message.clone())),
    };
    let bom = raw.starts_with(BOM);
    let crlf = raw.contains("\r\n");
    let source = raw.strip_prefix(BOM).unwrap_or(&raw).replace("\r\n", "\n");
    let formatted = kdrepro::format(&source, &kdrepro::Signatures).map_err(|diagnostics| {
        for d in diagnostics {
            console.diagnostic(&d, Path::new(&name), &source);
        }
        Failure::Spec
    })?;
    if check {
        let diff = kdrepro::unified_diff(&name, &format!("{name} (formatted)"), &source, &formatted);
        stdout(diff.as_bytes())?;
        return if diff.is_empty() { Ok(()) } else { Err(Failure::NotCanonical) };
    }
    let Input::File(path) = input else {
        return stdout(formatted.as_bytes());
    };
    if !write {
        stdout(formatted.as_bytes())?;
    } else if formatted != source {
        let endings = if crlf { formatted.replace('\n', "\r\n") } else { formatted };
        std::fs::write(path, if bom { format!("{BOM}{endings}") } else { endings })
            .map_err(|e| Failure::Runtime(format!("cannot write {name}: {e}")))?;
        console.info(format_args!("formatted {name}"));
    }
    Ok(())
}

/// Reads standard input as text, printing a located error if it is not UTF-8.
fn read_stdin(console: Console) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| Failure::Runtime(format!("cannot read {STDIN}: {e}")))?;
    utf8(bytes, Path::new(STDIN), console)
}

/// Reads a file's text as it is, printing a located error if it is not UTF-8.
pub(crate) fn read_raw(path: &Path, console: Console) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::Runtime(format!("cannot read {}: {e}", path.display())))?;
    utf8(bytes, path, console)
}

/// The bytes as text, or a located error at the first byte that is not UTF-8.
fn utf8(bytes: Vec<u8>, path: &Path, console: Console) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let d = kdrepro::Diagnostic::at(at, "the file is not UTF-8 text");
        console.diagnostic(&d, path, &String::from_utf8_lossy(&e.as_bytes()[..at]));
        Failure::Spec
    })
}
