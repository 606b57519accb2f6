//! The texts of a spec and the check of their mathematics (docs/language.md, "Mathematics").
//!
//! Every string literal is a text the report prints, with `$…$` mathematics in it, except the path and column
//! of a `file(...)`. A `text` block is a template: its `{{ … }}` expressions are read as numbers here, and what
//! they print is checked when the report is rendered.

use super::signature::{self, FileConstructor, TopSetting};
use crate::diagnostics::{Diagnostic, Span};
use crate::syntax::{Ast, Expr, ExprKind, Item, MathError, Value, blank_expressions, pieces};

/// A text of a spec, as its mathematics is checked.
pub(crate) struct SpecText {
    /// The string's value; in a template (a `text` block) its expressions blanked ([`blank_expressions`]).
    pub(crate) value: String,
    /// The string literal, quotes included.
    pub(crate) literal: Span,
}

impl SpecText {
    /// The error `e` (a range of [`SpecText::value`]) located in `source`: at that range when the literal holds it
    /// verbatim from the `$` that opens its mathematics, else at the whole literal.
    pub(crate) fn located(&self, e: &MathError, source: &str) -> Diagnostic {
        // The part with what precedes it back to its `$`; where the value holds it k times before (`\$frac(a)`
        // in prose), the literal's (k + 1)-th occurrence.
        let from = self.value[..e.range.start].rfind('$').unwrap_or(e.range.start);
        let window = &self.value[from..e.range.end];
        let before = self.value[..from].match_indices(window).count();
        let found = self.literal.text(source).match_indices(window).nth(before);
        let span = found.map_or(self.literal, |(at, _)| {
            let start = self.literal.start as usize + at + (e.range.start - from);
            Span::new(start, start + e.range.len())
        });
        let d = Diagnostic::error(span, e.message.clone());
        match &e.hint {
            Some(hint) => d.with_hint(hint.clone()),
            None => d,
        }
    }
}

/// An error for every text whose mathematics is refused ([`pieces`]).
pub(super) fn check(ast: &Ast, source: &str) -> Vec<Diagnostic> {
    texts(ast).iter().filter_map(|t| pieces(&t.value).err().map(|e| t.located(&e, source))).collect()
}

/// Every text of `ast`, in file order.
pub(crate) fn texts(ast: &Ast) -> Vec<SpecText> {
    let mut out = Vec::new();
    let mut text = |value: &str, literal| out.push(SpecText { value: value.to_owned(), literal });
    for item in &ast.items {
        match item {
            Item::Setting(s) if signature::find(&s.key.name) == Some(TopSetting::Text) => {
                let mut template = |value: &str, literal| text(&blank_expressions(value), literal);
                each_string(&s.values, &mut template);
            }
            Item::Setting(s) => each_string(&s.values, &mut text),
            Item::Block(b) => {
                if let Some(label) = &b.label {
                    text(&label.value, label.span);
                }
                b.settings.iter().for_each(|s| each_string(&s.values, &mut text));
            }
            Item::Declaration(d) => expr_strings(&d.value, &mut text),
        }
    }
    out
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
        for text in super::texts(&ast) {
            texts += 1;
            let prose = crate::syntax::pieces(&text.value).unwrap().into_iter().filter_map(|p| match p {
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
        }
        assert!(texts > 100, "{texts} texts");
        assert!(found.is_empty(), "pseudo-TeX in paper.kd's texts:\n{}", found.join("\n"));
    }

    #[test]
    fn an_error_is_located_at_the_mathematics_not_at_the_same_characters_in_prose_before_it() {
        // `\\$read` in prose (a dollar sign, then `read`) comes before the refused `$read`: the error points at the
        // second `read`, bytes 25..29 (helper-found: at 3707d6e it pointed at the first).
        let source = r#"title "see \\$read then $read$""#;
        let found = errors(source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, Span::new(25, 29));
        assert_eq!(found[0].span.text(source), "read");
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
