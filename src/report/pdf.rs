//! Typst source → PDF bytes, with diagnostics resolved to `path:line:column`.

use std::collections::BTreeMap;

use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::Smart;
use typst::syntax::DiagSpan;
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::error::{ReportDiagnostic, ReportError, Severity, SourceLocation};
use super::fonts::Fonts;
use super::world::{ReportDate, ReportWorld};

/// A compiled report: the PDF and the warnings Typst emitted on the way.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPdf {
    /// The PDF file's bytes.
    pub(crate) bytes: Vec<u8>,
    /// Non-fatal diagnostics (never printed here; the caller decides).
    pub(crate) warnings: Vec<ReportDiagnostic>,
}

/// Compiles `main` (with `files` reachable by relative path) into a PDF stamped with `date`, with the embedded
/// fonts.
#[cfg(test)]
pub(crate) fn compile_pdf(
    main: &str,
    files: &BTreeMap<String, Vec<u8>>,
    date: ReportDate,
) -> Result<Vec<u8>, ReportError> {
    compile(main, files, date, &Fonts::embedded()).map(|compiled| compiled.bytes)
}

/// A laid-out document and the warnings Typst emitted on the way.
pub(crate) struct Typeset {
    /// The pages.
    pub(crate) document: PagedDocument,
    /// Non-fatal diagnostics (never printed here; the caller decides).
    pub(crate) warnings: Vec<ReportDiagnostic>,
}

/// Lays out `main` (with `files` reachable by relative path), dated `date` and set in `fonts`.
///
/// # Errors
/// Typst's errors, at `path:line:column`.
pub(crate) fn typeset(
    main: &str,
    files: &BTreeMap<String, Vec<u8>>,
    date: ReportDate,
    fonts: &Fonts,
) -> Result<Typeset, ReportError> {
    lay_out(&ReportWorld::new(main, files, date, fonts)?)
}

/// Lays out the main source of `world`.
fn lay_out(world: &ReportWorld) -> Result<Typeset, ReportError> {
    let warned = typst::compile::<PagedDocument>(world);
    let warnings = resolve_all(world, &warned.warnings);
    let document = warned.output.map_err(|errors| ReportError::Compile(resolve_all(world, &errors)))?;
    Ok(Typeset { document, warnings })
}

/// Typst diagnostics at `path:line:column`.
fn resolve_all(world: &ReportWorld, diagnostics: &[SourceDiagnostic]) -> Vec<ReportDiagnostic> {
    diagnostics.iter().map(|diagnostic| resolve_diagnostic(world, diagnostic)).collect()
}

/// Compiles `main` (with `files` reachable by relative path) into a PDF stamped with `date`, set in `fonts`, and
/// returns it with Typst's warnings.
///
/// Identical inputs give byte-identical PDFs: fonts are embedded, the date and the PDF timestamp are fixed.
pub(crate) fn compile(
    main: &str,
    files: &BTreeMap<String, Vec<u8>>,
    date: ReportDate,
    fonts: &Fonts,
) -> Result<CompiledPdf, ReportError> {
    let world = ReportWorld::new(main, files, date, fonts)?;
    let Typeset { document, warnings } = lay_out(&world)?;
    let timestamp = Timestamp::new_utc(date.to_midnight()?);
    let options = PdfOptions { ident: Smart::Auto, timestamp: Some(timestamp), ..PdfOptions::default() };
    let bytes =
        typst_pdf::pdf(&document, &options).map_err(|errors| ReportError::Export(resolve_all(&world, &errors)))?;
    Ok(CompiledPdf { bytes, warnings })
}

/// Converts a Typst diagnostic into one that carries file positions instead of spans.
fn resolve_diagnostic(world: &ReportWorld, diagnostic: &SourceDiagnostic) -> ReportDiagnostic {
    let severity = match diagnostic.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    // Typst's command line has `--root`; kdrepro has no such option, and its sandbox is fixed.
    let hints = diagnostic
        .hints
        .iter()
        .filter(|hint| !hint.v.contains("--root"))
        .map(|hint| match locate(world, hint.span) {
            Some(location) => format!("{} (at {location})", hint.v),
            None => hint.v.to_string(),
        })
        .collect();
    let trace = diagnostic
        .trace
        .iter()
        .map(|point| match locate(world, point.span.into()) {
            Some(location) => format!("{} at {location}", point.v),
            None => point.v.to_string(),
        })
        .collect();
    ReportDiagnostic {
        severity,
        location: locate(world, diagnostic.span),
        message: diagnostic.message.to_string(),
        hints,
        trace,
    }
}

/// The virtual path and 1-based line/column of the start of a span, if it points into a file.
fn locate(world: &ReportWorld, span: DiagSpan) -> Option<SourceLocation> {
    let id = span.id()?;
    let start = world.range(span)?.start;
    let bytes = world.file(id).ok()?;
    let before = String::from_utf8_lossy(bytes.get(..start)?);
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    Some(SourceLocation {
        path: id.vpath().get_with_slash().to_owned(),
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    })
}

#[cfg(test)]
mod tests;
