//! Resolution tests: refusals and warnings with their reasons.

use super::*;
use crate::syntax::parse;

/// A spec with spectra `flat` (p = 40, all 1), `wide` (p = 50, all 1) and `thin` (p = 40, 30 positive), the
/// signals on them, and `body` after.
fn spec(body: &str) -> Result<Spec, Vec<Diagnostic>> {
    let source = format!(
        "title \"moments\"\nspectrum flat = isotropic(p: 40)\nspectrum wide = isotropic(p: 50)\n\
         spectrum thin = list([{}])\nsignal ones = constant(flat)\nsignal wide_ones = constant(wide)\n{body}",
        (0..40).map(|i| if i < 30 { "1" } else { "0" }).collect::<Vec<_>>().join(", ")
    );
    resolve(&parse(&source).unwrap(), &source, std::path::Path::new("."))
}

/// The first error message of a refused spec.
fn refusal(body: &str) -> String {
    spec(body).unwrap_err().remove(0).message
}

/// Per n of the first experiment, the infinite-variance reason of each series.
fn variances(s: &Spec) -> Vec<Vec<Option<String>>> {
    let e = &s.experiments[0];
    let series = e.series_names().len();
    e.sizes.iter().map(|&n| (0..series).map(|j| e.infinite_variance(j, n)).collect()).collect()
}

#[test]
fn masked_surrogates_carry_the_task_noise() {
    let body = |n: &str, noise: f64| {
        format!(
            "task t = gaussian(flat, ones, noise: {noise})\nsurrogate mask = optimal_mask\nsurrogate top = top_k(k: 10)\n\
             experiment e {{ task t  n {n}  surrogates mask, top  trials 40 }}\n"
        )
    };
    assert!(refusal(&body("[30, 39]", 0.5)).starts_with("n = 39: the expected risk is infinite"));
    assert!(refusal(&body("[41]", 0.5)).starts_with("n = 41: the expected risk is infinite"));
    let s = spec(&body("[36, 37, 38, 44]", 0.5)).unwrap();
    let v = variances(&s);
    assert!(v[0].iter().all(Option::is_none) && v[3].iter().all(Option::is_none), "{v:?}");
    for point in &v[1..3] {
        assert!(point.iter().all(|r| r.as_ref().is_some_and(|r| r.contains("the risk's variance is infinite"))));
    }
    // Noiseless: bias only, every moment finite next to k (n = p − 1 is still interpolation).
    let s = spec(&body("[38, 39]", 0.0)).unwrap();
    assert!(variances(&s).iter().flatten().all(Option::is_none));
    // The masks measure reports theory risks at n: an infinite mean is refused there too.
    let masks = "task t = gaussian(flat, ones, noise: 0.5)\nexperiment e { task t  n 39  measure masks }\n";
    assert!(refusal(masks).starts_with("n = 39: the expected risk is infinite"));
    assert!(spec(&masks.replace("n 39", "n 38")).is_ok());
}

#[test]
fn a_training_design_sets_k() {
    // Trained on `thin` (k = 30), tested on `flat` (k = 40): n = 29 is k − 1 of the design.
    let body = |n: &str| {
        format!(
            "task t = gaussian(flat, ones, noise: 0.1)\nsurrogate truth = ground_truth\n\
             experiment e {{ task t  design thin  n {n}  surrogates truth  trials 40 }}\n"
        )
    };
    let message = refusal(&body("29"));
    assert!(message.starts_with("n = 29: the expected risk is infinite") && message.contains("k = 30"), "{message}");
    let s = spec(&body("[26, 28]")).unwrap();
    let v = variances(&s);
    assert_eq!(v[0], [None]);
    assert!(v[1][0].as_ref().is_some_and(|r| r.starts_with("n = 28: the risk's variance is infinite")), "{v:?}");
}

#[test]
fn an_erm_surrogate_adds_its_own_stage() {
    let erm = |surrogate: &str, n: &str, noise: f64| {
        format!(
            "task t = gaussian(wide, wide_ones, noise: {noise})\nsurrogate w = {surrogate}\nsurrogate me = teacher(of: w)\n\
             experiment e {{ task t  n {n}  surrogates w, me  trials 40 }}\n"
        )
    };
    // Noiseless labels, but 10 unseen features: their signal is stage one's noise (misspecification).
    let message = refusal(&erm("erm(spectrum: wide, m: 39, features: 40)", "[10]", 0.0));
    assert!(message.starts_with("surrogate `w` cannot be analysed: m = 39: the expected risk is infinite"));
    assert!(message.contains("0 + 10 (the signal it cannot see acts as noise)"), "{message}");
    let message = refusal(&erm("erm(spectrum: wide, m: n, features: 40)", "[20, 41]", 0.0));
    assert!(message.starts_with("surrogate `w` cannot be analysed: m = 41: the expected risk is infinite"));
    // m = 38 = k_s − 2: finite mean, infinite variance, for the student and its teacher alike.
    let s = spec(&erm("erm(spectrum: wide, m: 38, features: 40)", "[10, 20]", 0.0)).unwrap();
    for point in variances(&s) {
        for reason in point {
            let reason = reason.unwrap();
            assert!(reason.starts_with("surrogate `w`: m = 38: the risk's variance is infinite"), "{reason}");
        }
    }
    // Every feature seen, no label noise: stage one is exact even at m = p − 1.
    let s = spec(&erm("erm(spectrum: wide, m: 49)", "[10]", 0.0)).unwrap();
    assert!(variances(&s).iter().flatten().all(Option::is_none));
    // Target noise: the student's variance is infinite at n = 48 = p − 2, the teacher's (stage one only) is not.
    let s = spec(&erm("erm(spectrum: wide, m: 20)", "[48]", 0.1)).unwrap();
    let v = variances(&s);
    assert!(v[0][0].as_ref().is_some_and(|r| r.starts_with("n = 48: the risk's variance")), "{v:?}");
    assert_eq!(v[0][1], None);
    assert!(refusal(&erm("erm(spectrum: wide, m: 20)", "[49]", 0.1)).starts_with("n = 49: the expected risk"));
}

#[test]
fn quantities_that_are_not_risks_have_no_moment_guard() {
    let body = "task t = gaussian(flat, ones, noise: 1)\nsurrogate opt = optimal\n\
                experiment e { task t  n 39  surrogates opt  measure coefficients }\n";
    let s = spec(body).unwrap();
    assert_eq!(s.experiments[0].infinite_variance(0, 39), None);
}

#[test]
fn issue_17_erm_features_take_a_list_or_a_random_subset() {
    use crate::theory::Features;
    let erm = |features: &str| {
        format!(
            "task t = gaussian(wide, wide_ones, noise: 0.1)\nsurrogate w = erm(spectrum: wide, m: 20, features: {features})\n\
             experiment e {{ task t  n [10]  surrogates w  trials 40 }}\n"
        )
    };
    let features = |f: &str| match &spec(&erm(f)).unwrap().experiments[0].surrogates[0].kind {
        SurrogateKind::Erm(e) => e.features.clone(),
        other => panic!("{other:?}"),
    };
    // A number keeps its meaning; a list is 1-based in any order and kept 0-based and increasing.
    assert_eq!(features("30"), Features::First(30));
    assert_eq!(features("[9, 1, 5]"), Features::Among(vec![0, 4, 8]));
    assert_eq!(features("[50]"), Features::Among(vec![49]));
    // random(keep, seed) is the random_mask generator's subset of the same (p, keep, seed).
    let random = features("random(keep: 12, seed: 3)");
    assert_eq!(random, Features::Among(crate::spec::random_subset(50, 12, 3)));
    let mask = crate::spec::random_mask(50, 12, 3);
    assert_eq!(random, Features::Among((0..50).filter(|&i| mask[i]).collect()));
    assert_ne!(random, features("random(keep: 12, seed: 4)"));
    // Located errors.
    let error = |f: &str| spec(&erm(f)).unwrap_err().remove(0);
    let source_of = |f: &str, d: &Diagnostic| {
        let text = format!(
            "title \"moments\"\nspectrum flat = isotropic(p: 40)\nspectrum wide = isotropic(p: 50)\n\
             spectrum thin = list([{}])\nsignal ones = constant(flat)\nsignal wide_ones = constant(wide)\n{}",
            (0..40).map(|i| if i < 30 { "1" } else { "0" }).collect::<Vec<_>>().join(", "),
            erm(f)
        );
        // The excerpt, and the text after it up to the end of the list.
        let rest = &text[d.span.start as usize..];
        (text[d.span.start as usize..d.span.end as usize].to_owned(), rest[..rest.find(']').unwrap_or(0)].to_owned())
    };
    let d = error("[1, 51]");
    assert_eq!(d.message, "`features` is out of range: 51");
    assert_eq!(source_of("[1, 51]", &d).0, "51");
    let d = error("[3, 0]");
    assert_eq!((d.message.as_str(), source_of("[3, 0]", &d).0.as_str()), ("`features` is out of range: 0", "0"));
    let d = error("[4, 7, 4]");
    assert_eq!(d.message, "feature 4 is listed twice");
    // The second 4, the duplicate, is the one pointed at.
    assert_eq!(source_of("[4, 7, 4]", &d), ("4".to_owned(), "4".to_owned()));
    assert_eq!(error("[]").message, "`features` lists at least one feature");
    assert_eq!(error("[1.5]").message, "`features` must be a whole number, found 1.5");
    assert_eq!(error("random(keep: 51, seed: 1)").message, "`keep` is out of range: 51");
    assert_eq!(error("random(keep: 0, seed: 1)").message, "`keep` is out of range: 0");
    assert!(error("random(keep: 5)").message.contains("seed"), "{}", error("random(keep: 5)").message);
    assert!(format!("{:?}", error("shuffle(keep: 5, seed: 1)")).contains("random"));
    // The stage-one guard counts the signal off S: noiseless task, 40 scattered features seen of 50, m = 39.
    let list: Vec<String> = (1..=50).filter(|i| i % 5 != 0).map(|i| i.to_string()).collect();
    let message =
        refusal(&erm(&format!("[{}]", list.join(", "))).replace("m: 20", "m: 39").replace("noise: 0.1", "noise: 0"));
    assert!(
        message.starts_with("surrogate `w` cannot be analysed: m = 39: the expected risk is infinite"),
        "{message}"
    );
    assert!(message.contains("Σ_(i∉S)") && message.contains("among the p_s = 40 features S it sees"), "{message}");
}

#[test]
fn issue_17_student_t_needs_more_than_two_degrees_of_freedom() {
    let body = |nu: &str| {
        format!(
            "task t = student_t(flat, ones, nu: {nu}, noise: 0.1)\nsurrogate truth = ground_truth\n\
             experiment e {{ task t  n 20  surrogates truth  trials 40 }}\n"
        )
    };
    for nu in ["2", "1.5", "-3", "0"] {
        let source = body(nu);
        let d = spec(&source).unwrap_err().remove(0);
        assert_eq!(d.message, format!("`nu` must be above 2, found {}", nu.parse::<f64>().unwrap()));
        assert!(d.hints.iter().any(|h| h.contains("Var t_ν = ν/(ν − 2) is finite only for ν > 2")), "{:?}", d.hints);
        // Located at the number itself.
        let full = format!(
            "title \"moments\"\nspectrum flat = isotropic(p: 40)\nspectrum wide = isotropic(p: 50)\n\
             spectrum thin = list([{}])\nsignal ones = constant(flat)\nsignal wide_ones = constant(wide)\n{source}",
            (0..40).map(|i| if i < 30 { "1" } else { "0" }).collect::<Vec<_>>().join(", ")
        );
        assert_eq!(&full[d.span.start as usize..d.span.end as usize], nu);
    }
    assert!(refusal(&body("1e400")).contains("too large"));
    let s = spec(&body("2.5")).unwrap();
    assert_eq!(s.experiments[0].task.entries, crate::sim::Entries::StudentT { nu: 2.5 });
    let other = |kind: &str| {
        spec(&format!(
            "task t = {kind}(flat, ones, noise: 0.1, noise_decay: 0.5)\nsurrogate truth = ground_truth\n\
             experiment e {{ task t  n 20  surrogates truth  trials 40 }}\n"
        ))
        .unwrap()
        .experiments[0]
            .task
            .clone()
    };
    assert_eq!(other("rademacher").entries, crate::sim::Entries::Rademacher);
    assert_eq!(other("uniform").entries, crate::sim::Entries::Uniform);
    let g = other("gaussian");
    assert_eq!((g.entries, g.noise_decay), (crate::sim::Entries::Gaussian, 0.5));
    assert!((g.noise_at(16) - 0.025).abs() < 1e-15);
}

#[test]
fn issue_17_a_growing_noise_is_refused_beyond_the_spec_range() {
    let source = "task t = gaussian(flat, ones, noise: 1, noise_decay: -40)\nsurrogate truth = ground_truth\n\
                  experiment e { task t  n [5, 20]  surrogates truth }\n";
    let message = refusal(source);
    assert!(message.contains("σ²(n) = σ² n^−γ") && message.contains("n = 20"), "{message}");
    // And a decaying noise enters the moment guards: with σ²(n) > 0 the mean is infinite at n = k − 1.
    let guard = "task t = gaussian(flat, ones, noise: 1, noise_decay: 2)\nsurrogate truth = ground_truth\n\
                 experiment e { task t  n 39  surrogates truth  trials 40 }\n";
    assert!(refusal(guard).starts_with("n = 39: the expected risk is infinite"));
}

#[test]
fn issue_17_erm_gain_takes_optimal_only() {
    let erm = |gain: &str| {
        format!(
            "task t = gaussian(wide, wide_ones, noise: 0.1)\nsurrogate g1 = erm(spectrum: wide, m: 20)\n\
             surrogate g2 = erm(spectrum: wide, m: 20, labels: g1{gain})\n\
             experiment e {{ task t  n [10]  surrogates g2  trials 40 }}\n"
        )
    };
    let optimal_labels = |gain: &str| match &spec(&erm(gain)).unwrap().experiments[0].surrogates[0].kind {
        SurrogateKind::Erm(e) => (e.optimal_labels, e.labels.as_ref().unwrap().optimal_labels),
        other => panic!("{other:?}"),
    };
    // `gain: optimal` belongs to the generation that declares it, not to the one it learns from.
    assert_eq!(optimal_labels(""), (false, false));
    assert_eq!(optimal_labels(", gain: optimal"), (true, false));
    for wrong in [", gain: 2", ", gain: best", ", gain: \"optimal\""] {
        let d = spec(&erm(wrong)).unwrap_err().remove(0);
        assert_eq!(d.message, "`gain` takes `optimal`", "{wrong}");
    }
}

#[test]
fn issue_18_a_network_sees_the_inputs_its_features_name_among_the_task_d() {
    use crate::spec::Inputs;
    let net = |features: &str| {
        format!(
            "task t = digits(test: 397)\nsurrogate w = network(width: 5, m: 100, features: {features})\n\
             surrogate w_t = teacher(of: w)\n\
             experiment e {{ task t  n [50]  surrogates w, w_t  trials 40  measure accuracy  width 30 }}\n"
        )
    };
    let inputs = |f: &str| match &spec(&net(f)).unwrap().experiments[0].surrogates[0].kind {
        SurrogateKind::Network(n) => n.inputs.clone(),
        other => panic!("{other:?}"),
    };
    // The digits have d = 64 pixels.
    assert_eq!(inputs("64"), Some(Inputs::First(64)));
    assert_eq!(inputs("[64, 1]"), Some(Inputs::Among(vec![0, 63])));
    assert_eq!(inputs("random(keep: 10, seed: 2)"), Some(Inputs::Random { keep: 10, seed: 2 }));
    let refused = |f: &str| spec(&net(f)).unwrap_err().remove(0).message;
    let beyond = [
        ("65", "its first 65 input features"),
        ("[65]", "input feature 65"),
        ("random(keep: 65, seed: 2)", "65 input features drawn at random"),
    ];
    for (features, seen) in beyond {
        assert_eq!(refused(features), format!("network `w` sees {seen}, and task `t` has d = 64"));
    }
    assert_eq!(refused("[3, 3]"), "feature 3 is listed twice");
    assert_eq!(refused("[]"), "`features` lists at least one feature");
}

#[test]
fn issue_18_classes_no_row_has_are_dropped() {
    // The same rows labelled 0/1 and 0/7 make the same task: class 7 becomes 1, and classes 1–6 (no row) are
    // dropped, so no output that was never trained can win the argmax (helper-found).
    let task = |labels: &str| {
        let body = format!(
            "task t = data(features: file(\"tests/fixtures/data/rows.npy\"), labels: file(\"tests/fixtures/data/{labels}\"), test: 20)\n\
             surrogate s = ground_truth\n\
             experiment e {{ task t  n 10  surrogates s  trials 10  measure accuracy  width 20 }}\n"
        );
        spec(&body).unwrap().experiments[0].task.rows.clone().unwrap()
    };
    let (binary, gaps) = (task("rows_classes.csv"), task("gaps.csv"));
    assert_eq!(binary.data.labels, gaps.data.labels);
    assert_eq!(gaps.data.classes(), 2);
    assert_eq!(binary, gaps, "the same rows, the same digest");
    // The default labels speak of classification.
    let s = spec(
        "task t = digits(test: 397)\nsurrogate s = ground_truth\nsurrogate w = network(width: 5, m: 100)\n\
         surrogate w_t = teacher(of: w)\n\
         experiment e { task t  n 50  surrogates s, w, w_t  trials 40  measure accuracy  width 30 }\n",
    )
    .unwrap();
    let labels: Vec<&str> = s.experiments[0].surrogates.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels[0], "Strong target (true labels)");
    assert_eq!(labels[2], "teacher network w");
}
