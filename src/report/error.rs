//! The report stage's error type and its Typst-independent diagnostics.

use std::fmt::{self, Display, Formatter};

use super::world::ReportDate;

/// Everything that can stop the rendering of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReportError {
    /// The fixed document date is not a calendar date.
    InvalidDate(ReportDate),
    /// An extra file's key is not a valid relative path inside the virtual project.
    InvalidFilePath {
        /// The key as given.
        path: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Typst reported errors while compiling the document.
    Compile(Vec<ReportDiagnostic>),
    /// Typst reported errors while exporting the laid-out document to PDF.
    Export(Vec<ReportDiagnostic>),
}

impl Display for ReportError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidDate(date) => write!(f, "invalid report date {date}"),
            Self::InvalidFilePath { path, reason } => {
                write!(f, "invalid report file path {path:?}: {reason}")
            }
            Self::Compile(diagnostics) => write_all(f, "Typst compilation failed", diagnostics),
            Self::Export(diagnostics) => write_all(f, "PDF export failed", diagnostics),
        }
    }
}

impl std::error::Error for ReportError {}

/// Writes a headline followed by one diagnostic per line block.
fn write_all(f: &mut Formatter<'_>, headline: &str, diagnostics: &[ReportDiagnostic]) -> fmt::Result {
    write!(f, "{headline}")?;
    for diagnostic in diagnostics {
        write!(f, "\n{diagnostic}")?;
    }
    Ok(())
}

/// Whether a diagnostic stops compilation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// Compilation failed.
    Error,
    /// Compilation succeeded, but something looks wrong.
    Warning,
}

/// A 1-based line and column (in characters) inside a virtual file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceLocation {
    /// Virtual path, e.g. `/main.typ` or `/figures/fig1b.typ`.
    pub(crate) path: String,
    /// 1-based line number.
    pub(crate) line: usize,
    /// 1-based column, counted in characters.
    pub(crate) column: usize,
}

impl Display for SourceLocation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// One Typst diagnostic, already resolved to file positions so it outlives the compiler's world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReportDiagnostic {
    /// Error or warning.
    pub(crate) severity: Severity,
    /// Where the problem is, when Typst knows.
    pub(crate) location: Option<SourceLocation>,
    /// The message, as Typst words it.
    pub(crate) message: String,
    /// Hints, each optionally followed by the location it refers to.
    pub(crate) hints: Vec<String>,
    /// The call/include chain that led to the problem, innermost first.
    pub(crate) trace: Vec<String>,
}

impl Display for ReportDiagnostic {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.location {
            Some(location) => write!(f, "{severity}: {location}: {}", self.message)?,
            None => write!(f, "{severity}: {}", self.message)?,
        }
        for trace in &self.trace {
            write!(f, "\n  = {trace}")?;
        }
        for hint in &self.hints {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}
