//! Running the binary (`assert_cmd`) in a scratch directory (`tempfile`).

#![cfg_attr(not(feature = "report"), allow(dead_code, reason = "the check-only tests use part of the support"))]

use std::path::{Path, PathBuf};
use std::process::Output;

/// A small spec with every kind of item: theory and simulation, a figure, both claim kinds.
pub(crate) const SMALL: &str = concat!(
    "title \"Small\"\n",
    include_str!("fixtures/specs/sweep.kd"),
    r#"figure plot { show sweep caption "Risk against n" }
claim agree "Theory matches simulation within 20%" { agree sweep tolerance relative(0.2) }
claim wins "The optimal surrogate wins" { holds sweep.best < sweep.truth }
"#
);

/// A scratch directory, removed on drop.
pub(crate) struct Scratch {
    /// Its path.
    pub(crate) path: PathBuf,
    /// The directory itself, removed when dropped.
    _dir: tempfile::TempDir,
}

impl Scratch {
    /// A fresh, empty directory named after the test.
    pub(crate) fn new(name: &str) -> Self {
        let dir = tempfile::Builder::new().prefix(&format!("kdrepro-test-{name}-")).tempdir().unwrap();
        Self { path: dir.path().to_path_buf(), _dir: dir }
    }

    /// Writes `contents` to `name` inside and returns the path.
    pub(crate) fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

/// The `kdrepro` binary as a command, run in `dir`, with no colour or progress environment inherited.
pub(crate) fn command(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("kdrepro");
    command.current_dir(dir).env_remove("NO_COLOR").env_remove("KDREPRO_FONT_PATHS");
    command
}

/// Runs `kdrepro` with `args` in `dir`, with extra environment variables.
pub(crate) fn kdrepro(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(dir).args(args).envs(env.iter().copied()).output().unwrap()
}

/// The repository's `specs/` directory.
pub(crate) fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")
}

/// Whether `stderr` holds a diagnostic whose title line starts with `title` (`error: ...`) and whose location line
/// (` --> PATH:LINE:COL`) ends with `at` (`spec.kd:7:12`).
pub(crate) fn located(stderr: &str, at: &str, title: &str) -> bool {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.windows(2).any(|pair| {
        pair[0].starts_with(title) && pair[1].trim_start().starts_with("--> ") && pair[1].ends_with(&format!("/{at}"))
            || pair[0].starts_with(title) && pair[1].trim_start() == format!("--> {at}")
    })
}
