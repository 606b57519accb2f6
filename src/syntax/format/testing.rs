//! Helpers for the formatter's tests and the fuzzer: an order that only lays out, a shuffle of named arguments
//! and block settings, and checks on comments, all independent of the formatter's own code paths.

use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{Order, format};
use crate::syntax::parse;

/// An order that knows no constructor and no block: formatting with it changes the layout only.
pub(crate) struct Unordered;

impl Order for Unordered {}

/// A canonical spec (one setting per line) with the named arguments after the last positional one of every
/// declared call and the settings of every block shuffled, each group that has two or more in a new order. A
/// setting moves with its continuation lines and the comment lines above it. The shuffle works on the text and
/// the parser's spans, independently of the formatter.
pub(crate) fn shuffle_order(spec: &str, rng: &mut Xoshiro256PlusPlus) -> String {
    let Ok(ast) = parse(spec) else { return spec.to_owned() };
    let mut out = String::new();
    let mut at = 0;
    for item in &ast.items {
        let crate::syntax::Item::Declaration(d) = item else { continue };
        let crate::syntax::ExprKind::Call(_, args) = &d.value.kind else { continue };
        let named = &args[args.iter().rposition(|a| a.name.is_none()).map_or(0, |last| last + 1)..];
        let ranges: Vec<std::ops::Range<usize>> = named
            .iter()
            .map(|a| {
                let start = a.name.as_ref().expect("no positional argument follows").span.start as usize;
                start..start + spec[start..a.value.span.end as usize].trim_end().len()
            })
            .collect();
        if let [first, .., last] = ranges.as_slice() {
            out.push_str(&spec[at..first.start]);
            let pieces = ranges.iter().map(|r| &spec[r.clone()]).collect();
            out.push_str(&shuffled(pieces, rng).join(", "));
            at = last.end;
        }
    }
    out.push_str(&spec[at..]);
    shuffle_settings(&out, rng)
}

/// `pieces` in a random order other than theirs (when there are two or more).
#[allow(clippy::needless_pass_by_value, reason = "callers hand over the pieces")]
fn shuffled<T: Clone + PartialEq>(pieces: Vec<T>, rng: &mut Xoshiro256PlusPlus) -> Vec<T> {
    let mut order = pieces.clone();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    if order == pieces {
        order.rotate_left(1);
    }
    order
}

/// A canonical spec with the settings of each block shuffled (see [`shuffle_order`]).
fn shuffle_settings(spec: &str, rng: &mut Xoshiro256PlusPlus) -> String {
    let mut out = String::new();
    let mut groups: Vec<String> = Vec::new();
    let mut in_block = false;
    for line in spec.split_inclusive('\n') {
        let starts_setting = line.starts_with("  ") && line[2..].starts_with(|c: char| c.is_ascii_alphabetic());
        let starts_group = (starts_setting || line.starts_with("  //"))
            && !groups.last().is_some_and(|g| g.lines().last().is_some_and(|l| l.starts_with("  //")));
        if in_block && line.starts_with('}') {
            out.extend(shuffled(std::mem::take(&mut groups), rng));
            in_block = false;
        }
        if in_block && starts_group {
            groups.push(line.to_owned());
        } else if in_block {
            groups.last_mut().expect("a block's first line starts a setting").push_str(line);
        } else {
            out.push_str(line);
            in_block = line.trim_end().ends_with('{');
        }
    }
    out
}

/// Asserts that `formatted`, the formatting of `source`, keeps every comment of `source`, and that the layout
/// alone (no reordering) keeps them in order.
pub(crate) fn assert_comments_kept(source: &str, formatted: &str) {
    let layout = format(source, &Unordered).expect("the source parses");
    assert_eq!(comment_texts(&layout), comment_texts(source), "the layout moved a comment:\n{layout}");
    let sorted = |text: &str| {
        let mut comments = comment_texts(text);
        comments.sort();
        comments
    };
    assert_eq!(sorted(formatted), sorted(source), "formatting lost a comment:\n{formatted}");
}

/// The comments of a text, trimmed, in order (found by a scan that knows strings, independent of the formatter).
fn comment_texts(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find(['"', '/']) {
        rest = &rest[i..];
        if let Some(body) = rest.strip_prefix("\"\"\"") {
            rest = body.find("\"\"\"").map_or("", |e| &body[e + 3..]);
        } else if rest.starts_with('"') {
            rest = &rest[quoted_len(rest)..];
        } else if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            found.push(rest[..end].trim_end().to_owned());
            rest = &rest[end..];
        } else {
            rest = &rest[1..];
        }
    }
    found
}

/// The length of the one-line string at the start of `text`.
pub(crate) fn quoted_len(text: &str) -> usize {
    let mut chars = text.char_indices().skip(1);
    while let Some((k, c)) = chars.next() {
        match c {
            '\\' => drop(chars.next()),
            '"' => return k + 1,
            _ => {}
        }
    }
    text.len()
}
