//! Rebuilding (issue 15): `build --explain` names why each experiment ran, and `watch` rebuilds on an edit.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{SMALL, Scratch, kdrepro};

/// `kdrepro build SPEC -o OUT --explain -q` with `extra` arguments in `dir`, which must exit with one of `codes`:
/// the `explain:` lines of stderr.
fn explain_in(dir: &Path, spec: &str, out: &str, extra: &[&str], codes: &[i32]) -> Vec<String> {
    let mut args = vec!["build", spec, "-o", out, "--explain", "-q"];
    args.extend_from_slice(extra);
    let run = kdrepro(dir, &args, &[]);
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(run.status.code().is_some_and(|c| codes.contains(&c)), "{stderr}");
    stderr.lines().filter_map(|l| l.strip_prefix("explain: ")).map(str::to_owned).collect()
}

/// [`explain_in`] for `small.kd` into `out`, every claim holding.
fn explain(dir: &Path, extra: &[&str]) -> Vec<String> {
    explain_in(dir, "small.kd", "out", extra, &[0])
}

#[test]
fn explain_names_the_part_of_the_key_that_changed() {
    let dir = Scratch::new("explain");
    // SMALL's experiment `sweep` reads its eigenvalues from a data file here.
    let values: Vec<String> = (1..=60).map(|i| format!("{}", f64::from(i).powf(-1.5))).collect();
    dir.file("eigenvalues.txt", &values.join("\n"));
    let spec =
        SMALL.replace("spectrum cov = powerlaw(p: 60, alpha: 1.5)", "spectrum cov = list(file(\"eigenvalues.txt\"))");
    assert_ne!(spec, SMALL);
    dir.file("small.kd", &spec);
    assert_eq!(explain(&dir.path, &[]), ["sweep: ran (1 look): never run with this cache before"]);
    assert_eq!(explain(&dir.path, &[]), ["sweep: from the cache (1 look)"]);
    assert_eq!(explain(&dir.path, &["--seed", "9"]), ["sweep: ran (1 look): seed 7 → 9"]);
    assert_eq!(explain(&dir.path, &["--seed", "9", "--trials", "50"]), ["sweep: ran (1 look): trials 300 → 50"]);
    // Prose, labels and other parts of the spec do not change the key.
    dir.file("small.kd", &spec.replace("title \"Small\"", "title \"Smaller\""));
    assert_eq!(explain(&dir.path, &["--seed", "9", "--trials", "50"]), ["sweep: from the cache (1 look)"]);
    dir.file("eigenvalues.txt", &(values.join("\n") + "\n"));
    assert_eq!(
        explain(&dir.path, &["--seed", "9", "--trials", "50"]),
        ["sweep: from the cache (1 look)"],
        "the same numbers in a file with other bytes"
    );
    let mut changed = values.clone();
    changed[59] = "0.001".to_owned();
    dir.file("eigenvalues.txt", &changed.join("\n"));
    let lines = explain(&dir.path, &["--seed", "9", "--trials", "50"]);
    assert!(
        lines.len() == 1 && lines[0].starts_with("sweep: ran (1 look): data file `eigenvalues.txt` changed (blake3 "),
        "{lines:?}"
    );
    assert!(!lines[0].contains("spec text"), "the spec's text did not change: {lines:?}");
    dir.file("small.kd", &spec.replace("noise: 0.01", "noise: 0.02"));
    let lines = explain(&dir.path, &["--seed", "9", "--trials", "50"]);
    assert!(lines.len() == 1 && lines[0].starts_with("sweep: ran (1 look): its spec text changed"), "{lines:?}");
    // An entry removed behind kdrepro's back.
    for entry in std::fs::read_dir(dir.path.join("out/.cache")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::remove_file(path).unwrap();
        }
    }
    assert_eq!(
        explain(&dir.path, &["--seed", "9", "--trials", "50"]),
        ["sweep: ran (1 look): its key is unchanged since the last run, so the entry was missing or damaged"]
    );
}

/// `kdrepro watch small.kd -o out --trials TRIALS` started in `dir`, with its stderr lines as they come.
fn watch(dir: &Path, trials: &str) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kdrepro"))
        .args(["watch", "small.kd", "-o", "out", "--trials", trials])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    (child, lines)
}

/// Sends SIGINT to `child`, as Ctrl-C does.
fn ctrl_c(child: &std::process::Child) {
    rustix::process::kill_process(rustix::process::Pid::from_child(child), rustix::process::Signal::INT).unwrap();
}

/// Waits for a line of `lines` that contains `text`, failing after a minute.
fn wait_for(lines: &mpsc::Receiver<String>, text: &str, seen: &mut Vec<String>) {
    loop {
        let line = lines
            .recv_timeout(Duration::from_mins(1))
            .unwrap_or_else(|e| panic!("no line with {text:?} ({e}); stderr so far:\n{}", seen.join("\n")));
        let found = line.contains(text);
        seen.push(line);
        if found {
            return;
        }
    }
}

#[test]
fn watch_rebuilds_after_an_edit_and_stops_on_ctrl_c() {
    let dir = Scratch::new("watch");
    let spec = dir.file("small.kd", SMALL);
    let (mut child, lines) = watch(&dir.path, "20");
    let mut seen = Vec::new();
    wait_for(&lines, "watch: build 1 finished", &mut seen);
    let first = std::fs::read_to_string(dir.path.join("out/small.results.yaml")).unwrap();
    assert!(first.contains("title: Small"), "{first}");
    // An editor's save: the title changes, and the new report replaces the old one.
    std::fs::write(&spec, SMALL.replace("title \"Small\"", "title \"Edited\"")).unwrap();
    wait_for(&lines, "watch: build 2 finished", &mut seen);
    let second = std::fs::read_to_string(dir.path.join("out/small.results.yaml")).unwrap();
    assert!(second.contains("title: Edited"), "{second}");
    assert!(seen.iter().any(|l| l.contains("small.kd changed, rebuilding")), "{seen:?}");
    // Ctrl-C: SIGINT to the watcher, which stops cleanly (exit 0).
    ctrl_c(&child);
    wait_for(&lines, "watch: stopped", &mut seen);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{seen:?}");
    assert!(!seen.iter().any(|l| l.contains("watch: build 3")), "one edit, one rebuild: {seen:?}");
}

#[test]
fn specs_sharing_a_cache_explain_against_their_own_last_runs() {
    let dir = Scratch::new("explain-shared");
    dir.file("small.kd", SMALL);
    dir.file("other.kd", &SMALL.replace("seed 7", "seed 9").replace("n 10..40 step 10", "n 10..30 step 10"));
    let run = |spec: &str, trials: &str| {
        // 20 trials leave the claim `agree` inconclusive (exit 4): the report is written all the same.
        let args = ["--cache", "shared", "--trials", trials];
        explain_in(&dir.path, spec, &format!("out-{spec}"), &args, &[0, 4])
    };
    assert_eq!(run("small.kd", "20"), ["sweep: ran (1 look): never run with this cache before"]);
    assert_eq!(run("other.kd", "20"), ["sweep: ran (1 look): never run with this cache before"]);
    assert_eq!(run("small.kd", "20"), ["sweep: from the cache (1 look)"]);
    // Helper-found: the record was the other spec's, and the seed and text were blamed.
    assert_eq!(run("small.kd", "21"), ["sweep: ran (1 look): trials 20 → 21"]);
}

#[test]
fn a_cache_that_cannot_be_written_is_named_after_the_run() {
    let dir = Scratch::new("explain-unusable");
    dir.file("small.kd", SMALL);
    dir.file("afile", "not a directory");
    let out =
        kdrepro(&dir.path, &["build", "small.kd", "-o", "out", "--cache", "afile", "--trials", "20", "--explain"], &[]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(matches!(out.status.code(), Some(0 | 4)), "{stderr}");
    assert!(stderr.contains("warning: the result cache afile cannot be written (afile/"), "{stderr}");
    assert!(stderr.contains("): nothing was cached"), "{stderr}");
    // Nothing could be recorded either: the experiment has indeed never run with this cache.
    assert!(stderr.contains("explain: sweep: ran (1 look): never run with this cache before"), "{stderr}");
}

#[test]
fn ctrl_c_during_a_build_kills_it_and_leaves_the_report_unwritten() {
    let dir = Scratch::new("watch-interrupt");
    dir.file("small.kd", SMALL);
    // A build of ten million trials runs for minutes: the signal comes long before it could finish.
    let (mut child, lines) = watch(&dir.path, "10000000");
    let mut seen = Vec::new();
    wait_for(&lines, "worker thread", &mut seen);
    ctrl_c(&child);
    wait_for(&lines, "watch: stopped", &mut seen);
    assert_eq!(child.wait().unwrap().code(), Some(0), "{seen:?}");
    assert!(seen.iter().any(|l| l.starts_with("watch: build 1 stopped after")), "{seen:?}");
    assert!(!dir.path.join("out/small.results.yaml").exists(), "the build was not finished");
}

#[test]
fn watch_rebuilds_when_a_data_file_the_spec_names_is_created() {
    // Helper-found: after a build failed on a missing data file, only the old files were watched, so creating the
    // file did nothing. The spec here reads its eigenvalues from a file in a directory that does not exist yet.
    let dir = Scratch::new("watch-new-file");
    let spec =
        SMALL.replace("spectrum cov = powerlaw(p: 60, alpha: 1.5)", "spectrum cov = list(file(\"data/ev.txt\"))");
    assert_ne!(spec, SMALL);
    dir.file("small.kd", &spec);
    let (mut child, lines) = watch(&dir.path, "20");
    let mut seen = Vec::new();
    wait_for(&lines, "watch: build 1 finished", &mut seen);
    assert!(seen.iter().any(|l| l.contains("the spec has errors")), "{seen:?}");
    std::fs::create_dir(dir.path.join("data")).unwrap();
    let values: Vec<String> = (1..=60).map(|i| format!("{}", f64::from(i).powf(-1.5))).collect();
    std::fs::write(dir.path.join("data/ev.txt"), values.join("\n")).unwrap();
    // The directory's creation may start a build of its own before the file is written: wait for a good one.
    wait_for(&lines, "the report was written", &mut seen);
    assert!(dir.path.join("out/small.results.yaml").exists(), "{seen:?}");
    ctrl_c(&child);
    wait_for(&lines, "watch: stopped", &mut seen);
    assert_eq!(child.wait().unwrap().code(), Some(0), "{seen:?}");
}
