//! `kdrepro fmt`: printing, checking and rewriting specs in canonical layout.

use std::path::{Path, PathBuf};

use crate::support::{Scratch, kdrepro, located, specs};

/// Every `.kd` file under `dir`.
fn kd_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(kd_files(&path));
        } else if path.extension().is_some_and(|e| e == "kd") {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_committed_spec_is_canonical() {
    let files = kd_files(&specs());
    assert!(files.len() >= 2, "{files:?}");
    let mut args = vec!["fmt", "--check"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let out = kdrepro(&specs(), &args, &[]);
    assert_eq!(out.status.code(), Some(0), "not canonical:\n{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty());
}

#[test]
fn fmt_prints_the_canonical_form_and_keeps_comments() {
    let dir = Scratch::new("fmt-print");
    let source =
        "seed 1 // why\ntitle \"T\"\nspectrum c=powerlaw(alpha:2.0,p:5)\nfigure f { caption \"x\" // c\n show e }";
    let spec = dir.file("a.kd", source);
    let out = kdrepro(&dir.path, &["fmt", spec.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0));
    let expected = "seed  1 // why\ntitle \"T\"\nspectrum c = powerlaw(p: 5, alpha: 2.0)\n\
                    figure f {\n  show    e\n  caption \"x\" // c\n}\n";
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), source);
}

#[test]
fn check_shows_a_diff_and_exits_one_and_write_fixes_the_file() {
    let dir = Scratch::new("fmt-check");
    let spec = dir.file("b.kd", "title \"T\"\nseed 1\n");
    let path = spec.to_str().unwrap();
    let out = kdrepro(&dir.path, &["fmt", "--check", path], &[]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("@@ -1,2 +1,2 @@\n title \"T\"\n-seed 1\n+seed  1\n"), "{diff}");
    let out = kdrepro(&dir.path, &["fmt", "--write", path], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), "title \"T\"\nseed  1\n");
    let out = kdrepro(&dir.path, &["fmt", "--check", path], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn syntax_errors_exit_two_and_missing_files_three() {
    let dir = Scratch::new("fmt-errors");
    let bad = dir.file("bad.kd", "seed (\n");
    let out = kdrepro(&dir.path, &["fmt", bad.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(located(&String::from_utf8_lossy(&out.stderr), "bad.kd:1:6", "error:"));
    assert_eq!(kdrepro(&dir.path, &["fmt", "nowhere.kd"], &[]).status.code(), Some(3));
    assert_eq!(kdrepro(&dir.path, &["fmt", "--check", "--write", bad.to_str().unwrap()], &[]).status.code(), Some(2));
}

#[test]
fn issue_11_a_byte_order_mark_and_crlf_endings_are_read_as_users_write_them() {
    let dir = Scratch::new("bom-crlf");
    // A byte-order mark is invisible in editors: the spec is read after it.
    let bom = dir.file("bom.kd", "\u{feff}title \"bom\"\nseed  1\n");
    let out = kdrepro(&dir.path, &["check", bom.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // CRLF endings are not formatting: a canonical CRLF file passes `--check`; `--write` keeps CRLF and the mark.
    let canonical = dir.file("crlf.kd", "\u{feff}title \"crlf\"\r\nseed  1\r\n");
    let out = kdrepro(&dir.path, &["fmt", "--check", canonical.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let loose = dir.file("loose.kd", "title \"crlf\"\r\nseed 1\r\n");
    let out = kdrepro(&dir.path, &["fmt", "--write", loose.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&loose).unwrap(), "title \"crlf\"\r\nseed  1\r\n");
}
