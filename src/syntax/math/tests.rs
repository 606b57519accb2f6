use super::{MathError, Piece, blank_expressions, pieces};

/// The range and message of the error `pieces` gives for `text`.
fn refused(text: &str) -> MathError {
    pieces(text).expect_err(&format!("{text:?} was accepted"))
}

#[test]
fn splits_prose_and_mathematics() {
    let got = pieces("risk $R(beta^s)$ at $n = 200$.").unwrap();
    let want = [
        Piece::Prose("risk ".into()),
        Piece::Math("R(beta^s)"),
        Piece::Prose(" at ".into()),
        Piece::Math("n = 200"),
        Piece::Prose(".".into()),
    ];
    assert_eq!(got, want);
}

#[test]
fn a_backslash_dollar_is_a_dollar_and_other_backslashes_stay() {
    assert_eq!(pieces(r"costs \$5 in C:\dir").unwrap(), [Piece::Prose(r"costs $5 in C:\dir".into())]);
}

#[test]
fn a_dollar_inside_a_math_string_or_escape_does_not_close() {
    assert_eq!(pieces(r#"$"a $ b" + \$$"#).unwrap(), [Piece::Math(r#""a $ b" + \$"#)]);
}

#[test]
fn the_paper_notation_is_accepted() {
    for math in [
        "beta^(s*)_i = beta^star_i lambda_i (lambda_i + tau) / (lambda_i^2 + Omega tau^2 / (1 - Omega))",
        "norm(Sigma^(1\\/2) (hat(beta) - beta^star))^2",
        "zeta_i^2 = 1 - Omega",
        "n^(-(beta - 1))",
        "sum_(i > p) i^(-alpha) approx p^(1 - alpha) / ((alpha - 1) tau)",
        "arrow.r.long",
        "mat(delim: \"[\", 1, 2; 3, 4)",
        "lr(|x|) x'' ... sqrt(alpha) root(3, x) cal(O)(1\\/n) bb(R)^500 \"text\" & med",
    ] {
        pieces(&format!("${math}$")).unwrap_or_else(|e| panic!("{math:?}: {e:?}"));
    }
}

#[test]
fn an_unclosed_dollar_points_at_itself() {
    let e = refused("costs $5");
    assert_eq!(e.range, 6..7);
    assert!(e.hint.unwrap().contains("\\$"));
}

#[test]
fn code_comments_and_unknown_names_are_refused_where_they_stand() {
    // (text, the refused part)
    for (text, part) in [
        ("a $#read(\"/etc/passwd\")$", "#"),
        ("a $read(\"/etc/passwd\")$", "read"),
        ("$std.read(\"x\")$", "std.read"),
        ("$sys.inputs$", "sys.inputs"),
        ("$x + plain$", "plain"),
        ("$arrow.q$", "arrow.q"),
        ("x $a // $ #read(\"x\")$", "// "),
        ("$eval(\"1\")$", "eval"),
        ("$frac(..x, y)$", "..x"),
    ] {
        // Without the Typst library a name's modifiers are not checked (`check` says so).
        if !cfg!(feature = "report") && text == "$arrow.q$" {
            assert!(pieces(text).is_ok());
            continue;
        }
        let e = refused(text);
        assert_eq!(&text[e.range.clone()], part, "{text:?}: {e:?}");
    }
}

#[test]
fn malformed_mathematics_is_refused_with_typst_s_reason() {
    let e = refused("$frac(a, b$");
    assert!(e.message.starts_with("invalid mathematics: "), "{e:?}");
    let e = refused("$a /* b $ c */$");
    assert!(e.message.contains("invalid mathematics") || e.message.contains("comment"), "{e:?}");
}

#[test]
fn mathematics_cannot_span_a_blank_line_or_nest_deeply() {
    // A blank line is two line breaks with nothing between, `\r\n` counting as one (the report's paragraphs): at
    // 3707d6e `\n\r\n` passed check and split a statement's mathematics in the report.
    for text in ["$a\n\nb$", "$a\r\n\r\nb$", "$a\n\r\nb$", "$a\r\n\nb$"] {
        assert!(refused(text).message.contains("blank line"), "{text:?}");
    }
    for text in ["$a\n \nb$", "$a\r\rb$", "$a\nb$"] {
        pieces(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
    }
    // A chain of fractions nests no bracket, but Typst recursed on it until its stack overflowed (about 580).
    let chain = format!("${}x$", "a/".repeat(1000));
    assert!(refused(&chain).message.contains("nested too deeply"));
    pieces(&format!("${}x$", "a/".repeat(20))).unwrap();
    let deep = format!("${}x{}$", "(".repeat(17), ")".repeat(17));
    assert_eq!(refused(&deep).range, 17..18);
    let fine = format!("${}x{}$", "(".repeat(16), ")".repeat(16));
    pieces(&fine).unwrap();
}

#[test]
fn a_template_s_expressions_are_blanked_to_zeros_in_place() {
    assert_eq!(blank_expressions("a {{ x }} b {% if y %} c {# z #}"), "a 0000000 b 0000000000 c 0000000");
    // A subscript or an operand may be an expression; an expression's own `$` and `#` are not the text's.
    pieces(&blank_expressions("$tau = {{ e.equivalent[200].tau | num }}$, $x_{{ i }}$ and {{ \"$#\" }}")).unwrap();
    let e = pieces(&blank_expressions("{{ \"α\" }} $#x$")).unwrap_err();
    assert_eq!(e.range, 12..13);
}

#[cfg(feature = "report")]
#[test]
fn the_committed_math_names_are_typsts_math_scope() {
    // `math_names.txt` is what a build without the report checks names against; it must be Typst's scope exactly.
    // After a Typst upgrade: `KDREPRO_WRITE_MATH_NAMES=1 cargo test --release --lib math_names` rewrites it.
    let mut names: Vec<String> = super::MATH.scope().iter().map(|(name, _)| name.to_string()).collect();
    names.sort();
    let expected = names.join("\n") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/syntax/math_names.txt");
    if std::env::var_os("KDREPRO_WRITE_MATH_NAMES").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    assert!(names.len() > 100 && names.iter().any(|n| n == "zeta") && !names.iter().any(|n| n == "read"));
    assert!(super::MATH_NAMES == expected, "src/syntax/math_names.txt is not Typst's math scope");
}

#[test]
fn a_long_chain_is_refused_before_typst_parses_it() {
    // Helper-found: 60 000 `x^` (120 KB) overflowed the stack inside Typst's math parser, in `check`.
    let chain = format!("${}b$", "x^".repeat(60_000));
    let e = refused(&chain);
    assert!(e.message.contains("too long"), "{e:?}");
    assert!(pieces(&format!("${}b$", "x^".repeat(30))).is_ok());
}
