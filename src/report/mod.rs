//! Rendering back-end: Typst source (plus generated files) → PDF, compiled in memory and reproducibly.
//!
//! - [`compile_pdf`] compiles a main Typst source and a map of extra files in a sandboxed [`ReportWorld`]:
//!   embedded fonts only, a fixed date, no file system, no packages, no network.
//! - [`escape`] turns arbitrary user text into Typst string literals, markup or math that render verbatim.
//! - [`Plot`] draws line/marker plots with error bars natively in Typst code.
#![allow(dead_code, unused_imports, reason = "used by later stages; wired in by the integrator")]

mod error;
mod escape;
mod pdf;
mod plot;
mod world;

pub(crate) use error::{ReportDiagnostic, ReportError, Severity, SourceLocation};
pub(crate) use escape::{typst_markup, typst_math, typst_string};
pub(crate) use pdf::{CompiledPdf, compile, compile_pdf};
pub(crate) use plot::{Axis, Color, Mark, Plot, PlotText, Point, Scale, Series, Style};
pub(crate) use world::{MAIN_PATH, ReportDate, ReportWorld};
