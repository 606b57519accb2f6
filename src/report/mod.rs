//! Stage 6, results + verdicts → report: minijinja templates render Typst source, which the Typst compiler,
//! embedded as a library, turns into a PDF in a sandboxed in-memory world.
//!
//! - [`render`] builds the typed [`context`](context::ReportContext), the figures and the results file.
//! - `pdf` compiles Typst in a [`ReportWorld`](world::ReportWorld): the embedded fonts and those of
//!   `--font-path` ([`Fonts`]), never system fonts; a fixed date, no file system, no packages, no network.
//! - [`check_fonts`] warns, before anything runs, about printed spec text that no font can show.
//! - `escape` turns user text into Typst string literals or markup that render verbatim.
//! - `plot` draws line and marker plots with error bars natively in Typst code.

pub(crate) mod claim_words;
mod context;
mod error;
mod escape;
mod figures;
mod fonts;
mod mathematics;
mod pdf;
mod plot;
mod provenance;
mod render;
mod results_file;
mod table;
mod verdicts_json;
mod world;
mod write;

#[cfg(test)]
pub(crate) use pdf::typeset;
#[cfg(test)]
pub(crate) use {error::ReportError, pdf::compile_pdf, world::ReportDate};

pub use claim_words::located;
pub use fonts::{FontError, Fonts, check_fonts};
pub use mathematics::check_mathematics;
pub use provenance::spec_hash;
pub use render::{RenderError, RenderInput, Report, check_prose, compile_typst, render};
pub use results_file::{ReadError, ResultsFile, SCHEMA};
pub use write::{check_output, output_stem, write_report};
