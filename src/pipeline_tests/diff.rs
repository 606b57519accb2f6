//! `kdrepro diff` on real builds (issue 15): two seeds give no significant change; a changed noise level, surrogate
//! or theory is reported where it acts and nowhere else; a verdict flip is a meaningful change.

use std::collections::BTreeSet;
use std::path::Path;

use super::run_to_decision;
use crate::diff::{DEFAULT_LEVEL, ResultsDiff, compare};
use crate::report::{Fonts, RenderInput, ResultsFile, results_file, spec_hash};
use crate::theory::{Mutation, with_mutation};
use crate::{Overrides, Plan, judge, parse, resolve};

/// The results file of `source` built with `seed` (as `kdrepro build --seed` writes it, without typesetting).
fn build(source: &str, seed: u64) -> ResultsFile {
    let ast = parse(source).unwrap();
    let spec = resolve(&ast, source, Path::new(".")).unwrap();
    let plan = Plan::new(&spec, Overrides { seed: Some(seed), trials: None });
    let results = run_to_decision(&plan);
    let verdicts = judge(&plan, &results);
    let fonts = Fonts::load(&[]).unwrap();
    let hash = spec_hash(source);
    let input = RenderInput {
        plan: &plan,
        spec_file: "diff.kd",
        source,
        stem: "diff",
        results: &results,
        verdicts: &verdicts,
        spec_hash: &hash,
        threads: None,
        fonts: &fonts,
    };
    results_file(&input)
}

/// The diff at the default level.
fn diff(old: &ResultsFile, new: &ResultsFile) -> ResultsDiff {
    compare(old, new, ["old", "new"], DEFAULT_LEVEL).unwrap()
}

/// `experiment/series` of every series whose theory changed.
fn theory_changed(d: &ResultsDiff) -> BTreeSet<String> {
    d.theory.iter().map(|t| format!("{}/{}", t.experiment, t.series)).collect()
}

/// `experiment/series` of every series with a significant change of a simulated mean.
fn means_changed(d: &ResultsDiff) -> BTreeSet<String> {
    d.means.significant.iter().map(|m| format!("{}/{}", m.experiment, m.series)).collect()
}

/// Two experiments on tasks that differ only by name, each with two surrogates; the tests edit one setting.
const TWO_TASKS: &str = r#"title "Diff"
seed 3
spectrum cov   = powerlaw(p: 200, alpha: 1.5)
signal   beta  = powerlaw_energy(cov, beta: 1.5, power: 1.0)
task     quiet = gaussian(cov, beta, noise: 0.1)
task     loud  = gaussian(cov, beta, noise: 0.1)
surrogate truth = ground_truth
surrogate half  = scaled(0.5)
experiment a { task quiet n 60..180 step 40 surrogates truth, half trials 100 }
experiment b { task loud n 60..180 step 40 surrogates truth, half trials 100 }
claim agree "Theory matches simulation within 20%" { agree a tolerance relative(0.2) }
"#;

#[test]
fn two_seeds_of_the_figure_1b_benchmark_differ_in_nothing_significant() {
    let spec = include_str!("../../specs/bench/fig1b.kd");
    let d = diff(&build(spec, 1), &build(spec, 2));
    assert_eq!(d.means.compared, 51, "17 sample sizes × 3 surrogates, all simulated");
    assert!(d.means.significant.is_empty(), "{}", d.to_text());
    assert!(d.theory.is_empty() && d.verdicts.is_empty() && !d.meaningful, "{}", d.to_text());
    // The seed is reported, as a setting that changes the draws, not the result.
    assert_eq!(d.settings.iter().map(|s| s.setting.as_str()).collect::<Vec<_>>(), ["seed"]);
}

#[test]
fn a_changed_noise_level_is_reported_in_its_experiment_only() {
    let old = build(TWO_TASKS, 3);
    let new = build(
        &TWO_TASKS.replace("loud  = gaussian(cov, beta, noise: 0.1)", "loud  = gaussian(cov, beta, noise: 0.6)"),
        3,
    );
    let d = diff(&old, &new);
    let b: BTreeSet<String> = ["b/half", "b/truth"].map(str::to_owned).into();
    assert_eq!(theory_changed(&d), b, "{}", d.to_text());
    // Noise variance 0.1 → 0.6 adds (0.5)·n/(p − n)-sized risk at every point of b: detected at most of them.
    assert!(!d.means.significant.is_empty() && means_changed(&d).is_subset(&b), "{}", d.to_text());
    assert!(d.meaningful);
}

#[test]
fn a_changed_surrogate_is_reported_in_its_series_only() {
    let old = build(TWO_TASKS, 3);
    let new = build(&TWO_TASKS.replace("scaled(0.5)", "scaled(0.9)"), 3);
    let d = diff(&old, &new);
    let half: BTreeSet<String> = ["a/half", "b/half"].map(str::to_owned).into();
    assert_eq!(theory_changed(&d), half, "{}", d.to_text());
    assert!(!d.means.significant.is_empty() && means_changed(&d).is_subset(&half), "{}", d.to_text());
}

#[test]
fn a_theory_mutation_is_reported_as_a_theory_change_and_flips_the_verdict() {
    let old = build(TWO_TASKS, 3);
    // Ω scaled by 1.5: every risk formula moves (Theorem 1), the simulation does not.
    let new = with_mutation(Mutation::OmegaScaled(1.5), || build(TWO_TASKS, 3));
    let d = diff(&old, &new);
    let all: BTreeSet<String> = ["a/half", "a/truth", "b/half", "b/truth"].map(str::to_owned).into();
    assert_eq!(theory_changed(&d), all, "{}", d.to_text());
    assert!(d.means.significant.is_empty(), "the simulation does not use Ω: {}", d.to_text());
    assert_eq!(d.verdicts.len(), 1, "{}", d.to_text());
    let flip = &d.verdicts[0];
    assert_eq!((flip.claim.as_str(), flip.old.as_str(), flip.new.as_str()), ("agree", "pass", "fail"));
    assert!(d.meaningful);
}

/// The long test of the acceptance: at family-wise level 5%, at most 5% of seed pairs may show a significant
/// change (measured on 29 Nov 2026: 3 of 100, pairs 5, 53 and 99).
#[test]
#[ignore = "200 builds of the Figure 1b benchmark, about 15 minutes on 2 cores: cargo test --release --lib pipeline_tests::diff::at_most -- --ignored --nocapture"]
fn at_most_five_percent_of_seed_pairs_show_a_significant_change() {
    let spec = include_str!("../../specs/bench/fig1b.kd");
    let flagged: Vec<u64> = (0..100)
        .filter(|&pair| {
            !diff(&build(spec, 1000 + 2 * pair), &build(spec, 1001 + 2 * pair)).means.significant.is_empty()
        })
        .collect();
    eprintln!("seed pairs with a significant change: {} of 100 ({flagged:?})", flagged.len());
    // Holm at α = 0.05 keeps P(any rejection) ≤ 0.05 per pair; over 100 independent pairs the count is at most
    // Binomial(100, 0.05), whose mean is 5: the acceptance bound is 5 pairs.
    assert!(flagged.len() <= 5, "pairs with a significant change: {flagged:?}");
}

/// The points of series `s` of experiment `e`, to edit.
fn points<'a>(r: &'a mut ResultsFile, e: &str, s: &str) -> &'a mut Vec<crate::engine::Point> {
    &mut r.experiments.get_mut(e).unwrap().series.get_mut(s).unwrap().points
}

#[test]
fn infinite_theory_and_untestable_points_are_named_never_given_finite_stand_ins() {
    let old = build(TWO_TASKS, 3);
    let mut new = old.clone();
    // The true value became infinite at one point, undefined at another, and changed from 0 at a third.
    points(&mut new, "a", "truth")[0].theory = f64::INFINITY;
    points(&mut new, "a", "half")[1].theory = f64::NAN;
    points(&mut new, "b", "truth")[2].theory = 0.5;
    let mut zero = old.clone();
    points(&mut zero, "b", "truth")[2].theory = 0.0;
    // Means whose standard error says nothing: infinite variance, one trial, a mean only in one build.
    points(&mut new, "b", "half")[0].infinite_variance = Some("E R² = ∞ at n = 60".into());
    points(&mut new, "b", "half")[1].trials = Some(1);
    points(&mut new, "b", "half")[2].mean = None;
    let d = diff(&zero, &new);
    let largest =
        |e: &str, s: &str| d.theory.iter().find(|t| t.experiment == e && t.series == s).unwrap().largest.relative.0;
    assert_eq!(largest("a", "truth"), f64::INFINITY);
    assert!(largest("a", "half").is_nan());
    assert_eq!(largest("b", "truth"), f64::INFINITY, "a change from 0");
    let json = d.to_json();
    assert!(json.contains(r#""new": "inf""#) && json.contains(r#""relative": "nan""#), "{json}");
    let reasons: Vec<&str> = d.means.not_compared.iter().map(|n| n.reason.as_str()).collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].starts_with("the risk's variance is infinite here"), "{reasons:?}");
    assert!(reasons[1].starts_with("only 1 of the 30 trials needed"), "{reasons:?}");
    assert_eq!(reasons[2], "simulated only in the old build");
    assert_eq!(d.means.compared, 16 - 3);
    let text = d.to_text();
    assert!(text.contains("largest relative change ∞") && text.contains("largest relative change —"), "{text}");
    // Structure: a point, a series, an experiment and a figure removed.
    let mut smaller = old.clone();
    points(&mut smaller, "a", "truth").pop();
    smaller.experiments.get_mut("a").unwrap().series.remove("half");
    smaller.experiments.remove("b");
    let d = diff(&old, &smaller);
    assert_eq!((d.removed.experiments.len(), d.removed.series.len(), d.removed.points.len()), (1, 1, 1));
    assert!(d.meaningful && d.added.experiments.is_empty());
}

#[test]
fn points_on_another_x_axis_are_never_compared() {
    // Helper-found: an experiment turned from a sweep over n into a coefficient profile over i kept its series
    // names, and the excess risk at n = 60 was compared with the coefficient at i = 60.
    let old = build(TWO_TASKS, 3);
    let mut new = old.clone();
    new.experiments.get_mut("a").unwrap().x = "i".to_owned();
    new.title = "Another title".to_owned();
    let d = diff(&old, &new);
    assert!(d.theory.is_empty() && d.means.significant.is_empty(), "{}", d.to_text());
    assert_eq!(d.means.compared, 8, "only experiment b's 2 series × 4 points: {}", d.to_text());
    let axes = |s: &crate::diff::Structure| s.points.iter().map(|p| p.axis.clone()).collect::<BTreeSet<_>>();
    assert_eq!((d.removed.points.len(), d.added.points.len()), (8, 8));
    assert_eq!((axes(&d.removed), axes(&d.added)), (["n".to_owned()].into(), ["i".to_owned()].into()));
    assert!(d.meaningful);
    assert!(d.to_text().contains("a/truth at n = 60") && d.to_text().contains("a/truth at i = 60"), "{}", d.to_text());
    assert!(d.provenance.iter().any(|p| p.setting == "title"), "{}", d.to_text());
}

#[test]
fn points_are_matched_by_x_through_removals_and_insertions() {
    // Old x = 60, 100, 140, 180; new: 100 removed, 120 inserted, so the walk must step past both sides' extras.
    let old = build(TWO_TASKS, 3);
    let mut new = old.clone();
    let truth = points(&mut new, "a", "truth");
    let mut inserted = truth.remove(1);
    inserted.x = 120.0;
    truth.insert(1, inserted);
    let d = diff(&old, &new);
    let at = |s: &crate::diff::Structure| s.points.iter().map(|p| (p.series.clone(), p.x.0)).collect::<Vec<_>>();
    assert_eq!(at(&d.removed), [("truth".to_owned(), 100.0)]);
    assert_eq!(at(&d.added), [("truth".to_owned(), 120.0)]);
    // The other 15 points are matched with themselves: equal theory and means, nothing else reported.
    assert_eq!(d.means.compared, 15, "{}", d.to_text());
    assert!(d.theory.is_empty() && d.means.significant.is_empty(), "{}", d.to_text());
}
