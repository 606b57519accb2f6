//! Typesetting every text's mathematics before anything runs, so that what Typst alone can refuse (a missing
//! argument, `$frac(a)$`; a wrong one, `$mat(delim: 5)$`) stops `check` and `build` at its text, not the report
//! after the run. The safe subset itself is the spec stage's check (`spec/texts.rs`), which runs first.

use std::collections::BTreeMap;

use super::error::{ReportDiagnostic, ReportError};
use super::fonts::Fonts;
use super::pdf::typeset;
use super::world::ReportDate;
use crate::diagnostics::Diagnostic;
use crate::spec::texts;
use crate::syntax::{Ast, MathError, Piece, pieces};

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
    use super::check_mathematics;
    use crate::report::Fonts;

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
