//! Provenance of a report: what produced it (kdrepro version and commit, the spec's content hash, the seed)
//! and how each experiment draws its data.

use crate::numbers::typeset;
use crate::sim::Entries;
use crate::spec::{Designs, Erm, Experiment, Penalty, Rows, SampleSize, SurrogateKind};

/// How a classification experiment (issue 18) draws its rows and networks, with its trial count when given.
fn classification_words(e: &Experiment, rows: &Rows, trials: Option<usize>) -> String {
    let per_point = trials.map_or(String::new(), |t| format!("{t} trials per point; "));
    let student = e.student.map_or(String::new(), |h| {
        format!(" The student has {} {} units", h.width, crate::spec::Keyword::keyword(h.activation))
    });
    let ridge = match e.student_ridge() {
        0.0 => "minimum-norm or least-squares".to_owned(),
        ridge => format!("ridge (λ = {})", typeset(ridge, 3)),
    };
    format!(
        "Every trial draws a random order of the {} rows of {}, from its own named random stream ({per_point}shared \
         by all series: paired): the first {} are held out for testing, every teacher network is trained on the next \
         m rows and the student's n rows follow the largest m, so that no teacher labels a row it was trained on. \
         Every first layer W has i.i.d. N(0, 1/k) entries (k inputs) from a stream of its own, the student's shared \
         by all series.{student}, and its second layer is the {ridge} fit to one-hot targets (one column per class); \
         a prediction is the argmax of the outputs.",
        rows.data.features.nrows(),
        rows.data.name,
        rows.test,
    )
}

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
    if let Some(rows) = &e.task.rows {
        return Some(classification_words(e, rows, count.then_some(trials)));
    }
    let p = e.task.spectrum.lambda.len();
    let noise = noise_words(e);
    let (law, rows) = entries_words(e.task.entries);
    let mut words = match e.designs {
        // A data task: its rows, not random draws (spec/dataset.rs); the resolver refuses nested designs for it.
        Designs::Independent if e.task.data.is_some() => {
            let rows = e.task.data.as_ref().map_or(0, |d| d.rows.count());
            let per_point = if count { format!("{trials} trials per point, ") } else { String::new() };
            format!(
                "Every trial trains on n distinct rows drawn at random from the {rows} rows of a data set, from its \
                 own named random stream ({per_point}shared by all surrogates: paired). The population is the data \
                 set's empirical distribution: Σ̂ = XᵀX/N with its {p} eigenvalues above the rank threshold, β⋆ = β̄ \
                 the least-squares fit on all rows, and each row's residual is its label noise (variance {noise}); \
                 the excess risk is measured exactly over all rows"
            )
        }
        Designs::Independent => {
            let per_point = if count { format!("{trials} trials per point, ") } else { String::new() };
            format!(
                "Every trial draws an independent {law} design X (n × {p}, {rows}) and label noise z ~ \
                 N(0, {noise} Iₙ) from its own named random stream ({per_point}shared by all surrogates: paired)"
            )
        }
        Designs::Nested => {
            let trials = if count { format!("{trials} trials; ") } else { String::new() };
            format!(
                "Nested designs: every trial draws one {law} design X ({} × {p}, {rows}) and label noise \
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
    words.push_str(&ridge_words(e));
    for s in &e.surrogates {
        match &s.kind {
            SurrogateKind::Erm(erm) => words.push_str(&erm_words(&s.name, erm)),
            SurrogateKind::SelfDistilled(_) => words.push_str(&format!(
                " Series {} refits each trial's ridge fit β̂ on the strong labels y, on the same design and with the \
                 same penalty, to ξ·Xβ̂ + (1 − ξ)·y (self-distillation).",
                s.name
            )),
            _ => {}
        }
    }
    Some(words)
}

/// How the target is fitted when the experiment has a `ridge` setting: one sentence, or nothing without one.
fn ridge_words(e: &Experiment) -> String {
    let penalty = |p: Penalty| match p {
        Penalty::Fixed(0.0) => "minimum-norm or least squares (no penalty)".to_owned(),
        Penalty::Fixed(ridge) => format!("ridge with λ = {}", typeset(ridge, 3)),
        Penalty::Tuned => "ridge with the λ minimising its theory risk at each n (tuned)".to_owned(),
    };
    match e.ridge.0.as_slice() {
        _ if e.ridge.is_none() => String::new(),
        [one] => format!(" The target is fitted by {}.", penalty(*one)),
        many => {
            let each = e.surrogates.iter().zip(many).map(|(s, p)| format!("{}: {}", s.name, penalty(*p)));
            format!(" The target of each series is fitted by {}.", each.collect::<Vec<_>>().join("; "))
        }
    }
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

/// How ERM surrogate `name` is refitted in every trial, with the generations its labels come from.
fn erm_words(name: &str, erm: &Erm) -> String {
    let generation = |g: &Erm| {
        let m = match g.m {
            SampleSize::Fixed(m) => m.to_string(),
            SampleSize::SameAsTarget => "n".to_owned(),
        };
        let ridge = if g.ridge > 0.0 { format!(", ridge λ = {}", typeset(g.ridge, 3)) } else { String::new() };
        let taught = if g.optimal_labels {
            ", labelled by the optimal surrogate (Corollary 1's gain for this fit) of the coefficients it is taught from"
        } else {
            ""
        };
        format!(
            "{m} samples from N(0, diag(λ_s)) on {}, label noise variance {}{ridge}{taught}",
            seen_features(&g.features),
            typeset(g.noise, 3)
        )
    };
    let mut words = format!(
        " Surrogate {name} is refitted in every trial by ERM on its own independent draw of {}",
        generation(erm)
    );
    let earlier: Vec<String> = erm.ancestors().map(generation).collect();
    if earlier.is_empty() {
        words.push('.');
    } else {
        words.push_str(&format!(
            ", labelled by the fit of the generation before it; the {} earlier generations, nearest first, each fit \
             fresh data: {}.",
            earlier.len(),
            earlier.join("; ")
        ));
    }
    words
}

/// The label-noise variance in words: "0.5", or "σ²(n) = 0.5·n^(-0.25)" when it decays with n.
pub(crate) fn noise_words(e: &Experiment) -> String {
    let noise = typeset(e.task.noise, 3);
    if e.task.noise_decay == 0.0 {
        noise
    } else {
        format!("σ²(n) = {noise}·n^({})", typeset(-e.task.noise_decay, 3))
    }
}

/// The law of a design's entries in words: its adjective, and what its rows are. Gaussian designs keep the words
/// they had before other laws existed.
fn entries_words(entries: Entries) -> (&'static str, String) {
    match entries {
        Entries::Gaussian => ("Gaussian", "rows x ~ N(0, Σ)".to_owned()),
        Entries::Rademacher => ("Rademacher", "rows x = Σ^{1/2} w, w with i.i.d. ±1 entries".to_owned()),
        Entries::Uniform => ("uniform", "rows x = Σ^{1/2} w, w with i.i.d. entries uniform on [−√3, √3]".to_owned()),
        Entries::StudentT { nu } => (
            "Student-t",
            format!(
                "rows x = Σ^{{1/2}} w, w with i.i.d. Student-t entries, ν = {}, scaled to unit variance",
                typeset(nu, 3)
            ),
        ),
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
