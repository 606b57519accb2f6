//! Text → [`Ast`]: the only place that knows pest.

use pest::Parser as _;
use pest::iterators::Pair;

use super::ast::{
    Argument, Ast, Block, Comparison, Declaration, Expr, ExprKind, Ident, Item, Number, Path, Setting, Str, Value,
};
use crate::diagnostics::{Diagnostic, Span};

/// The pest parser generated from `kd.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "syntax/kd.pest"]
struct KdParser;

/// The fewest rule calls pest may make before giving up (hostile input cannot loop forever; nesting is bounded
/// separately by `check_nesting`).
const CALL_LIMIT: usize = 5_000_000;
/// Rule calls allowed per byte of input beyond that: a list of numbers costs about 17 calls a byte, so a
/// `list([...])` of 10⁶ eigenvalues parses instead of failing with a misleading syntax error.
const CALLS_PER_BYTE: usize = 64;

/// Parses a whole `.kd` file.
///
/// # Errors
/// One located diagnostic for the first syntax error.
///
/// # Panics
/// Never: the grammar's `file` rule always yields exactly one pair.
pub fn parse(source: &str) -> Result<Ast, Vec<Diagnostic>> {
    check_nesting(source).map_err(|d| vec![d])?;
    pest::set_call_limit(std::num::NonZeroUsize::new(CALL_LIMIT.max(CALLS_PER_BYTE.saturating_mul(source.len()))));
    pest::set_error_detail(true);
    let mut pairs = KdParser::parse(Rule::file, source).map_err(|e| vec![syntax_error(source, &e)])?;
    let file = pairs.next().expect("the file rule always yields one pair");
    let items = file.into_inner().filter(|p| p.as_rule() != Rule::EOI).map(item).collect();
    Ok(Ast { items })
}

/// The deepest bracket nesting a spec may use; deeper input is refused before the recursive parser sees it.
const MAX_NESTING: usize = 32;

/// Refuses brackets nested deeper than [`MAX_NESTING`], pointing at the first bracket too deep.
fn check_nesting(source: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                // Skip the string: escapes and newlines inside it are irrelevant to nesting.
                while let Some((_, d)) = chars.next() {
                    match d {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek().is_some_and(|&(_, d)| d == '/') => {
                while chars.next_if(|&(_, d)| d != '\n').is_some() {}
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::error(Span::new(i, i + 1), "brackets are nested too deeply")
                        .with_hint(format!("at most {MAX_NESTING} levels are allowed")));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Converts a pest error into our diagnostic, naming what was expected where the parser got furthest.
fn syntax_error(source: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let mut expected: Vec<String> = Vec::new();
    let start = match error.parse_attempts() {
        Some(attempts) => {
            for token in attempts.expected_tokens() {
                let token = token.to_string();
                // Whitespace and comment tokens are always acceptable and say nothing.
                // Character classes (`a..z`, `_`, `E`) are spelled out by the rule names ("a name", "a number").
                let class = token.len() == 4 && &token[1..3] == ".." || token == "_" || token == "E";
                if !token.trim().is_empty() && token != "//" && token != "BUILTIN_RULE" && !class {
                    expected.push(format!("`{token}`"));
                }
            }
            for stack in attempts.call_stacks() {
                expected.extend(stack.deepest.get_rule().and_then(|r| rule_name(*r)).map(str::to_owned));
            }
            attempts.max_position
        }
        None => match error.location {
            pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
        },
    };
    expected.sort();
    expected.dedup();
    let found = match source[start..].chars().next() {
        None => "the end of the file".to_owned(),
        Some(c) if c.is_control() || c == '\u{fffd}' => format!("character U+{:04X}", u32::from(c)),
        Some(_) => format!("`{}`", source[start..].split_whitespace().next().unwrap_or("")),
    };
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", one_of(&expected))
    };
    let d = Diagnostic::error(Span::new(start, next_char_end(source, start)), message);
    let opens = |c: char| source[..start].matches(c).count();
    if found == "the end of the file" && opens('{') > opens('}') {
        d.with_hint("a `{` is not closed: end the block with `}`")
    } else if source[start..].starts_with(['\n', '\r']) && expected.iter().any(|e| e == "`\"`") {
        d.with_hint("a string ends on the line where it starts: close it with `\"`, or use `\"\"\"` for several lines")
    } else {
        d
    }
}

/// The byte just past the character at `p` (or `p` at the end).
fn next_char_end(source: &str, p: usize) -> usize {
    source[p..].chars().next().map_or(p, |c| p + c.len_utf8())
}

/// "a", "a or b", "a, b or c".
fn one_of(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How a grammar rule is named in messages; `None` for rules that only add noise.
fn rule_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::ident | Rule::path => "a name",
        Rule::number => "a number",
        Rule::string | Rule::quoted_string | Rule::triple_string => "a string",
        Rule::compare_op => "a comparison",
        Rule::call => "a call",
        Rule::list => "a list",
        _ => return None,
    })
}

/// The span of a pair.
fn span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

/// An item pair.
fn item(pair: Pair<'_, Rule>) -> Item {
    match pair.as_rule() {
        Rule::declaration => Item::Declaration(declaration(pair)),
        Rule::block => Item::Block(block(pair)),
        Rule::setting => Item::Setting(setting(pair)),
        r => unreachable!("not an item: {r:?}"),
    }
}

/// `kind name = expr`
fn declaration(pair: Pair<'_, Rule>) -> Declaration {
    let span = span(&pair);
    let mut inner = pair.into_inner();
    let kind = ident(inner.next().expect("kind"));
    let name = ident(inner.next().expect("name"));
    let value = expr(inner.next().expect("value"));
    Declaration { kind, name, value, span }
}

/// `kind name "label"? { settings }`
fn block(pair: Pair<'_, Rule>) -> Block {
    let span = span(&pair);
    let mut inner = pair.into_inner().peekable();
    let kind = ident(inner.next().expect("kind"));
    let name = ident(inner.next().expect("name"));
    let label = inner.next_if(|p| p.as_rule() == Rule::string).map(string);
    let settings = inner.map(setting).collect();
    Block { kind, name, label, settings, span }
}

/// `key value, value`
fn setting(pair: Pair<'_, Rule>) -> Setting {
    let span = span(&pair);
    let mut inner = pair.into_inner();
    let key = ident(inner.next().expect("key"));
    let values = inner.map(value).collect();
    Setting { key, values, span }
}

/// A setting's value.
fn value(pair: Pair<'_, Rule>) -> Value {
    if pair.as_rule() == Rule::comparison {
        let span = span(&pair);
        let mut inner = pair.into_inner();
        let left = path(inner.next().expect("left"));
        let op = inner.next().expect("op").as_str().to_owned();
        let right = path(inner.next().expect("right"));
        Value::Comparison(Comparison { left, op, right, span })
    } else {
        Value::Expr(expr(pair))
    }
}

/// An expression pair.
fn expr(pair: Pair<'_, Rule>) -> Expr {
    let span = span(&pair);
    let kind = match pair.as_rule() {
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = ident(inner.next().expect("callee"));
            ExprKind::Call(name, inner.map(argument).collect())
        }
        Rule::range => {
            let mut inner = pair.into_inner();
            let start = number(inner.next().expect("start"));
            let end = number(inner.next().expect("end"));
            ExprKind::Range(start, end, inner.next().map(number))
        }
        Rule::list => ExprKind::List(pair.into_inner().map(expr).collect()),
        Rule::number => ExprKind::Number(number(pair)),
        Rule::string => ExprKind::Str(string(pair)),
        Rule::path => ExprKind::Path(path(pair)),
        r => unreachable!("not an expression: {r:?}"),
    };
    Expr { kind, span }
}

/// `name: value` or `value`.
fn argument(pair: Pair<'_, Rule>) -> Argument {
    let mut inner: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
    let value = expr(inner.pop().expect("argument value"));
    Argument { name: inner.pop().map(ident), value }
}

/// A dotted path.
fn path(pair: Pair<'_, Rule>) -> Path {
    let span = span(&pair);
    Path { segments: pair.into_inner().map(ident).collect(), span }
}

/// An identifier (or the `*` path segment).
#[allow(clippy::needless_pass_by_value, reason = "pest hands out pairs by value")]
fn ident(pair: Pair<'_, Rule>) -> Ident {
    Ident { name: pair.as_str().to_owned(), span: span(&pair) }
}

/// A number literal.
#[allow(clippy::needless_pass_by_value, reason = "pest hands out pairs by value")]
fn number(pair: Pair<'_, Rule>) -> Number {
    let text = pair.as_str().to_owned();
    let value = text.parse().unwrap_or(f64::NAN);
    Number { text, value, span: span(&pair) }
}

/// A string literal, with escapes resolved.
fn string(pair: Pair<'_, Rule>) -> Str {
    let span = span(&pair);
    let inner = pair.into_inner().next().expect("string body");
    let raw = inner.as_str();
    let value = match inner.as_rule() {
        Rule::triple_string => dedent(&raw[3..raw.len() - 3]),
        _ => unescape(&raw[1..raw.len() - 1]),
    };
    Str { value, span }
}

/// Resolves `\"`, `\\`, `\n`, `\t`; any other escaped character stands for itself.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Strips the common indentation of a triple-quoted string and its blank first and last lines.
fn dedent(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let indent =
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let kept: Vec<&str> = lines.iter().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect();
    kept.join("\n").trim_matches('\n').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_11_a_list_of_a_hundred_thousand_eigenvalues_parses() {
        let values = vec!["0.5"; 100_000].join(", ");
        let ast = parse(&format!("spectrum s = list([{values}])\n")).unwrap();
        assert_eq!(ast.items.len(), 1);
    }

    fn only_item(source: &str) -> Item {
        let mut ast = parse(source).unwrap();
        assert_eq!(ast.items.len(), 1, "{ast:?}");
        ast.items.pop().unwrap()
    }

    #[test]
    fn declaration_with_named_arguments() {
        let Item::Declaration(d) = only_item("spectrum c = powerlaw(p: 500, alpha: 2.0) // comment") else {
            panic!("not a declaration")
        };
        assert_eq!((d.kind.name.as_str(), d.name.name.as_str()), ("spectrum", "c"));
        let ExprKind::Call(callee, args) = d.value.kind else { panic!("not a call") };
        assert_eq!(callee.name, "powerlaw");
        assert_eq!(args[1].name.as_ref().unwrap().name, "alpha");
        assert!(matches!(&args[1].value.kind, ExprKind::Number(n) if n.value == 2.0 && n.text == "2.0"));
    }

    #[test]
    fn block_with_settings_ranges_lists_and_comparisons() {
        let src = "claim c \"Label\" {\n  n 50..450 step 25\n  surrogates a, b\n  holds x.a < x.b\n}";
        let Item::Block(b) = only_item(src) else { panic!("not a block") };
        assert_eq!(b.label.unwrap().value, "Label");
        assert_eq!(b.settings.len(), 3);
        assert!(matches!(&b.settings[0].values[0], Value::Expr(Expr { kind: ExprKind::Range(s, e, Some(st)), .. })
            if s.value == 50.0 && e.value == 450.0 && st.value == 25.0));
        assert_eq!(b.settings[1].values.len(), 2);
        let Value::Comparison(c) = &b.settings[2].values[0] else { panic!("not a comparison") };
        assert_eq!((c.op.as_str(), c.right.segments[1].name.as_str()), ("<", "b"));
    }

    #[test]
    fn strings_unescape_and_triple_strings_dedent() {
        let Item::Setting(s) = only_item("title \"a \\\"b\\\" \\\\ c\"") else { panic!() };
        assert!(matches!(&s.values[0], Value::Expr(Expr { kind: ExprKind::Str(v), .. }) if v.value == "a \"b\" \\ c"));
        let Item::Setting(s) = only_item("text \"\"\"\n    one\n      two\n    \"\"\"") else { panic!() };
        assert!(matches!(&s.values[0], Value::Expr(Expr { kind: ExprKind::Str(v), .. }) if v.value == "one\n  two"));
    }

    #[test]
    fn syntax_error_is_located_and_named() {
        let err = parse("seed 1\nspectrum c = powerlaw(p: 500 alpha: 2)").unwrap_err();
        let text = err[0].render("f.kd", "seed 1\nspectrum c = powerlaw(p: 500 alpha: 2)");
        assert!(text.starts_with("error: expected `)`, `,` or `..`, found `alpha:`\n --> f.kd:2:30\n"), "{text}");
    }

    #[test]
    fn garbage_and_empty_input_do_not_panic() {
        assert_eq!(parse("").unwrap().items.len(), 0);
        assert!(parse("\u{0}\u{1}\u{ff}").is_err());
        assert!(parse(&"[".repeat(100_000)).is_err());
        assert!(parse(&format!("x y = {}1{}", "f(".repeat(20_000), ")".repeat(20_000))).is_err());
    }
}
