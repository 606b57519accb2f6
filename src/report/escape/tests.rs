use std::collections::BTreeMap;

use super::{typst_markup, typst_math, typst_string};
use crate::report::{ReportDate, ReportError, compile_pdf};

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

#[test]
fn math_keeps_its_meaning() {
    for s in ["zeta_i^2 = 1 - Omega", "beta^star \\ x", "a $ b"] {
        let doc = format!("${}$", typst_math(s));
        compile_pdf(&doc, &BTreeMap::new(), date()).unwrap_or_else(|err| panic!("{s:?}: {err}"));
    }
}

#[test]
fn math_cannot_run_code_or_leave_math_mode() {
    // `\#` makes `panic`/`read` plain math identifiers: unknown variables, so an error, but nothing runs.
    for s in ["#read(\"/etc/passwd\")", "x$ #panic(\"boom\") $"] {
        let doc = format!("${}$", typst_math(s));
        let Err(ReportError::Compile(errors)) = compile_pdf(&doc, &BTreeMap::new(), date()) else {
            panic!("{s:?} should not compile");
        };
        assert!(errors.iter().all(|e| e.message.starts_with("unknown variable")), "{errors:?}");
    }
}
