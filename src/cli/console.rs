//! What the commands print on stderr: diagnostics (in colour or not), and summary lines that `--quiet` silences
//! and `--verbose` adds to.

use std::io::IsTerminal;
use std::path::Path;

use kdrepro::Diagnostic;

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
        eprint!("{}", d.render_with(&display(path), source, self.color));
    }

    /// Prints a summary line, unless `--quiet`.
    pub(crate) fn info(self, line: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// Prints a detail line, only with `--verbose`.
    pub(crate) fn detail(self, line: impl std::fmt::Display) {
        if self.verbose {
            eprintln!("{line}");
        }
    }
}

/// A path for messages.
pub(crate) fn display(path: &Path) -> String {
    path.display().to_string()
}
