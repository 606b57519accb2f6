//! Typesetting every text's mathematics before anything runs, so that what Typst alone can refuse (a missing
//! argument, `$frac(a)$`; a wrong one, `$mat(delim: 5)$`) stops `check` and `build` at its text, not the report
//! after the run. The safe subset itself is the spec stage's check (`spec/texts.rs`), which runs first.

use std::collections::BTreeMap;

use super::error::{ReportDiagnostic, ReportError};
use super::fonts::Fonts;
use super::pdf::typeset;
use super::prose::{PrintedProse, printed, reflow};
use super::world::ReportDate;
use crate::diagnostics::Diagnostic;
use crate::spec::{Text, texts};
use crate::syntax::{Ast, MathError, Piece, pieces};

/// Typesets, in `fonts`, the mathematics the `text` blocks print once their expressions are evaluated against the
/// outline of the results (as [`check_prose`](super::check_prose) printed them): what Typst refuses stops `check`
/// and `build` at the text, not the report after the run.
///
/// # Errors
/// One diagnostic per text whose printed mathematics Typst refuses.
pub fn check_printed_mathematics(prose: &PrintedProse<'_>, fonts: &Fonts) -> Result<(), Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> =
        prose.texts.iter().filter_map(|(t, rendered)| check_printed(t, rendered, fonts).err()).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Typesets the mathematics a text prints (`rendered`: its expressions evaluated), if it has expressions; a text
/// without them was typeset whole by [`check_mathematics`].
///
/// # Errors
/// The first formula Typst refuses, at the text.
pub(super) fn check_printed(t: &Text, rendered: &str, fonts: &Fonts) -> Result<(), Diagnostic> {
    if !(t.template.contains("{{") || t.template.contains("{%")) {
        return Ok(());
    }
    let formulas: Vec<String> = reflow(rendered)
        .iter()
        .flat_map(|p| {
            pieces(p)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|piece| match piece {
                    Piece::Math(math) => Some(format!("${math}$")),
                    Piece::Prose(_) => None,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let formulas: Vec<&str> = formulas.iter().map(String::as_str).collect();
    match refused(&formulas, fonts).into_iter().next() {
        Some((k, d)) => Err(printed(t, &format!("Typst cannot typeset {}: {}", formulas[k], d.message))),
        None => Ok(()),
    }
}

/// Lays out every piece of mathematics of `ast`'s texts with Typst, in `fonts`.
///
/// # Errors
/// A diagnostic at each piece Typst refuses or warns about (the report refuses a Typst warning too), located at
/// the piece in `source`.
pub fn check_mathematics(ast: &Ast, source: &str, fonts: &Fonts) -> Result<(), Vec<Diagnostic>> {
    let texts = texts(ast);
    // Each piece of mathematics: its text, its range there and its Typst formula. A text the spec stage refused is
    // left out.
    let mut places = Vec::new();
    for text in &texts {
        for piece in pieces(&text.value).unwrap_or_default() {
            if let Piece::Math(math) = piece {
                // `math` is a slice of the text's value: its offset there is the distance between the two.
                let start = math.as_ptr() as usize - text.value.as_ptr() as usize;
                places.push((text, start..start + math.len(), format!("${math}$")));
            }
        }
    }
    let formulas: Vec<&str> = places.iter().map(|(.., formula)| formula.as_str()).collect();
    let errors: Vec<Diagnostic> = refused(&formulas, fonts)
        .into_iter()
        .map(|(k, d)| {
            let (text, range, _) = &places[k];
            let message = format!("Typst cannot typeset this mathematics: {}", d.message);
            let hint = (!d.hints.is_empty()).then(|| d.hints.join("; "));
            text.located(&MathError { range: range.clone(), message, hint }, source)
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The formulas (`$…$`) Typst refuses or warns about, by index, with its diagnostics. All formulas in one
/// document, a paragraph each, is fast; Typst stops at the first error of a document, so a refused document is
/// typeset again formula by formula, to find every refused one.
pub(super) fn refused(formulas: &[&str], fonts: &Fonts) -> Vec<(usize, ReportDiagnostic)> {
    if formulas.is_empty() || typst_diagnostics(&formulas.join("\n\n"), fonts).is_empty() {
        return Vec::new();
    }
    let each = formulas.iter().enumerate();
    each.flat_map(|(k, formula)| typst_diagnostics(formula, fonts).into_iter().map(move |d| (k, d))).collect()
}

/// Typst's errors, or else its warnings, on laying out `main`.
fn typst_diagnostics(main: &str, fonts: &Fonts) -> Vec<ReportDiagnostic> {
    let date = ReportDate { year: 2025, month: 1, day: 1 };
    match typeset(main, &BTreeMap::new(), date, fonts) {
        Ok(typeset) => typeset.warnings,
        Err(ReportError::Compile(errors)) => errors,
        // No files are named and the date is valid: this cannot happen, and is shown as Typst would.
        Err(other) => vec![ReportDiagnostic {
            severity: super::error::Severity::Error,
            location: None,
            message: other.to_string(),
            hints: Vec::new(),
            trace: Vec::new(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::{check_mathematics, check_printed_mathematics};
    use crate::report::Fonts;

    #[test]
    fn mathematics_a_text_s_expressions_print_is_typeset_at_its_text() {
        // check_mathematics reads expressions as numbers; what they print is typeset here, before the run. At
        // 3707d6e these passed check and failed build after the run as an internal error (helper-found inputs).
        for (template, formula) in [
            (r#"a {{ "$frac(a)$" }} b"#, "$frac(a)$"),
            (r#"a $x_{{ "frac(a)" }}$ b"#, "$x_frac(a)$"),
            (r#"a {{ "$x$" }} and {{ "$sqrt()$" }}"#, "$sqrt()$"),
        ] {
            let source = format!("title \"t\"\ntext \"\"\"{template}\"\"\"\n");
            let spec = crate::resolve(&crate::parse(&source).unwrap(), &source, std::path::Path::new(".")).unwrap();
            let errors =
                check_printed_mathematics(&crate::check_prose(&spec).unwrap(), &Fonts::embedded()).unwrap_err();
            assert_eq!(errors.len(), 1, "{template}");
            assert_eq!(errors[0].span.text(&source), format!("\"\"\"{template}\"\"\""));
            let want = format!("in this text, once its expressions are printed: Typst cannot typeset {formula}: ");
            assert!(errors[0].message.starts_with(&want), "{template}: {}", errors[0].message);
        }
        // Printed mathematics Typst accepts passes.
        let source = "title \"t\"\ntext \"\"\"a {{ \"$x^2$\" }} $y_{{ 1 }}$\"\"\"\n";
        let spec = crate::resolve(&crate::parse(source).unwrap(), source, std::path::Path::new(".")).unwrap();
        check_printed_mathematics(&crate::check_prose(&spec).unwrap(), &Fonts::embedded()).unwrap();
    }

    /// The messages and located texts of checking `source`'s mathematics.
    fn refused(source: &str) -> Vec<(String, String)> {
        let ast = crate::syntax::parse(source).unwrap();
        let errors = check_mathematics(&ast, source, &Fonts::embedded()).unwrap_err();
        errors.into_iter().map(|d| (d.message, d.span.text(source).to_owned())).collect()
    }

    #[test]
    fn what_only_typst_refuses_is_located_at_its_mathematics() {
        // (text, the piece the error points at)
        for (text, piece) in [
            ("risk $frac(a)$", "frac(a)"),
            ("$x$ and $sqrt()$", "sqrt()"),
            ("$mat(delim: 5, 1)$", "mat(delim: 5, 1)"),
            ("two lines $a +\n frac(1, 2, 3)$", "a +\n frac(1, 2, 3)"),
        ] {
            let quoted = text.replace('\n', "\\n");
            let source =
                format!("title \"ok $x^2$\"\nsurrogate s = optimal(label: \"$y$\")\nsection a \"{quoted}\" {{ }}\n");
            let found = refused(&source);
            assert_eq!(found.len(), 1, "{text:?}: {found:?}");
            assert!(found[0].0.starts_with("Typst cannot typeset this mathematics: "), "{found:?}");
            // A text with an escape (`\n`) is located at its whole literal, else at the piece.
            let expected = if text.contains('\n') { format!("\"{quoted}\"") } else { piece.to_owned() };
            assert_eq!(found[0].1, expected, "{text:?}");
        }
    }

    #[test]
    fn every_refused_piece_is_found_not_only_the_first() {
        let source = "title \"$frac(1)$ $x$\"\nsection a \"$sqrt()$\" { statement \"$mat(delim: 5, 1)$ $y$\" }\n";
        let found: Vec<String> = refused(source).into_iter().map(|(_, at)| at).collect();
        assert_eq!(found, ["frac(1)", "sqrt()", "mat(delim: 5, 1)"]);
    }

    #[test]
    fn mathematics_typst_accepts_passes() {
        let source = include_str!("../../specs/paper.kd");
        let ast = crate::syntax::parse(source).unwrap();
        check_mathematics(&ast, source, &Fonts::embedded()).unwrap();
    }
}
