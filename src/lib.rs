//! kdrepro reproduces *High-dimensional Analysis of Knowledge Distillation: Weak-to-Strong Generalization
//! and Scaling Laws* (Ildiz, Gozeten, Taga, Mondelli, Oymak; ICLR 2025) as a checked, typeset report.
//!
//! # Stages
//!
//! Data flows one way; each stage is one function taking the previous stage's value.
//!
//! | stage | input → output | entry |
//! |---|---|---|
//! | parse | spec text → [`Ast`] | [`parse`] |
//! | resolve | [`Ast`] → [`Spec`] | [`resolve`] |
//! | plan + run | [`Spec`] → [`Results`] | [`run`] |
//! | judge | [`Spec`] + [`Results`] → [`Verdicts`] | [`judge`] |
//! | render | everything → PDF, Typst source, results YAML, figures | [`render`] |

mod diagnostics;
mod spec;
mod syntax;

pub use diagnostics::{Diagnostic, Severity, Span};
pub use spec::{Spec, resolve};
pub use syntax::{Ast, parse};
mod report;
mod theory;
mod sim;
mod stats;
