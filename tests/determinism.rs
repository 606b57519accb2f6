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
    // The paper's results file, with a decision of every rule kind (issue 12), reads back into its types.
    let text = std::fs::read_to_string(dir.path.join("1/paper.results.yaml")).unwrap();
    let file = kdrepro::ResultsFile::read(&text).unwrap();
    assert_eq!(file.to_yaml(), text, "reading and writing back changed the paper's results file");
    for kind in ["agree", "equal", "holds", "theory", "close", "slope", "flat", "amplifies"] {
        assert!(text.contains(&format!("kind: {kind}\n")), "no `{kind}` decision in the paper's results file");
    }
}
