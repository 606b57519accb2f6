//! `specs/fig2a_cifar.kd` (issue 18 item 5): refused with what to download and where to put it when CIFAR-10 is
//! absent, and run through to a report on generated batches in CIFAR-10's binary format when it is present.

use std::path::Path;

use crate::support::{Scratch, kdrepro, located, specs};

/// Records per generated training batch: the spec's trials need 2000 held out + 2000 for the teachers + 4000
/// for the student = 8000 of the 5 × 1700.
const RECORDS: usize = 1700;

/// A scratch directory with `specs/fig2a_cifar.kd` copied in, and no data beside it.
fn with_spec(name: &str) -> Scratch {
    let dir = Scratch::new(name);
    std::fs::create_dir(dir.path.join("specs")).unwrap();
    std::fs::copy(specs().join("fig2a_cifar.kd"), dir.path.join("specs/fig2a_cifar.kd")).unwrap();
    dir
}

/// A batch of `records` CIFAR-10 records (1 label byte, 3072 pixel bytes) whose classes can be learned: record r
/// has class r mod 10, and each pixel is half a fixed pattern of its class and half noise (a 64-bit LCG).
fn batch(records: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut noise = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 56) as u8
    };
    let pattern = |class: usize, j: usize| ((class * 7919 + j * 104_729) % 251) as u8;
    let mut bytes = Vec::with_capacity(records * 3073);
    for r in 0..records {
        let class = r % 10;
        bytes.push(class as u8);
        bytes.extend((0..3072).map(|j| pattern(class, j) / 2 + noise() / 2));
    }
    bytes
}

/// Writes the five training batches and the test batch into `directory`.
fn generate(directory: &Path) {
    std::fs::create_dir_all(directory).unwrap();
    for b in 1..=5 {
        std::fs::write(directory.join(format!("data_batch_{b}.bin")), batch(RECORDS, b)).unwrap();
    }
    std::fs::write(directory.join("test_batch.bin"), batch(10, 6)).unwrap();
}

#[test]
fn without_cifar10_the_spec_is_refused_with_what_to_download_and_where() {
    let dir = with_spec("cifar-absent");
    let out = kdrepro(&dir.path, &["build", "specs/fig2a_cifar.kd", "-o", "out"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        located(&stderr, "fig2a_cifar.kd:36:33", "error: `../data/cifar-10-batches-bin`, the directory does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), "{stderr}");
    assert!(
        stderr.contains("`data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin` in `data/cifar-10-batches-bin`"),
        "{stderr}"
    );
    assert!(!dir.path.join("out").exists(), "nothing is written");
    // A directory that lacks one batch is refused too, naming it.
    generate(&dir.path.join("data/cifar-10-batches-bin"));
    std::fs::remove_file(dir.path.join("data/cifar-10-batches-bin/data_batch_3.bin")).unwrap();
    let out = kdrepro(&dir.path, &["check", "specs/fig2a_cifar.kd"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the directory lacks data_batch_3.bin (or has a directory of that name): download"),
        "{stderr}"
    );
}

#[test]
fn with_cifar10_batches_the_spec_runs_to_a_report() {
    let dir = with_spec("cifar-present");
    generate(&dir.path.join("data/cifar-10-batches-bin"));
    let out =
        kdrepro(&dir.path, &["build", "specs/fig2a_cifar.kd", "-o", "out", "--trials", "2", "--format", "json"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Two trials decide little: the claims may pass, fail or stay inconclusive, but the build runs through.
    assert!(matches!(out.status.code(), Some(0 | 1 | 4)), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["claims"].as_array().unwrap().len(), 2, "{json}");
    assert!(dir.path.join("out/fig2a_cifar.pdf").is_file());
    // The strong target learns the generated classes (chance is 0.1): its mean accuracy at every n.
    let yaml = std::fs::read_to_string(dir.path.join("out/fig2a_cifar.results.yaml")).unwrap();
    let strong = &yaml[yaml.find("      strong:").unwrap()..];
    let means: Vec<f64> =
        strong.lines().filter_map(|l| l.trim().strip_prefix("mean: ")).take(3).map(|m| m.parse().unwrap()).collect();
    assert_eq!(means.len(), 3, "{strong}");
    assert!(means.iter().all(|&m| m > 0.5), "{means:?}");
    assert!(yaml.contains("CIFAR-10") && yaml.contains("data/cifar-10-batches-bin/data_batch_5.bin"), "{yaml}");
}
