//! `kdrepro build --shard K/N` and `kdrepro merge`: a run split across the machines of a cluster engine (SLURM job
//! arrays, Kubernetes Indexed Jobs, GNU parallel) and merged into the report a single build writes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use kdrepro::{MAX_SHARDS, Overrides, Plan, RunOptions, ShardFile, ShardId, ShardSet};

use crate::cli::Failure;
use crate::cli::args::{MergeArgs, RunArgs};
use crate::cli::build::{Publication, evaluation_failure, load_fonts, spec_file, worker_pool};
use crate::cli::console::{Console, display};
use crate::cli::progress::Progress;
use crate::{load, warn};

/// `--shard`: which shard, given or read from a cluster engine's environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShardArg {
    /// `K/N`.
    Given(ShardId),
    /// `auto` (SLURM: K and N from the environment) or `auto/N` (K from the environment).
    Auto(Option<usize>),
}

impl FromStr for ShardArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let count = |n: &str| match n.parse::<usize>() {
            Ok(n) if (1..=MAX_SHARDS).contains(&n) => Ok(n),
            _ => Err(format!("`{n}` is not a shard count (a whole number from 1 to {MAX_SHARDS})")),
        };
        match text.split_once('/') {
            None if text == "auto" => Ok(Self::Auto(None)),
            Some(("auto", n)) => Ok(Self::Auto(Some(count(n)?))),
            Some((k, n)) => {
                let index = k.parse::<usize>().map_err(|_| format!("`{k}` is not a shard index (0, 1, …)"))?;
                let count = count(n)?;
                if index >= count {
                    return Err(format!(
                        "shard {index} of {count} does not exist: shards are numbered 0 to {}",
                        count - 1
                    ));
                }
                Ok(Self::Given(ShardId { index, count }))
            }
            None => Err("expected K/N (shard K of N, K from 0), `auto` (SLURM) or `auto/N` (Kubernetes)".to_owned()),
        }
    }
}

impl fmt::Display for ShardArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Given(id) => write!(f, "{}/{}", id.index, id.count),
            Self::Auto(None) => write!(f, "auto"),
            Self::Auto(Some(n)) => write!(f, "auto/{n}"),
        }
    }
}

impl ShardArg {
    /// The shard, reading the environment for `auto`.
    ///
    /// # Errors
    /// Why the environment does not name a shard, in words.
    pub(crate) fn resolve(self) -> Result<ShardId, String> {
        self.resolve_in(|name| std::env::var(name).ok())
    }

    /// The shard, reading the variables `var` gives for `auto`: SLURM_ARRAY_TASK_ID (less SLURM_ARRAY_TASK_MIN,
    /// over SLURM_ARRAY_TASK_STEP) and SLURM_ARRAY_TASK_COUNT, or Kubernetes' JOB_COMPLETION_INDEX with the count
    /// given.
    fn resolve_in(self, var: impl Fn(&str) -> Option<String>) -> Result<ShardId, String> {
        let given = match self {
            Self::Given(id) => return Ok(id),
            Self::Auto(count) => count,
        };
        let number =
            |name: &str| -> Result<Option<usize>, String> { var(name).map(|v| index_value(name, &v)).transpose() };
        let (index, count) = if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
            if step == 0 {
                return Err("SLURM_ARRAY_TASK_STEP=0: an array's step is at least 1".to_owned());
            }
            let offset = id.checked_sub(min).filter(|o| o % step == 0).ok_or_else(|| {
                format!("SLURM_ARRAY_TASK_ID={id} is not SLURM_ARRAY_TASK_MIN={min} plus a multiple of the step {step}")
            })?;
            let count = match (number("SLURM_ARRAY_TASK_COUNT")?, given) {
                (Some(env), Some(n)) if env != n => {
                    return Err(format!("SLURM_ARRAY_TASK_COUNT={env}, but the command line says {n} shards"));
                }
                (Some(n), _) | (None, Some(n)) => n,
                (None, None) => return Err("SLURM_ARRAY_TASK_COUNT is not set: give the count, --shard auto/N".into()),
            };
            (offset / step, count)
        } else if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count =
                given.ok_or("Kubernetes does not give the shard count: use --shard auto/N, N = `completions`")?;
            (index, count)
        } else {
            return Err("neither SLURM_ARRAY_TASK_ID (a SLURM job array) nor JOB_COMPLETION_INDEX (a Kubernetes \
                        Indexed Job) is set: give the shard as K/N"
                .to_owned());
        };
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("{count} shards: the count is a whole number from 1 to {MAX_SHARDS}"));
        }
        if index >= count {
            return Err(format!("shard index {index} is not below the shard count {count}"));
        }
        Ok(ShardId { index, count })
    }
}

/// The value of the environment variable `name`, an index or count: a whole number from 0.
fn index_value(name: &str, value: &str) -> Result<usize, String> {
    let text = value.trim();
    if text.is_empty() {
        return Err(format!("{name} is set but empty"));
    }
    text.parse::<usize>().map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow => format!("{name}={text} is too large"),
        _ if text.starts_with('-') => format!("{name}={text} is negative: indices and counts start at 0"),
        _ => format!("{name}={text} is not a whole number"),
    })
}

/// `kdrepro build --shard`: runs shard `id` of `plan` (of the spec text `source`, run with `overrides`) and adds its
/// file to the output directory.
pub(crate) fn build_shard(
    args: &RunArgs,
    (plan, source, overrides): (&Plan<'_>, &str, Overrides),
    id: ShardId,
    pool: &rayon::ThreadPool,
    console: Console,
) -> Result<(), Failure> {
    let path = args.spec.as_path();
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("shards"));
    // Before any work: a shard that cannot be written fails now, not after hours on a cluster node.
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::Runtime(format!("{}: the output path exists and is not a directory", display(&dir))));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Failure::Runtime(format!("cannot create {}: {e}", display(&dir))))?;
    tempfile::tempfile_in(&dir)
        .map_err(|e| Failure::Runtime(format!("{}: cannot write the shard file here: {e}", display(&dir))))?;
    let (trials, flops) = plan.shard_work(id);
    let progress = Progress::new(plan, (trials, flops), console.quiet);
    let tick = |tick: kdrepro::Tick| progress.tick(tick);
    let options = RunOptions { progress: Some(&tick), ..RunOptions::default() };
    let started = Instant::now();
    let work = pool.install(|| kdrepro::run_shard(plan, id, &options)).map_err(|errors| {
        progress.finish();
        evaluation_failure(&errors, path, source, console)
    })?;
    progress.finish();
    console.info(format_args!(
        "shard {} of {}: ran {trials} trials in {:.2} s",
        id.index,
        id.count,
        started.elapsed().as_secs_f64()
    ));
    let file = ShardFile::new(plan, &spec_file(path), source, overrides, id, work);
    let target = file
        .write(&dir, &kdrepro::output_stem(path))
        .map_err(|e| Failure::Runtime(format!("cannot write a shard file into {}: {e}", display(&dir))))?;
    console.info(format_args!("wrote {}", display(&target)));
    Ok(())
}

/// `kdrepro merge`: checks the shard files, runs the theory, reads the simulated work from the shards, then judges
/// and writes the report as `build` does.
pub(crate) fn merge(args: &MergeArgs, console: Console) -> Result<(), Failure> {
    let path = args.spec.as_path();
    let fonts = load_fonts(&args.fonts)?;
    let (spec, source, warnings) = load(path, &fonts, console)?;
    let mut files = Vec::new();
    for shard in shard_paths(&args.shards, &kdrepro::output_stem(path))? {
        let file = ShardFile::read(&shard).map_err(|e| refuse(&e))?;
        files.push((shard, file));
    }
    let set = ShardSet::new(files, &source).map_err(|e| refuse(&e))?;
    for other in set.other_executables() {
        eprintln!(
            "warning: {} was written by another kdrepro executable of the same version: its numbers are those of \
             the same code unless that executable was compiled differently",
            display(other)
        );
    }
    let plan = Plan::new(&spec, set.overrides());
    let mut warnings = warnings;
    warnings.extend(plan.warnings());
    warn(path, &source, warnings, console);
    kdrepro::check_output(&args.out).map_err(|e| Failure::Runtime(e.to_string()))?;
    let merged = set.merged(&plan).map_err(|e| refuse(&e))?;
    let pool = worker_pool(args.jobs, console)?;
    let decided = |partial: &kdrepro::Results, running: usize| kdrepro::decided(&plan, partial, running);
    let options = RunOptions { decided: Some(&decided), merged: Some(&merged), ..RunOptions::default() };
    let started = Instant::now();
    let results = pool
        .install(|| kdrepro::run(&plan, &options))
        .map_err(|errors| evaluation_failure(&errors, path, &source, console))?;
    console.info(format_args!("merged and ran the theory in {:.2} s", started.elapsed().as_secs_f64()));
    let report = Publication {
        path,
        out: &args.out,
        source: &source,
        fonts: &fonts,
        threads: None,
        format: args.format,
        console,
    };
    report.publish(&plan, &results)
}

/// A refused set of shards (exit 2), its reason printed.
fn refuse(error: &kdrepro::ShardError) -> Failure {
    eprintln!("error: {error}");
    Failure::Spec
}

/// The shard files named, each directory replaced by the shard files of the spec `stem` directly inside it
/// (`<stem>.shard-*.json`, sorted; other specs' shards sharing the directory are not theirs), each file once however
/// often or by whichever path it is named.
fn shard_paths(given: &[PathBuf], stem: &str) -> Result<Vec<PathBuf>, Failure> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut add = |path: PathBuf, paths: &mut Vec<PathBuf>| {
        // A file that cannot be resolved is kept: reading it says why.
        if seen.insert(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone())) {
            paths.push(path);
        }
    };
    for path in given {
        if !path.is_dir() {
            add(path.clone(), &mut paths);
            continue;
        }
        let entries =
            std::fs::read_dir(path).map_err(|e| Failure::Runtime(format!("cannot read {}: {e}", display(path))))?;
        let prefix = format!("{stem}.shard-");
        let mut inside: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| is_shard_name(&n.to_string_lossy(), &prefix)))
            .collect();
        if inside.is_empty() {
            eprintln!("error: {}: no shard files of {stem} (`{prefix}K-of-N.json`) in this directory", display(path));
            return Err(Failure::Spec);
        }
        inside.sort();
        for file in inside {
            add(file, &mut paths);
        }
    }
    Ok(paths)
}

/// Whether a file name is that of a shard file of one spec, `<prefix>K-of-N.json` (`prefix` = `<stem>.shard-`).
fn is_shard_name(name: &str, prefix: &str) -> bool {
    name.starts_with(prefix) && Path::new(name).extension().is_some_and(|x| x.eq_ignore_ascii_case("json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_arguments_parse_and_bad_ones_are_explained() {
        assert_eq!("2/7".parse(), Ok(ShardArg::Given(ShardId { index: 2, count: 7 })));
        assert_eq!("auto".parse(), Ok(ShardArg::Auto(None)));
        assert_eq!("auto/4".parse(), Ok(ShardArg::Auto(Some(4))));
        for (bad, why) in [
            ("7/7", "numbered 0 to 6"),
            ("1/0", "not a shard count"),
            ("0/100001", "from 1 to 100000"),
            ("x/3", "not a shard index"),
            ("3", "expected K/N"),
            ("auto/0", "not a shard count"),
        ] {
            let error = bad.parse::<ShardArg>().unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes_indices() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let id = |index, count| Ok(ShardId { index, count });
        let slurm = env(&[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "3")]);
        assert_eq!(ShardArg::Auto(None).resolve_in(slurm), id(2, 3));
        assert_eq!(ShardArg::Auto(Some(3)).resolve_in(slurm), id(2, 3));
        assert!(ShardArg::Auto(Some(4)).resolve_in(slurm).unwrap_err().contains("SLURM_ARRAY_TASK_COUNT=3"));
        // `--array=10-18:4`: tasks 10, 14, 18 are shards 0, 1, 2.
        let stepped = env(&[
            ("SLURM_ARRAY_TASK_ID", "14"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_STEP", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        assert_eq!(ShardArg::Auto(None).resolve_in(stepped), id(1, 3));
        let kubernetes = env(&[("JOB_COMPLETION_INDEX", "4")]);
        assert_eq!(ShardArg::Auto(Some(5)).resolve_in(kubernetes), id(4, 5));
        assert!(ShardArg::Auto(None).resolve_in(kubernetes).unwrap_err().contains("auto/N"));
        assert!(ShardArg::Auto(Some(4)).resolve_in(kubernetes).unwrap_err().contains("not below"));
        assert!(ShardArg::Auto(None).resolve_in(env(&[])).unwrap_err().contains("give the shard as K/N"));
        for (value, why) in [
            ("four", "JOB_COMPLETION_INDEX=four is not a whole number"),
            ("-1", "is negative"),
            (" ", "is set but empty"),
            ("99999999999999999999999", "is too large"),
        ] {
            let odd = move |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| value.to_owned());
            assert!(ShardArg::Auto(Some(5)).resolve_in(odd).unwrap_err().contains(why), "{value:?}");
        }
        let no_step =
            env(&[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_STEP", "0"), ("SLURM_ARRAY_TASK_COUNT", "3")]);
        assert!(ShardArg::Auto(None).resolve_in(no_step).unwrap_err().contains("step is at least 1"));
        let huge = env(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "18446744073709551615")]);
        assert!(ShardArg::Auto(None).resolve_in(huge).unwrap_err().contains("from 1 to 100000"));
        // Given explicitly, the environment is not read.
        assert_eq!(ShardArg::Given(ShardId { index: 0, count: 2 }).resolve_in(slurm), id(0, 2));
    }
}
