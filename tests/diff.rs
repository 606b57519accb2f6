//! `kdrepro diff` run as a reviewer runs it (issue 15): two seeds are no change, a verdict flip is, and inputs
//! it cannot compare are refused with the reason and exit 2.

use std::path::Path;

use crate::conventions::validate;
use crate::support::{SMALL, Scratch, kdrepro};

/// Builds `spec` (a file in `dir`) with `seed` into `out`.
fn build(dir: &Path, spec: &str, out: &str, seed: &str) {
    let built = kdrepro(dir, &["build", spec, "-o", out, "--seed", seed, "-q"], &[]);
    assert_eq!(built.status.code(), Some(0), "{}", String::from_utf8_lossy(&built.stderr));
}

/// `kdrepro diff` with `args` in `dir`: exit code, stdout, stderr.
fn diff(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    let out = kdrepro(dir, &all, &[]);
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn two_seeds_are_no_meaningful_change_and_a_verdict_flip_is() {
    let dir = Scratch::new("diff-seeds");
    dir.file("small.kd", SMALL);
    build(&dir.path, "small.kd", "one", "1");
    build(&dir.path, "small.kd", "two", "2");
    // Output directories and results files are both accepted.
    let (code, text, stderr) = diff(&dir.path, &["one", "two/small.results.yaml"]);
    assert_eq!(code, Some(0), "{text}{stderr}");
    assert!(text.contains("no meaningful change") && text.contains("seed 1 → 2"), "{text}");
    assert!(text.contains("0 of 8 points differ significantly"), "4 sample sizes × 2 surrogates: {text}");
    let (code, json, _) = diff(&dir.path, &["one", "two", "--format", "json"]);
    assert_eq!(code, Some(0));
    let document = validate(&json, "diff.schema.json");
    assert_eq!((document["meaningful"].as_bool(), document["means"]["compared"].as_u64()), (Some(false), Some(8)));
    let (code, markdown, _) = diff(&dir.path, &["one", "two", "--format", "md"]);
    assert_eq!(code, Some(0));
    assert!(markdown.starts_with("### kdrepro diff: no meaningful change\n"), "{markdown}");
    // The claim `wins` failing in the new build: reported, exit 1, in every format.
    let results = std::fs::read_to_string(dir.path.join("two/small.results.yaml")).unwrap();
    let wins = results.find("- name: wins").unwrap();
    let verdict = wins + results[wins..].find("verdict: pass").unwrap();
    let flipped = format!("{}verdict: fail{}", &results[..verdict], &results[verdict + "verdict: pass".len()..]);
    dir.file("flipped.results.yaml", &flipped);
    let (code, text, _) = diff(&dir.path, &["one", "flipped.results.yaml"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("changed: 1 verdict\n") && text.contains("wins: pass → fail"), "{text}");
    let (code, json, _) = diff(&dir.path, &["one", "flipped.results.yaml", "--format", "json"]);
    let document = validate(&json, "diff.schema.json");
    assert_eq!(code, Some(1));
    assert_eq!(document["verdicts"][0]["claim"], "wins");
    let (code, markdown, _) = diff(&dir.path, &["one", "flipped.results.yaml", "--format", "md"]);
    assert_eq!(code, Some(1));
    assert!(markdown.contains("| `wins` | pass | **fail** |"), "{markdown}");
}

#[test]
fn inputs_that_cannot_be_compared_are_refused_with_the_reason() {
    let dir = Scratch::new("diff-refused");
    dir.file("small.kd", SMALL);
    build(&dir.path, "small.kd", "one", "1");
    let results = std::fs::read_to_string(dir.path.join("one/small.results.yaml")).unwrap();
    dir.file("garbage.yaml", "just: [text");
    dir.file("future.yaml", &results.replacen("schema: 1", "schema: 99", 1));
    dir.file("unversioned.yaml", &results.replacen("schema: 1\n", "", 1));
    // Values no build writes (helper-found: each was compared, some as changes of a file against itself).
    let first_x = results.find("- x: 10.0").unwrap();
    let second_x = first_x + 1 + results[first_x + 1..].find("- x: 20.0").unwrap();
    let edit = |at: usize, from: &str, to: &str| format!("{}{to}{}", &results[..at], &results[at + from.len()..]);
    dir.file("duplicate_x.yaml", &edit(second_x, "- x: 20.0", "- x: 10.0"));
    dir.file("nan_x.yaml", &edit(first_x, "- x: 10.0", "- x: .nan"));
    let se = results.find("se: ").unwrap();
    dir.file("negative_se.yaml", &edit(se, "se: ", "se: -"));
    // The series `best`, then `truth` (in key order): a second `best` after `truth`.
    let best = results.find("      best:\n").unwrap();
    let truth = results.find("      truth:\n").unwrap();
    // The end of the experiments: the next line that starts at the margin (`figures:` or `claims:`).
    let end = truth + results[truth..].find("\nfigures:").or_else(|| results[truth..].find("\nclaims:")).unwrap() + 1;
    let twice = format!("{}{}{}", &results[..end], &results[best..truth], &results[end..]);
    dir.file("duplicate_series.yaml", &twice);
    let claims = results.find("claims:\n").unwrap() + "claims:\n".len();
    let claim_end = claims + results[claims + 1..].find("\n- name:").unwrap() + 1;
    dir.file("duplicate_claim.yaml", &format!("{}{}", &results, &results[claims..claim_end]));
    std::fs::write(dir.path.join("binary.yaml"), [0x25, 0x50, 0x44, 0x46, 0xff, 0xfe]).unwrap();
    std::fs::create_dir(dir.path.join("empty")).unwrap();
    std::fs::create_dir(dir.path.join("two")).unwrap();
    dir.file("two/a.results.yaml", &results);
    dir.file("two/b.results.yaml", &results);
    let cases: [(&str, &str); 12] = [
        ("missing.yaml", "error: missing.yaml: cannot read"),
        ("garbage.yaml", "error: garbage.yaml: not a kdrepro results file"),
        ("future.yaml", "error: future.yaml: results schema 99, but this kdrepro reads schema 1"),
        ("unversioned.yaml", "error: unversioned.yaml: not a kdrepro results file: it has no `schema` field"),
        ("empty", "error: empty: no `*.results.yaml` in this directory"),
        ("two", "error: two: several results files; name one: two/a.results.yaml, two/b.results.yaml"),
        ("duplicate_x.yaml", "error: duplicate_x.yaml: not a results file kdrepro wrote: experiment `sweep`, series"),
        ("nan_x.yaml", "error: nan_x.yaml: not a results file kdrepro wrote: experiment `sweep`, series"),
        ("negative_se.yaml", "error: negative_se.yaml: not a results file kdrepro wrote: experiment `sweep`"),
        (
            "duplicate_series.yaml",
            "error: duplicate_series.yaml: not a kdrepro results file: experiments.sweep.series: the key `best` appears \
             twice",
        ),
        ("duplicate_claim.yaml", "error: duplicate_claim.yaml: not a results file kdrepro wrote: the claim `agree`"),
        ("binary.yaml", "error: binary.yaml: not a text file"),
    ];
    for (input, message) in cases {
        for args in [["one", input], [input, "one"]] {
            let (code, stdout, stderr) = diff(&dir.path, &args);
            assert_eq!((code, stdout.as_str()), (Some(2), ""), "{args:?}: {stderr}");
            assert!(stderr.starts_with(message), "{args:?}: {stderr}");
        }
    }
    for level in ["0", "1", "1.5", "-0.1", "nan", "x"] {
        let (code, _, stderr) = diff(&dir.path, &["one", "one", "--level", level]);
        assert_eq!(code, Some(2), "--level {level}: {stderr}");
    }
}

/// The example of docs/diff-example.md is this comparison's output, kept equal by this test: the fixtures are two
/// builds of tests/fixtures/diff/spec.kd, the second with the noise of task `loud` raised from 0.1 to 0.6 and the
/// claim `close` added (see tests/fixtures/diff/README.md).
#[test]
fn the_markdown_example_in_the_docs_is_the_output_of_its_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, markdown, stderr) =
        diff(root, &["tests/fixtures/diff/old.results.yaml", "tests/fixtures/diff/new.results.yaml", "--format", "md"]);
    assert_eq!(code, Some(1), "{stderr}");
    let docs = std::fs::read_to_string(root.join("docs/diff-example.md")).unwrap();
    let marker = "<!-- kdrepro diff output below -->\n";
    let example = &docs[docs.find(marker).expect("the marker line") + marker.len()..];
    if std::env::var_os("KDREPRO_WRITE_DIFF_EXAMPLE").is_some() {
        let written = docs[..docs.find(marker).unwrap() + marker.len()].to_owned() + &markdown;
        std::fs::write(root.join("docs/diff-example.md"), written).unwrap();
        return;
    }
    assert_eq!(example, markdown, "regenerate with KDREPRO_WRITE_DIFF_EXAMPLE=1 and review the change");
}

/// `markdown` rendered as GitHub renders a comment: GFM tables and strikethrough, raw HTML (`<details>`) kept.
fn github_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}

/// The comment renders as GitHub renders Markdown (GFM tables, raw HTML for `<details>`): every table line is a
/// row of a table, and the collapsed sections stay collapsed.
#[test]
fn the_markdown_example_renders_as_tables_with_collapsed_details() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diff-example.md")).unwrap();
    let example = &docs[docs.find("<!-- kdrepro diff output below -->").unwrap()..];
    let html = github_html(example);
    // Verdicts, claims, theory, simulated means and settings; the last two collapsed.
    assert_eq!(html.matches("<table>").count(), 5, "{html}");
    assert_eq!(html.matches("<details>").count(), 2, "{html}");
    let rows = example.lines().filter(|l| l.starts_with("| ")).count();
    assert_eq!(html.matches("<tr>").count(), rows, "a table line that is not a row: {html}");
    assert!(!html.contains("<p>|"), "{html}");
    // Escaped characters show as themselves: `~` is not strikethrough, `_` not emphasis.
    assert!(html.contains("x ~ N(0, Σ)") && html.contains("spec_file") && !html.contains("<del>"), "{html}");
}

/// Names and paths with line breaks, pipes, backticks and HTML (a spec may be called anything) stay inside their
/// table cells.
#[test]
fn names_with_line_breaks_and_markup_stay_in_their_cells() {
    let dir = Scratch::new("diff-markup");
    dir.file("small.kd", SMALL);
    build(&dir.path, "small.kd", "one", "1");
    let results = std::fs::read_to_string(dir.path.join("one/small.results.yaml")).unwrap();
    let hostile = results.replacen("spec_file: small.kd", "spec_file: \"a|b`c\\n</details>\\n\\n<details>d.kd\"", 1);
    assert_ne!(hostile, results);
    dir.file("hostile.yaml", &hostile.replacen("design: 'Every", "design: 'x\n\n  | y |\n\n  Every", 1));
    let (code, markdown, stderr) = diff(&dir.path, &["one", "hostile.yaml", "--format", "md"]);
    assert_eq!(code, Some(0), "{stderr}");
    let html = github_html(&markdown);
    let rows = markdown.lines().filter(|l| l.starts_with("| ")).count();
    assert_eq!(html.matches("<tr>").count(), rows, "{markdown}");
    assert_eq!(html.matches("<details>").count(), 1, "only the settings are collapsed: {markdown}");
    assert_eq!(html.matches("</details>").count(), 1, "{markdown}");
}

/// Helper-found: standard errors near 10⁻¹⁰³, from a valid spec with eigenvalues near 10⁻¹⁰⁰, made Welch's degrees
/// of freedom 0/0 and the diff panicked.
#[test]
fn standard_errors_at_the_ends_of_f64_are_compared_without_a_panic() {
    let dir = Scratch::new("diff-tiny");
    let lines =
        |f: &dyn Fn(f64) -> f64| (1..=30).map(|i| format!("{:e}", f(f64::from(i)))).collect::<Vec<_>>().join("\n");
    dir.file("ev.txt", &lines(&|i| 1e-100 * i.powf(-1.5)));
    dir.file("b.txt", &lines(&|i| 1.0 / i));
    let spec = "title \"tiny\"\nseed 1\nspectrum cov = list(file(\"ev.txt\"))\nsignal beta = list(cov, file(\"b.txt\"))\n\
                task t = gaussian(cov, beta, noise: 0)\nsurrogate truth = ground_truth\n\
                experiment e { task t n 10..20 step 10 surrogates truth trials 30 }\n";
    dir.file("tiny.kd", spec);
    build(&dir.path, "tiny.kd", "one", "1");
    build(&dir.path, "tiny.kd", "two", "2");
    let (code, json, stderr) = diff(&dir.path, &["one", "two", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let document = validate(&json, "diff.schema.json");
    assert_eq!(document["means"]["compared"], 2, "{json}");
}
