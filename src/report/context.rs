//! The typed context the Typst templates are rendered from. Every user string in it is already escaped:
//! fields ending in `_markup` are Typst markup that shows the text verbatim, fields ending in `_str` are
//! Typst string literals.

use serde::Serialize;

/// Everything `report.typ.j2` reads.
#[derive(Serialize)]
pub(super) struct ReportContext {
    /// kdrepro's version.
    pub(super) version: &'static str,
    /// The git commit kdrepro was built from, or `unknown`.
    pub(super) commit: &'static str,
    /// blake3 of the spec's text, hex.
    pub(super) spec_hash: String,
    /// The data files the spec reads: (path as a Typst string literal, blake3 hex), sorted by path.
    pub(super) data_files: Vec<(String, String)>,
    /// The worker thread count, when recorded.
    pub(super) threads: Option<usize>,
    /// The spec's file name as a Typst string literal.
    pub(super) spec_file_str: String,
    /// The spec's file name on one line (control characters replaced), for the generated source's comment.
    pub(super) spec_file_line: String,
    /// The output stem, e.g. `paper`.
    pub(super) stem: String,
    /// The title as a Typst string literal (for the PDF metadata).
    pub(super) title_str: String,
    /// The title as markup.
    pub(super) title_markup: String,
    /// The paper's source as markup.
    pub(super) source_markup: Option<String>,
    /// The spec's seed.
    pub(super) seed: u64,
    /// A line on the Monte Carlo design, as markup: trial counts, designs, data sets (whose names are paths a spec
    /// wrote, so they are escaped).
    pub(super) trials_note_markup: String,
    /// The `--trials N` draft override, if the run used one: the title page says so.
    pub(super) draft: Option<usize>,
    /// The fixed document date.
    pub(super) date: Date,
    /// "All 3 claims hold.", or how many hold, are contradicted, failed and are inconclusive, and which.
    pub(super) summary_sentence: String,
    /// One row per claim.
    pub(super) summary: Vec<ClaimRow>,
    /// The document, in spec order.
    pub(super) parts: Vec<PartContext>,
}

/// A calendar date.
#[derive(Clone, Copy, Serialize)]
pub(super) struct Date {
    /// Year.
    pub(super) year: i32,
    /// Month, 1–12.
    pub(super) month: u8,
    /// Day, 1–31.
    pub(super) day: u8,
}

/// A row of the verdict summary.
#[derive(Serialize)]
pub(super) struct ClaimRow {
    /// The claim's name (an identifier).
    pub(super) name: String,
    /// Its statement.
    pub(super) label_markup: String,
    /// `pass`, `fail`, `inconclusive`, `contradicted` or `unexpected`.
    pub(super) status: &'static str,
}

/// One part of the document; `kind` selects the partial template.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(super) enum PartContext {
    /// A numbered result.
    Section {
        /// "Proposition 3 — Optimal masks".
        heading_markup: String,
        /// The arXiv v1 label.
        v1_markup: Option<String>,
        /// The statement.
        statement_markup: Option<String>,
    },
    /// Prose paragraphs.
    Text {
        /// Each paragraph as markup.
        paragraphs: Vec<String>,
    },
    /// An experiment's spec and table.
    Experiment {
        /// Its name (an identifier).
        name: String,
        /// One sentence on what it runs.
        summary_markup: String,
        /// Its spec excerpt.
        excerpt_str: String,
        /// The table caption.
        caption_markup: String,
        /// Its table, split in parts that fit the page; numbers aligned on their decimal point.
        tables: Vec<super::table::Cells>,
    },
    /// A figure.
    Figure {
        /// Its name (an identifier, also its label).
        name: String,
        /// The path of its Typst file, as a string literal.
        path_str: String,
        /// The caption.
        caption_markup: String,
        /// The caption of its table, when it has one.
        table_caption_markup: String,
        /// The table below it, in parts (a figure of `measure scale` experiments: their limits); empty for none.
        tables: Vec<super::table::Cells>,
    },
    /// A claim and its verdict.
    Claim {
        /// Its name.
        name: String,
        /// Its statement.
        label_markup: String,
        /// Where the claim stands in the spec.
        location_markup: String,
        /// `pass`, `fail`, `inconclusive`, `contradicted` or `unexpected`.
        status: &'static str,
        /// The rule in words.
        rule_markup: String,
        /// The outcome in words.
        outcome_markup: String,
        /// Why some points could not be decided, one line each.
        notes_markup: Vec<String>,
        /// Why the spec expects the paper's statement to be contradicted, if it does.
        contradicted_markup: Option<String>,
        /// Its spec excerpt.
        excerpt_str: String,
    },
}
