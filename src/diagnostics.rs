//! Errors and warnings located in a spec file, printed like rustc:
//!
//! ```text
//! specs/bad.kd:3:28: error: `alpha` must be positive
//!   |
//! 3 | spectrum c = powerlaw(p: 5, alpha: -1)
//!   |                                    ^^
//!   = help: allowed range: alpha > 0
//! ```

use std::fmt;

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
}

impl Diagnostic {
    /// An error at `span`.
    pub(crate) fn error(span: Span, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, span, message: message.into(), hints: Vec::new() }
    }

    /// A warning at `span`.
    pub(crate) fn warning(span: Span, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, span, message: message.into(), hints: Vec::new() }
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

    /// Renders the diagnostic against the source it points into.
    pub fn render(&self, path: &str, source: &str) -> String {
        Rendered { diagnostic: self, path, source }.to_string()
    }
}

/// A diagnostic together with the file it points into, for display.
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    path: &'a str,
    source: &'a str,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        let start = (d.span.start as usize).min(self.source.len());
        let (line_no, line_start) = line_of(self.source, start);
        let line = self.source[line_start..].lines().next().unwrap_or("");
        // Control characters would garble the terminal; each stands in as one replacement character.
        let shown: String = line.chars().map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c }).collect();
        let col = self.source[line_start..start].chars().count() + 1;
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{}:{line_no}:{col}: {kind}: {}", self.path, d.message)?;
        let gutter = " ".repeat(line_no.to_string().len());
        // `lines` drops a line's `\r\n`, where a span may start: such a span is drawn as one caret.
        let end = (d.span.end as usize).clamp(start, (line_start + line.len()).max(start));
        let width = self.source[start..end].chars().count().max(1);
        let (shown, caret, width) = window(&shown, col - 1, width);
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{line_no} | {shown}")?;
        writeln!(f, "{gutter} | {}{}", " ".repeat(caret), "^".repeat(width))?;
        for hint in &d.hints {
            writeln!(f, "{gutter} = help: {hint}")?;
        }
        Ok(())
    }
}

/// The characters of an excerpt line shown around a span, at most about `WINDOW` of them: a line of a
/// hundred thousand eigenvalues is cut to the part near the span, with `…` where it is cut.
const WINDOW: usize = 100;

/// `line` cut to [`WINDOW`] characters around the span at character `col` of `width` characters: the text
/// shown, the span's column in it and its (possibly shortened) width.
fn window(line: &str, col: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WINDOW {
        return (line.to_owned(), col, width);
    }
    let width = width.min(WINDOW / 2);
    let first = col.saturating_sub(WINDOW / 4).min(chars.len().saturating_sub(WINDOW));
    let last = (first + WINDOW).min(chars.len());
    let mut shown: String = chars[first..last].iter().collect();
    let mut caret = col - first;
    if first > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if last < chars.len() {
        shown.push('…');
    }
    (shown, caret, width)
}

/// The 1-based line number of byte `offset` and the byte where that line starts.
fn line_of(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, line_start)
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
        assert_eq!(
            d.render("a.kd", source),
            "a.kd:2:6: error: seed must be a non-negative integer\n  |\n2 | seed -3\n  |      ^^\n  = help: for example `seed 1`\n"
        );
    }

    #[test]
    fn a_long_line_is_shown_around_its_span() {
        let source = format!("spectrum s = list([{}, x])\n", vec!["1"; 1000].join(", "));
        let at = source.find('x').unwrap();
        let text = Diagnostic::at(at, "not a number").render("a.kd", &source);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[2].chars().count() < 120 && lines[2].starts_with("1 | …") && lines[2].ends_with("x])"), "{text}");
        // The caret stands under the `x`.
        let caret = lines[3].find('^').unwrap();
        assert_eq!(lines[2].chars().nth(lines[3][..caret].chars().count()), Some('x'), "{text}");
    }

    #[test]
    fn a_span_at_the_end_of_a_crlf_line_renders() {
        let d = Diagnostic::error(Span::new(9, 10), "unexpected character U+000A");
        assert_eq!(
            d.render("a.kd", "title \"a\r\n"),
            "a.kd:1:10: error: unexpected character U+000A\n  |\n1 | title \"a\n  |          ^\n"
        );
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
