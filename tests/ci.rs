//! `scripts/pr-report.sh` run end to end (issue 15): a temporary git repository with two commits of a small spec,
//! the script building both and writing the PDFs and the pull-request comment.

use std::path::Path;
use std::process::Command;

use crate::support::{SMALL, Scratch};

/// Runs git in `dir` with a fixed identity, asserting success.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "kdrepro")
        .env("GIT_AUTHOR_EMAIL", "kdrepro@example.invalid")
        .env("GIT_COMMITTER_NAME", "kdrepro")
        .env("GIT_COMMITTER_EMAIL", "kdrepro@example.invalid")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Runs the script in `dir` with `args`; exit code, and stderr.
fn pr_report(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pr-report.sh");
    let out = Command::new("bash")
        .arg(script)
        .args(args)
        .current_dir(dir)
        .env("KDREPRO", env!("CARGO_BIN_EXE_kdrepro"))
        .env("OUT", "pr-report")
        .env("KDREPRO_BUILD_ARGS", "--trials 100")
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn pr_report_builds_both_revisions_and_writes_the_comment() {
    let dir = Scratch::new("pr-report");
    let repo = &dir.path;
    git(repo, &["init", "--quiet", "--initial-branch", "main"]);
    std::fs::create_dir(repo.join("specs")).unwrap();
    std::fs::write(repo.join("specs/small.kd"), SMALL).unwrap();
    git(repo, &["add", "specs/small.kd"]);
    git(repo, &["commit", "--quiet", "-m", "a small spec"]);
    // The pull request: the label noise of the task rises tenfold.
    let noisier = SMALL.replace("noise: 0.01", "noise: 0.1");
    assert_ne!(noisier, SMALL);
    std::fs::write(repo.join("specs/small.kd"), noisier).unwrap();
    git(repo, &["commit", "--quiet", "-am", "more label noise"]);

    let (code, stderr) = pr_report(repo, &["HEAD~1", "HEAD", "specs/small.kd"]);
    assert_eq!(code, Some(0), "{stderr}");
    let out = repo.join("pr-report");
    for pdf in ["base.pdf", "head.pdf"] {
        assert!(std::fs::read(out.join(pdf)).unwrap().starts_with(b"%PDF-"), "{pdf}");
    }
    let comment = std::fs::read_to_string(out.join("diff.md")).unwrap();
    assert!(comment.starts_with("### kdrepro diff: changed: "), "{comment}");
    assert!(comment.contains("theory of 2 series"), "both surrogates' theory moves with the noise: {comment}");
    // The comment names the builds as `base` and `head`, not by the runner's temporary paths.
    assert!(
        comment.contains("base/small.results.yaml (seed 7") && !comment.contains(repo.to_str().unwrap()),
        "{comment}"
    );
    // The worktrees are gone, and the work tree was not touched.
    let worktrees = Command::new("git").args(["worktree", "list"]).current_dir(repo).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&worktrees.stdout).lines().count(), 1);
    let status = Command::new("git").args(["status", "--porcelain"]).current_dir(repo).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "?? pr-report/\n");

    // A second run reuses the shared cache: nothing is simulated again.
    let (code, stderr) = pr_report(repo, &["HEAD~1", "HEAD", "specs/small.kd"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr.matches("ran theory and 0 trials").count(), 2, "{stderr}");

    // Run from a subdirectory, a spec path relative to it is taken as the same file (helper-found: it was "missing").
    let (code, stderr) = pr_report(&repo.join("specs"), &["HEAD~1", "HEAD", "small.kd"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(std::fs::read_to_string(repo.join("specs/pr-report/diff.md")).unwrap().contains("theory of 2 series"));
    std::fs::remove_dir_all(repo.join("specs/pr-report")).unwrap();

    // A spec new in the pull request has no base to compare with; a head that does not build is exit 1.
    let (code, stderr) = pr_report(repo, &["HEAD", "HEAD", "specs/missing.kd"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(std::fs::read_to_string(out.join("diff.md")).unwrap().contains("The spec is not in this revision"));
    std::fs::write(repo.join("specs/new.kd"), SMALL).unwrap();
    git(repo, &["add", "specs/new.kd"]);
    git(repo, &["commit", "--quiet", "-m", "a new spec"]);
    let (code, stderr) = pr_report(repo, &["HEAD~1", "HEAD", "specs/new.kd"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(std::fs::read_to_string(out.join("diff.md")).unwrap().contains("The spec is new in this pull request."));
    // Helper-found: a relative KDREPRO was run from inside the worktrees, where it does not exist.
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kdrepro"), repo.join("kd")).unwrap();
    let relative = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pr-report.sh"))
        .args(["HEAD~2", "HEAD~1", "specs/small.kd"])
        .current_dir(repo)
        .env("KDREPRO", "./kd")
        .env("OUT", "pr-relative")
        .env("KDREPRO_BUILD_ARGS", "--trials 100")
        .output()
        .unwrap();
    assert_eq!(relative.status.code(), Some(0), "{}", String::from_utf8_lossy(&relative.stderr));
    let (code, stderr) = pr_report(repo, &["nonsense", "HEAD"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("error: nonsense: not a revision"), "{stderr}");
}
