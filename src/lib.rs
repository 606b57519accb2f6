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
//! | resolve | [`Ast`] (+ data files beside the spec) → [`Spec`] | [`resolve`] |
//! | check | [`Spec`] → warnings and errors before anything runs | [`lint`], [`check_prose`], [`check_mathematics`], [`check_fonts`] |
//! | plan | [`Spec`] + [`Overrides`] → [`Plan`]: seed, trials, looks of work units; its [`Cost`] and warnings | [`Plan::new`] |
//! | run | [`Plan`] → [`Results`] (theory, then the work units, cached) | [`run`] |
//! | shard | [`Plan`] + [`ShardId`] → one shard's work ([`ShardFile`]); shard files → [`MergedWork`] for [`run`] | [`run_shard`], [`ShardSet`] |
//! | judge | [`Plan`] + [`Results`] → [`Verdicts`] | [`judge`] |
//! | render | everything → PDF, Typst source, results file ([`ResultsFile`]), figures | [`render`] |
//! | diff | two results files → what changed beyond noise ([`ResultsDiff`]) | [`compare`] |
//!
//! Without the default feature `report` (the Typst compiler) the library stops at the plan and the checks that
//! need no typesetting: parse, resolve, [`lint`], [`check_prose`], [`Plan`] and [`Cost`], [`format`]; the run and
//! the judge are compiled too (the plan's outline needs the theory), the report is not.
//!
//! The house documents (architecture, style, the paper's mathematics the code cites) are in `docs/dev/`.
//!
//! Back to text, `kdrepro fmt` is [`format`]: spec text → canonical spec text. It puts named arguments and
//! settings in the order of the resolver's tables, which it receives as an [`Order`] ([`Signatures`]), so that
//! `syntax` never depends on `spec`.

// Without the report, what only the report reads (words of verdicts, provenance fields, printed spans) is unused.
#![cfg_attr(not(feature = "report"), allow(dead_code, unused_imports, reason = "read only by the report"))]

/// kdrepro's version and the git commit it was built from (`build.rs`), as `--version` prints them and shard files
/// record them: `0.1.0 (commit 482eea6…)`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("KDREPRO_GIT_COMMIT"), ")");

mod claims;
mod diagnostics;
#[cfg(feature = "report")]
mod diff;
mod engine;
mod numbers;
#[cfg(test)]
mod pipeline_tests;
mod plan;
mod report;
#[cfg(feature = "report")]
mod shard;
mod sim;
mod spec;
mod stats;
mod syntax;
mod theory;

pub use claims::{Outcome, Verdicts, decided, judge};
pub use diagnostics::{Diagnostic, Severity, Span};
#[cfg(feature = "report")]
pub use diff::{DEFAULT_LEVEL, DiffError, ResultsDiff, compare};
pub use engine::{
    MergedWork, Results, RunError, RunOptions, ShardWork, StoppingRule, Tick, Work, outline, run, run_shard,
};
pub use plan::{Cost, Overrides, Plan, ShardId, default_memory_limit, parse_bytes};
#[cfg(feature = "report")]
pub use report::{
    FontError, Fonts, ReadError, RenderError, RenderInput, Report, ResultsFile, SCHEMA, check_fonts, check_mathematics,
    check_output, check_printed_mathematics, compile_typst, located, output_stem, render, spec_hash, write_report,
};
pub use report::{PrintedProse, check_prose};
#[cfg(feature = "report")]
pub use shard::{MAX_SHARDS, SHARD_FORMAT, ShardError, ShardFile, ShardSet};
pub use spec::{Signatures, Spec, lint, named_files, resolve};
pub use syntax::{Ast, Order, format, parse, unified_diff};
