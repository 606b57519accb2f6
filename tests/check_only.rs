//! The build without the `report` feature (`cargo test --release --no-default-features`): `check` and `fmt`
//! work and say what they could not check; `build` and `typst` do not exist. Empty in the default build.

#![cfg(not(feature = "report"))]

mod support;

use support::{Scratch, kdrepro, specs};

#[test]
fn check_plans_the_paper_and_says_what_it_did_not_check() {
    let dir = Scratch::new("check-only");
    let paper = specs().join("paper.kd");
    let out = kdrepro(&dir.path, &["check", paper.to_str().unwrap()], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("claims (48):"));
    assert!(stderr.contains("note: kdrepro was built without the `report` feature"), "{stderr}");
    // The note is what was not checked; it is printed with -q too.
    let quiet = kdrepro(&dir.path, &["check", paper.to_str().unwrap(), "-q"], &[]);
    assert!(String::from_utf8_lossy(&quiet.stderr).contains("not typeset"));
}

#[test]
fn the_checks_that_need_no_typesetting_still_refuse() {
    let dir = Scratch::new("check-only-refuse");
    // A misnamed value in prose and mathematics with code are refused without Typst's compiler.
    dir.file("prose.kd", "title \"x\"\ntext \"\"\"{{ nowhere.truth[1].mean }}\"\"\"\n");
    dir.file("code.kd", "title \"$#read(\\\"/etc/passwd\\\")$\"\n");
    for spec in ["prose.kd", "code.kd"] {
        let out = kdrepro(&dir.path, &["check", spec], &[]);
        assert_eq!(out.status.code(), Some(2), "{spec}: {}", String::from_utf8_lossy(&out.stderr));
    }
    dir.file("messy.kd", "seed   1\n");
    let out = kdrepro(&dir.path, &["fmt", "--check", "messy.kd"], &[]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn build_and_typst_are_not_commands_here() {
    let dir = Scratch::new("check-only-commands");
    for command in ["build", "typst"] {
        let out = kdrepro(&dir.path, &[command, "x"], &[]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("built without the `report` feature"), "{command}: {stderr}");
    }
}
