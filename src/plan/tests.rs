use super::*;
use crate::{parse, resolve};

/// A fixed, an adaptive and a nested simulated experiment, a theory-only one, and a claim on each simulated one.
const SPEC: &str = "title \"t\"\nspectrum s = isotropic(p: 20)\nsignal b = constant(spectrum: s)\n\
task t = gaussian(spectrum: s, signal: b, noise: 0.1)\nsurrogate g = ground_truth\n\
experiment fixed { task t  n [5, 10]  surrogates g  trials 40 }\n\
experiment adaptive { task t  n [5, 10, 30]  surrogates g  trials auto(max: 500) }\n\
experiment nested { task t  n [5, 10]  surrogates g  trials 20  designs nested }\n\
experiment theory { task t  n [5, 10]  surrogates g }\n\
claim on_fixed \"x\" {\n  confidence 0.95\n  agree fixed\n  tolerance relative(0.1)\n}\n\
claim on_nested \"x\" {\n  agree nested\n  tolerance relative(0.1)\n}\n";

fn spec() -> Spec {
    resolve(&parse(SPEC).unwrap(), SPEC, std::path::Path::new(".")).unwrap()
}

/// The (points, trials) of every unit of every look of experiment `index`.
fn units(plan: &Plan<'_>, index: usize) -> Vec<Vec<(Points, Range<usize>)>> {
    let look = |l: &Look| l.units.iter().map(|u| (u.points, u.trials.clone())).collect();
    plan.schedule(index).looks.iter().map(look).collect()
}

#[test]
fn every_look_is_cut_into_one_unit_per_point_or_one_nested_sweep() {
    let spec = spec();
    let plan = Plan::new(&spec, Overrides::default());
    assert_eq!(units(&plan, 0), [vec![(Points::One(0), 0..40), (Points::One(1), 0..40)]]);
    // `auto(max: 500)` looks at 100, 200, 400 and 500 trials (Trials::looks): each look adds the trials since the
    // last one.
    let adaptive = units(&plan, 1);
    let ranges: Vec<_> = adaptive.iter().map(|l| l[0].1.clone()).collect();
    assert_eq!(ranges, [0..100, 100..200, 200..400, 400..500]);
    assert!(adaptive.iter().all(|l| l.iter().map(|u| u.0).eq([0, 1, 2].map(Points::One))));
    assert_eq!(units(&plan, 2), [vec![(Points::Nested, 0..20)]]);
    assert!(plan.schedule(3).looks.is_empty() && plan.schedule(3).trials.is_none());
    assert!(plan.schedule(1).is_adaptive() && !plan.schedule(0).is_adaptive());
    // 2·40 + 3·500 + 2·20 trials at most.
    assert_eq!(plan.total_trials(), 80 + 1500 + 40);
    // Their flops are the cost estimate's. At p = 20 with one
    // surrogate column: the fit (n²p + n³/3 for n < p, np² + p³/3 above), the design's draw (140 per entry), the
    // column's labels and back-projection (4np) and the fixed 2.5·10⁵ of a trial.
    let fit = |n: f64| {
        let linear_algebra = if n < 20.0 { n * n * 20.0 + n.powi(3) / 3.0 } else { n * 400.0 + 8000.0 / 3.0 };
        linear_algebra + 144.0 * n * 20.0 + 2.5e5
    };
    // The nested sweep (n = 5, 10) draws and factors once at n = 10 (140·10·20 + 10²·20 + 10³/3), then per point
    // labels, back-projection and residual (6np) and two triangular solves (2n²).
    let nested = 140.0 * 200.0 + 2000.0 + 1000.0 / 3.0 + (600.0 + 50.0) + (1200.0 + 200.0) + 2.5e5;
    let expected = 40.0 * (fit(5.0) + fit(10.0)) + 500.0 * (fit(5.0) + fit(10.0) + fit(30.0)) + 20.0 * nested;
    assert!((plan.total_flops() - expected).abs() < 1e-9 * expected, "{} vs {expected}", plan.total_flops());
    assert_eq!((plan.seed(), plan.draft()), (spec.seed, None));
}

#[test]
fn the_overrides_apply_to_every_simulated_experiment_and_leave_the_spec_alone() {
    let spec = spec();
    let plan = Plan::new(&spec, Overrides { seed: Some(7), trials: Some(3) });
    assert_eq!((plan.seed(), plan.draft()), (7, Some(3)));
    for index in 0..3 {
        assert_eq!(plan.schedule(index).trials, Some(Trials::Fixed(3)));
        assert_eq!(plan.schedule(index).looks.len(), 1);
        assert!(plan.schedule(index).looks[0].units.iter().all(|u| u.trials == (0..3)));
    }
    assert!(plan.schedule(3).looks.is_empty(), "a theory-only experiment gets no trials");
    assert_eq!(spec.experiments[1].trials, Some(Trials::Auto { max: 500 }));
    assert_eq!(plan.total_trials(), 3 * (2 + 3 + 2));
}

#[test]
fn too_few_trials_warn_at_the_rule_whatever_comes_before_it() {
    let spec = spec();
    // Claim `on_nested` reads `nested` (20 trials); `on_fixed` reads `fixed` (40), and its rule follows
    // `confidence`.
    let warnings = Plan::new(&spec, Overrides::default()).warnings();
    assert_eq!(warnings.len(), 1);
    let at = |d: &Diagnostic| &SPEC[d.span.start as usize..d.span.end as usize];
    assert!(warnings[0].message.starts_with("experiment `nested` has 20 trials per point"), "{}", warnings[0].message);
    assert_eq!(at(&warnings[0]), "agree");
    assert!(SPEC[..warnings[0].span.start as usize].ends_with("claim on_nested \"x\" {\n  "));
    // A draft run of 29 trials warns on both, each at its rule.
    let warnings = Plan::new(&spec, Overrides { trials: Some(MIN_TRIALS - 1), ..Overrides::default() }).warnings();
    assert_eq!(warnings.len(), 2);
    assert!(SPEC[..warnings[0].span.start as usize].ends_with("confidence 0.95\n  "), "{:?}", warnings[0].span);
    assert!(warnings.iter().all(|w| at(w) == "agree"));
    // Enough trials, no warning.
    assert!(Plan::new(&spec, Overrides { trials: Some(MIN_TRIALS), ..Overrides::default() }).warnings().is_empty());
}
