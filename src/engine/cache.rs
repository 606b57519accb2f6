//! A content-addressed cache of experiment results, so that a changed paragraph of prose re-renders the report
//! without re-running anything.
//!
//! The key of an experiment is a hash of everything that determines its results: the kdrepro executable itself
//! (so any change to the code invalidates the cache), the seed, the trial count and the resolved experiment as
//! its type serialises it (task, sizes, surrogates by name and kind, design, measure, designs, name), leaving out
//! only the fields its type marks as presentation ([`KeyParts::new`]): a cached entry takes the spec's labels.
//! Beside the entries, `last/` records the parts of the key each experiment (by name) last ran or loaded with, so
//! that `build --explain` can say which part changed ([`KeyParts::changes_since`]).
//!
//! An entry is a checksum line, then the results as YAML (a simulated point keeps the exact sums of its trials,
//! a few numbers whatever the trial count); an entry that fails its checksum or does not parse is ignored and
//! recomputed, never used.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::results::ExperimentResults;
use crate::spec::Experiment;

/// A cache directory.
pub(crate) struct Cache {
    /// Where the entries live.
    dir: PathBuf,
    /// What scopes the records of [`Cache::previous`]: the spec's file name.
    scope: String,
    /// The first failure to write an entry or a record (the path and the error), reported after the run.
    failure: std::sync::Mutex<Option<String>>,
}

/// What the key of an experiment's entry is made of, each part kept apart so that `build --explain` can name the
/// part that changed since the experiment was last stored ([`Cache::previous`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeyParts {
    /// blake3 of the running executable, hex: any change to the code invalidates every entry.
    pub(crate) executable: String,
    /// The run's seed.
    pub(crate) seed: u64,
    /// The trials the plan gives the experiment (`trials N`, an adaptive experiment's cap, or `--trials`); `None`
    /// for theory only. The entry of each look is keyed by the look's own trial count instead ([`Cache::load`]),
    /// so that a larger cap reuses every look.
    pub(crate) trials: Option<usize>,
    /// blake3 of the canonical binary serialisation (postcard) of the resolved experiment, hex.
    pub(crate) experiment: String,
    /// Not in the key: blake3 of the spec text that defines the experiment (its declarations, then its block), hex.
    pub(crate) text: String,
    /// Not in the key (their values are in `experiment`): the data files the definition reads, path → blake3.
    pub(crate) data_files: BTreeMap<String, String>,
}

impl KeyParts {
    /// The parts of experiment `e` run with `seed` and `trials` (planned, see [`KeyParts::trials`]).
    ///
    /// Every field of the resolved experiment enters `experiment` unless its type marks it `#[serde(skip)]`, so a
    /// field added later can never be forgotten. The fields left out, each commented where it is declared
    /// (spec/experiment.rs):
    /// - `Experiment::label`, `Experiment::excerpt`, `Experiment::span`, `Surrogate::label`: presentation only;
    /// - `Experiment::data_files`: the values read are in the experiment already;
    /// - `Experiment::trials`: each look is keyed by its own trial count, so a larger cap, or `trials auto` after
    ///   `trials N`, reuses what was simulated.
    pub(crate) fn new(seed: u64, trials: Option<usize>, e: &Experiment) -> Self {
        let mut hasher = blake3::Hasher::new();
        // Buffered: postcard writes each f64 on its own, and p may be 2·10⁷.
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut hasher);
        postcard::to_io(e, &mut buffered).expect("hashing writes cannot fail");
        buffered.flush().expect("hashing writes cannot fail");
        drop(buffered);
        Self {
            executable: executable_hex(),
            seed,
            trials,
            experiment: hasher.finalize().to_hex().to_string(),
            text: blake3::hash(e.excerpt.as_bytes()).to_hex().to_string(),
            data_files: e.data_files.clone(),
        }
    }

    /// The differences from `previous` that changed the key, in words: the data files and the spec text first
    /// (they explain a changed experiment), the experiment itself only when neither does.
    pub(crate) fn changes_since(&self, previous: &Self) -> Vec<String> {
        let short = |hash: &str| hash.chars().take(12).collect::<String>();
        let mut changes = Vec::new();
        if self.executable != previous.executable {
            changes.push("the kdrepro executable changed".to_owned());
        }
        if self.seed != previous.seed {
            changes.push(format!("seed {} → {}", previous.seed, self.seed));
        }
        if self.trials != previous.trials {
            let count = |t: Option<usize>| t.map_or("none (theory only)".to_owned(), |t| t.to_string());
            changes.push(format!("trials {} → {}", count(previous.trials), count(self.trials)));
        }
        let files = previous.data_files.keys().chain(self.data_files.keys()).collect::<std::collections::BTreeSet<_>>();
        for path in files {
            match (previous.data_files.get(path), self.data_files.get(path)) {
                (Some(a), Some(b)) if a != b => {
                    changes.push(format!("data file `{path}` changed (blake3 {} → {})", short(a), short(b)));
                }
                (None, Some(_)) => changes.push(format!("now reads data file `{path}`")),
                (Some(_), None) => changes.push(format!("no longer reads data file `{path}`")),
                _ => {}
            }
        }
        if self.text != previous.text {
            changes.push(format!(
                "its spec text changed (the block or a declaration it uses; blake3 {} → {})",
                short(&previous.text),
                short(&self.text)
            ));
        } else if self.experiment != previous.experiment && self.data_files == previous.data_files {
            changes.push(format!(
                "the resolved experiment changed with the same text (blake3 {} → {})",
                short(&previous.experiment),
                short(&self.experiment)
            ));
        }
        changes
    }
}

impl Cache {
    /// The cache in `dir` (created on first store), its records scoped by `scope` (the spec's file name).
    pub(crate) fn new(dir: &Path, scope: &str) -> Self {
        Self { dir: dir.to_path_buf(), scope: scope.to_owned(), failure: std::sync::Mutex::default() }
    }

    /// The entry path of a look of `look` trials (`None`: theory only): blake3 of the executable's hash, the seed,
    /// the look's trials and the experiment's hash.
    fn entry(&self, key: &KeyParts, look: Option<usize>) -> PathBuf {
        let mut hasher = blake3::Hasher::new();
        hasher.update(key.executable.as_bytes());
        hasher.update(&postcard::to_allocvec(&(key.seed, look)).expect("plain data serialises"));
        hasher.update(key.experiment.as_bytes());
        self.dir.join(format!("{}.yaml", hasher.finalize().to_hex()))
    }

    /// The cached results of a look of `look` trials, if present and intact.
    pub(crate) fn load(&self, key: &KeyParts, look: Option<usize>, e: &Experiment) -> Option<ExperimentResults> {
        let bytes = fs::read(self.entry(key, look)).ok()?;
        let newline = bytes.iter().position(|&b| b == b'\n')?;
        let (checksum, body) = (&bytes[..newline], &bytes[newline + 1..]);
        if blake3::hash(body).to_hex().as_bytes() != checksum {
            return None;
        }
        let mut results: ExperimentResults = serde_norway::from_str(std::str::from_utf8(body).ok()?).ok()?;
        // Legend labels are not in the key: the entry may have been stored under other ones.
        if e.measure.compares() {
            results.series.iter_mut().zip(&e.surrogates).for_each(|(series, s)| series.label.clone_from(&s.label));
        }
        Some(results)
    }

    /// Stores the results of a look of `look` trials; a failure to write only costs a recomputation next time.
    pub(crate) fn store(&self, key: &KeyParts, look: Option<usize>, results: &ExperimentResults) {
        let Ok(body) = serde_norway::to_string(results) else { return };
        let mut contents = blake3::hash(body.as_bytes()).to_hex().as_bytes().to_vec();
        contents.push(b'\n');
        contents.extend_from_slice(body.as_bytes());
        self.write(&self.entry(key, look), &contents);
    }

    /// The key parts experiment `name` of this scope's spec was last run or loaded with through this cache, if
    /// recorded.
    pub(crate) fn previous(&self, name: &str) -> Option<KeyParts> {
        serde_json::from_slice(&fs::read(self.record(name)).ok()?).ok()
    }

    /// Records the key parts experiment `name` ran or loaded with, for the next [`Cache::previous`].
    pub(crate) fn remember(&self, name: &str, key: &KeyParts) {
        if let Ok(json) = serde_json::to_vec(key) {
            self.write(&self.record(name), &json);
        }
    }

    /// Where the last key parts of experiment `name` are recorded: one file per (scope, name).
    fn record(&self, name: &str) -> PathBuf {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&postcard::to_allocvec(&(&self.scope, name)).expect("plain data serialises"));
        self.dir.join("last").join(format!("{}.json", hasher.finalize().to_hex()))
    }

    /// The first failure to write, if any: `path: error`.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Writes `contents` to `path` through a temporary file renamed into place; a failure leaves no file, costs a
    /// recomputation next time, and is kept for [`Cache::failure`].
    fn write(&self, path: &Path, contents: &[u8]) {
        if let Err(error) = write_atomically(path, contents) {
            let mut failure = self.failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            failure.get_or_insert_with(|| format!("{}: {error}", path.display()));
        }
    }
}

/// Writes `contents` to `path` (its directory created if missing) through a temporary file beside it, named after
/// the process, renamed into place: a reader never sees half a file, and a failure leaves none.
///
/// # Errors
/// The I/O error of creating the directory, writing or renaming.
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    let written = fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .and_then(|()| fs::write(&temporary, contents))
        .and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// blake3 of the running executable, hex ([`executable_hash`]).
pub(crate) fn executable_hex() -> String {
    blake3::Hash::from_bytes(*executable_hash()).to_hex().to_string()
}

/// The hash of the running executable, computed once: memory-mapped (the binary, fonts included, is tens of MB;
/// reading it into one buffer took a third of a small run) and hashed on one thread, about 40 ms for 68 MB.
///
/// The initialiser must not use rayon: a rayon worker that waits inside it may steal a task that waits on the
/// same `OnceLock`, and both wait forever (the cache is read from concurrent experiments).
fn executable_hash() -> &'static [u8; 32] {
    static HASH: OnceLock<[u8; 32]> = OnceLock::new();
    HASH.get_or_init(|| {
        let hash = std::env::current_exe().and_then(|exe| {
            let mut hasher = blake3::Hasher::new();
            hasher.update_mmap(exe)?;
            Ok(hasher.finalize())
        });
        // An unreadable executable hashes as empty: the cache then keys on the rest.
        *hash.unwrap_or_else(|_| blake3::hash(b"")).as_bytes()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunOptions, parse, resolve, run};

    const SPEC: &str = r#"
title "cache"
seed 3
spectrum cov = powerlaw(p: 40, alpha: 1.5)
signal beta = powerlaw_energy(cov, beta: 1.2)
task t = gaussian(cov, beta, noise: 0.1)
surrogate truth = ground_truth
surrogate best = optimal
experiment e {
  task t
  n [10, 20]
  surrogates truth, best
  trials 30
}
"#;

    /// The sums of the trials of a run with the given cache directory.
    fn sums(cache: &Path) -> Vec<crate::stats::TrialSums> {
        let spec = resolve(&parse(SPEC).unwrap(), SPEC, std::path::Path::new(".")).unwrap();
        let options = RunOptions { cache: Some(cache), ..RunOptions::default() };
        run(&crate::Plan::new(&spec, crate::Overrides::default()), &options).unwrap().experiments.remove(0).sums
    }

    /// A fresh scratch directory.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kdrepro-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_cached_run_returns_bit_identical_results() {
        let dir = scratch("hit");
        let first = sums(&dir);
        let entries =
            fs::read_dir(&dir).unwrap().filter(|e| e.as_ref().unwrap().path().extension() == Some("yaml".as_ref()));
        assert_eq!(entries.count(), 1, "one entry per experiment");
        let second = sums(&dir);
        assert_eq!(first, second);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn issue_11_a_legend_edit_reuses_the_entry_and_shows_the_new_label() {
        let dir = scratch("label");
        let first = sums(&dir);
        let relabelled = SPEC.replace("surrogate best = optimal", "surrogate best = optimal(label: \"the best\")");
        let spec = resolve(&parse(&relabelled).unwrap(), &relabelled, std::path::Path::new(".")).unwrap();
        let cache = Cache::new(&dir, "cache.kd");
        let key = KeyParts::new(3, Some(30), &spec.experiments[0]);
        let hit = cache.load(&key, Some(30), &spec.experiments[0]).expect("a label does not change the key");
        assert_eq!(hit.sums, first);
        assert_eq!(hit.series[1].label, "the best");
        let _ = fs::remove_dir_all(&dir);
    }

    /// A change that makes the second surrogate `erm` (an ERM surrogate) edited by `edit`.
    fn erm_variant(
        erm: &crate::spec::SurrogateKind,
        edit: impl Fn(&mut crate::spec::Erm) + 'static,
    ) -> Box<dyn Fn(&mut Experiment)> {
        let crate::spec::SurrogateKind::Erm(fit) = erm else { unreachable!("an ERM surrogate") };
        let mut fit = fit.clone();
        edit(&mut fit);
        let kind = crate::spec::SurrogateKind::Erm(fit);
        Box::new(move |e| e.surrogates[1].kind = kind.clone())
    }

    #[test]
    fn issue_12_every_part_of_an_experiment_changes_the_key_and_presentation_does_not() {
        type Change = Box<dyn Fn(&mut Experiment)>;
        use crate::spec::{Designs, Measure, SampleSize, Spectrum, SurrogateKind, Trials};
        let spec = resolve(&parse(SPEC).unwrap(), SPEC, std::path::Path::new(".")).unwrap();
        let base = spec.experiments[0].clone();
        let cache = Cache::new(Path::new("keys"), "cache.kd");
        let key = |e: &Experiment| cache.entry(&KeyParts::new(3, Some(30), e), Some(30));
        let erm = SurrogateKind::Erm(crate::spec::Erm {
            spectrum: base.task.spectrum.clone(),
            noise: 0.1,
            m: SampleSize::Fixed(30),
            features: crate::theory::Features::First(40),
            ridge: 0.0,
            labels: None,
            optimal_labels: false,
        });
        // One field-like change to every part that determines the numbers; each must give a new key.
        let changes: Vec<(&str, Change)> = vec![
            ("name", Box::new(|e| e.name.push('2'))),
            ("sizes", Box::new(|e| e.sizes.push(30))),
            ("dimensions", Box::new(|e| e.dimensions = Some(vec![100, 200]))),
            ("measure", Box::new(|e| e.measure = Measure::Coefficients)),
            ("designs", Box::new(|e| e.designs = Designs::Nested)),
            ("ridge", Box::new(|e| e.ridge = crate::spec::Ridge(vec![crate::spec::Penalty::Fixed(1e-3)]))),
            ("tuned ridge", Box::new(|e| e.ridge = crate::spec::Ridge(vec![crate::spec::Penalty::Tuned]))),
            ("design", Box::new(|e| e.design = Some(Spectrum { lambda: vec![1.0; 40], alpha: None }))),
            ("task name", Box::new(|e| e.task.name.push('2'))),
            (
                "eigenvalue",
                Box::new(|e| e.task.spectrum.lambda[39] = f64::from_bits(e.task.spectrum.lambda[39].to_bits() + 1)),
            ),
            ("alpha", Box::new(|e| e.task.spectrum.alpha = None)),
            ("beta", Box::new(|e| e.task.beta[0] = -e.task.beta[0])),
            ("energy exponent", Box::new(|e| e.task.energy_exponent = Some(2.0))),
            ("noise", Box::new(|e| e.task.noise = 0.2)),
            ("rotation", Box::new(|e| e.task.rotation = Some(1))),
            ("noise decay", Box::new(|e| e.task.noise_decay = 0.5)),
            ("entries", Box::new(|e| e.task.entries = crate::sim::Entries::Rademacher)),
            ("uniform entries", Box::new(|e| e.task.entries = crate::sim::Entries::Uniform)),
            ("t entries", Box::new(|e| e.task.entries = crate::sim::Entries::StudentT { nu: 8.0 })),
            ("t degrees", Box::new(|e| e.task.entries = crate::sim::Entries::StudentT { nu: 9.0 })),
            ("surrogate name", Box::new(|e| e.surrogates[0].name.push('2'))),
            ("surrogate order", Box::new(|e| e.surrogates.swap(0, 1))),
            ("optimal step", Box::new(|e| e.surrogates[1].kind = SurrogateKind::Optimal { step: 0.5 })),
            ("top k", Box::new(|e| e.surrogates[1].kind = SurrogateKind::TopK(3))),
            ("random mask", Box::new(|e| e.surrogates[1].kind = SurrogateKind::RandomMask { keep: 3, seed: 1 })),
            ("scaled", Box::new(|e| e.surrogates[1].kind = SurrogateKind::Scaled(2.0))),
            ("erm", erm_variant(&erm, |_| {})),
            ("erm ridge", erm_variant(&erm, |fit| fit.ridge = 0.5)),
            (
                "erm subset",
                erm_variant(&erm, |fit| fit.features = crate::theory::Features::Among((0..40).step_by(2).collect())),
            ),
            ("erm labels", erm_variant(&erm, |fit| fit.labels = Some(Box::new(fit.clone())))),
            ("erm gain", erm_variant(&erm, |fit| fit.optimal_labels = true)),
        ];
        let mut keys = vec![key(&base)];
        for (what, change) in &changes {
            let mut changed = base.clone();
            change(&mut changed);
            let k = key(&changed);
            assert!(!keys.contains(&k), "changing the {what} kept a key already seen");
            keys.push(k);
        }
        assert_ne!(cache.entry(&KeyParts::new(4, Some(30), &base), Some(30)), keys[0], "the seed");
        assert_ne!(cache.entry(&KeyParts::new(3, Some(30), &base), Some(31)), keys[0], "the look's trial count");
        // The planned trials (a cap) are not in the key: a larger cap reuses every look.
        assert_eq!(cache.entry(&KeyParts::new(3, Some(6400), &base), Some(30)), keys[0], "the cap");
        // Presentation only, and the spec's trials (each look is keyed by its own count): the same key.
        let mut shown = base.clone();
        shown.label = Some("α = 2".into());
        shown.excerpt.push_str("// edited");
        shown.span = crate::Span::new(1, 2);
        shown.surrogates[0].label = "strong labels".into();
        shown.trials = Some(Trials::Auto { max: 6400 });
        shown.data_files.insert("values.txt".into(), "0".repeat(64));
        assert_eq!(key(&shown), keys[0]);
    }

    #[test]
    fn a_corrupted_entry_is_detected_and_recomputed() {
        let dir = scratch("corrupt");
        let fresh = sums(&dir);
        let mut entries = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path());
        let entry = entries.find(|p| p.extension() == Some("yaml".as_ref())).unwrap();
        // Flip one bit of the last stored risk: the checksum no longer matches.
        let mut corrupted = fs::read(&entry).unwrap();
        let last = corrupted.len() - 1;
        corrupted[last] ^= 1;
        fs::write(&entry, &corrupted).unwrap();
        assert_eq!(sums(&dir), fresh, "the corrupted entry was used");
        assert_ne!(fs::read(&entry).unwrap(), corrupted, "the entry was not rewritten");
        let _ = fs::remove_dir_all(&dir);
    }
}
