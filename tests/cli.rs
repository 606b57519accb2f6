//! The command line: outputs, exit codes.

use crate::support::{SMALL, Scratch, kdrepro, located, specs};

#[test]
fn build_writes_every_output_and_exits_zero_when_claims_hold() {
    let dir = Scratch::new("build-ok");
    let spec = dir.file("small.kd", SMALL);
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let pdf = std::fs::read(dir.path.join("out/small.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let typ = std::fs::read_to_string(dir.path.join("out/small.typ")).unwrap();
    assert!(typ.contains("include \"figures/plot.typ\""), "{typ}");
    // The generated Typst is a snapshot (tests/snapshots/small_typ.snap): a template change shows in review. The
    // commit kdrepro is built from changes with every commit and is redacted.
    let commit = env!("KDREPRO_GIT_COMMIT");
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!("small_typ", typ.replace(commit, "[commit]"));
    });
    assert!(dir.path.join("out/figures/plot.typ").exists());
    let yaml = std::fs::read_to_string(dir.path.join("out/small.results.yaml")).unwrap();
    for key in ["x: 10.0", "theory:", "mean:", "se:", "ci_low:", "ci_high:", "trials: 300", "verdict: pass", "rule:"] {
        assert!(yaml.contains(key), "results file lacks `{key}`:\n{yaml}");
    }
}

#[test]
fn issue_12_the_results_file_reads_back_into_its_types_byte_for_byte() {
    // Verdicts are data: the results file carries every claim's point checks, and `diff`/`merge` will read it.
    let dir = Scratch::new("results-round-trip");
    let spec = dir.file("small.kd", SMALL);
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(dir.path.join("out/small.results.yaml")).unwrap();
    assert!(text.starts_with(&format!("schema: {}\n", kdrepro::SCHEMA)), "{text}");
    let file = kdrepro::ResultsFile::read(&text).unwrap();
    assert_eq!(file.to_yaml(), text, "reading and writing back changed the file");
    assert!(file.claims.iter().all(|c| text.contains(&format!("name: {}", c.name))));
    assert!(text.contains("checks:") && text.contains("observed:"), "the point checks are in the file");
    let newer = text.replacen(&format!("schema: {}", kdrepro::SCHEMA), "schema: 99", 1);
    let error = kdrepro::ResultsFile::read(&newer).unwrap_err().to_string();
    assert!(error.starts_with("results schema 99, but this kdrepro reads schema 1"), "{error}");
    assert!(kdrepro::ResultsFile::read("title: x\n").unwrap_err().to_string().contains("no `schema` field"));
}

#[test]
fn failing_claim_still_writes_the_report_and_exits_one() {
    let dir = Scratch::new("build-fail");
    let wrong = SMALL.replace("holds sweep.best < sweep.truth", "holds sweep.truth < sweep.best");
    let spec = dir.file("wrong.kd", &wrong);
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let yaml = std::fs::read_to_string(dir.path.join("out/wrong.results.yaml")).unwrap();
    assert!(yaml.contains("verdict: fail"));
    assert!(dir.path.join("out/wrong.pdf").exists());
    // Issue 12: the failed claim is located at its name, with the excerpt, like a parse error.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let claim = wrong.lines().position(|l| l.starts_with("claim wins")).expect("the claim") + 1;
    let at = format!("wrong.kd:{claim}:7");
    assert!(located(&stderr, &at, "error: claim `wins` failed: "), "{stderr}");
    assert!(stderr.contains(&format!("{claim} | claim wins")), "{stderr}");
}

#[test]
fn check_accepts_the_paper_without_running_it() {
    let dir = Scratch::new("check");
    let spec = specs().join("paper.kd");
    let out = kdrepro(&dir.path, &["check", spec.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path.join("report").exists(), "check must not write a report");
}

#[test]
fn missing_spec_file_is_an_io_failure() {
    let dir = Scratch::new("missing");
    let out = kdrepro(&dir.path, &["build", "nowhere.kd"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: cannot read nowhere.kd"));
}

#[test]
fn bad_command_line_exits_two() {
    let dir = Scratch::new("usage");
    assert_eq!(kdrepro(&dir.path, &["build"], &[]).status.code(), Some(2));
    assert_eq!(kdrepro(&dir.path, &["build", "x.kd", "--trials", "0"], &[]).status.code(), Some(2));
    assert_eq!(kdrepro(&dir.path, &["frobnicate"], &[]).status.code(), Some(2));
}

/// A spectrum spread over 16 decades makes the Gram matrix numerically singular at n close to p: the simulation
/// falls back to column-pivoted QR of the design (the same estimator, issue 11 item 1), and says so on stderr and in the results file (issue 6, item 4). Noiseless, as
/// with label noise n = 39 = p − 1 has an infinite expected risk and is refused.
const ILL_CONDITIONED: &str = r#"
title "Ill-conditioned"
seed 1
spectrum cov = powerlaw(p: 40, alpha: 10.0)
signal beta = constant(cov, power: 1)
task t = gaussian(cov, beta, noise: 0.0)
surrogate truth = ground_truth
experiment close_to_p {
  task t
  n [38, 39]
  surrogates truth
  trials 50
}
"#;

#[test]
fn qr_fallbacks_are_reported() {
    let dir = Scratch::new("fallback");
    let spec = dir.file("ill.kd", ILL_CONDITIONED);
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("note: experiment `close_to_p`: "), "{stderr}");
    assert!(stderr.contains("were solved by column-pivoted QR of the design because the Cholesky"), "{stderr}");
    let yaml = std::fs::read_to_string(dir.path.join("out/ill.results.yaml")).unwrap();
    assert!(yaml.contains("fallbacks: "), "{yaml}");
    assert!(yaml.contains("fallback: column-pivoted QR of the design"), "{yaml}");
}

#[test]
fn issue_11_an_unusable_output_location_fails_before_any_work_and_leaves_nothing() {
    let dir = Scratch::new("bad-out");
    let spec = dir.file("small.kd", SMALL);
    let file = dir.file("taken", "not a directory");
    for out in [file.to_str().unwrap(), "/", "."] {
        let result = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", out], &[]);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(3), "{out}: {stderr}");
        assert!(!stderr.contains("ran theory"), "{out}: the simulation ran first: {stderr}");
    }
    let mut left: Vec<String> =
        std::fs::read_dir(&dir.path).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["small.kd", "taken"], "something was left behind");
}

#[test]
fn issue_11_a_misnamed_value_in_prose_stops_check_and_build_before_anything_runs() {
    let dir = Scratch::new("prose-check");
    let bad = SMALL.replace("figure plot", "text \"\"\"At n = 20: {{ sweep.truht[20].theory }}.\"\"\"\nfigure plot");
    let spec = dir.file("prose.kd", &bad);
    for args in [vec!["check", spec.to_str().unwrap()], vec!["build", spec.to_str().unwrap(), "--out", "out"]] {
        let out = kdrepro(&dir.path, &args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let said = "error: in this text (line 1 of the text): a value that does not exist: check the experiment";
        assert!(stderr.contains(said) && !stderr.contains("<string>") && !stderr.contains("ran theory"), "{stderr}");
    }
    assert!(!dir.path.join("out").exists(), "nothing is written");
    // Helper-found: a whole experiment, series or point printed a dump of its fields into the report.
    for expression in ["sweep", "sweep.truth", "sweep.truth[20]"] {
        let dump =
            SMALL.replace("figure plot", &format!("text \"\"\"At n = 20: {{{{ {expression} }}}}.\"\"\"\nfigure plot"));
        dir.file("dump.kd", &dump);
        let out = kdrepro(&dir.path, &["check", "dump.kd"], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{expression}: {stderr}");
        assert!(stderr.contains("this prints a whole experiment, series or point"), "{stderr}");
    }
}

#[test]
fn issue_11_eigenvalues_and_coefficients_from_files_give_the_numbers_of_the_same_lists_inline() {
    // tests/fixtures/data/spectrum.npy (numpy.save) and signal.csv (pandas' layout: index column, then `beta`);
    // the inline lists below are their values as Python's repr printed them (see tests/fixtures/data/README.md),
    // so both specs must resolve to the same vectors and give bit-identical numbers.
    let dir = Scratch::new("data-files");
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data");
    std::fs::create_dir_all(dir.path.join("specs/data")).unwrap();
    for name in ["spectrum.npy", "signal.csv"] {
        std::fs::copy(data.join(name), dir.path.join("specs/data").join(name)).unwrap();
    }
    let body = |spectrum: &str, signal: &str| {
        format!(
            "title \"files\"\nseed 5\nspectrum cov = list({spectrum})\nsignal beta = list(cov, {signal})\n\
             task t = gaussian(cov, beta, noise: 0.1)\nsurrogate s = optimal\n\
             experiment e {{ task t  n [4, 8]  surrogates s  trials 50 }}\n"
        )
    };
    let inline = body(
        "[1.0, 0.3535533905932738, 0.19245008972987526, 0.125, 0.08944271909999159, 0.06804138174397717, \
         0.05399492471560389, 0.04419417382415922, 0.037037037037037035, 0.03162277660168379, \
         0.02741012223434215, 0.024056261216234408]",
        "[1.0, 0.5403023058681398, -0.4161468365471424, -0.9899924966004454, -0.6536436208636119, \
         0.28366218546322625, 0.960170286650366, 0.7539022543433046, -0.14550003380861354, -0.9111302618846769, \
         -0.8390715290764524, 0.004425697988050785]",
    );
    dir.file("inline.kd", &inline);
    dir.file("specs/files.kd", &body("file(\"data/spectrum.npy\")", "file(\"data/signal.csv\", column: \"beta\")"));
    // Run from the scratch directory: paths are relative to the spec, not to the working directory.
    for (spec, out) in [("inline.kd", "a"), ("specs/files.kd", "b")] {
        let run = kdrepro(&dir.path, &["build", spec, "--out", out], &[]);
        assert!(run.status.success(), "{spec}: {}", String::from_utf8_lossy(&run.stderr));
    }
    let experiments = |path: &str| {
        let yaml = std::fs::read_to_string(dir.path.join(path)).unwrap();
        yaml[yaml.find("experiments:").unwrap()..].to_owned()
    };
    assert_eq!(experiments("a/inline.results.yaml"), experiments("b/files.results.yaml"));
    // The results file records each data file with the blake3 of its bytes.
    let yaml = std::fs::read_to_string(dir.path.join("b/files.results.yaml")).unwrap();
    let hash = |name: &str| blake3_hex(&std::fs::read(data.join(name)).unwrap());
    assert!(yaml.contains(&format!("data/spectrum.npy: {}", hash("spectrum.npy"))), "{yaml}");
    assert!(yaml.contains(&format!("data/signal.csv: {}", hash("signal.csv"))), "{yaml}");
}

/// blake3 of `bytes`, hex.
fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A theory-only spec whose title, a surrogate label, a comment in an experiment, a caption and a claim label
/// hold 漢, 字 and 😀, which the embedded fonts do not have (issue 11, item 5).
const UNCOVERED: &str = include_str!("fixtures/warning_uncovered_characters.kd");

/// `tests/fixtures/fonts`: subsets of Droid Sans Fallback (漢, 字) and Noto Color Emoji (😀); the README there
/// says where they come from and under which licences.
fn fixture_fonts() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fonts").to_owned()
}

#[test]
fn issue_11_font_path_shows_what_the_embedded_fonts_cannot() {
    let dir = Scratch::new("font-path");
    let spec = dir.file("cjk.kd", UNCOVERED);
    let spec = spec.to_str().unwrap();
    let fonts = fixture_fonts();
    let plain = kdrepro(&dir.path, &["build", spec, "--out", "plain"], &[]);
    let stderr = String::from_utf8_lossy(&plain.stderr);
    assert_eq!(plain.status.code(), Some(0), "{stderr}");
    let title =
        "warning: no font can show '漢' (U+6F22), '字' (U+5B57), '😀' (U+1F600): they will print as empty boxes";
    assert!(
        located(&stderr, "cjk.kd:2:8", title)
            && stderr.contains("= help: add a font that has them with `--font-path DIR`")
    );
    assert_eq!(stderr.matches("no font can show").count(), 5, "{stderr}");
    for (out, extra) in [("added", vec!["--font-path", &fonts]), ("again", vec![])] {
        // The second build names the directory in the environment instead.
        let env = if extra.is_empty() { vec![("KDREPRO_FONT_PATHS", fonts.as_str())] } else { vec![] };
        let result = kdrepro(&dir.path, &[&["build", spec, "--out", out][..], &extra].concat(), &env);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("no font can show") && stderr.contains("never used"), "{stderr}");
    }
    let pdf = |out: &str| std::fs::read(dir.path.join(out).join("cjk.pdf")).unwrap();
    let added = pdf("added");
    assert!(added.windows(17).any(|w| w == b"DroidSansFallback"), "the CJK font is not embedded");
    assert!(!pdf("plain").windows(17).any(|w| w == b"DroidSansFallback"));
    assert!(added == pdf("again"), "the same fonts gave different PDFs");
}

#[test]
fn issue_11_an_unreadable_font_path_is_a_command_line_error() {
    let dir = Scratch::new("font-path-missing");
    let spec = dir.file("cjk.kd", UNCOVERED);
    let spec = spec.to_str().unwrap();
    let runs = [
        (vec!["check", spec, "--font-path", "nowhere"], vec![], "--font-path"),
        (vec!["build", spec, "--out", "out", "--font-path", "nowhere"], vec![], "--font-path"),
        (vec!["build", spec, "--out", "out"], vec![("KDREPRO_FONT_PATHS", "nowhere")], "KDREPRO_FONT_PATHS"),
    ];
    for (args, env, origin) in runs {
        let out = kdrepro(&dir.path, &args, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with(&format!("error: {origin}: cannot read nowhere: ")), "{stderr}");
        assert!(!stderr.contains("warning"), "the spec was read first: {stderr}");
    }
    assert!(!dir.path.join("out").exists(), "nothing is written");
}

#[test]
fn issue_13_a_build_off_a_terminal_prints_progress_lines() {
    // stderr is a pipe here, as in CI logs and batch jobs: the run prints plain progress lines (every tick with
    // an interval of 0 seconds), naming the experiment, and its counts end at the trials the plan runs.
    let dir = Scratch::new("progress-lines");
    let spec = dir.file("small.kd", SMALL);
    let out =
        kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[("KDREPRO_PROGRESS_SECONDS", "0")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("progress: ")).collect();
    assert!(!lines.is_empty(), "{stderr}");
    assert!(lines.iter().all(|l| l.contains(" trials, ") && l.contains("% of the estimated work")), "{lines:?}");
    // Threads print in any order, but the one that finished the last trial saw all the work.
    assert!(lines.iter().any(|l| l.contains(" 100% of the estimated work")), "{lines:?}");
}

#[test]
fn issue_13_the_title_page_says_reproduction_and_draft_and_provenance_moves_to_the_end() {
    let dir = Scratch::new("title-page");
    let spec = dir.file("small.kd", SMALL);
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out", "--trials", "40"], &[]);
    assert!(matches!(out.status.code(), Some(0 | 4)), "{}", String::from_utf8_lossy(&out.stderr));
    let typ = std::fs::read_to_string(dir.path.join("out/small.typ")).unwrap();
    assert!(typ.contains("#set document(title: \"A reproduction of \" + \"Small\""), "{typ}");
    let title = &typ[typ.find("A checked reproduction of").expect("the title page says what it is")..];
    let verdicts = title.find("*Verdicts.*").unwrap();
    assert!(title[..verdicts].contains("Draft: every simulated experiment ran 40 trials per point"), "{title}");
    assert!(!title[..verdicts].contains("blake3"), "the hashes are in the provenance block at the end");
    let provenance = &typ[typ.find("<provenance>").expect("a provenance block")..];
    assert!(provenance.contains("blake3") && provenance.contains("Monte Carlo design"), "{provenance}");
}

#[test]
fn issue_13_figures_are_numbered_and_prose_refers_to_them() {
    let dir = Scratch::new("figure-numbers");
    let text = "text \"\"\"{{ figure(\"plot\") }} shows the risk.\"\"\"\n";
    let spec = dir.file("small.kd", &format!("{SMALL}{text}"));
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let typ = std::fs::read_to_string(dir.path.join("out/small.typ")).unwrap();
    let figure = &typ[typ.find("#figure(\n  include \"figures/plot.typ\"").expect("the figure")..];
    assert!(figure[..figure.find(") <plot>").unwrap()].contains("numbering: \"1\","), "{figure}");
    // Prose is escaped for Typst (`\.`): the reference is plain text.
    assert!(typ.contains("Figure 1 shows the risk\\."), "{typ}");
    // A figure that does not exist is an error located at the text, before anything runs.
    let wrong = dir.file("wrong.kd", &format!("{SMALL}{}", text.replace("\"plot\"", "\"plto\"")));
    let out = kdrepro(&dir.path, &["check", wrong.to_str().unwrap()], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no figure is named `plto`"), "{stderr}");
}

#[test]
fn issue_13_risk_tables_head_each_series_pair_with_its_legend_label() {
    // At 4b11467 the headers were internal names ("truth theory", "best sim. ± 95%"); the legend label (the
    // surrogates' default labels, spec/resolve/declarations.rs) now spans the series' two columns.
    let dir = Scratch::new("table-groups");
    let spec = dir.file("small.kd", SMALL);
    let out = kdrepro(&dir.path, &["build", spec.to_str().unwrap(), "--out", "out"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let typ = std::fs::read_to_string(dir.path.join("out/small.typ")).unwrap();
    // Labels and headers are escaped for Typst markup: `\(`, `\.`, `\%`.
    for label in ["Strong labels \\(β⋆\\)", "Optimal surrogate"] {
        // Theory and simulation are number columns, each two grid columns (aligned on the decimal point).
        let cell = format!("table.cell(colspan: 4, align: center + bottom)[*{label}*]");
        assert!(typ.contains(&cell), "no `{cell}` in\n{typ}");
    }
    let theory = "table.cell(colspan: 2)[*theory*], table.cell(colspan: 2)[*sim\\. ± 95\\%*]";
    assert!(typ.contains(&format!("table.cell(colspan: 2)[*$n$*], {theory}, {theory}")), "{typ}");
    assert!(!typ.contains("truth theory"), "internal names are not headers");
    // A mean and its half-width cannot wrap apart (non-breaking spaces), and cells are not justified.
    let row = typ
        .lines()
        .find(|l| l.trim_start().starts_with("table.cell(inset: (right: 0pt))[10], "))
        .expect("the row of n = 10");
    assert!(row.contains("\u{a0}±\u{a0}") && !row.contains(" ± "), "{row}");
    assert!(typ.contains("set par(justify: false)"), "{typ}");
}
