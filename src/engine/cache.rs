//! A content-addressed cache of experiment results, so that a changed paragraph of prose re-renders the report
//! without re-running anything.
//!
//! The key of an experiment is a hash of everything that determines its results: the kdrepro executable itself
//! (so any change to the code invalidates the cache), the seed, the trial count and the resolved experiment
//! (task, sizes, surrogates, design, measure, name). Its excerpt and legend label do not enter. An entry is the
//! results as YAML behind a checksum line; an entry that fails its checksum or does not parse is ignored and
//! recomputed, never used.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::results::ExperimentResults;
use crate::spec::Experiment;

/// A cache directory.
pub(crate) struct Cache {
    /// Where the entries live.
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir` (created on first store).
    pub(crate) fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf() }
    }

    /// The entry path of an experiment run with `seed` and `trials`.
    fn entry(&self, seed: u64, trials: Option<usize>, e: &Experiment) -> PathBuf {
        let mut hasher = blake3::Hasher::new();
        hasher.update(executable_hash());
        // Long vectors (p up to 2·10^7) are hashed as raw bits; the rest through its Debug output, which is
        // deterministic and prints floats exactly.
        let task = &e.task;
        for vector in [&task.spectrum.lambda, &task.beta].into_iter().chain(e.design.as_ref().map(|d| &d.lambda)) {
            hasher.update(&vector.len().to_le_bytes());
            vector.iter().for_each(|x| {
                hasher.update(&x.to_bits().to_le_bytes());
            });
        }
        let scalars = (task.spectrum.alpha, task.energy_exponent, task.noise, task.rotation, &task.name);
        let determinants = (seed, trials, &e.name, scalars, &e.sizes, &e.surrogates, e.measure, e.designs);
        hasher.update(format!("{determinants:?}").as_bytes());
        self.dir.join(format!("{}.yaml", hasher.finalize().to_hex()))
    }

    /// The cached results, if present and intact.
    pub(crate) fn load(&self, seed: u64, trials: Option<usize>, e: &Experiment) -> Option<ExperimentResults> {
        let text = fs::read_to_string(self.entry(seed, trials, e)).ok()?;
        let (checksum, body) = text.split_once('\n')?;
        if blake3::hash(body.as_bytes()).to_hex().as_str() != checksum {
            return None;
        }
        serde_norway::from_str(body).ok()
    }

    /// Stores results; a failure to write only costs a recomputation next time.
    pub(crate) fn store(&self, seed: u64, trials: Option<usize>, e: &Experiment, results: &ExperimentResults) {
        let Ok(body) = serde_norway::to_string(results) else { return };
        let path = self.entry(seed, trials, e);
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        let written = fs::create_dir_all(&self.dir)
            .and_then(|()| fs::File::create(&temporary))
            .and_then(|mut f| write!(f, "{}\n{body}", blake3::hash(body.as_bytes()).to_hex()))
            .and_then(|()| fs::rename(&temporary, &path));
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
    }
}

/// The hash of the running executable, computed once: memory-mapped and hashed on all cores (the binary, fonts
/// included, is tens of MB; reading it into one buffer took a third of a small run).
fn executable_hash() -> &'static [u8; 32] {
    static HASH: OnceLock<[u8; 32]> = OnceLock::new();
    HASH.get_or_init(|| {
        let hash = std::env::current_exe().and_then(|exe| {
            let mut hasher = blake3::Hasher::new();
            hasher.update_mmap_rayon(exe)?;
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

    /// The per-trial risks of a run with the given cache directory.
    fn samples(cache: &Path) -> Vec<Vec<Vec<f64>>> {
        let spec = resolve(&parse(SPEC).unwrap(), SPEC).unwrap();
        let options = RunOptions { cache: Some(cache), ..RunOptions::default() };
        run(&spec, &options).unwrap().experiments.remove(0).samples
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
        let first = samples(&dir);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "one entry per experiment");
        let second = samples(&dir);
        assert_eq!(first, second);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupted_entry_is_detected_and_recomputed() {
        let dir = scratch("corrupt");
        let fresh = samples(&dir);
        let entry = fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let text = fs::read_to_string(&entry).unwrap();
        // Flip one digit of a stored risk: the checksum no longer matches.
        let at = text.rfind(|c: char| c.is_ascii_digit() && c != '9').unwrap();
        let mut corrupted = text.into_bytes();
        corrupted[at] += 1;
        fs::write(&entry, &corrupted).unwrap();
        assert_eq!(samples(&dir), fresh, "the corrupted entry was used");
        assert_ne!(fs::read(&entry).unwrap(), corrupted, "the entry was not rewritten");
        let _ = fs::remove_dir_all(&dir);
    }
}
