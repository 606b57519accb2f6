use super::*;
use crate::engine::outline::outline;
use crate::engine::results::Series;
use crate::{Overrides, parse, resolve};

/// The small sweep of the tests (tests/fixtures/specs/sweep.kd) with a theory-only sweep, coefficients and
/// masks experiments beside it.
const SPEC: &str = concat!(
    "title \"outline\"\n",
    include_str!("../../../tests/fixtures/specs/sweep.kd"),
    "experiment theory { task t  n [10, 30]  surrogates truth, best }\n",
    "experiment profile { task t  n 20  surrogates truth, best  measure coefficients }\n",
    "experiment masks { task t  n 20  measure masks }\n",
);

#[test]
fn issue_12_every_failing_experiment_is_reported_with_its_kind_and_span() {
    // Two experiments on a task whose risks f64 cannot resolve (eigenvalues 1e50 beside a risk of 0.17, see
    // sim/resolution.rs), with a sound one between them: both failures come back, in spec order, located
    // at the experiments' names, and the sound experiment still runs.
    let source = "title \"two\"\nspectrum big = list([1e50, 1e50, 1e-300, 1e-300, 1e-300])\n\
                  signal ones = constant(big)\ntask t = gaussian(big, ones, noise: 0.1)\n\
                  surrogate truth = ground_truth\n\
                  experiment first { task t  n [9, 20]  surrogates truth  trials 10 }\n\
                  experiment fine { task t  n [9]  surrogates truth }\n\
                  experiment second { task t  n [20, 30]  surrogates truth  trials 10 }\n";
    let spec = resolve(&parse(source).unwrap(), source, std::path::Path::new(".")).unwrap();
    let errors = run(&Plan::new(&spec, Overrides::default()), &RunOptions::default()).unwrap_err();
    let located: Vec<(&str, usize, &str)> = errors
        .iter()
        .map(|e| (e.experiment.as_str(), e.n, &source[e.span.start as usize..e.span.end as usize]))
        .collect();
    assert_eq!(located, [("first", 9, "first"), ("second", 20, "second")]);
    for e in &errors {
        assert!(matches!(&e.kind, RunErrorKind::Unresolvable { surrogate, .. } if surrogate == "truth"), "{e}");
    }
}

#[test]
fn the_outline_has_the_shape_of_the_results() {
    let spec = resolve(&parse(SPEC).unwrap(), SPEC, std::path::Path::new(".")).unwrap();
    let results = run(&Plan::new(&spec, Overrides::default()), &RunOptions::default()).unwrap();
    let outline = outline(&spec);
    assert_eq!(outline.experiments.len(), results.experiments.len());
    for (o, r) in outline.experiments.iter().zip(&results.experiments) {
        assert_eq!((&o.name, &o.x, o.trials.is_some()), (&r.name, &r.x, r.trials.is_some()));
        let ns = |e: &ExperimentResults| e.equivalents.iter().map(|q| q.n).collect::<Vec<_>>();
        assert_eq!(ns(o), ns(r), "{}", o.name);
        for (a, b) in o.series.iter().zip(&r.series) {
            assert_eq!(a.name, b.name);
            let shape = |s: &Series| -> Vec<(u64, bool)> {
                s.points.iter().map(|p| (p.x.to_bits(), p.mean.is_some())).collect()
            };
            assert_eq!(shape(a), shape(b), "{}.{}", o.name, a.name);
        }
    }
}
