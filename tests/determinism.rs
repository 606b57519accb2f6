//! The same spec and seed give byte-identical outputs for any thread count.

use crate::support::{Scratch, kdrepro, specs};

#[test]
fn results_and_pdf_are_byte_identical_for_one_and_two_threads() {
    let dir = Scratch::new("determinism");
    let spec = specs().join("paper.kd");
    let spec = spec.to_str().unwrap();
    for threads in ["1", "2"] {
        let out =
            kdrepro(&dir.path, &["build", spec, "--out", threads, "--trials", "8"], &[("RAYON_NUM_THREADS", threads)]);
        assert!(out.status.code().is_some_and(|c| matches!(c, 0 | 1 | 4)), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for file in ["paper.pdf", "paper.results.yaml", "paper.typ", "figures/fig1b_plot.typ"] {
        let one = std::fs::read(dir.path.join("1").join(file)).unwrap();
        let two = std::fs::read(dir.path.join("2").join(file)).unwrap();
        assert!(one == two, "{file} differs between 1 and 2 threads");
    }
}
