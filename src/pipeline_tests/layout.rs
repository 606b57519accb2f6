//! Where the report's text lands on the page (issue 13): laid out by Typst, not read back from a PDF. A claim id
//! stays clear of a statement that fills its line, and a table of 21 columns with long legend labels stays inside
//! the text area, with no two runs drawn over each other.

use std::collections::BTreeMap;

use typst::layout::{Frame, FrameItem, Point, Transform};

use crate::report::{Fonts, RenderInput, ReportDate, typeset};
use crate::{judge, parse, resolve};

/// A4 width and the report's horizontal margin (report.typ.j2: `margin: (x: 2.2cm, ...)`), in points.
const PAGE_WIDTH: f64 = 595.28;
const MARGIN: f64 = 2.2 / 2.54 * 72.0;

/// A run of text on a page: its words, its left and right edges and its baseline, in points.
#[derive(Debug)]
struct Run {
    page: usize,
    text: String,
    left: f64,
    right: f64,
    baseline: f64,
}

/// Every text run of `frame`, placed by transform `ts`.
fn runs(frame: &Frame, ts: Transform, page: usize, out: &mut Vec<Run>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let ts = ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                runs(&group.frame, ts, page, out);
            }
            FrameItem::Text(text) => {
                let start = pos.transform(ts);
                let end = Point::new(pos.x + text.width(), pos.y).transform(ts);
                out.push(Run {
                    page,
                    text: text.text.to_string(),
                    left: start.x.to_pt().min(end.x.to_pt()),
                    right: start.x.to_pt().max(end.x.to_pt()),
                    baseline: start.y.to_pt(),
                });
            }
            _ => {}
        }
    }
}

/// The report of `source`, laid out: every text run on every page.
fn laid_out(source: &str) -> Vec<Run> {
    let ast = parse(source).unwrap();
    let spec = resolve(&ast, source, std::path::Path::new(".")).unwrap();
    let plan = super::plan(&spec);
    let results = super::run_to_decision(&plan);
    let verdicts = judge(&plan, &results);
    let fonts = Fonts::embedded();
    let input = RenderInput {
        plan: &plan,
        spec_file: "layout.kd",
        source,
        stem: "layout",
        results: &results,
        verdicts: &verdicts,
        spec_hash: "0",
        threads: None,
        fonts: &fonts,
    };
    let report = crate::render(&input).unwrap();
    let files: BTreeMap<String, Vec<u8>> =
        report.figures.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect();
    let document =
        typeset(&report.typst, &files, ReportDate { year: 2025, month: 1, day: 2 }, &fonts).unwrap().document;
    let mut out = Vec::new();
    for (page, p) in document.pages().iter().enumerate() {
        runs(&p.frame, Transform::identity(), page, &mut out);
    }
    out
}

/// Ten surrogates with long labels (a 21-column risk table, split in parts); claims are appended by
/// [`with_claims`].
const WIDE: &str = r#"
title "Layout"
seed 1
spectrum cov = powerlaw(p: 30, alpha: 1.5)
signal beta = powerlaw_energy(cov, beta: 1.2, power: 1)
task t = gaussian(cov, beta, noise: 0.01)
surrogate a = ground_truth(label: "Target trained on strong labels $beta^star$")
surrogate b = optimal(label: "Optimal surrogate-to-target $beta^(s*)$")
surrogate c = optimal_mask(label: "Optimal masked surrogate-to-target")
surrogate d = optimal(step: 0.5, label: "Half-way to the optimal surrogate")
surrogate e = scaled(factor: 0.9, label: "Shrunk by a factor of $0.9$")
surrogate f = top_k(k: 10, label: "Top ten features of $beta^star$")
surrogate g = top_k(k: 5, label: "Top five features")
surrogate h = scaled(factor: 0.5, label: "Shrunk by half")
surrogate i = optimal(step: 0.25, label: "A quarter of the way")
surrogate j = optimal(step: 0.75, label: "Three quarters of the way")
experiment wide {
  task t
  n [60, 90]
  surrogates a, b, c, d, e, f, g, h, i, j
  trials 40
}
"#;

/// The words the verdict-header claims' statements are cut from.
const WORDS: &str = "A statement long enough to fill the whole width of the verdict box and then some more words besides \
                     these that run on to a second line of the header and further";

/// `WIDE` with claims `long_claim_identifier_K` whose statements are the first 14 + K words of [`WORDS`], K = 0..12:
/// one of them ends its header's last line close to the right edge, where an id set after `#h(1fr)` collided.
fn with_claims() -> String {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut spec = WIDE.to_owned();
    for k in 0..12 {
        let statement = words[..(14 + k).min(words.len())].join(" ");
        spec.push_str(&format!("claim long_claim_identifier_{k} \"{statement}\" {{ theory wide.b <= wide.a }}\n"));
    }
    spec
}

#[test]
fn issue_13_wide_tables_and_long_verdict_headers_stay_in_the_text_area_and_apart() {
    let runs = laid_out(&with_claims());
    // Every run, the table's included, lies inside the text area (a point of slack for glyph side bearings). Runs of
    // punctuation alone are left out: Typst hangs a line-final comma into the margin on purpose (`overhang`).
    let (left, right) = (MARGIN - 1.0, PAGE_WIDTH - MARGIN + 1.0);
    let words = |r: &&Run| r.text.chars().any(char::is_alphanumeric);
    let outside: Vec<&Run> = runs.iter().filter(words).filter(|r| r.left < left || r.right > right).collect();
    assert!(outside.is_empty(), "text outside the text area [{left:.1}, {right:.1}] pt: {outside:#?}");
    // Each series' theory column is headed once: nothing wrapped into a second header row.
    let header = runs.iter().filter(|r| r.text == "theory").count();
    assert_eq!(header, 10, "{runs:#?}");
    // No two runs of a line overlap (cells of a table too wide for the page are drawn over each other).
    for (k, a) in runs.iter().enumerate().filter(|(_, r)| words(r)) {
        let overlapping = runs[k + 1..].iter().filter(words).find(|b| {
            b.page == a.page
                && (b.baseline - a.baseline).abs() < 1.0
                && b.left < a.right - 0.5
                && b.right > a.left + 0.5
        });
        assert!(overlapping.is_none(), "{a:?} overlaps {overlapping:?}");
    }
    // Wherever a claim id stands on its own (the summary table, the verdict header), at least 3 pt separate it from
    // every other run on its line: at 4b11467 it touched the statement's last word ("…(n − p − 1)prop2_exact").
    let ids: Vec<&Run> = runs.iter().filter(|r| r.text.starts_with("long_claim_identifier_")).collect();
    assert!(ids.len() >= 24, "{runs:#?}");
    for id in ids {
        let line = runs.iter().filter(|r| r.page == id.page && (r.baseline - id.baseline).abs() < 3.0);
        let near: Vec<&Run> =
            line.filter(|r| !std::ptr::eq(*r, id) && r.right > id.left - 3.0 && r.left < id.right + 3.0).collect();
        assert!(near.is_empty(), "the id {id:?} touches {near:#?}");
    }
}
