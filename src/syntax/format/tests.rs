use super::*;
use crate::syntax::parse;

/// Formats `source`, checking on the way that formatting keeps the meaning and is idempotent.
fn fmt(source: &str) -> String {
    let formatted = format(source).unwrap_or_else(|e| panic!("{source}: {e:?}"));
    let again = format(&formatted).unwrap_or_else(|e| panic!("formatted text does not parse:\n{formatted}\n{e:?}"));
    assert_eq!(again, formatted, "not idempotent; input:\n{source}");
    assert_eq!(parse(&formatted).unwrap().without_spans(), parse(source).unwrap().without_spans(), "{formatted}");
    assert_eq!(comment_texts(&formatted), comment_texts(source), "comments lost:\n{formatted}");
    formatted
}

/// The comments of a text, trimmed, in order (found by a scan that knows strings, independent of the formatter).
fn comment_texts(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find(['"', '/']) {
        rest = &rest[i..];
        if let Some(body) = rest.strip_prefix("\"\"\"") {
            rest = body.find("\"\"\"").map_or("", |e| &body[e + 3..]);
        } else if rest.starts_with('"') {
            let mut chars = rest.char_indices().skip(1);
            let mut end = rest.len();
            while let Some((k, c)) = chars.next() {
                match c {
                    '\\' => drop(chars.next()),
                    '"' => {
                        end = k + 1;
                        break;
                    }
                    _ => {}
                }
            }
            rest = &rest[end..];
        } else if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            found.push(rest[..end].trim_end().to_owned());
            rest = &rest[end..];
        } else {
            rest = &rest[1..];
        }
    }
    found
}

#[test]
fn the_committed_specs_are_canonical() {
    for source in [include_str!("../../../specs/paper.kd"), include_str!("../../../specs/bench/fig1b.kd")] {
        assert_eq!(fmt(source), source);
    }
}

#[test]
fn items_go_one_per_line_with_aligned_runs_and_kept_blank_lines() {
    let source = "title \"T\" seed 7\n\n\n\nspectrum cov=powerlaw( p :500 , alpha:2.0, )  signal b = \
                  powerlaw_energy(cov,beta:1.5)\nsurrogate truth = ground_truth\n";
    let expected = "title \"T\"\nseed  7\n\nspectrum  cov   = powerlaw(p: 500, alpha: 2.0)\n\
                    signal    b     = powerlaw_energy(cov, beta: 1.5)\nsurrogate truth = ground_truth\n";
    assert_eq!(fmt(source), expected);
}

#[test]
fn blocks_indent_and_align_their_settings() {
    let source = "experiment e{task t n 50 .. 450 step 25 surrogates a,b\n\n trials 10}\nfigure f {}\
                  claim c \"L\" { holds e.a<e.b at [1,2,] }";
    let expected = "experiment e {\n  task       t\n  n          50..450 step 25\n  surrogates a, b\n\n  trials 10\n}\n\
                    figure f {}\nclaim c \"L\" {\n  holds e.a < e.b\n  at    [1, 2]\n}\n";
    assert_eq!(fmt(source), expected);
}

#[test]
fn literals_keep_their_text_and_triple_strings_are_reindented() {
    let source = "seed 1.50e+3\ntitle \"a \\\"q\\\" \\\\ b\"\ntext \"\"\"   first\n     second\n\n  \"\"\"\n\
                  section s { statement \"\"\"\none\n  two\"\"\" }\n";
    let expected = "seed  1.50e+3\ntitle \"a \\\"q\\\" \\\\ b\"\ntext  \"\"\"\nfirst\n  second\n\"\"\"\n\
                    section s {\n  statement \"\"\"\n    one\n      two\n    \"\"\"\n}\n";
    assert_eq!(fmt(source), expected);
}

#[test]
fn comments_are_all_kept_in_place() {
    let source = "// head\n\n// about seed\nseed  1 // trailing\n// between\ntitle \"t\"\n\n\
                  experiment e { // after brace\n  // own line\n  task t // trailing setting\n\n  // before close\n}\n\
                  // end\n";
    assert_eq!(fmt(source), source);
}

#[test]
fn comments_inside_items_break_the_line_and_stay_between_the_same_tokens() {
    let source = "spectrum c = powerlaw( // why\n p: 500,\n // own\n alpha: 2.0 // last\n)\nseed 1";
    let expected = "spectrum c = powerlaw( // why\n    p: 500,\n    // own\n    alpha: 2.0) // last\nseed 1\n";
    assert_eq!(fmt(source), expected);
    let in_block = "claim c // c1\n \"L\" // c2\n { holds // c3\n a < b }";
    assert_eq!(fmt(in_block), "claim c // c1\n    \"L\" // c2\n    {\n  holds // c3\n      a < b\n}\n");
}

#[test]
fn odd_inputs_are_stable() {
    for source in [
        "",
        "\n\n// only a comment",
        "a b = f()",
        "a b = [[], [1], -2..-1]",
        "a b = x.*",
        "k \"\"\"\"\"\"",
        "k \"\"\"  \n  \"\"\"",
        "a b=f(1//x\n,//y\n2//z\n)//w\n",
        "b c{//x\n}",
        "b c{\n//x\n}//y",
        "s 1\r\n\r\n// c\r\nt 2\r\n",
        "x 1..2step 3",
        "w \"\"\"\n\u{3000}a\n b\n\"\"\"",
    ] {
        fmt(source);
    }
}
