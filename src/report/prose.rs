//! Prose: `text` blocks, whose `{{ ... }}` expressions print values of the results, rendered with minijinja
//! against the results ([`expand`]) or, before anything runs, against their outline ([`check_prose`]). Nothing
//! here needs the Typst compiler: `check` without the `report` feature runs it too.

use std::collections::BTreeMap;

use minijinja::value::{Serde, ValueKind};
use minijinja::{Environment, UndefinedBehavior, Value};

use super::escape::typst_text;
use crate::diagnostics::Diagnostic;
use crate::engine::Results;
use crate::numbers::typeset;
use crate::spec::{Part, Spec, Text};

/// Renders every prose block of `spec` against the outline of its results ([`outline`](crate::engine::outline)),
/// before anything runs: a value that does not exist (a misnamed series, an n outside the sweep, `.mean` of a
/// theory-only experiment) is an error at its text, as `build` would find only after the run; so is printed
/// mathematics outside the safe subset. Whether Typst can typeset what they print is
/// [`check_printed_mathematics`](super::check_printed_mathematics)'s part, on the texts this returns.
///
/// # Errors
/// One diagnostic per prose block that cannot be rendered.
pub fn check_prose(spec: &Spec) -> Result<PrintedProse<'_>, Vec<Diagnostic>> {
    let (env, values) = (prose_environment(spec), prose_values(&crate::engine::outline(spec)));
    let (mut texts, mut errors) = (Vec::new(), Vec::new());
    let blocks = spec.document.iter().filter_map(|part| match part {
        Part::Text(t) => Some(t),
        _ => None,
    });
    for t in blocks {
        match expand(&env, &values, t) {
            Ok((rendered, _)) => texts.push((t, rendered)),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(PrintedProse { texts }) } else { Err(errors) }
}

/// The `text` blocks of a spec with their expressions printed against the outline of its results, as
/// [`check_prose`] rendered them.
#[derive(Debug)]
pub struct PrintedProse<'s> {
    /// Each block with its printed text, in document order.
    pub(super) texts: Vec<(&'s Text, String)>,
}

/// A prose block with its expressions printed against `values`: the text, and its paragraphs as escaped markup.
///
/// # Errors
/// A malformed or failing expression, or printed mathematics outside the safe subset, at the block.
pub(super) fn expand(env: &Environment<'_>, values: &Value, t: &Text) -> Result<(String, Vec<String>), Diagnostic> {
    env.template_from_str(&t.template).map_err(|e| {
        let detail = e.detail().unwrap_or("syntax error");
        let at = e.line().map_or(String::new(), |line| format!(" (line {line} of the text)"));
        Diagnostic::error(t.span, format!("malformed `{{{{ ... }}}}` expression in this text{at}: {detail}"))
    })?;
    let rendered = env.render_str(&t.template, values).map_err(|e| Diagnostic::error(t.span, expression_error(&e)))?;
    let paragraphs = paragraphs(&rendered).map_err(|e| printed(t, &e.message))?;
    Ok((rendered, paragraphs))
}

/// What went wrong in a text's expression, in the spec's words (minijinja's own names its template `<string>`).
fn expression_error(e: &minijinja::Error) -> String {
    let at = e.line().map_or(String::new(), |line| format!(" (line {line} of the text)"));
    match e.kind() {
        minijinja::ErrorKind::UndefinedError => format!(
            "in this text{at}: a value that does not exist: check the experiment and series names, that the sample \
             size is a point of the sweep and the field (`theory`, `mean`, `se`, ...)"
        ),
        _ => format!("in this text{at}: {}", e.detail().unwrap_or("the expression cannot be evaluated")),
    }
}

/// An error in what a text's expressions print.
pub(super) fn printed(t: &Text, message: &str) -> Diagnostic {
    Diagnostic::error(t.span, format!("in this text, once its expressions are printed: {message}"))
}

/// The environment prose is rendered in: strict, with the `num` filter, and numbers that are not whole printed
/// with 6 significant digits (`1.4567e-16`, not `0.00000000000000014567…`) when no filter says otherwise.
pub(super) fn prose_environment(spec: &Spec) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // `{{ figure("fig1b") }}`: "Figure 3", the number Typst gives the figure (figures are numbered in reading order).
    let numbers: std::collections::HashMap<String, usize> = figure_order(spec).into_iter().collect();
    env.add_function("figure", move |name: String| {
        numbers.get(&name).map(|k| format!("Figure {k}")).ok_or_else(|| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, format!("no figure is named `{name}`"))
        })
    });
    env.add_filter("num", |x: f64, digits: Option<u32>| typeset(x, digits.unwrap_or(3) as usize));
    env.set_formatter(|out, state, value| match (value.kind(), value.as_i64(), f64::try_from(value.clone())) {
        (ValueKind::Number, None, Ok(x)) => out.write_str(&typeset(x, 6)).map_err(minijinja::Error::from),
        // A whole experiment, series or point would print as a dump of its fields.
        (ValueKind::Map | ValueKind::Seq | ValueKind::Iterable, ..) => Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            "this prints a whole experiment, series or point: name one value, as in `fig1b.optimal[200].theory`",
        )),
        _ => minijinja::escape_formatter(out, state, value),
    });
    env
}

/// Every figure's name with its number: 1, 2, … in reading order, as Typst numbers them.
fn figure_order(spec: &Spec) -> Vec<(String, usize)> {
    let figures = spec.document.iter().filter_map(|part| match part {
        Part::Figure(i) => Some(spec.figures[*i].name.clone()),
        _ => None,
    });
    figures.zip(1..).collect()
}

/// The values prose can read: `{{ fig1b.optimal[200].theory }}`, `{{ fig1a.equivalent[200].omega }}`.
pub(super) fn prose_values(results: &Results) -> Value {
    let experiments: BTreeMap<&str, Value> = results
        .experiments
        .iter()
        .map(|e| {
            let mut entries: BTreeMap<&str, Value> = e
                .series
                .iter()
                .map(|s| {
                    let by_x = s.points.iter().map(|p| (p.x, Value::from(Serde(p))));
                    (s.name.as_str(), keyed_by_number(by_x))
                })
                .collect();
            let equivalent = e.equivalents.iter().map(|q| (q.n as f64, Value::from(Serde(q))));
            entries.insert("equivalent", keyed_by_number(equivalent));
            (e.name.as_str(), Value::from(entries))
        })
        .collect();
    Value::from(experiments)
}

/// A map from whole numbers (sample sizes, indices) to values, so that prose can write `series[200]`.
fn keyed_by_number(entries: impl Iterator<Item = (f64, Value)>) -> Value {
    let map: BTreeMap<Value, Value> = entries.map(|(x, v)| (Value::from(x as i64), v)).collect();
    Value::from_object(map)
}

/// Text as paragraphs: split at blank lines, each with its line breaks and runs of spaces made single spaces.
pub(super) fn reflow(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|p| !p.is_empty()).collect()
}

/// Paragraphs of a spec text as markup, each reflowed ([`reflow`]).
pub(super) fn paragraphs(s: &str) -> Result<Vec<String>, crate::syntax::MathError> {
    reflow(s).iter().map(|p| typst_text(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_13_statements_and_prose_are_reflowed_as_paragraphs() {
        // The spec's line breaks and indentation are not the report's; a blank line starts a paragraph.
        let text = "  If n > p + 1, the target is\r\n  ordinary least squares.\n\n  A second   paragraph.\n";
        assert_eq!(reflow(text), ["If n > p + 1, the target is ordinary least squares.", "A second paragraph."]);
        assert!(reflow(" \n\n ").is_empty());
    }

    #[test]
    fn issue_11_prose_prints_a_tiny_number_readably_without_num() {
        let spec =
            crate::resolve(&crate::parse("title \"t\"").unwrap(), "title \"t\"", std::path::Path::new(".")).unwrap();
        let env = prose_environment(&spec);
        let text = env.render_str(
            "{{ x }}, {{ y }}, {{ n }}, {{ x | num(2) }}",
            minijinja::context! {
                x => 1.4567e-16_f64,
                y => 0.25_f64,
                n => 200,
            },
        );
        // The report's number rule (numbers::typeset): plain from 10⁻³ to 10⁴, a power of ten outside it.
        assert_eq!(text.unwrap(), "1.4567 × 10⁻¹⁶, 0.25, 200, 1.5 × 10⁻¹⁶");
    }

    #[test]
    fn issue_12_a_malformed_template_is_found_by_check_prose_at_its_text() {
        // The template syntax is checked here, in the report, which owns the template engine (the resolver
        // only keeps the text): `check` and `build` call check_prose before anything runs.
        let source = "title \"t\"\ntext \"\"\"a {{ x + }} b\"\"\"\n";
        let spec = crate::resolve(&crate::parse(source).unwrap(), source, std::path::Path::new(".")).unwrap();
        let errors = check_prose(&spec).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(&source[errors[0].span.start as usize..errors[0].span.end as usize], "\"\"\"a {{ x + }} b\"\"\"");
        assert!(errors[0].message.starts_with("malformed `{{ ... }}` expression in this text (line 1 of the text)"));
    }
}
