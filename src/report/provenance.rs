//! Provenance of a report: what produced it (kdrepro version and commit, the spec's content hash, the seed)
//! and how each experiment draws its data.

use crate::numbers::typeset;
use crate::spec::{Designs, Experiment, SampleSize, SurrogateKind};

/// The git commit kdrepro was built from (`build.rs`), or `unknown` outside a git checkout.
pub(crate) const COMMIT: &str = env!("KDREPRO_GIT_COMMIT");

/// The content hash of a spec: blake3 of its text, in hex.
pub fn spec_hash(source: &str) -> String {
    blake3::hash(source.as_bytes()).to_hex().to_string()
}

/// How an experiment draws its data with `trials` trials per point (after any `--trials` override), in one or two
/// sentences; `None` for theory-only experiments. The trial count is named only with `count`: the results file
/// keeps it in a field of its own, so that its design changes only when the way data are drawn does.
pub(crate) fn design_words(e: &Experiment, trials: Option<usize>, count: bool) -> Option<String> {
    let trials = trials?;
    let p = e.task.spectrum.lambda.len();
    let noise = typeset(e.task.noise, 3);
    let mut words = match e.designs {
        Designs::Independent => {
            let per_point = if count { format!("{trials} trials per point, ") } else { String::new() };
            format!(
                "Every trial draws an independent Gaussian design X (n × {p}, rows x ~ N(0, Σ)) and label noise z ~ \
                 N(0, {noise} Iₙ) from its own named random stream ({per_point}shared by all surrogates: paired)"
            )
        }
        Designs::Nested => {
            let trials = if count { format!("{trials} trials; ") } else { String::new() };
            format!(
                "Nested designs: every trial draws one Gaussian design X ({} × {p}, rows x ~ N(0, Σ)) and label noise \
                 z ~ N(0, {noise} I) at the largest n from its own named random stream, and the point with n samples \
                 uses their first n rows ({trials}each point is an exact draw of its own distribution, the points of \
                 one trial share rows; shared by all surrogates: paired)",
                e.sizes.last().expect("a sweep has a sample size")
            )
        }
    };
    match e.task.rotation {
        None => words.push_str("; Σ = diag(λ) of task "),
        Some(seed) => {
            words.push_str(&format!("; Σ = U diag(λ) Uᵀ with a Haar-random U (rotation seed {seed}) of task "));
        }
    }
    words.push_str(&e.task.name);
    if e.design.is_some() {
        words.push_str(
            "; the training design has its own spectrum and the risk is measured under the task's (covariance shift)",
        );
    }
    words.push('.');
    for s in &e.surrogates {
        if let SurrogateKind::Erm(erm) = &s.kind {
            let m = match erm.m {
                SampleSize::Fixed(m) => m.to_string(),
                SampleSize::SameAsTarget => "n".to_owned(),
            };
            words.push_str(&format!(
                " Surrogate {} is refitted in every trial by ERM on its own independent draw of {m} samples from \
                 N(0, diag(λ_s)) on {}, label noise variance {}.",
                s.name,
                seen_features(&erm.features),
                typeset(erm.noise, 3)
            ));
        }
    }
    Some(words)
}

/// "its first 50 features", or "50 of its features (numbered from 1: 3, 7, 12, …)" for a subset.
fn seen_features(features: &crate::theory::Features) -> String {
    match features {
        crate::theory::Features::First(k) => format!("its first {k} features"),
        crate::theory::Features::Among(s) => {
            let shown: Vec<String> = s.iter().take(8).map(|i| (i + 1).to_string()).collect();
            let more = if s.len() > 8 { ", …" } else { "" };
            format!("{} of its features (numbered from 1: {}{more})", s.len(), shown.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_hash_is_blake3_of_the_text() {
        // blake3("") from the BLAKE3 specification's test vectors.
        assert_eq!(spec_hash(""), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
        assert_ne!(spec_hash("seed 1"), spec_hash("seed 2"));
    }
}
