//! A data task end to end (issue 18 item 1): spec text → resolve → run → judge, its population checked against
//! an independent least-squares fit of the data, its theory against the closed-form least-squares risk, and its
//! simulation against both.
#![allow(non_snake_case, reason = "matrices are named as in the formulas: X, Z, V, G")]

use faer::linalg::solvers::Solve as _;
use faer::{Mat, Side};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::claims::Status;
use crate::{RunOptions, judge, parse, resolve, run};

/// Rows and features of the generated data set: N ≫ n, so that n rows drawn without replacement are nearly an
/// i.i.d. draw (the risk's noise part shrinks by about 1 − n/N, 0.4% at n = 80).
const N: usize = 20_000;
const P: usize = 4;

const SPEC: &str = r#"
title "a data task end to end"
seed 18
task rows = data(features: file("rows.csv"), labels: file("rows.csv", column: "y"))
surrogate truth = ground_truth
experiment fit { task rows  n [20, 40, 80]  surrogates truth  trials 2000 }
experiment whole { task rows  n 20000  surrogates truth  trials 3 }
claim agrees "the least-squares risk of the data's population" { agree fit  tolerance relative(0.1) }
"#;

/// X (N × P, columns scaled 2, 1, 0.5, 0.25) and y = X·(1, −1, 0.5, 0.3) + 0.5·g, Gaussian, written as `rows.csv`
/// with a header `x1,…,x4,y` in `dir`.
fn write_rows(dir: &std::path::Path) -> (Mat<f64>, Vec<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(18);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let (scale, beta) = ([2.0, 1.0, 0.5, 0.25], [1.0, -1.0, 0.5, 0.3]);
    let mut X = Mat::<f64>::zeros(N, P);
    let mut y = vec![0.0; N];
    let mut text = "x1,x2,x3,x4,y\n".to_owned();
    for (i, label) in y.iter_mut().enumerate() {
        let x: Vec<f64> = scale.iter().map(|s| s * normal()).collect();
        *label = x.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>() + 0.5 * normal();
        let row: Vec<String> = x.iter().chain([&*label]).map(f64::to_string).collect();
        text += &(row.join(",") + "\n");
        x.iter().enumerate().for_each(|(j, &v)| X[(i, j)] = v);
    }
    std::fs::write(dir.join("rows.csv"), text).unwrap();
    (X, y)
}

fn close(a: f64, b: f64, relative: f64) -> bool {
    (a - b).abs() <= relative * b.abs()
}

#[test]
fn a_data_task_has_the_population_of_its_rows_and_its_simulation_agrees_with_its_theory() {
    let dir = tempfile::tempdir().unwrap();
    let (X, y) = write_rows(dir.path());
    let spec = resolve(&parse(SPEC).unwrap(), SPEC, dir.path()).unwrap();
    let task = &spec.experiments[0].task;

    // The population, independently: least squares on all rows in the original coordinates (normal equations).
    let gram = X.transpose() * &X;
    let Xty = X.transpose() * Mat::from_fn(N, 1, |i, _| y[i]);
    let beta = gram.llt(Side::Lower).unwrap().solve(&Xty);
    let residual: Vec<f64> = (0..N).map(|i| y[i] - (0..P).map(|j| X[(i, j)] * beta[(j, 0)]).sum::<f64>()).collect();
    let noise = residual.iter().map(|e| e * e).sum::<f64>() / N as f64;
    assert!(close(task.noise, noise, 1e-10), "σ̄² {} against {noise}", task.noise);
    let mut lambda = (X.thin_svd().unwrap().S().column_vector().iter().map(|s| s * s / N as f64)).collect::<Vec<_>>();
    lambda.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(task.spectrum.lambda.len(), P);
    for (a, b) in task.spectrum.lambda.iter().zip(&lambda) {
        assert!(close(*a, *b, 1e-10), "λ {a} against {b}");
    }
    // The signal power β̄ᵀΣ̂β̄ does not depend on the eigenvectors' signs.
    let power = (beta.transpose() * &gram * &beta)[(0, 0)] / N as f64;
    let task_power: f64 = task.spectrum.lambda.iter().zip(&task.beta).map(|(l, b)| l * b * b).sum();
    assert!(close(task_power, power, 1e-10), "signal power {task_power} against {power}");

    let plan = super::plan(&spec);
    let results = run(&plan, &RunOptions::default()).unwrap();
    // Least squares on a Gaussian design: E R = σ² p/(n − p − 1) (v2 Proposition 2), with σ̄² and p = 4.
    // Trained on every row, the fit is β̄ itself: a risk of 0 up to rounding, not the i.i.d. theory's
    // σ̄² p/(N − p − 1). The theory models i.i.d. rows, and keeping n ≪ N is what makes a split close to them.
    let whole = &results.experiments[1].series[0].points[0];
    assert!(whole.mean.unwrap() < 1e-20, "the fit on all rows has risk {:?}", whole.mean);
    for point in &results.experiments[0].series[0].points {
        let expected = noise * P as f64 / (point.x - P as f64 - 1.0);
        assert!(close(point.theory, expected, 1e-12), "theory {} against {expected} at n = {}", point.theory, point.x);
    }
    let verdicts = judge(&plan, &results);
    assert_eq!(verdicts.claims[0].status, Status::Pass, "{:?}", verdicts.claims[0]);
}

#[test]
fn a_data_task_refuses_what_its_rows_cannot_give() {
    let dir = tempfile::tempdir().unwrap();
    write_rows(dir.path());
    let refused = |experiment: &str, surrogate: &str| {
        let text = SPEC
            .replace(
                "experiment fit { task rows  n [20, 40, 80]  surrogates truth  trials 2000 }
experiment whole { task rows  n 20000  surrogates truth  trials 3 }",
                experiment,
            )
            .replace("surrogate truth = ground_truth", surrogate);
        let errors = resolve(&parse(&text).unwrap(), &text, dir.path()).unwrap_err();
        errors[0].message.clone()
    };
    let truth = "surrogate truth = ground_truth";
    let nested =
        refused("experiment fit { task rows  n [20, 40]  surrogates truth  trials 10  designs nested }", truth);
    assert!(nested.contains("`designs nested`"), "{nested}");
    let erm = refused(
        "experiment fit { task rows  n [20]  surrogates truth  trials 10 }",
        "spectrum s = isotropic(p: 4)\nsurrogate truth = erm(spectrum: s, m: 50)",
    );
    assert!(erm.contains("trained by ERM on Gaussian data"), "{erm}");
    let beyond = refused("experiment fit { task rows  n [20, 20001]  surrogates truth  trials 10 }", truth);
    assert_eq!(beyond, "n = 20001 is more than the data set's 20000 rows");
}
