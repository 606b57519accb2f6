//! Where the spec text that the report prints stands, for the check that the report's fonts can show it.

use super::lint::declarations_in_use;
use super::signature::{self, BlockKind};
use crate::diagnostics::Span;
use crate::syntax::{Ast, Expr, ExprKind, Item, Value};

/// The spans of the spec text the report prints, sorted and disjoint: experiments and claims whole, with the
/// declarations experiments use (their excerpts, comments included), and the string literals of the other items
/// (title, source, prose, section labels and statements, figure captions). Unused declarations are not printed.
pub(super) fn printed_spans(ast: &Ast) -> Vec<Span> {
    let mut spans: Vec<Span> =
        declarations_in_use(ast).into_iter().filter(|&(_, used)| used).map(|(d, _)| d.span).collect();
    for item in &ast.items {
        match item {
            Item::Block(b)
                if matches!(signature::find(&b.kind.name), Some(BlockKind::Experiment | BlockKind::Claim)) =>
            {
                spans.push(b.span);
            }
            Item::Block(b) => {
                spans.extend(b.label.as_ref().map(|l| l.span));
                b.settings.iter().flat_map(|s| &s.values).for_each(|v| strings(v, &mut spans));
            }
            Item::Setting(s) => s.values.iter().for_each(|v| strings(v, &mut spans)),
            Item::Declaration(_) => {}
        }
    }
    spans.sort_by_key(|s| s.start);
    spans
}

/// Collects the spans of the string literals in a setting value.
fn strings(v: &Value, out: &mut Vec<Span>) {
    if let Value::Expr(e) = v {
        expr_strings(e, out);
    }
}

/// Collects the spans of the string literals in an expression, arguments included.
fn expr_strings(e: &Expr, out: &mut Vec<Span>) {
    match &e.kind {
        ExprKind::Str(s) => out.push(s.span),
        ExprKind::Call(_, args) => args.iter().for_each(|a| expr_strings(&a.value, out)),
        ExprKind::List(items) => items.iter().for_each(|x| expr_strings(x, out)),
        ExprKind::Range(..) | ExprKind::Number(_) | ExprKind::Path(_) => {}
    }
}
