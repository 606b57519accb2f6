//! Canonical order: a call's trailing named arguments in the order of its constructor's parameters, and a
//! block's settings in the order of its kind's settings, as the given [`Order`] knows them.
//!
//! The formatter does not know the constructors and blocks (the resolver does), so it is handed an [`Order`].
//! Reordering moves source text before the layout: an argument moves with its value; a setting with the comments
//! on the lines directly above it, those inside it, and the one at the end of its line. Nothing moves where the
//! order could carry meaning or a comment could land elsewhere:
//!
//! - a call the order does not know (a nested call has no keyword, so none is known), one with a comment
//!   inside, one where a positional argument follows a named one, and one whose named arguments are unknown,
//!   repeated or name a parameter a positional argument fills: positional arguments count by their index among
//!   all arguments, so only the named ones after the last positional one may move;
//! - a block the order does not know, one with an unknown or repeated key, and one with a blank line between two
//!   of its settings or below the comments above its first: the author's groups stay as written.

use std::ops::Range;

use super::{Comment, Entry, blank_line_between, comments, expr_end, open_brace};
use crate::syntax::ast::{Argument, Ast, Block, Expr, ExprKind, Item, Setting, Value};

/// The canonical order of what the language leaves unordered, known to the stage that gives names their meaning.
/// An order that knows nothing (the default) leaves everything in the order it was written.
pub trait Order {
    /// The parameters of the constructor `callee` in positional order, where `keyword` introduces the call (the
    /// keyword of its declaration, or the key of the setting whose value it is); `None` when unknown.
    fn parameters(&self, _keyword: &str, _callee: &str) -> Option<&[&str]> {
        None
    }

    /// The settings of a block of `kind`, in canonical order; `None` when unknown.
    fn settings(&self, _kind: &str) -> Option<&[&str]> {
        None
    }
}

/// A replacement of a range of the source.
type Edit = (Range<usize>, String);

/// `source`, parsed as `ast`, with its named arguments and then its settings in canonical order; and its tree.
pub(super) fn reorder(source: &str, ast: Ast, order: &dyn Order) -> (String, Ast) {
    let edits = Mover::new(source, &ast, order).arguments(&ast);
    let (source, ast) = apply(source, ast, edits);
    let edits = Mover::new(&source, &ast, order).blocks(&ast);
    apply(&source, ast, edits)
}

/// `source` with `edits` (disjoint, in source order) applied, and its tree (`ast` when nothing changes).
fn apply(source: &str, ast: Ast, edits: Vec<Edit>) -> (String, Ast) {
    if edits.is_empty() {
        return (source.to_owned(), ast);
    }
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (range, text) in edits {
        out.push_str(&source[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&source[at..]);
    let ast = crate::syntax::parse(&out).expect("moving whole arguments and settings keeps a spec parseable");
    (out, ast)
}

/// Finds the edits of one pass over a parsed source.
struct Mover<'a> {
    /// The source.
    source: &'a str,
    /// Its comments, in order.
    comments: Vec<Comment>,
    /// The canonical order.
    order: &'a dyn Order,
}

impl<'a> Mover<'a> {
    /// A mover over `source`, parsed as `ast`.
    fn new(source: &'a str, ast: &Ast, order: &'a dyn Order) -> Self {
        Self { source, comments: comments(source, ast), order }
    }

    /// The edits that order the named arguments of the calls declarations and settings introduce.
    fn arguments(&self, ast: &Ast) -> Vec<Edit> {
        let mut edits = Vec::new();
        for item in &ast.items {
            match item {
                Item::Declaration(d) => edits.extend(self.call(&d.kind.name, &d.value)),
                Item::Block(b) => b.settings.iter().for_each(|s| edits.extend(self.setting_calls(s))),
                Item::Setting(s) => edits.extend(self.setting_calls(s)),
            }
        }
        edits
    }

    /// The edits that order the named arguments of the calls among a setting's values.
    fn setting_calls<'s>(&'s self, s: &'s Setting) -> impl Iterator<Item = Edit> + 's {
        s.values.iter().filter_map(|v| match v {
            Value::Expr(e) => self.call(&s.key.name, e),
            Value::Comparison(_) => None,
        })
    }

    /// The edit that puts the named arguments after the last positional one of `e`, a call `keyword`
    /// introduces, in the order of its parameters.
    fn call(&self, keyword: &str, e: &Expr) -> Option<Edit> {
        let ExprKind::Call(callee, args) = &e.kind else { return None };
        let params = self.order.parameters(keyword, &callee.name)?;
        if self.comments.iter().any(|c| (callee.span.start as usize..e.span.end as usize).contains(&c.start)) {
            return None;
        }
        let positional = args.iter().take_while(|a| a.name.is_none()).count();
        let named = &args[positional..];
        let ranks: Vec<Option<usize>> = named
            .iter()
            .map(|a| {
                let name = a.name.as_ref()?;
                params.iter().position(|p| *p == name.name).filter(|&slot| slot >= positional)
            })
            .collect();
        let pieces: Vec<Range<usize>> = named.iter().map(|a| argument_start(a)..expr_end(&a.value)).collect();
        splice(self.source, &pieces, &ranks, ", ")
    }

    /// The edits that order the settings of the blocks.
    fn blocks(&self, ast: &Ast) -> Vec<Edit> {
        let blocks = ast.items.iter().filter_map(|item| match item {
            Item::Block(b) => Some(b),
            _ => None,
        });
        blocks.filter_map(|b| self.block(b)).collect()
    }

    /// The edit that puts the settings of `b` in the order of its kind, each with its comments.
    fn block(&self, b: &Block) -> Option<Edit> {
        let keys = self.order.settings(&b.kind.name)?;
        let chunks = self.chunks(b);
        // From the comments above the first setting, and from the end of each setting, to the next setting.
        let gaps = chunks.iter().map(|c| c.start).take(1).chain(b.settings.iter().map(Entry::end));
        if gaps.zip(b.settings.iter().map(Entry::start)).any(|(from, to)| blank_line_between(self.source, from, to)) {
            return None;
        }
        let ranks: Vec<Option<usize>> = b.settings.iter().map(|s| keys.iter().position(|k| *k == s.key.name)).collect();
        let (range, text) = splice(self.source, &chunks, &ranks, "\n")?;
        // The settings leave the lines of `{` and `}`, so that a comment that now ends them cannot swallow `}`.
        let before = if self.source[..range.start].trim_end_matches([' ', '\t']).ends_with('\n') { "" } else { "\n" };
        let rest = self.source[range.end..].trim_start_matches([' ', '\t', '\r']);
        let after = if rest.starts_with('\n') { "" } else { "\n" };
        Some((range, format!("{before}{text}{after}")))
    }

    /// The source of each setting of `b` with its comments: those on the lines directly above it (below the
    /// line of `{` or the previous setting), those inside it, and the one at the end of its last line.
    fn chunks(&self, b: &Block) -> Vec<Range<usize>> {
        let header_end = b.label.as_ref().map_or(b.name.span.end, |l| l.span.end) as usize;
        let mut from = open_brace(self.source, header_end) + 1;
        let mut chunks = Vec::with_capacity(b.settings.len());
        for (i, s) in b.settings.iter().enumerate() {
            let above = self.comments.iter().find(|c| c.start >= from && c.start < s.start() && !c.trailing);
            let next = b.settings.get(i + 1).map_or(b.span.end as usize, Entry::start);
            let after = self
                .comments
                .iter()
                .find(|c| (s.end()..next).contains(&c.start) && !self.source[s.end()..c.start].contains('\n'));
            let chunk = above.map_or(s.start(), |c| c.start)..after.map_or(s.end(), |c| c.end);
            from = chunk.end;
            chunks.push(chunk);
        }
        chunks
    }
}

/// Where an argument starts: at its name, if it has one.
fn argument_start(a: &Argument) -> usize {
    a.name.as_ref().map_or(a.value.span, |n| n.span).start as usize
}

/// The edit that puts `pieces` of `source` (disjoint, in source order) in the order of their `ranks`, joined by
/// `separator`; `None` when a rank is unknown or repeated, or when the pieces are in order already.
fn splice(source: &str, pieces: &[Range<usize>], ranks: &[Option<usize>], separator: &str) -> Option<Edit> {
    let ranks: Vec<usize> = ranks.iter().copied().collect::<Option<_>>()?;
    let mut sorted: Vec<usize> = (0..pieces.len()).collect();
    sorted.sort_by_key(|&i| ranks[i]);
    let distinct = sorted.windows(2).all(|w| ranks[w[0]] < ranks[w[1]]);
    if !distinct || sorted.iter().enumerate().all(|(k, &i)| k == i) {
        return None;
    }
    let text: Vec<&str> = sorted.iter().map(|&i| &source[pieces[i].clone()]).collect();
    Some((pieces[0].start..pieces[pieces.len() - 1].end, text.join(separator)))
}
