//! What the commands print on stderr: diagnostics (in colour or not), and summary lines that `--quiet` silences
//! and `--verbose` adds to.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::Path;

use kdrepro::Diagnostic;

use super::Failure;

/// The choices of `--quiet`, `--verbose` and `--color`.
#[derive(Clone, Copy)]
pub(crate) struct Console {
    /// Diagnostics in colour.
    color: bool,
    /// `--quiet`: only errors, warnings and claims that did not hold.
    pub(crate) quiet: bool,
    /// `--verbose`: the plan before a build and each stage's time.
    verbose: bool,
}

impl Console {
    /// The console for the flags: `--color auto` colours when stderr is a terminal and `NO_COLOR` is unset or
    /// empty (no-color.org); `always` and `never` override both.
    pub(crate) fn new(color: clap::ColorChoice, quiet: bool, verbose: bool) -> Self {
        let color = match color {
            clap::ColorChoice::Always => true,
            clap::ColorChoice::Never => false,
            clap::ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Console { color, quiet, verbose }
    }

    /// Prints a diagnostic located in the spec at `path` with text `source`.
    pub(crate) fn diagnostic(self, d: &Diagnostic, path: &Path, source: &str) {
        // A diagnostic that cannot be written has nowhere else to go.
        let _ = write!(std::io::stderr(), "{}", d.render_with(&display(path), source, self.color));
    }

    /// Prints a summary line, unless `--quiet`.
    pub(crate) fn info(self, line: impl std::fmt::Display) {
        if !self.quiet {
            print_line(line);
        }
    }

    /// Prints a detail line, only with `--verbose`.
    pub(crate) fn detail(self, line: impl std::fmt::Display) {
        if self.verbose {
            print_line(line);
        }
    }
}

/// Prints a line on stderr, spec text in it made visible ([`visible`]).
pub(crate) fn print_line(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{}", visible(&line.to_string()));
}

/// Writes `text` on stdout. A reader that stops early (`| head`) ends the output quietly; any other failure
/// (a full disk) is an error.
pub(crate) fn stdout(text: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Runtime(format!("cannot write to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Text for a terminal: control characters other than line breaks and tabs (an ESC in a claim's label would
/// recolour the terminal) are shown as their Unicode control pictures (`␛`), or `�` beyond ASCII, as are the
/// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which would reorder the rest of the line.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let hidden = |c: char| (c.is_control() && c != '\n' && c != '\t') || bidi(c);
    if !text.contains(hidden) {
        return Cow::Borrowed(text);
    }
    let picture = |c: char| match u32::from(c) {
        code @ 0..0x20 => char::from_u32(0x2400 + code).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    };
    Cow::Owned(text.chars().map(|c| if hidden(c) { picture(c) } else { c }).collect())
}

/// A path for messages.
pub(crate) fn display(path: &Path) -> String {
    path.display().to_string()
}
