//! Command-line conventions (issue 14): `--version` with the commit, exit codes in `--help`, `-q`/`-v`, `--color`,
//! short flags, completions, the man page, `--format json` validated against `docs/schema/`, `fmt` on directories
//! and `-`, and `kdrepro typst`.

use std::path::Path;

use crate::support::{SMALL, Scratch, command, kdrepro, specs};

/// A spec with an unused declaration (a warning) and a duplicate name (an error), for colour.
const DUPLICATE: &str =
    "title \"x\"\nspectrum cov = powerlaw(p: 10, alpha: 1.0)\nspectrum cov = powerlaw(p: 10, alpha: 2.0)\n";

/// Validates `document` (JSON text) against `docs/schema/<name>`, panicking with every violation.
pub(crate) fn validate(document: &str, name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema").join(name);
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let instance: serde_json::Value = serde_json::from_str(document).unwrap_or_else(|e| panic!("{e}: {document}"));
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{document}");
    instance
}

#[test]
fn version_names_the_commit_and_help_lists_the_exit_codes() {
    let dir = Scratch::new("version");
    let out = kdrepro(&dir.path, &["--version"], &[]);
    let version = String::from_utf8(out.stdout).unwrap();
    // The commit is the repository's HEAD when built from a git checkout (build.rs), else `unknown`.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or("unknown".to_owned(), |o| String::from_utf8(o.stdout).unwrap().trim().to_owned());
    assert_eq!(version, format!("kdrepro {} (commit {head})\n", env!("CARGO_PKG_VERSION")));
    for args in [&["--help"][..], &["build", "--help"], &["check", "--help"], &["fmt", "--help"]] {
        let help = String::from_utf8(kdrepro(&dir.path, args, &[]).stdout).unwrap();
        for code in ["Exit codes:", "  1  the report was written but a claim failed", "  4  the report was written"] {
            assert!(help.contains(code), "{args:?} lacks {code:?}:\n{help}");
        }
    }
}

#[test]
fn quiet_prints_only_what_went_wrong_and_verbose_adds_the_plan_and_stage_times() {
    let dir = Scratch::new("quiet-verbose");
    dir.file("small.kd", SMALL);
    let quiet = kdrepro(&dir.path, &["build", "small.kd", "-o", "quiet", "-j", "1", "-q"], &[]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "", "a build where every claim holds says nothing with -q");
    assert!(dir.path.join("quiet/small.pdf").exists());
    let normal = kdrepro(&dir.path, &["build", "small.kd", "--out", "normal", "--jobs", "1"], &[]);
    let normal = String::from_utf8_lossy(&normal.stderr).into_owned();
    for line in ["1 worker thread\n", "pass agree: ", "pass wins: ", "wrote normal/small.pdf"] {
        assert!(normal.contains(line), "{normal}");
    }
    let verbose = kdrepro(&dir.path, &["build", "small.kd", "-o", "verbose", "-v"], &[]);
    let verbose = String::from_utf8_lossy(&verbose.stderr).into_owned();
    for line in ["plan:\nsimulated experiments (1, ", "checked the spec in ", "typeset the report in ", "wrote "] {
        assert!(verbose.contains(line), "-v lacks {line:?}: {verbose}");
    }
    let check = kdrepro(&dir.path, &["check", "small.kd", "-v"], &[]);
    assert!(String::from_utf8_lossy(&check.stderr).contains("checked and planned the spec in "));
    let check = kdrepro(&dir.path, &["check", "small.kd", "-q"], &[]);
    assert_eq!((check.status.code(), String::from_utf8_lossy(&check.stderr).into_owned()), (Some(0), String::new()));
    // -q and -v together are a command-line error.
    assert_eq!(kdrepro(&dir.path, &["check", "small.kd", "-q", "-v"], &[]).status.code(), Some(2));
    // A failed claim is still printed with -q.
    dir.file("wrong.kd", &SMALL.replace("sweep.best < sweep.truth", "sweep.truth < sweep.best"));
    let failed = kdrepro(&dir.path, &["build", "wrong.kd", "-o", "wrong", "-q"], &[]);
    let failed = String::from_utf8_lossy(&failed.stderr).into_owned();
    assert!(failed.contains("error: claim `wins` failed") && failed.contains("FAIL wins: "), "{failed}");
    assert!(!failed.contains("pass agree") && !failed.contains("wrote "), "{failed}");
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let dir = Scratch::new("color");
    dir.file("dup.kd", DUPLICATE);
    let stderr = |args: &[&str], env: &[(&str, &str)]| {
        let out = kdrepro(&dir.path, &[&["check", "dup.kd"][..], args].concat(), env);
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let escape = "\x1b[";
    assert!(stderr(&["--color", "always"], &[]).contains(escape));
    // An explicit `always` beats NO_COLOR (no-color.org); `auto` off a terminal and `never` are plain.
    assert!(stderr(&["--color", "always"], &[("NO_COLOR", "1")]).contains(escape));
    for args in [&["--color", "never"][..], &["--color", "auto"], &[]] {
        let text = stderr(args, &[]);
        assert!(!text.contains(escape) && text.contains("error: `cov` is declared twice"), "{args:?}: {text}");
    }
    assert_eq!(kdrepro(&dir.path, &["check", "dup.kd", "--color", "sometimes"], &[]).status.code(), Some(2));
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let dir = Scratch::new("completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = kdrepro(&dir.path, &["completions", shell], &[]);
        let script = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(0));
        // Every subcommand and a flag of each are completed.
        for word in ["build", "check", "fmt", "typst", "memory-limit", "font-path"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    assert_eq!(kdrepro(&dir.path, &["completions", "tcsh"], &[]).status.code(), Some(2));
    let man = String::from_utf8(kdrepro(&dir.path, &["man"], &[]).stdout).unwrap();
    assert!(
        man.contains(".TH kdrepro 1") && man.contains(".SH \"EXIT STATUS\"") && man.contains("completions"),
        "{man}"
    );
}

#[test]
fn check_json_is_the_plan_and_matches_its_schema() {
    let dir = Scratch::new("check-json");
    let paper = specs().join("paper.kd");
    let out = kdrepro(&dir.path, &["check", paper.to_str().unwrap(), "--format", "json", "-j", "2"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let plan = validate(&String::from_utf8(out.stdout).unwrap(), "check.schema.json");
    // Counted in specs/paper.kd by hand: the first experiment is `fig1b` on line 38; 48 claims.
    assert_eq!(plan["experiments"][0]["name"], "fig1b");
    assert_eq!(plan["experiments"][0]["location"]["line"], 38);
    assert_eq!(plan["claims"].as_array().unwrap().len(), 48);
    // A refused spec prints nothing on stdout.
    dir.file("dup.kd", DUPLICATE);
    let refused = kdrepro(&dir.path, &["check", "dup.kd", "--format", "json"], &[]);
    assert_eq!((refused.status.code(), refused.stdout.len()), (Some(2), 0));
}

#[test]
fn build_json_is_the_verdicts_and_matches_its_schema() {
    let dir = Scratch::new("build-json");
    dir.file("small.kd", SMALL);
    dir.file("wrong.kd", &SMALL.replace("sweep.best < sweep.truth", "sweep.truth < sweep.best"));
    for (spec, code, outcome, wins) in [("small.kd", 0, "pass", "pass"), ("wrong.kd", 1, "fail", "fail")] {
        let out = kdrepro(&dir.path, &["build", spec, "-o", "out", "--format", "json"], &[]);
        assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stderr));
        let document = validate(&String::from_utf8(out.stdout).unwrap(), "build.schema.json");
        assert_eq!(document["outcome"], outcome);
        assert_eq!(document["exit_code"], code);
        assert_eq!(document["claims"][1]["name"], "wins");
        assert_eq!(document["claims"][1]["verdict"], wins);
        // The claim `wins` is on the spec's last line.
        assert_eq!(document["claims"][1]["line"], SMALL.lines().count());
        assert!(
            document["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o.as_str().unwrap() == "out/small.pdf" || o.as_str().unwrap() == "out/wrong.pdf")
        );
    }
}

#[test]
fn fmt_takes_directories_and_standard_input() {
    let dir = Scratch::new("fmt-dirs");
    let canonical = std::fs::read_to_string(specs().join("paper.kd")).unwrap();
    std::fs::create_dir_all(dir.path.join("specs/sub")).unwrap();
    std::fs::create_dir_all(dir.path.join("specs/.hidden")).unwrap();
    dir.file("specs/a.kd", &canonical);
    dir.file("specs/sub/b.kd", "seed   1\n");
    dir.file("specs/sub/notes.txt", "not a spec (\n");
    dir.file("specs/.hidden/broken.kd", "seed (\n");
    let out = kdrepro(&dir.path, &["fmt", "--check", "specs"], &[]);
    let diff = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(diff, "--- specs/sub/b.kd\n+++ specs/sub/b.kd (formatted)\n@@ -1 +1 @@\n-seed   1\n+seed 1\n");
    let out = kdrepro(&dir.path, &["fmt", "--write", "specs"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.path.join("specs/sub/b.kd")).unwrap(), "seed 1\n");
    // `-`: standard input to standard output, or its diff.
    let out = command(&dir.path).args(["fmt", "-"]).write_stdin("seed   2\n").output().unwrap();
    assert_eq!((out.status.code(), String::from_utf8(out.stdout).unwrap()), (Some(0), "seed 2\n".to_owned()));
    let out = command(&dir.path).args(["fmt", "--check", "-"]).write_stdin("seed   2\n").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("--- <stdin>\n+++ <stdin> (formatted)\n"));
    let out = command(&dir.path).args(["fmt", "-"]).write_stdin("seed (\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains(" --> <stdin>:1:6"));
    // Rewriting standard input, and a directory without specs, are errors.
    assert_eq!(
        command(&dir.path).args(["fmt", "--write", "-"]).write_stdin("").output().unwrap().status.code(),
        Some(2)
    );
    std::fs::create_dir_all(dir.path.join("empty")).unwrap();
    let out = kdrepro(&dir.path, &["fmt", "empty"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("no `.kd` file"));
}

#[test]
fn typst_compiles_the_written_source_into_the_same_pdf() {
    let dir = Scratch::new("typst");
    dir.file("small.kd", SMALL);
    assert_eq!(kdrepro(&dir.path, &["build", "small.kd", "-o", "out"], &[]).status.code(), Some(0));
    let out = kdrepro(&dir.path, &["typst", "out/small.typ", "-o", "again.pdf"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let (built, again) =
        (std::fs::read(dir.path.join("out/small.pdf")).unwrap(), std::fs::read(dir.path.join("again.pdf")).unwrap());
    assert!(built == again, "kdrepro typst does not reproduce the built PDF");
    // An edit shows; an error is located in the Typst source.
    let typ = std::fs::read_to_string(dir.path.join("out/small.typ")).unwrap();
    std::fs::write(dir.path.join("out/small.typ"), typ.clone() + "\n#unknown-function()\n").unwrap();
    let out = kdrepro(&dir.path, &["typst", "out/small.typ"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("unknown variable: unknown-function"));
    assert!(!dir.path.join("out/small.pdf").with_file_name("small.pdf.new").exists());
}

#[test]
fn issue_14_output_that_cannot_be_written_is_an_error_not_a_panic() {
    // Helper-found: check, fmt, completions and build --format json panicked ("failed printing to stdout", exit 101)
    // on a full disk or a closed pipe.
    let dir = Scratch::new("stdout-failures");
    dir.file("small.kd", SMALL);
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    for args in [
        &["check", "small.kd"][..],
        &["check", "small.kd", "--format", "json"],
        &["fmt", "small.kd"],
        &["completions", "bash"],
        &["--help"],
        &["--version"],
    ] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("kdrepro"))
            .current_dir(&dir.path)
            .args(args)
            .stdout(full())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write to standard output") && !stderr.contains("panicked"), "{stderr}");
    }
    // A reader that stops early (`| head`, `| true`) ends the output quietly; the build keeps its exit code.
    for (args, code) in [(&["check", "small.kd"][..], 0), (&["build", "small.kd", "-o", "out", "--format", "json"], 0)]
    {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("kdrepro"))
            .current_dir(&dir.path)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn issue_14_flags_conflict_and_colour_wherever_they_stand() {
    let dir = Scratch::new("flag-positions");
    dir.file("small.kd", SMALL);
    // Helper-found: `-q` and `-v` conflicted only when both came before the subcommand.
    for args in
        [&["-q", "check", "small.kd", "-v"][..], &["check", "small.kd", "-q", "-v"], &["-v", "check", "-q", "small.kd"]]
    {
        let out = kdrepro(&dir.path, args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("'--quiet' cannot be used with '--verbose'"));
    }
    // `--color` reaches clap's own errors and help.
    let coloured = |args: &[&str]| String::from_utf8(kdrepro(&dir.path, args, &[]).stderr).unwrap().contains("\x1b[");
    assert!(coloured(&["--color", "always", "bogus"]));
    assert!(coloured(&["--color=always", "bogus"]));
    assert!(!coloured(&["--color", "never", "bogus"]));
}

#[test]
fn issue_14_control_characters_of_a_spec_never_reach_the_terminal_raw() {
    // Helper-found: an ESC in a claim's label reached the terminal in the plan and the verdict lines.
    let dir = Scratch::new("control-characters");
    dir.file(
        "esc.kd",
        &SMALL.replace("\"The optimal surrogate wins\"", "\"The optimal \x1b[31m surrogate\u{202e} wins\""),
    );
    let check = kdrepro(&dir.path, &["check", "esc.kd"], &[]);
    let build = kdrepro(&dir.path, &["build", "esc.kd", "-o", "out"], &[]);
    for out in [&check, &build] {
        let text = [String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)].concat();
        assert!(!text.contains(['\x1b', '\u{202e}']) && text.contains("The optimal ␛[31m surrogate� wins"), "{text}");
    }
}

#[test]
fn issue_14_typst_never_overwrites_its_source_and_quiet_is_quiet() {
    let dir = Scratch::new("typst-overwrite");
    dir.file("small.kd", SMALL);
    assert_eq!(kdrepro(&dir.path, &["build", "small.kd", "-o", "out"], &[]).status.code(), Some(0));
    let typ = std::fs::read(dir.path.join("out/small.typ")).unwrap();
    std::fs::copy(dir.path.join("out/small.typ"), dir.path.join("out/named.pdf")).unwrap();
    std::os::unix::fs::symlink("small.typ", dir.path.join("out/link.pdf")).unwrap();
    std::fs::hard_link(dir.path.join("out/small.typ"), dir.path.join("out/hard.pdf")).unwrap();
    // Second round, helper-found: a path through a directory that does not exist yet, and a hard link.
    for args in [
        &["typst", "out/small.typ", "-o", "out/small.typ"][..],
        &["typst", "out/small.typ", "-o", "out/link.pdf"],
        &["typst", "out/named.pdf"],
        &["typst", "out/small.typ", "-o", "out/new/../small.typ"],
        &["typst", "out/small.typ", "-o", "out/hard.pdf"],
    ] {
        let out = kdrepro(&dir.path, args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("would overwrite its source"));
    }
    assert_eq!(std::fs::read(dir.path.join("out/small.typ")).unwrap(), typ);
    // -q: nothing on success; a missing output directory is created.
    let out = kdrepro(&dir.path, &["-q", "typst", "out/small.typ", "-o", "new/dir/again.pdf"], &[]);
    assert_eq!((out.status.code(), out.stderr.len()), (Some(0), 0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path.join("new/dir/again.pdf").exists());
    // Typst's messages name the user's paths, and never offer Typst's own `--root`.
    dir.file("out/broken.typ", "#include \"missing.typ\"\n#include \"../x.typ\"\n");
    let out = kdrepro(&dir.path, &["typst", "out/broken.typ"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("out/broken.typ:1:10: file not found (searched at out/missing.typ)"), "{stderr}");
    assert!(!stderr.contains("--root") && !stderr.contains("main.typ"), "{stderr}");
    // A source named main.typ compiles; another main.typ beside a source is refused with the reason.
    std::fs::create_dir_all(dir.path.join("m/figures")).unwrap();
    std::fs::copy(dir.path.join("out/small.typ"), dir.path.join("m/main.typ")).unwrap();
    std::fs::copy(dir.path.join("out/kd.sublime-syntax"), dir.path.join("m/kd.sublime-syntax")).unwrap();
    std::fs::copy(dir.path.join("out/figures/plot.typ"), dir.path.join("m/figures/plot.typ")).unwrap();
    let out = kdrepro(&dir.path, &["typst", "m/main.typ"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::copy(dir.path.join("m/main.typ"), dir.path.join("m/other.typ")).unwrap();
    let out = kdrepro(&dir.path, &["typst", "m/other.typ"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a file named main.typ beside the source"));
}

#[test]
fn issue_14_fmt_and_man_edge_cases() {
    let dir = Scratch::new("fmt-edges");
    std::fs::create_dir_all(dir.path.join("linked")).unwrap();
    dir.file("messy.kd", "seed   1\n");
    // A link to a spec counts as the spec.
    std::os::unix::fs::symlink("../messy.kd", dir.path.join("linked/link.kd")).unwrap();
    let out = kdrepro(&dir.path, &["fmt", "--check", "linked"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    // Several files printed would run together; `-` is read once; a spec is not read from `-`.
    for args in [&["fmt", "messy.kd", "linked"][..], &["fmt", "-", "-"], &["check", "-"], &["build", "-"]] {
        let out = kdrepro(&dir.path, args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // A subcommand's man page, with the exit codes as EXIT STATUS; an unknown one is an error.
    let page = String::from_utf8(kdrepro(&dir.path, &["man", "build"], &[]).stdout).unwrap();
    assert!(
        page.contains(".TH kdrepro-build 1") && page.contains(".SH \"EXIT STATUS\"") && page.contains("\\-\\-trials")
    );
    assert_eq!(kdrepro(&dir.path, &["man", "nope"], &[]).status.code(), Some(2));
    for args in [&["completions", "--help"][..], &["man", "--help"]] {
        assert!(String::from_utf8(kdrepro(&dir.path, args, &[]).stdout).unwrap().contains("Exit codes:"));
    }
}
