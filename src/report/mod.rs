//! Stage 6, results + verdicts → report: minijinja templates render Typst source, which the Typst compiler,
//! embedded as a library, turns into a PDF in a sandboxed in-memory world.
//!
//! - [`render`] builds the typed [`context`](context::ReportContext), the figures and the results file.
//! - `pdf` compiles Typst in a [`ReportWorld`](world::ReportWorld): the embedded fonts and those of
//!   `--font-path` ([`Fonts`]), never system fonts; a fixed date, no file system, no packages, no network.
//! - [`check_fonts`] warns, before anything runs, about printed spec text that no font can show.
//! - `escape` turns user text into Typst string literals or markup that render verbatim.
//! - `plot` draws line and marker plots with error bars natively in Typst code.

#[cfg(feature = "report")]
pub(crate) mod claim_words;
#[cfg(feature = "report")]
mod context;
#[cfg(feature = "report")]
mod error;
#[cfg_attr(not(feature = "report"), allow(dead_code, reason = "without the report only prose is escaped"))]
mod escape;
#[cfg(feature = "report")]
mod figures;
#[cfg(feature = "report")]
mod fonts;
#[cfg(feature = "report")]
mod mathematics;
#[cfg(feature = "report")]
mod pdf;
#[cfg(feature = "report")]
mod plot;
mod prose;
#[cfg(feature = "report")]
mod provenance;
#[cfg(feature = "report")]
mod render;
#[cfg(feature = "report")]
mod results_file;
#[cfg(feature = "report")]
mod table;
#[cfg(feature = "report")]
mod verdicts_json;
#[cfg(feature = "report")]
mod world;
#[cfg(feature = "report")]
mod write;

#[cfg(all(test, feature = "report"))]
pub(crate) use pdf::typeset;
#[cfg(all(test, feature = "report"))]
pub(crate) use results_file::results_file;
#[cfg(feature = "report")]
pub(crate) use results_file::{ClaimEntry, ExperimentEntry, FigureEntry, SeriesEntry};
#[cfg(all(test, feature = "report"))]
pub(crate) use {error::ReportError, pdf::compile_pdf, world::ReportDate};

pub use prose::{PrintedProse, check_prose};
#[cfg(feature = "report")]
pub use {
    claim_words::located,
    fonts::{FontError, Fonts, check_fonts},
    mathematics::{check_mathematics, check_printed_mathematics},
    provenance::spec_hash,
    render::{RenderError, RenderInput, Report, compile_typst, render},
    results_file::{ReadError, ResultsFile, SCHEMA},
    write::{check_output, output_stem, write_report},
};
