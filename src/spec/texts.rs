//! The texts of a spec and the check of their mathematics (docs/language.md, "Mathematics").
//!
//! Every string literal is a text the report prints, with `$…$` mathematics in it, except the path and column
//! of a `file(...)`. A `text` block is a template: its `{{ … }}` expressions are checked when the report prints
//! what they evaluate to.

use super::signature::{self, FileConstructor, TopSetting};
use crate::diagnostics::{Diagnostic, Span};
use crate::syntax::{Ast, Expr, ExprKind, Item, MathError, Value, check_template, pieces};

/// An error for every text whose mathematics is refused, located at the refused part where the text's source
/// shows it verbatim, else at the whole string.
pub(super) fn check(ast: &Ast, source: &str) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    each_text(ast, &mut |value, span, template| {
        let checked = if template { check_template(value) } else { pieces(value).map(|_| ()) };
        if let Err(e) = checked {
            errors.push(diagnostic(&e, value, span, source));
        }
    });
    errors
}

/// Calls `f` on every text of `ast` with its string literal's span and whether it is a template (a `text` block).
fn each_text(ast: &Ast, f: &mut impl FnMut(&str, Span, bool)) {
    for item in &ast.items {
        match item {
            Item::Setting(s) => {
                let template = signature::find(&s.key.name) == Some(TopSetting::Text);
                each_string(&s.values, &mut |value, span| f(value, span, template));
            }
            Item::Block(b) => {
                if let Some(label) = &b.label {
                    f(&label.value, label.span, false);
                }
                for s in &b.settings {
                    each_string(&s.values, &mut |value, span| f(value, span, false));
                }
            }
            Item::Declaration(d) => expr_strings(&d.value, &mut |value, span| f(value, span, false)),
        }
    }
}

/// Calls `f` on every text among the string literals of a setting's values.
fn each_string(values: &[Value], f: &mut impl FnMut(&str, Span)) {
    for v in values {
        if let Value::Expr(e) = v {
            expr_strings(e, f);
        }
    }
}

/// Calls `f` on every text among the string literals of an expression; a `file(...)`'s arguments are not texts.
fn expr_strings(e: &Expr, f: &mut impl FnMut(&str, Span)) {
    match &e.kind {
        ExprKind::Str(s) => f(&s.value, s.span),
        ExprKind::Call(callee, _) if signature::find::<FileConstructor>(&callee.name).is_some() => {}
        ExprKind::Call(_, args) => args.iter().for_each(|a| expr_strings(&a.value, f)),
        ExprKind::List(items) => items.iter().for_each(|x| expr_strings(x, f)),
        ExprKind::Range(..) | ExprKind::Number(_) | ExprKind::Path(_) => {}
    }
}

/// The error for text `value` (the string literal at `literal`): at the refused part when the literal's source
/// holds it verbatim from the `$` that opens its mathematics, else at the whole literal.
fn diagnostic(e: &MathError, value: &str, literal: Span, source: &str) -> Diagnostic {
    // The refused part with what precedes it back to its `$`: unique enough to find in the source.
    let from = value[..e.range.start].rfind('$').unwrap_or(e.range.start);
    let window = &value[from..e.range.end];
    let span = literal.text(source).find(window).map_or(literal, |at| {
        let start = literal.start as usize + at + (e.range.start - from);
        Span::new(start, start + e.range.len())
    });
    let d = Diagnostic::error(span, e.message.clone());
    match &e.hint {
        Some(hint) => d.with_hint(hint.clone()),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Span;

    /// The diagnostics of resolving `source`.
    fn errors(source: &str) -> Vec<crate::diagnostics::Diagnostic> {
        let ast = crate::syntax::parse(source).unwrap();
        super::check(&ast, source)
    }

    #[test]
    fn refused_mathematics_is_located_in_every_kind_of_text() {
        // Each text holds `$read("x")$` after some prose that also says `read`: the error points into the math.
        let hostile = r#"read $read(\"x\")$"#;
        let source = format!(
            "title \"{hostile}\"\nsurrogate s = optimal(label: \"{hostile}\")\nsection a \"{hostile}\" {{ statement \"{hostile}\" }}\ntext \"\"\"\n{{{{ x }}}} {}\n\"\"\"\n",
            hostile.replace('\\', "")
        );
        let found = errors(&source);
        assert_eq!(found.len(), 5, "{found:?}");
        for d in &found {
            assert_eq!(d.span.text(&source), "read", "{d:?}");
            assert_eq!(&source[d.span.start as usize - 1..d.span.start as usize], "$");
        }
    }

    #[test]
    fn issue_13_the_paper_s_texts_write_their_mathematics_as_mathematics() {
        // At 4b11467 the paper's statements, labels and captions carried pseudo-TeX (`‖Σ^{1/2}(β^s − β⋆)‖²`,
        // `n^-(β−1)`, `λ_i = i^-2`); the prose of every text (outside `$…$`) must now be free of it.
        let source = include_str!("../../specs/paper.kd");
        let ast = crate::syntax::parse(source).unwrap();
        let mut found = Vec::new();
        let mut texts = 0;
        super::each_text(&ast, &mut |value, _, _| {
            texts += 1;
            let prose = crate::syntax::pieces(value).unwrap().into_iter().filter_map(|p| match p {
                crate::syntax::Piece::Prose(prose) => Some(prose),
                crate::syntax::Piece::Math(_) => None,
            });
            for prose in prose {
                for pseudo in ["^{", "_i ", "^-(", "^-", "_i)", "_i²", "^s", "‖"] {
                    if prose.contains(pseudo) {
                        found.push(format!("{pseudo:?} in {prose:?}"));
                    }
                }
            }
        });
        assert!(texts > 100, "{texts} texts");
        assert!(found.is_empty(), "pseudo-TeX in paper.kd's texts:\n{}", found.join("\n"));
    }

    #[test]
    fn a_file_path_and_column_are_not_texts() {
        let source = "spectrum c = eigenvalues(file(\"a$b.csv\", \"$x\"))\n";
        assert!(errors(source).is_empty());
    }

    #[test]
    fn an_escaped_text_is_located_at_the_whole_string() {
        // The source writes `#` as `\#`, so the value's `$#` is not in it verbatim.
        let source = "title \"a $\\#x$\"\n";
        let found = errors(source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, Span::new(6, 15));
    }
}
