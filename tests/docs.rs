//! Every ```kd example of README.md and docs/language.md is checked with the binary.
//!
//! - ```` ```kd ```` marks a complete spec: `kdrepro check` must accept it (warnings allowed).
//! - ```` ```kd GROUP ```` (e.g. `kd fragment`, `kd tutorial`) marks a piece of a larger spec: each piece must
//!   parse on its own (`kdrepro fmt`), and the pieces of one group, joined in file order, must form a spec that
//!   `kdrepro check` accepts. The groups of each file are documented at the top of docs/language.md.
//!
//! Examples run beside a copy of `tests/fixtures/data/`, as `data/`, for the `file("data/...")` examples.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{Scratch, kdrepro};

/// The ```kd blocks of `text`: (info string after `kd`, body).
fn kd_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) if info == "kd" || info.starts_with("kd ") => {
                current = Some((info["kd".len()..].trim().to_owned(), String::new()));
            }
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "an unclosed ```kd block");
    blocks
}

/// Runs `kdrepro ARGS FILE` on `spec` and asserts exit code 0.
fn accepts(dir: &Scratch, command: &str, what: &str, spec: &str) {
    dir.file("example.kd", spec);
    let out = kdrepro(&dir.path, &[command, "example.kd"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "`kdrepro {command}` refuses {what}:\n{spec}\n{stderr}");
}

/// Checks every example of one documentation file; returns how many blocks it has.
fn check_file(name: &str) -> usize {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let blocks = kd_blocks(&std::fs::read_to_string(&path).unwrap());
    let dir = Scratch::new(&format!("docs-{}", name.replace('/', "-")));
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data");
    std::fs::create_dir(dir.path.join("data")).unwrap();
    for file in std::fs::read_dir(&data).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), dir.path.join("data").join(file.file_name())).unwrap();
    }
    let mut groups: BTreeMap<&str, String> = BTreeMap::new();
    for (i, (group, body)) in blocks.iter().enumerate() {
        if group.is_empty() {
            accepts(&dir, "check", &format!("example {} of {name}", i + 1), body);
        } else {
            accepts(&dir, "fmt", &format!("example {} of {name} ({group})", i + 1), body);
            groups.entry(group).or_default().push_str(body);
        }
    }
    for (group, spec) in &groups {
        accepts(&dir, "check", &format!("the `kd {group}` examples of {name} joined"), spec);
    }
    blocks.len()
}

#[test]
fn every_example_of_the_language_reference_checks() {
    assert!(check_file("docs/language.md") >= 10);
}

#[test]
fn every_example_of_the_readme_checks() {
    assert!(check_file("README.md") >= 1);
}

#[test]
fn blocks_are_extracted_with_their_group() {
    let text = "x\n```kd\na\n```\n```text\nno\n```\n```kd fragment\nb\nc\n```\n";
    assert_eq!(kd_blocks(text), [(String::new(), "a\n".to_owned()), ("fragment".to_owned(), "b\nc\n".to_owned())]);
}
