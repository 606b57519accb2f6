//! Escaping user text for Typst, so that arbitrary strings render verbatim and never run as code.

use std::fmt::Write as _;

use crate::syntax::{MathError, Piece, pieces};

/// A Typst string literal (`"..."`) whose value is exactly `s`.
///
/// Escapes `\`, `"`, newline, carriage return and tab; every other control character becomes `\u{..}`.
pub(crate) fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => push_unicode_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Typst markup that displays `s` literally.
///
/// Every ASCII punctuation character is backslash-escaped. That covers all markup syntax (`# $ * _ ` < > @
/// [ ] = - + / ~ ' " : . \` and the comment openers `//`, `/*`): Typst's lexer turns `\` followed by any
/// non-space character into that character, and `.`/`:`/`/` escapes also defuse `1.` enumerations, term
/// lists and `http://` autolinks. Line breaks in `s` become `#linebreak()` (safe: whatever follows is
/// escaped); spaces collapse as in prose.
pub(crate) fn typst_markup(s: &str) -> String {
    let mut out = String::with_capacity(2 * s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // `\r\n` is one line break.
            '\r' if chars.peek() == Some(&'\n') => {}
            c if is_typst_newline(c) => out.push_str("#linebreak()"),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() && c != '\t' => push_unicode_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Typst markup that shows a spec text: its prose verbatim ([`typst_markup`]) and its `$…$` mathematics as
/// Typst math, checked to be in the safe subset ([`crate::syntax::pieces`]) and pasted as written.
///
/// # Errors
/// The text's mathematics is refused; the spec stage refuses it first in every text but the output of a `text`
/// block's expressions.
pub(crate) fn typst_text(s: &str) -> Result<String, MathError> {
    let mut out = String::with_capacity(2 * s.len());
    for piece in pieces(s)? {
        match piece {
            Piece::Prose(prose) => out.push_str(&typst_markup(&prose)),
            Piece::Math(math) => {
                out.push('$');
                out.push_str(math);
                out.push('$');
            }
        }
    }
    Ok(out)
}

/// Whether Typst's lexer treats `c` as a line break (typst-syntax `is_newline`).
fn is_typst_newline(c: char) -> bool {
    matches!(c, '\n' | '\x0B' | '\x0C' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Appends `\u{XXXX}` for `c`, valid in both Typst strings and markup.
fn push_unicode_escape(out: &mut String, c: char) {
    write!(out, "\\u{{{:x}}}", u32::from(c)).expect("writing to a String cannot fail");
}

#[cfg(all(test, feature = "report"))]
mod tests;
