use rand::SeedableRng;

use super::testing::{Unordered, assert_comments_kept, quoted_len, shuffle_order};
use super::*;
use crate::Signatures;
use crate::syntax::parse;

/// Formats `source`, checking on the way that formatting keeps the meaning and is idempotent.
fn fmt(source: &str) -> String {
    let formatted = format(source, &Signatures).unwrap_or_else(|e| panic!("{source}: {e:?}"));
    let again = format(&formatted, &Signatures)
        .unwrap_or_else(|e| panic!("formatted text does not parse:\n{formatted}\n{e:?}"));
    assert_eq!(again, formatted, "not idempotent; input:\n{source}");
    assert_eq!(parse(&formatted).unwrap().meaning(), parse(source).unwrap().meaning(), "{formatted}");
    assert_comments_kept(source, &formatted);
    formatted
}

/// Every `.kd` file under `specs/`, with its path.
fn committed_specs() -> Vec<(std::path::PathBuf, String)> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")];
    let mut specs = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "kd") {
                specs.push((path.clone(), std::fs::read_to_string(path).unwrap()));
            }
        }
    }
    specs.sort();
    assert!(specs.len() >= 3, "{specs:?}");
    specs
}

#[test]
fn the_committed_specs_are_canonical() {
    for (path, source) in committed_specs() {
        assert_eq!(fmt(&source), source, "{}", path.display());
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

/// Issue 5: take a committed spec and permute its layout (spacing, line breaks, and argument and setting order
/// where order carries no meaning); `kdrepro fmt` brings it back byte for byte.
#[test]
fn issue_5_permuted_committed_specs_format_back_byte_for_byte() {
    for (path, source) in committed_specs() {
        for seed in 0..20 {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
            let shuffled = shuffle_order(&source, &mut rng);
            assert_ne!(shuffled, source, "{}: nothing to shuffle", path.display());
            let scrambled = scramble(&shuffled, seed);
            assert_ne!(scrambled, shuffled);
            if seed == 0 && std::env::var_os("SHOW_SCRAMBLED").is_some() {
                println!("{scrambled}");
            }
            let at = format!("{} seed {seed}:\n{scrambled}", path.display());
            assert_eq!(parse(&scrambled).unwrap().meaning(), parse(&source).unwrap().meaning(), "{at}");
            assert_eq!(fmt(&scrambled), source, "{at}");
        }
    }
}

#[test]
fn meaning_ignores_only_the_order_the_language_ignores() {
    let meaning = |source: &str| parse(source).unwrap().meaning();
    assert_eq!(meaning("a b = f(1, y: 2, x: 3)\nk l { q 1 p 2 }"), meaning("a b = f(1, x: 3, y: 2)\nk l { p 2 q 1 }"));
    for (one, other) in [
        ("a b = f(1, 2)", "a b = f(2, 1)"),
        ("a b = f(x: 1, 2)", "a b = f(2, x: 1)"),
        ("a b = f(x: 1, x: 2)", "a b = f(x: 2, x: 1)"),
        ("k l { p 1 p 2 }", "k l { p 2 p 1 }"),
        ("s 1\nt 2", "t 2\ns 1"),
    ] {
        assert_ne!(meaning(one), meaning(other), "{one} / {other}");
    }
}

#[test]
fn named_arguments_follow_the_parameters_of_their_constructor() {
    let source = "spectrum c = powerlaw(alpha: 2.0, p: 500)\ntask t = gaussian(c, b, rotation: 7, noise: 0.0)\n\
                  surrogate s = erm(label: \"x\", m: n, features: 5, spectrum: c)\nsignal b = list(c, power: 1, coefficients: [1])\n";
    let expected = "spectrum  c = powerlaw(p: 500, alpha: 2.0)\ntask      t = gaussian(c, b, noise: 0.0, rotation: 7)\n\
                    surrogate s = erm(spectrum: c, m: n, features: 5, label: \"x\")\n\
                    signal    b = list(c, coefficients: [1], power: 1)\n";
    assert_eq!(fmt(source), expected);
    assert_eq!(fmt(expected), expected);
    let unchanged = "task t = gaussian(fig1_cov, fig1_beta, noise: 0.0)\n";
    assert_eq!(fmt(unchanged), unchanged);
}

#[test]
fn calls_whose_order_may_carry_meaning_or_is_unknown_keep_it() {
    for source in [
        // A positional argument after a named one: positions count among all arguments.
        "spectrum c = powerlaw(alpha: 2.0, 500)\n",
        // A named argument for the slot a positional one fills, an unknown one, a repeated one.
        "spectrum c = powerlaw(500, alpha: 2.0, p: 3)\n",
        "spectrum c = powerlaw(q: 1, p: 500)\n",
        "spectrum c = powerlaw(alpha: 1, p: 2, alpha: 3)\n",
        // Unknown constructors and keywords, a constructor of another keyword, a call nested in an argument.
        "spectrum c = powerlow(alpha: 2.0, p: 500)\n",
        "spectra c = powerlaw(alpha: 2.0, p: 500)\n",
        "signal c = powerlaw(alpha: 2.0, p: 500)\n",
        "experiment e {\n  n powerlaw(alpha: 2.0, p: 500)\n}\n",
        "task t = gaussian(c, b, noise: powerlaw(alpha: 1, p: 2))\n",
        // A comment inside the call.
        "spectrum c = powerlaw(alpha: 2.0, // why\n    p: 500)\n",
    ] {
        assert_eq!(fmt(source), source);
    }
    let source = "task t = gaussian(noise: powerlaw(alpha: 1, p: 2), spectrum: c)\n";
    assert_eq!(fmt(source), "task t = gaussian(spectrum: c, noise: powerlaw(alpha: 1, p: 2))\n");
    assert_eq!(format(source, &Unordered).unwrap(), source);
}

#[test]
fn settings_follow_the_order_of_their_block_and_take_their_comments_along() {
    let source = "experiment e { // the sweep\n  // how many\n  // trials\n  trials 10 // enough\n  n 50..450 step // x\n  25\n  \
                  // the task\n  task t\n  // end\n}\n";
    let expected = "experiment e { // the sweep\n  // the task\n  task   t\n  n      50..450 step // x\n      25\n  \
                    // how many\n  // trials\n  trials 10 // enough\n  // end\n}\n";
    assert_eq!(fmt(source), expected);
    let claim = "claim c \"L\" { at 50 confidence 0.9 holds e.a < e.b }\nfigure f { axes loglog caption \"c\" // why\n show e }";
    let expected = "claim c \"L\" {\n  holds      e.a < e.b\n  confidence 0.9\n  at         50\n}\n\
                    figure f {\n  show    e\n  caption \"c\" // why\n  axes    loglog\n}\n";
    assert_eq!(fmt(claim), expected);
    let last_with_comment = "section s { title \"t\" // why\n v1 \"v\" }";
    assert_eq!(fmt(last_with_comment), "section s {\n  v1    \"v\"\n  title \"t\" // why\n}\n");
}

#[test]
fn blocks_whose_order_may_carry_meaning_or_is_unknown_keep_it() {
    for source in [
        // An unknown key, a repeated key, an unknown block, and groups separated by a blank line.
        "experiment e {\n  trials 10\n  task   t\n  trails 3\n}\n",
        "experiment e {\n  trials 10\n  task   t\n  trials 3\n}\n",
        "plot p {\n  caption \"c\"\n  show    e\n}\n",
        "experiment e {\n  trials 10\n\n  task t\n  n    5\n}\n",
        "experiment e {\n  // about the block\n\n  trials 10\n  task   t\n}\n",
        // Top-level settings keep their order: text is prose in reading order.
        "title \"T\"\nseed  1\n",
    ] {
        assert_eq!(fmt(source), source);
    }
}
