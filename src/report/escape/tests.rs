use std::collections::BTreeMap;

use super::{typst_markup, typst_string, typst_text};
use crate::report::{ReportDate, compile_pdf};

/// Strings that would run code, switch modes or break out of their context if not escaped.
const HOSTILE: &[&str] = &[
    "#read(\"/etc/passwd\")",
    "$x$",
    "*b* _i_ `raw`",
    "<lab> @ref @lab",
    "]",
    "[",
    "\\",
    "a\\",
    "\\u{41} \\n \\\" end\\",
    "// not a comment /* nor this",
    "= not a heading",
    "- not a list",
    "+ not an enum",
    "1. not numbered",
    "/ Term: not a term",
    "http://example.com",
    "~ -- --- ... -? 'single' \"double\"",
    "#{panic(\"boom\")}",
    "line one\nline two",
    "x = y = z",
    "ζ_i² = 1−Ω",
    "bell\u{7} zero-width\u{200b}joiner",
];

/// Typst that turns (escaped) markup back into a plain string: text, spaces and line breaks only.
const PLAIN: &str = r#"
#let plain(c) = {
  if c.has("text") { c.text }
  else if c.has("children") { c.children.map(plain).sum(default: "") }
  else if c.func() == [ ].func() { " " }
  else if c.func() == linebreak { "\n" }
  else { panic("unexpected element " + repr(c)) }
}
"#;

fn date() -> ReportDate {
    ReportDate { year: 2025, month: 1, day: 2 }
}

/// A Typst array literal of the UTF-8 bytes of `s`, written by Rust without any escaping.
fn byte_array(s: &str) -> String {
    let bytes: Vec<String> = s.bytes().map(|b| b.to_string()).collect();
    format!("({},)", bytes.join(", "))
}

#[test]
fn string_literal_round_trips_byte_for_byte() {
    let mut doc = String::new();
    for (i, s) in HOSTILE.iter().chain(&["tab\there\r\u{7}"]).enumerate() {
        doc.push_str(&format!("#let s{i} = {}\n#assert.eq(array(bytes(s{i})), {})\n", typst_string(s), byte_array(s)));
    }
    compile_pdf(&doc, &BTreeMap::new(), date()).unwrap();
}

#[test]
fn markup_renders_hostile_text_verbatim() {
    let mut doc = PLAIN.to_owned();
    for (i, s) in HOSTILE.iter().enumerate() {
        doc.push_str(&format!(
            "#let m{i} = [{}]\n#assert.eq(plain(m{i}), {})\n{}\n\n",
            typst_markup(s),
            typst_string(s),
            typst_markup(s),
        ));
    }
    let pdf = compile_pdf(&doc, &BTreeMap::new(), date()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn markup_turns_crlf_into_one_line_break() {
    assert_eq!(typst_markup("a\r\nb"), "a#linebreak()b");
}

#[test]
fn unescaped_hostile_text_is_not_verbatim() {
    // Guards the test above: without escaping, `plain` sees strong emphasis, not the asterisks.
    let doc = format!("{PLAIN}#let m = [*b*]\n#assert.eq(plain(m), \"*b*\")\n");
    assert!(compile_pdf(&doc, &BTreeMap::new(), date()).is_err());
}

/// Spec texts: hostile prose around mathematics in the safe subset.
const TEXTS: &[&str] = &[
    "#read(\"/etc/passwd\") $x^2$ *b* _i_ <l> @x ] [ \\ // c /* o",
    "risk $norm(Sigma^(1\\/2) (hat(beta) - beta^star))^2$ at $n = 200$, costs \\$5",
    "$beta^(s*)_i = beta^star_i lambda_i (lambda_i + tau) / (lambda_i^2 + Omega tau^2 / (1 - Omega))$",
    "$ sum_(i > p) i^(-alpha) approx p^(1 - alpha) / ((alpha - 1) tau) $ (display)",
    "$mat(delim: \"[\", 1, 2; 3, 4) \"a $ b\" arrow.r.long$",
];

#[test]
fn text_typesets_its_mathematics_and_shows_its_prose_verbatim() {
    let mut doc = String::new();
    for s in TEXTS {
        doc.push_str(&typst_text(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}")));
        doc.push_str("\n\n");
    }
    let pdf = compile_pdf(&doc, &BTreeMap::new(), date()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The prose of the first text is escaped: its `#read` is text.
    assert!(typst_text(TEXTS[0]).unwrap().starts_with(r#"\#read\(\"\/etc\/passwd\"\) $x^2$"#));
}

#[test]
fn text_refuses_mathematics_outside_the_safe_subset() {
    for s in
        ["$#read(\"/etc/passwd\")$", "$read(\"/etc/passwd\")$", "$a // $ #panic(\"boom\")$", "$x", "$std.read(\"x\")$"]
    {
        assert!(typst_text(s).is_err(), "{s:?} was accepted");
    }
}

#[test]
fn no_template_name_shadows_a_math_name() {
    // Mathematics may use every name of Typst's math scope; a `let` of the report's templates with such a name
    // would be what a text's mathematics calls instead. (`$name$` is accepted exactly when `name` is a math name.)
    let templates = [
        include_str!("../../../templates/report.typ.j2"),
        include_str!("../../../templates/claim.typ.j2"),
        include_str!("../../../templates/experiment.typ.j2"),
        include_str!("../../../templates/figure.typ.j2"),
        include_str!("../../../templates/section.typ.j2"),
        include_str!("../../../templates/text.typ.j2"),
        crate::report::plot::TEMPLATE,
    ];
    let mut names = Vec::new();
    for template in templates {
        for (i, _) in template.match_indices("let ") {
            // Only a name of letters and digits can be an identifier in mathematics (`m-top` is `m − ⊤`).
            let name: String =
                template[i + 4..].chars().take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_')).collect();
            if name.chars().count() > 1 && name.chars().all(char::is_alphanumeric) {
                names.push(name);
            }
        }
    }
    assert!(names.len() > 10, "{names:?}");
    let shadowing: Vec<_> = names.iter().filter(|n| crate::syntax::pieces(&format!("${n}$")).is_ok()).collect();
    assert!(shadowing.is_empty(), "template names that are math names: {shadowing:?}");
}
