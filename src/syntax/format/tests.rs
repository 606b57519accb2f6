use super::*;
use crate::syntax::fuzz::{comment_texts, quoted_len};
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

/// The tokens of a valid spec, each with whether a blank line precedes it (a small lexer, independent of
/// the parser and the formatter).
fn tokens(source: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = source;
    loop {
        let trimmed = rest.trim_start();
        let blank = rest[..rest.len() - trimmed.len()].matches('\n').count() >= 2;
        rest = trimmed;
        let Some(c) = rest.chars().next() else { return out };
        let len = if let Some(body) = rest.strip_prefix("\"\"\"") {
            body.find("\"\"\"").unwrap() + 6
        } else if c == '"' {
            quoted_len(rest)
        } else if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if c.is_ascii_digit() || c == '-' {
            number_len(rest)
        } else if c.is_ascii_alphabetic() || c == '_' {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '*')).unwrap_or(rest.len())
        } else if rest.starts_with("..") || rest.starts_with("<=") || rest.starts_with(">=") {
            2
        } else {
            c.len_utf8()
        };
        out.push((rest[..len].to_owned(), blank));
        rest = &rest[len..];
    }
}

/// The length of the number literal at the start of `text`.
fn number_len(text: &str) -> usize {
    let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let mut len = usize::from(text.starts_with('-'));
    len += digits(&text[len..]);
    if text[len..].starts_with('.') && digits(&text[len + 1..]) > 0 {
        len += 1 + digits(&text[len + 1..]);
    }
    if text[len..].starts_with(['e', 'E']) {
        let sign = usize::from(text[len + 1..].starts_with(['+', '-']));
        if digits(&text[len + 1 + sign..]) > 0 {
            len += 1 + sign + digits(&text[len + 1 + sign..]);
        }
    }
    len
}

/// `source` with its layout scrambled: random spacing and line breaks between tokens, trailing commas in
/// calls and lists, triple-quoted strings indented anew. Blank lines stay where they were, and comments
/// stay on their own line or after code as they were: those the formatter keeps.
fn scramble(source: &str, seed: u64) -> String {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let tokens = tokens(source);
    let word = |t: &str| t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let mut out = String::new();
    for (i, (token, blank)) in tokens.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| tokens[p].0.as_str());
        if i > 0 {
            let spaces = " ".repeat(rng.random_range(0..4));
            let own_line = token.starts_with("//") && {
                let at = source.find(token.as_str()).unwrap();
                source[..at].rsplit('\n').next().unwrap().trim().is_empty()
            };
            if *blank {
                out.push_str(&format!("\n\n{spaces}"));
            } else if own_line || previous.is_some_and(|p| p.starts_with("//")) {
                out.push_str(&format!("{spaces}\n{spaces}"));
            } else if token.starts_with("//") {
                out.push_str(&format!(" {spaces}"));
            } else {
                if (token == ")" || token == "]") && previous != Some("(") && previous != Some("[") {
                    out.push_str(if rng.random_bool(0.5) { "," } else { "" });
                }
                let gaps = ["", " ", "  ", "\n", "\n      ", "\t", " \n\t "];
                let gap = gaps[rng.random_range(0..gaps.len())];
                let needs_space = previous.is_some_and(word) && word(token);
                out.push_str(if gap.is_empty() && needs_space { " " } else { gap });
            }
        }
        if token.starts_with("\"\"\"") {
            let shift = " ".repeat(rng.random_range(0..6));
            let lines: Vec<String> = token
                .split('\n')
                .enumerate()
                .map(
                    |(k, line)| {
                        if k == 0 || line.trim().is_empty() { line.to_owned() } else { format!("{shift}{line}") }
                    },
                )
                .collect();
            out.push_str(&lines.join("\n"));
        } else {
            out.push_str(token);
        }
    }
    out
}

#[test]
fn permuted_layouts_of_the_committed_specs_format_back_byte_for_byte() {
    for source in [include_str!("../../../specs/paper.kd"), include_str!("../../../specs/bench/fig1b.kd")] {
        for seed in 0..20 {
            let scrambled = scramble(source, seed);
            assert_ne!(scrambled, source);
            if seed == 0 && std::env::var_os("SHOW_SCRAMBLED").is_some() {
                println!("{scrambled}");
            }
            let original = parse(source).unwrap().without_spans();
            assert_eq!(parse(&scrambled).unwrap().without_spans(), original, "seed {seed}:\n{scrambled}");
            assert_eq!(fmt(&scrambled), source, "seed {seed}:\n{scrambled}");
        }
    }
}
