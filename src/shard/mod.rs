//! Stage 4b, shard files: what `build --shard K/N` writes ([`ShardFile`]) and what `merge` reads back, checked to
//! be one complete run ([`ShardSet`]) before its work is merged ([`MergedWork`]).
//!
//! A shard file is JSON: its identity (format version, kdrepro version and executable, spec hash, plan
//! fingerprint, seed, overrides, shard K of N), then its pieces of work, each with the exact sums of its points'
//! trials. It grows with the points and looks a shard simulates, not with its trials.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::VERSION;
use crate::engine::{MergedWork, ShardWork};
use crate::plan::{Overrides, Plan, ShardId};
use crate::report::spec_hash;

/// What a shard file's `format` field says.
const FORMAT: &str = "kdrepro-shard";

/// The version of the shard file format. Raise it when a field changes meaning or goes away.
pub const SHARD_FORMAT: u32 = 1;

/// One shard's file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile {
    /// Always `kdrepro-shard`.
    format: String,
    /// [`SHARD_FORMAT`].
    format_version: u32,
    /// The kdrepro that ran it: version and commit.
    kdrepro: String,
    /// blake3 of its executable, hex: another executable of the same version only warns.
    executable: String,
    /// The spec's file name.
    spec_file: String,
    /// blake3 of the spec's text, hex.
    spec_hash: String,
    /// [`Plan::fingerprint`]: the resolved experiments with their data files' values, the seed and the draft.
    plan: String,
    /// The seed the run used.
    seed: u64,
    /// `--seed`, if given.
    seed_override: Option<u64>,
    /// `--trials`, if given.
    trials_override: Option<usize>,
    /// Which shard.
    shard: ShardId,
    /// The data files the spec's experiments read, path → blake3 of their bytes, to name the one that changed.
    data_files: BTreeMap<String, String>,
    /// blake3 of `work` as written (its JSON), hex: an edited or corrupted file is refused, not merged.
    checksum: String,
    /// What it simulated.
    work: ShardWork,
}

/// The most shards a run may be cut into: beyond it a shard count is a mistake (a SLURM array is at most a few
/// thousand tasks, a Kubernetes Indexed Job at most 100 000 completions), and the merge's checks would allocate
/// for every index.
pub const MAX_SHARDS: usize = 100_000;

impl ShardFile {
    /// The file of shard `id` of `plan` (run from the spec `spec_file` with text `source` and the command line's
    /// `overrides`), holding `work`.
    pub fn new(
        plan: &Plan<'_>,
        spec_file: &str,
        source: &str,
        overrides: Overrides,
        id: ShardId,
        work: ShardWork,
    ) -> Self {
        Self {
            format: FORMAT.to_owned(),
            format_version: SHARD_FORMAT,
            kdrepro: VERSION.to_owned(),
            executable: crate::engine::executable_hex(),
            spec_file: spec_file.to_owned(),
            spec_hash: spec_hash(source),
            plan: plan.fingerprint(),
            seed: plan.seed(),
            seed_override: overrides.seed,
            trials_override: overrides.trials,
            shard: id,
            data_files: data_files(plan),
            checksum: checksum(&work),
            work,
        }
    }

    /// Writes the file into `dir` as `<stem>.shard-K-of-N.json`, K padded to the width of N − 1 so that names sort
    /// by index, atomically (shards of an array writing into one directory never see each other's half-written
    /// files); returns its path.
    ///
    /// # Errors
    /// The I/O error of writing it.
    ///
    /// # Panics
    /// Never: its fields are strings, numbers and lists, which serialise.
    pub fn write(&self, dir: &Path, stem: &str) -> std::io::Result<PathBuf> {
        let width = (self.shard.count - 1).to_string().len();
        let path = dir.join(format!("{stem}.shard-{:0width$}-of-{}.json", self.shard.index, self.shard.count));
        let json = serde_json::to_string(self).expect("a shard file serialises");
        crate::engine::write_atomically(&path, json.as_bytes())?;
        Ok(path)
    }

    /// Its `--seed` and `--trials`, as given: `--seed 9 --trials 40`, or `none`.
    fn overrides_words(&self) -> String {
        let seed = self.seed_override.map(|s| format!("--seed {s}"));
        let trials = self.trials_override.map(|t| format!("--trials {t}"));
        let words: Vec<String> = seed.into_iter().chain(trials).collect();
        if words.is_empty() { "none".to_owned() } else { words.join(" ") }
    }

    /// Reads a shard file.
    ///
    /// # Errors
    /// [`ShardError::Read`] when it cannot be read, is not a shard file or has another format version.
    pub fn read(path: &Path) -> Result<Self, ShardError> {
        let fail = |why: String| ShardError::Read { path: path.to_path_buf(), why };
        let metadata = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        if !metadata.is_file() {
            return Err(fail("not a regular file".to_owned()));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| fail("not a shard file (not UTF-8 text)".to_owned()))?;
        let header: Header = serde_json::from_str(&text)
            .map_err(|e| fail(format!("not a shard file, or a truncated or damaged one ({e})")))?;
        match (header.format.as_deref(), header.format_version) {
            (Some(FORMAT), Some(SHARD_FORMAT)) => {}
            (Some(FORMAT), Some(v)) => {
                return Err(fail(format!("shard format {v}, but this kdrepro reads format {SHARD_FORMAT}")));
            }
            _ => return Err(fail("not a shard file (no `format: kdrepro-shard`)".to_owned())),
        }
        let file: Self = serde_json::from_str(&text).map_err(|e| fail(format!("damaged shard file: {e}")))?;
        if checksum(&file.work) != file.checksum {
            return Err(fail("damaged shard file: its work does not match its checksum (edited or corrupted)".into()));
        }
        if file.shard.count > MAX_SHARDS || file.shard.index >= file.shard.count {
            let shard = format!("shard {} of {}", file.shard.index, file.shard.count);
            return Err(fail(format!("damaged shard file: {shard} (at most {MAX_SHARDS} shards, numbered from 0)")));
        }
        Ok(file)
    }
}

/// blake3 of a shard's work as its file writes it (JSON), hex.
fn checksum(work: &ShardWork) -> String {
    blake3::hash(serde_json::to_string(work).expect("a shard's work serialises").as_bytes()).to_hex().to_string()
}

/// The first fields of a shard file, read before the rest so that a file of another format version is named as
/// such rather than as damaged.
#[derive(Deserialize)]
struct Header {
    /// `kdrepro-shard`, if it is one.
    format: Option<String>,
    /// Its format version.
    format_version: Option<u32>,
}

/// Shard files checked to be one complete run of one spec: the same kdrepro version, spec, plan, seed and
/// overrides, shard count N, and every index 0..N exactly once.
#[derive(Debug)]
pub struct ShardSet {
    /// The files, by shard index.
    files: Vec<(PathBuf, ShardFile)>,
}

impl ShardSet {
    /// Checks `files` against each other and against the spec text `source` the merge reads.
    ///
    /// # Errors
    /// The first problem found, naming the files: none given, another kdrepro version, another spec, another seed
    /// or overrides, another shard count, a shard given twice, shards missing.
    pub fn new(mut files: Vec<(PathBuf, ShardFile)>, source: &str) -> Result<Self, ShardError> {
        let Some((first_path, first)) = files.first() else { return Err(ShardError::None) };
        let hash = spec_hash(source);
        for (path, file) in &files {
            let mismatch = |what: &str, this: String, that: String, other: &Path| ShardError::Mismatch {
                path: path.clone(),
                what: what.to_owned(),
                this,
                that,
                other: other.to_path_buf(),
            };
            if file.kdrepro != VERSION {
                return Err(mismatch(
                    "kdrepro version",
                    file.kdrepro.clone(),
                    VERSION.to_owned(),
                    Path::new("this kdrepro"),
                ));
            }
            if file.spec_hash != hash {
                return Err(ShardError::ForeignSpec { path: path.clone(), spec_file: file.spec_file.clone() });
            }
            if file.seed != first.seed {
                return Err(mismatch("seed", file.seed.to_string(), first.seed.to_string(), first_path));
            }
            if (file.seed_override, file.trials_override) != (first.seed_override, first.trials_override) {
                return Err(mismatch(
                    "command-line overrides",
                    file.overrides_words(),
                    first.overrides_words(),
                    first_path,
                ));
            }
            if file.plan != first.plan {
                let why = format!(
                    "it was planned from other experiments than {}: {}",
                    first_path.display(),
                    changed_data(&first.data_files, &file.data_files)
                );
                return Err(ShardError::Plan { path: path.clone(), why });
            }
            if file.shard.count != first.shard.count {
                let count = |f: &ShardFile| format!("shard {} of {}", f.shard.index, f.shard.count);
                return Err(mismatch("shard count", count(file), count(first), first_path));
            }
        }
        let count = first.shard.count;
        files.sort_by_key(|(_, f)| f.shard.index);
        if let Some(pair) = files.windows(2).find(|w| w[0].1.shard.index == w[1].1.shard.index) {
            return Err(ShardError::Duplicate {
                index: pair[0].1.shard,
                paths: [pair[0].0.clone(), pair[1].0.clone()],
            });
        }
        let present: std::collections::BTreeSet<usize> = files.iter().map(|(_, f)| f.shard.index).collect();
        let missing: Vec<usize> = (0..count).filter(|k| !present.contains(k)).collect();
        if !missing.is_empty() {
            return Err(ShardError::Missing { missing, count });
        }
        Ok(Self { files })
    }

    /// The command line's overrides the shards were run with: the merge plans with the same.
    pub fn overrides(&self) -> Overrides {
        let first = &self.files[0].1;
        Overrides { seed: first.seed_override, trials: first.trials_override }
    }

    /// Shards written by another kdrepro executable of the same version, for a warning: its numbers are those of
    /// the same code, unless the build differs (another compiler or target).
    pub fn other_executables(&self) -> Vec<&Path> {
        let this = crate::engine::executable_hex();
        self.files.iter().filter(|(_, f)| f.executable != this).map(|(p, _)| p.as_path()).collect()
    }

    /// The merged work of `plan`, which must be the plan of the shards' spec and overrides.
    ///
    /// # Errors
    /// [`ShardError::Plan`] when the plan is not the one the shards ran (its fingerprint differs: a data file the
    /// spec reads changed) or a shard does not hold exactly its part of the plan's cut ([`Plan::shard`]) with
    /// sums that fit it.
    pub fn merged(self, plan: &Plan<'_>) -> Result<MergedWork, ShardError> {
        let fingerprint = plan.fingerprint();
        let mut pieces = Vec::new();
        for (path, file) in self.files {
            let fail = |why: String| ShardError::Plan { path: path.clone(), why };
            if file.plan != fingerprint {
                let now = data_files(plan);
                let why = format!("it was planned from other experiments: {}", changed_data(&file.data_files, &now));
                return Err(fail(why));
            }
            let cut = plan.shard(file.shard);
            if file.work.pieces.len() != cut.len() || file.work.pieces.iter().zip(&cut).any(|(p, c)| p.piece != *c) {
                return Err(fail(format!(
                    "it does not hold the work of shard {} of {} of this plan",
                    file.shard.index, file.shard.count
                )));
            }
            for piece in &file.work.pieces {
                piece.check(plan).map_err(fail)?;
            }
            pieces.extend(file.work.pieces);
        }
        Ok(MergedWork::new(pieces))
    }
}

/// The data files `plan`'s experiments read, path → blake3 of their bytes.
fn data_files(plan: &Plan<'_>) -> BTreeMap<String, String> {
    plan.spec().experiments.iter().flat_map(|e| e.data_files.clone()).collect()
}

/// Which data files differ between `before` and `after` (path → blake3), in words; the resolved experiments
/// differ otherwise (a damaged `plan` field, or another build of kdrepro resolving them differently).
fn changed_data(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> String {
    let paths: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let changed: Vec<&str> =
        paths.into_iter().filter(|path| before.get(*path) != after.get(*path)).map(String::as_str).collect();
    if changed.is_empty() {
        "the resolved experiments differ, though the data files they read are the same".to_owned()
    } else {
        format!("the data file{} {} changed", if changed.len() == 1 { "" } else { "s" }, changed.join(", "))
    }
}

/// Why shard files cannot be merged.
#[derive(Debug)]
pub enum ShardError {
    /// No shard file was given.
    None,
    /// A file cannot be read, or is not a shard file of this format.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// A shard of another spec (its text differs from the one merged).
    ForeignSpec {
        /// The file.
        path: PathBuf,
        /// The spec file it was built from.
        spec_file: String,
    },
    /// Two shards, or a shard and this kdrepro, differ in something a run must share.
    Mismatch {
        /// The file.
        path: PathBuf,
        /// What differs.
        what: String,
        /// Its value in `path`.
        this: String,
        /// Its value in `other`.
        that: String,
        /// The other file (or this kdrepro).
        other: PathBuf,
    },
    /// One shard index given twice.
    Duplicate {
        /// The shard.
        index: ShardId,
        /// The two files.
        paths: [PathBuf; 2],
    },
    /// Shard indices not given.
    Missing {
        /// The missing indices.
        missing: Vec<usize>,
        /// N.
        count: usize,
    },
    /// A shard is not part of the plan the merge computes.
    Plan {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |p: &Path| p.display().to_string();
        match self {
            Self::None => write!(f, "no shard files given"),
            Self::Read { path, why } | Self::Plan { path, why } => write!(f, "{}: {why}", show(path)),
            Self::ForeignSpec { path, spec_file } => write!(
                f,
                "{}: a shard of another spec: it was built from a `{spec_file}` whose text differs from the spec \
                 being merged (rebuild the shards from this spec, or merge with the spec they were built from)",
                show(path)
            ),
            Self::Mismatch { path, what, this, that, other } => {
                let (verb, it) = if what.ends_with('s') { ("differ", "them") } else { ("differs", "it") };
                write!(
                    f,
                    "{}: its {what} ({this}) {verb} from {}'s ({that}): all shards of a run must share {it}",
                    show(path),
                    show(other)
                )?;
                if what == "shard count" {
                    write!(f, " (shards of an earlier run? remove them, or name this run's files)")?;
                }
                Ok(())
            }
            Self::Duplicate { index, paths } => write!(
                f,
                "shard {} of {} is given twice: {} and {}",
                index.index,
                index.count,
                show(&paths[0]),
                show(&paths[1])
            ),
            Self::Missing { missing, count } => {
                let plural = if missing.len() == 1 { "" } else { "s" };
                write!(f, "missing shard{plural} {} of {count} (indices 0 to {})", ranges(missing), count - 1)
            }
        }
    }
}

impl std::error::Error for ShardError {}

/// Sorted indices as ranges, `0, 2–4, 9`, at most 20 of them and then how many more.
fn ranges(indices: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &i in indices {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == i => *end = i,
            _ => runs.push((i, i)),
        }
    }
    let shown: Vec<String> =
        runs.iter().take(20).map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") }).collect();
    let more = runs.len().saturating_sub(20);
    if more == 0 { shown.join(", ") } else { format!("{} and {more} more ranges", shown.join(", ")) }
}
