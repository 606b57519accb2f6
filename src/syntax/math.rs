//! Mathematics in spec texts: a text is prose with `$…$` pieces of Typst math (`$beta^(s*)_i$`), restricted to a
//! subset that can only typeset (docs/language.md, "Mathematics").
//!
//! The subset is Typst's math syntax without code: no `#`, no comments, and every name is one of Typst's math
//! symbols or functions (`zeta`, `arrow.r`, `frac`, `norm`), never a variable or a file-reading function. Inside
//! such a piece nothing can run, read a file or leave the `$…$`, so the report can paste it into its Typst source
//! as it is. In the prose around it `\$` is a dollar sign and every other character is literal.

use std::ops::Range;
#[cfg(feature = "report")]
use std::sync::LazyLock;

#[cfg(feature = "report")]
use typst::foundations::{Module, Value};
#[cfg(feature = "report")]
use typst::{Library, LibraryExt};
use typst_syntax::{SyntaxKind, SyntaxNode};

/// The deepest bracket nesting a piece of mathematics may use (Typst's parser recurses on brackets).
const MAX_NESTING: usize = 16;

/// The deepest syntax tree a piece of mathematics may have: Typst recurses on it when it lays the piece out, and
/// overflowed its stack on a chain of about 580 fractions (`a/a/a/…`), which no bracket nests.
const MAX_DEPTH: usize = 64;

/// The longest piece of mathematics, in bytes: Typst's math parser recurses along a chain of attachments or
/// fractions before any depth check sees it (60 000 `x^` overflowed its stack), and no formula of a paper is near it.
const MAX_LENGTH: usize = 4096;

/// A piece of a spec text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Prose, shown verbatim (`\$` already made `$`).
    Prose(String),
    /// Typst math source, the text between a pair of `$`, checked to be in the safe subset.
    Math(&'a str),
}

/// Why a text's mathematics is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MathError {
    /// The byte range of the offending part, in the text.
    pub(crate) range: Range<usize>,
    /// One sentence, no trailing period.
    pub(crate) message: String,
    /// What to write instead.
    pub(crate) hint: Option<String>,
}

impl MathError {
    fn new(range: Range<usize>, message: impl Into<String>) -> Self {
        Self { range, message: message.into(), hint: None }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Splits `text` into prose and `$…$` mathematics, each piece of mathematics checked.
///
/// # Errors
/// An unclosed `$`; mathematics that is longer than 4096 bytes, does not parse, spans a blank line, nests brackets
/// more than 16 deep, holds
/// code (`#`), a comment, or a name that is not a Typst math symbol or function. The error's range is in `text`.
pub(crate) fn pieces(text: &str) -> Result<Vec<Piece<'_>>, MathError> {
    let mut pieces = Vec::new();
    let mut prose = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|&(_, d)| d == '$') => {
                prose.push('$');
                chars.next();
            }
            '$' => {
                let end = closing_dollar(text, i + 1).ok_or_else(|| {
                    MathError::new(i..i + 1, "this `$` opens mathematics that is never closed")
                        .hint("close it with a second `$`, or write `\\$` for a dollar sign")
                })?;
                let source = &text[i + 1..end];
                check(source).map_err(|e| MathError { range: e.range.start + i + 1..e.range.end + i + 1, ..e })?;
                if !prose.is_empty() {
                    pieces.push(Piece::Prose(std::mem::take(&mut prose)));
                }
                pieces.push(Piece::Math(source));
                while chars.next_if(|&(j, _)| j <= end).is_some() {}
            }
            c => prose.push(c),
        }
    }
    if !prose.is_empty() {
        pieces.push(Piece::Prose(prose));
    }
    Ok(pieces)
}

/// A prose template (a `text` block) with its `{{ … }}`, `{% … %}` and `{# … #}` expressions blanked to zeros,
/// byte for byte, so that every other offset stays in place: a number where the expression prints one, which its
/// mathematics can hold (`$tau = {{ x }}$`, `$x_{{ i }}$`). What the expressions print is checked when the
/// report is rendered.
pub(crate) fn blank_expressions(template: &str) -> String {
    let mut blanked = template.to_owned();
    for (open, close) in [("{{", "}}"), ("{%", "%}"), ("{#", "#}")] {
        let mut from = 0;
        while let Some(start) = blanked[from..].find(open).map(|s| s + from) {
            let end = blanked[start..].find(close).map_or(blanked.len(), |e| start + e + close.len());
            blanked.replace_range(start..end, &"0".repeat(end - start));
            from = end;
        }
    }
    blanked
}

/// The byte offset of the `$` that closes mathematics opened just before `from`: `\` escapes the next character
/// and a `$` inside a math string (`"…"`) does not close, as in Typst's lexer.
fn closing_dollar(text: &str, from: usize) -> Option<usize> {
    let mut chars = text[from..].char_indices().map(|(j, c)| (j + from, c));
    let mut in_string = false;
    while let Some((j, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '$' if !in_string => return Some(j),
            _ => {}
        }
    }
    None
}

/// Checks one piece of mathematics (the text between the `$`).
fn check(source: &str) -> Result<(), MathError> {
    if let Some(at) = blank_line(source) {
        return Err(MathError::new(at..at + 1, "mathematics cannot span a blank line")
            .hint("close the `$` before the paragraph ends"));
    }
    if source.len() > MAX_LENGTH {
        return Err(MathError::new(0..source.len(), "this mathematics is too long")
            .hint(format!("a piece of mathematics may have at most {MAX_LENGTH} bytes; split it")));
    }
    nesting(source)?;
    let root = typst_syntax::parse_math(source);
    let (errors, _) = root.errors_and_warnings();
    if let Some(error) = errors.first() {
        let range = first_error(&root, 0).unwrap_or(0..source.len());
        return Err(MathError::new(range, format!("invalid mathematics: {}", error.message)));
    }
    walk(&root, 0, 0)
}

/// The offset of the second of two line breaks with nothing between them, `\r\n` counting as one: where a report
/// paragraph ends (the report splits texts into paragraphs there).
fn blank_line(source: &str) -> Option<usize> {
    let mut after_break = false;
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let line_break = c == '\n' || (c == '\r' && chars.next_if(|&(_, d)| d == '\n').is_some());
        if line_break && after_break {
            return Some(i);
        }
        after_break = line_break;
    }
    None
}

/// Refuses brackets nested deeper than [`MAX_NESTING`].
fn nesting(source: &str) -> Result<(), MathError> {
    let mut depth = 0usize;
    for (i, c) in source.char_indices() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(MathError::new(i..i + 1, "brackets are nested too deeply in this mathematics")
                        .hint(format!("at most {MAX_NESTING} levels are allowed")));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The byte range of the first error node under `node`, which starts at `offset`.
fn first_error(node: &SyntaxNode, offset: usize) -> Option<Range<usize>> {
    if node.kind() == SyntaxKind::Error {
        return Some(offset..offset + node.len().max(1));
    }
    let mut at = offset;
    for child in node.children() {
        if let Some(range) = first_error(child, at) {
            return Some(range);
        }
        at += child.len();
    }
    None
}

/// Checks every node under `node` (which starts at `offset`) against the safe subset.
fn walk(node: &SyntaxNode, offset: usize, depth: usize) -> Result<(), MathError> {
    let range = offset..offset + node.len();
    if depth > MAX_DEPTH {
        return Err(MathError::new(range, "this mathematics is nested too deeply")
            .hint(format!("at most {MAX_DEPTH} levels of fractions, attachments and brackets are allowed")));
    }
    match node.kind() {
        SyntaxKind::MathIdent | SyntaxKind::MathFieldAccess => return resolve(node, range),
        SyntaxKind::LineComment | SyntaxKind::BlockComment => {
            return Err(MathError::new(range, "mathematics cannot hold a comment")
                .hint("write `\\/` for a slash: `//` and `/*` start comments in Typst"));
        }
        SyntaxKind::Hash => {
            return Err(MathError::new(range, "mathematics cannot hold code: `#` is not allowed")
                .hint("write `\\#` for a number sign"));
        }
        kind if !ALLOWED.contains(&kind) => {
            return Err(MathError::new(range, format!("`{}` is not allowed in mathematics", node.full_text())));
        }
        _ => {}
    }
    let mut at = offset;
    for child in node.children() {
        walk(child, at, depth + 1)?;
        at += child.len();
    }
    Ok(())
}

/// The syntax a piece of mathematics may use besides names (which [`resolve`] checks): text, attachments,
/// fractions, roots, primes, delimiters, alignment points, calls with (named) arguments, strings and escapes.
const ALLOWED: &[SyntaxKind] = &[
    SyntaxKind::Math,
    SyntaxKind::MathText,
    SyntaxKind::MathShorthand,
    SyntaxKind::MathAlignPoint,
    SyntaxKind::MathCall,
    SyntaxKind::MathArgs,
    SyntaxKind::MathDelimited,
    SyntaxKind::MathAttach,
    SyntaxKind::MathPrimes,
    SyntaxKind::MathFrac,
    SyntaxKind::MathRoot,
    SyntaxKind::Text,
    SyntaxKind::Space,
    SyntaxKind::Linebreak,
    SyntaxKind::Escape,
    SyntaxKind::Shorthand,
    SyntaxKind::Str,
    SyntaxKind::Named,
    SyntaxKind::Ident,
    SyntaxKind::LeftParen,
    SyntaxKind::RightParen,
    SyntaxKind::LeftBrace,
    SyntaxKind::RightBrace,
    SyntaxKind::LeftBracket,
    SyntaxKind::RightBracket,
    SyntaxKind::Comma,
    SyntaxKind::Semicolon,
    SyntaxKind::Colon,
    SyntaxKind::Underscore,
    SyntaxKind::Hat,
    SyntaxKind::Slash,
    SyntaxKind::Dot,
    SyntaxKind::Root,
];

/// Typst's math scope: the symbols and functions a name in mathematics may stand for.
#[cfg(feature = "report")]
static MATH: LazyLock<Module> = LazyLock::new(|| Library::default().math);

/// Checks that a name (`zeta`) or a chain of modifiers and fields (`arrow.r.long`) is a Typst math symbol or
/// function.
#[cfg(feature = "report")]
fn resolve(node: &SyntaxNode, range: Range<usize>) -> Result<(), MathError> {
    let path = node.full_text();
    let mut names = path.split('.');
    let first = names.next().unwrap_or_default();
    let unknown = || {
        MathError::new(range.clone(), format!("`{path}` is not a Typst math symbol or function"))
            .hint("put words in quotes (`\"risk\"`); single letters and names like `zeta` or `frac` are mathematics")
    };
    let mut value: Value = MATH.scope().get(first).ok_or_else(unknown)?.read().clone();
    for name in names {
        value = value.field(name, ()).map_err(|_| unknown())?;
    }
    Ok(())
}

/// The names of Typst's math scope, one per line, sorted: what a build without the Typst library (no `report`
/// feature) checks names against. A test of the report build keeps it equal to Typst's own scope.
#[cfg(any(test, not(feature = "report")))]
const MATH_NAMES: &str = include_str!("math_names.txt");

/// Without the Typst library (no `report` feature): checks that a name (`zeta`), or the first of a chain
/// (`arrow.r.long`), is in Typst's math scope ([`MATH_NAMES`]); the modifiers and fields after it are not checked,
/// which `check` says.
#[cfg(not(feature = "report"))]
fn resolve(node: &SyntaxNode, range: Range<usize>) -> Result<(), MathError> {
    let path = node.full_text();
    let first = path.split('.').next().unwrap_or_default();
    if MATH_NAMES.lines().any(|name| name == first) {
        return Ok(());
    }
    Err(MathError::new(range, format!("`{path}` is not a Typst math symbol or function"))
        .hint("put words in quotes (`\"risk\"`); single letters and names like `zeta` or `frac` are mathematics"))
}

#[cfg(test)]
mod tests;
