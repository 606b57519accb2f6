use std::collections::BTreeMap;

use super::*;

/// A scratch directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("kdrepro-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A report whose every file says `tag`.
fn report(tag: &str) -> Report {
    let figures = BTreeMap::from([("figures/plot.typ".to_owned(), format!("figure {tag}"))]);
    Report {
        pdf: format!("pdf {tag}").into_bytes(),
        typst: format!("typ {tag}"),
        results: crate::ResultsFile {
            schema: crate::SCHEMA,
            kdrepro: String::new(),
            commit: String::new(),
            title: format!("yaml {tag}"),
            spec_file: String::new(),
            spec_hash: String::new(),
            data_files: BTreeMap::new(),
            seed: 0,
            threads: None,
            draft_trials: None,
            verdicts: BTreeMap::new(),
            experiments: BTreeMap::new(),
            figures: BTreeMap::new(),
            claims: Vec::new(),
        },
        figures,
        warnings: Vec::new(),
    }
}

/// The sorted entry names of a directory.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn a_second_build_replaces_the_set_and_keeps_other_reports_and_the_cache() {
    let scratch = Scratch::new("replace");
    let out = scratch.0.join("out");
    write_report(&report("one"), &out, "paper").unwrap();
    write_report(&report("other"), &out, "other").unwrap();
    fs::create_dir_all(out.join(".cache/ab")).unwrap();
    fs::write(out.join(".cache/ab/entry"), "cached").unwrap();
    write_report(&report("two"), &out, "paper").unwrap();
    assert_eq!(fs::read_to_string(out.join("paper.typ")).unwrap(), "typ two");
    assert_eq!(fs::read_to_string(out.join("figures/plot.typ")).unwrap(), "figure two");
    assert!(fs::read_to_string(out.join("other.results.yaml")).unwrap().contains("title: yaml other"));
    assert_eq!(fs::read_to_string(out.join(".cache/ab/entry")).unwrap(), "cached");
    // Nothing is left next to the output directory.
    assert_eq!(names(&scratch.0), vec!["out"]);
}

#[test]
fn a_directory_with_foreign_files_is_never_replaced() {
    let scratch = Scratch::new("foreign");
    fs::write(scratch.0.join("notes.txt"), "mine").unwrap();
    let err = write_report(&report("x"), &scratch.0, "paper").unwrap_err();
    assert!(err.to_string().contains("was not written by kdrepro"), "{err}");
    assert_eq!(names(&scratch.0), vec!["notes.txt"]);
}

#[test]
fn leftovers_of_killed_builds_are_removed() {
    let scratch = Scratch::new("stale");
    // No process has pid 4294967295: the build that left this was killed.
    let stale = scratch.0.join(".out.kdrepro-new-4294967295");
    fs::create_dir_all(&stale).unwrap();
    fs::write(stale.join("paper.pdf"), "torn").unwrap();
    write_report(&report("x"), &scratch.0.join("out"), "paper").unwrap();
    assert_eq!(names(&scratch.0), vec!["out"]);
}

#[test]
fn stems_cannot_leave_the_output_directory() {
    for (spec, stem) in [
        ("../../etc/passwd.kd", "passwd"),
        ("..kd", "_"),
        ("..", "report"),
        ("/", "report"),
        ("a b/$(rm -rf).kd", "__rm_-rf_"),
        ("x/..\u{2028}#y.kd", "____y"),
        ("", "report"),
    ] {
        assert_eq!(output_stem(Path::new(spec)), stem, "{spec:?}");
    }
}
