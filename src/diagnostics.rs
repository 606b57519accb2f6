//! Errors and warnings located in a spec file, printed as rustc prints them (by `annotate-snippets`, the renderer of
//! rustc and cargo):
//!
//! ```text
//! error: `alpha` must be positive
//!  --> specs/bad.kd:3:37
//!   |
//! 3 | spectrum c = powerlaw(p: 5, alpha: -1)
//!   |                                    ^^
//!   |
//!   = help: allowed range: alpha > 0
//! ```
//!
//! A diagnostic may label other places too ("declared here"), drawn with `-` under them.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A byte range of the spec source. Every later stage keeps the span of the text it came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// The span of `start..end`.
    pub(crate) fn new(start: usize, end: usize) -> Self {
        let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Self { start: clamp(start), end: clamp(end) }
    }

    /// The 1-based line and column (in characters) where this span starts in `source`, as diagnostics print them.
    pub(crate) fn line_column(self, source: &str) -> (usize, usize) {
        let start = range(self, source).start;
        let before = &source[..start];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
    }

    /// The text this span covers.
    pub(crate) fn text(self, source: &str) -> &str {
        source.get(self.start as usize..self.end as usize).unwrap_or("")
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The spec cannot be run.
    Error,
    /// The spec runs, but probably not as meant.
    Warning,
}

/// An error or warning about the spec, pointing at the offending text.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the spec.
    pub span: Span,
    /// One sentence, no trailing period.
    pub message: String,
    /// Extra lines: `= help: ...`.
    pub hints: Vec<String>,
    /// Other places the message refers to, each with its label ("declared here").
    pub labels: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error at `span`.
    pub(crate) fn error(span: Span, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, span, message: message.into(), hints: Vec::new(), labels: Vec::new() }
    }

    /// A warning at `span`.
    pub(crate) fn warning(span: Span, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, span, message: message.into(), hints: Vec::new(), labels: Vec::new() }
    }

    /// An error at byte `offset`, for callers outside the crate (the CLI's file checks).
    pub fn at(offset: usize, message: impl Into<String>) -> Self {
        Self::error(Span::new(offset, offset), message)
    }

    /// Adds a help line.
    #[must_use]
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Labels another place the message refers to.
    #[must_use]
    pub(crate) fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push((span, label.into()));
        self
    }

    /// Renders the diagnostic against the source it points into, without colour.
    pub fn render(&self, path: &str, source: &str) -> String {
        self.render_with(path, source, false)
    }

    /// Renders the diagnostic against the source it points into, in colour (ANSI escapes) if `color`.
    pub fn render_with(&self, path: &str, source: &str, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut snippet =
            Snippet::source(source).path(path).annotation(AnnotationKind::Primary.span(range(self.span, source)));
        for (span, label) in &self.labels {
            snippet = snippet.annotation(AnnotationKind::Context.span(range(*span, source)).label(label));
        }
        let mut group = Group::with_title(level.primary_title(&self.message)).element(snippet);
        for hint in &self.hints {
            group = group.element(Level::HELP.message(hint));
        }
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        renderer.render(&[group]) + "\n"
    }
}

/// A span as a byte range inside `source`, on character boundaries.
fn range(span: Span, source: &str) -> std::ops::Range<usize> {
    let boundary = |mut at: usize| {
        at = at.min(source.len());
        while !source.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = boundary(span.start as usize);
    start..boundary(span.end as usize).max(start)
}

/// The name among `candidates` closest to `name`, if it is close enough to be a likely typo: within a third of its
/// length in edit distance by characters, a swap of neighbours counting as one edit (optimal string alignment,
/// `strsim::osa_distance`), so that `cvo` is one typo away from `cov`.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_excerpt_and_caret() {
        let source = "title \"x\"\nseed -3\n";
        let d = Diagnostic::error(Span::new(15, 17), "seed must be a non-negative integer")
            .with_hint("for example `seed 1`");
        // As rustc prints it.
        assert_eq!(
            d.render("a.kd", source),
            "error: seed must be a non-negative integer\n --> a.kd:2:6\n  |\n2 | seed -3\n  |      ^^\n  |\n  = help: for example `seed 1`\n"
        );
    }

    #[test]
    fn a_long_line_is_shown_around_its_span() {
        let source = format!("spectrum s = list([{}, x])\n", vec!["1"; 1000].join(", "));
        let at = source.find('x').unwrap();
        let text = Diagnostic::at(at, "not a number").render("a.kd", &source);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[3].chars().count() < 150 && lines[3].starts_with("1 | ...") && lines[3].ends_with("x])"),
            "{text}"
        );
        // The caret stands under the `x`.
        let caret = lines[4].find('^').unwrap();
        assert_eq!(lines[3].chars().nth(lines[4][..caret].chars().count()), Some('x'), "{text}");
    }

    #[test]
    fn a_span_at_the_end_of_a_crlf_line_renders() {
        let d = Diagnostic::error(Span::new(9, 10), "unexpected character U+000A");
        assert_eq!(
            d.render("a.kd", "title \"a\r\n"),
            // The line's `\r\n` is not drawn: the caret stands at the end of the line.
            "error: unexpected character U+000A\n --> a.kd:1:10\n  |\n1 | title \"a\n  |         ^\n"
        );
    }

    #[test]
    fn other_places_are_labelled_and_colour_is_optional() {
        let source = "signal beta = x\nsurrogate beta = optimal\n";
        let d = Diagnostic::error(Span::new(26, 30), "`beta` is declared twice")
            .with_label(Span::new(7, 11), "first declared here");
        let plain = d.render("a.kd", source);
        assert_eq!(
            plain,
            "error: `beta` is declared twice\n --> a.kd:2:11\n  |\n1 | signal beta = x\n  |        ---- first \
             declared here\n2 | surrogate beta = optimal\n  |           ^^^^\n"
        );
        assert!(!plain.contains('\x1b'));
        let coloured = d.render_with("a.kd", source, true);
        assert!(coloured.contains("\x1b["), "{coloured:?}");
    }

    #[test]
    fn spans_inside_a_character_or_past_the_end_render() {
        // Byte 1 is inside `é`; byte 99 is past the end.
        assert!(Diagnostic::error(Span::new(1, 99), "x").render("a.kd", "é\n").contains("1 | é"));
    }

    #[test]
    fn suggests_near_misses_only() {
        let names = ["optimal", "optimal_mask", "ground_truth"];
        assert_eq!(did_you_mean("optimal_msk", names), Some("optimal_mask"));
        assert_eq!(did_you_mean("groundtruth", names), Some("ground_truth"));
        assert_eq!(did_you_mean("banana", names), None);
        assert_eq!(did_you_mean("cvo", ["cov", "beta"]), Some("cov"));
    }
}
