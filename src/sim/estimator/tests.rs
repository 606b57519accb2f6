use faer::{Accum, Mat};

use super::{Check, Fitter, Inaccurate, Method, TOLERANCE, gram_lower, qr_solve, relative_residual, transpose_times};

/// A deterministic m × q test matrix with entries in [−1, 1].
fn matrix(m: usize, q: usize, salt: usize) -> Mat<f64> {
    Mat::from_fn(m, q, |i, j| (((i * 31 + j * 17 + salt * 7) % 23) as f64 - 11.0) / 11.0)
}

#[test]
fn gram_lower_matches_the_full_product_below_the_diagonal() {
    for m in [1, 47, 48, 49, 100, 150] {
        let A = matrix(m, 37, m);
        let full = &A * A.transpose();
        let mut G = Mat::<f64>::from_fn(m, m, |_, _| f64::NAN);
        gram_lower(G.as_mut(), A.as_ref(), Accum::Replace);
        gram_lower(G.as_mut(), A.as_ref(), Accum::Add);
        for j in 0..m {
            for i in j..m {
                let error = (G[(i, j)] - 2.0 * full[(i, j)]).abs();
                assert!(error <= 1e-12 * (1.0 + full[(i, j)].abs()), "m = {m}, ({i}, {j}): {error}");
            }
        }
    }
}

#[test]
fn transpose_times_matches_the_product() {
    for m in [1, 15, 16, 17, 450] {
        let (A, W) = (matrix(m, 29, 1), matrix(m, 3, 2));
        let mut out = Mat::<f64>::zeros(29, 3);
        transpose_times(out.as_mut(), A.as_ref(), W.as_ref());
        let error = (&out - A.transpose() * &W).norm_max();
        assert!(error <= 1e-12 * m as f64, "m = {m}: {error}");
    }
}

/// A pseudo-random n × p Gaussian-like matrix with columns scaled by `scale` (a graded design X = G Λ^{1/2}).
fn graded(n: usize, scale: &[f64], salt: u64) -> Mat<f64> {
    let mut state = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64*, then a sum of 4 uniforms: a centred, unit-variance, roughly normal entry.
        (0..4)
            .map(|_| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .sum::<f64>()
            * 3.0_f64.sqrt()
    };
    let mut X = Mat::zeros(n, scale.len());
    for j in 0..scale.len() {
        for i in 0..n {
            X[(i, j)] = next() * scale[j];
        }
    }
    X
}

/// X⁺Y through faer's thin SVD of the non-zero columns of X (zero columns get 0), every singular value inverted.
fn svd_pinv(X: &Mat<f64>, Y: &Mat<f64>) -> Mat<f64> {
    let live: Vec<usize> = (0..X.ncols()).filter(|&j| X.col(j).norm_l2() > 0.0).collect();
    let A = Mat::from_fn(X.nrows(), live.len(), |i, c| X[(i, live[c])]);
    let svd = A.thin_svd().unwrap();
    let mut W = svd.U().transpose() * Y;
    for (i, s) in svd.S().column_vector().iter().enumerate() {
        W.row_mut(i).iter_mut().for_each(|w| *w /= s);
    }
    let b = svd.V() * W;
    let mut out = Mat::zeros(X.ncols(), Y.ncols());
    for (c, &j) in live.iter().enumerate() {
        out.row_mut(j).copy_from(b.row(c));
    }
    out
}

#[test]
fn qr_solve_is_the_pseudo_inverse_on_graded_and_rank_deficient_designs() {
    // Scales λ_i^{1/2} from 1 down to 1e-8 (λ = 1e-16) or exactly 0, unsorted; n below, at and above the
    // number q of non-zero columns. The SVD reference is accurate to about ε cond ≈ 1e-8 here; the fits
    // agree in the λ-weighted norm (the risk's) to 1e-6 relative, and pass their own residual check.
    let scales = [1.0, 1e-8, 0.5, 0.0, 1e-8, 1.0, 1e-4, 0.0, 1e-8, 2.0];
    for (n, salt) in [(3, 1), (5, 2), (8, 3), (12, 4), (30, 5)] {
        let X = graded(n, &scales, salt);
        let Y = graded(n, &[1.0, 0.3], salt + 100);
        let (b, check) = qr_solve(X.as_ref(), Y.as_ref());
        let reference = svd_pinv(&X, &Y);
        let weighted = |M: &Mat<f64>| Mat::from_fn(M.nrows(), M.ncols(), |i, j| M[(i, j)] * scales[i]);
        let error = (weighted(&b) - weighted(&reference)).norm_l2() / weighted(&reference).norm_l2();
        assert!(error < 1e-6, "n = {n}: λ-weighted error {error:e}");
        assert!(b.row(3).norm_l2() == 0.0 && b.row(7).norm_l2() == 0.0, "zero columns get zero coefficients");
        assert_eq!(check, if n <= 8 { Check::Interpolation } else { Check::NormalEquations }, "n = {n}");
        let (mut r, mut g) = (Mat::zeros(n, 2), Mat::zeros(10, 2));
        let residual = relative_residual(X.as_ref(), b.as_ref(), Y.as_ref(), check, r.as_mut(), g.as_mut());
        assert!(residual < 1e-13, "n = {n}: residual {residual:e}");
    }
}

#[test]
fn the_residual_check_rejects_a_regularised_fit() {
    // The old fallback: a pseudo-inverse that drops the directions of X Xᵀ below m ε of the largest, here the
    // two directions of size 1e-8 (eigenvalues 1e-16 of X Xᵀ). That fit leaves the labels' component in those
    // directions unexplained, a relative residual of order 1e-1 here, far above TOLERANCE.
    let scales = [1.0, 1.0, 1.0, 1e-8, 1e-8, 1e-8, 1e-8];
    let X = graded(5, &scales, 7);
    let Y = graded(5, &[1.0], 8);
    let svd = X.thin_svd().unwrap();
    let s = svd.S().column_vector();
    let cutoff = s[0] * 5.0 * f64::EPSILON.sqrt(); // σ² below m ε σ_max²
    let mut W = svd.U().transpose() * &Y;
    for i in 0..5 {
        let keep = if s[i] > cutoff { 1.0 / s[i] } else { 0.0 };
        W.row_mut(i).iter_mut().for_each(|w| *w *= keep);
    }
    let truncated = svd.V() * W;
    let (mut r, mut g) = (Mat::zeros(5, 1), Mat::zeros(7, 1));
    let residual =
        relative_residual(X.as_ref(), truncated.as_ref(), Y.as_ref(), Check::Interpolation, r.as_mut(), g.as_mut());
    assert!(residual > 1e-3, "residual {residual:e}");
    // The fitter on the same design: Cholesky is rejected, QR accepted, and the fit interpolates.
    let (mut coef, mut labels) = (Mat::zeros(7, 1), Y.clone());
    let method = Fitter::new(5, 7, 1).fit(X.as_ref(), None, labels.as_mut(), coef.as_mut(), false);
    assert_eq!(method, Ok(Method::Qr));
}

#[test]
fn a_fit_that_cannot_reach_the_tolerance_is_refused() {
    // X = [1e-310, 0] (a subnormal column and a zero one), y = 1e10: X⁺y = (1e320, 0) overflows f64, so
    // neither path can reach TOLERANCE and the fitter reports it instead of returning another estimator.
    let X = Mat::from_fn(1, 2, |_, j| if j == 0 { 1e-310 } else { 0.0 });
    let (mut coef, mut Y) = (Mat::zeros(2, 1), Mat::from_fn(1, 1, |_, _| 1e10));
    let result = Fitter::new(1, 2, 1).fit(X.as_ref(), None, Y.as_mut(), coef.as_mut(), false);
    assert!(
        matches!(result, Err(Inaccurate { by_qr: true, residual }) if residual.is_nan() || residual > TOLERANCE),
        "{result:?}"
    );
}

/// The ridge fit argmin ‖X b − Y‖² + c‖b‖² by an independent route: faer's thin SVD X = U S Vᵀ gives
/// b = V diag(s/(s² + c)) UᵀY (the directions outside range(V) get 0, as the penalty demands). With c > 0 every
/// factor is bounded by 1/(2√c), so the reference is accurate to a few ulps of ‖Y‖/√c.
fn ridge_svd_reference(X: &Mat<f64>, Y: &Mat<f64>, c: f64) -> Mat<f64> {
    let svd = X.thin_svd().unwrap();
    let mut W = svd.U().transpose() * Y;
    for (i, s) in svd.S().column_vector().iter().enumerate() {
        W.row_mut(i).iter_mut().for_each(|w| *w *= s / (s * s + c));
    }
    svd.V() * W
}

#[test]
fn ridge_fits_match_the_svd_reference_on_every_shape() {
    // n < p, n = p and n > p; flat, steep (eigenvalues down to 1e-16) and partly zero spectra; penalties from
    // 1e-8 to 10. Both the factorised path and the QR fallback must give the SVD's ridge solution.
    let spectra: Vec<Vec<f64>> = vec![
        vec![1.0; 40],
        (1..=40).map(|i: i32| f64::from(i).powf(-10.0)).collect(),
        (0..40).map(|i| if i < 25 { 1.0 / f64::from(i + 1) } else { 0.0 }).collect(),
    ];
    for (s, lambda) in spectra.iter().enumerate() {
        let scale: Vec<f64> = lambda.iter().map(|l| l.sqrt()).collect();
        for n in [10, 40, 90] {
            let X = graded(n, &scale, (s * 100 + n) as u64);
            let Y = matrix(n, 2, s + n);
            for ridge in [1e-8, 1e-3, 0.1, 10.0] {
                let c = n as f64 * ridge;
                let expected = ridge_svd_reference(&X, &Y, c);
                for force in [false, true] {
                    let mut fitter = Fitter::with_ridge(n, 40, 2, ridge);
                    let (mut labels, mut coef) = (Y.clone(), Mat::zeros(40, 2));
                    let method = fitter.fit(X.as_ref(), None, labels.as_mut(), coef.as_mut(), force).unwrap();
                    // Forced, the fallback is used; otherwise the factorised path may still hand over to it when
                    // c is small beside the Gram matrix (cond ≈ 1/c).
                    assert!(!force || method == Method::Qr, "spectrum {s}, n = {n}, λ = {ridge}");
                    let error = (&coef - &expected).norm_max() / expected.norm_max();
                    assert!(error < 1e-8, "spectrum {s}, n = {n}, λ = {ridge}, fallback {force}: {error:e}");
                    if s == 2 {
                        // Zero eigenvalues: those coefficients are exactly 0.
                        assert!((25..40).all(|i| coef[(i, 0)] == 0.0 && coef[(i, 1)] == 0.0));
                    }
                }
            }
        }
    }
}

#[test]
fn the_ridge_check_rejects_a_fit_that_is_not_the_optimum() {
    // The minimum-norm interpolator is not the ridge solution: its gradient c b is far from zero.
    let (X, Y) = (graded(5, &[1.0; 7], 3), matrix(5, 1, 2));
    let mut coef = Mat::zeros(7, 1);
    let mut labels = Y.clone();
    Fitter::new(5, 7, 1).fit(X.as_ref(), None, labels.as_mut(), coef.as_mut(), false).unwrap();
    let (mut r, mut g) = (Mat::zeros(5, 1), Mat::zeros(7, 1));
    let ridge = relative_residual(X.as_ref(), coef.as_ref(), Y.as_ref(), Check::Ridge(0.5), r.as_mut(), g.as_mut());
    assert!(ridge > 1e-2, "{ridge}");
    let exact = ridge_svd_reference(&X, &Y, 0.5);
    let at_optimum =
        relative_residual(X.as_ref(), exact.as_ref(), Y.as_ref(), Check::Ridge(0.5), r.as_mut(), g.as_mut());
    assert!(at_optimum < 1e-14, "{at_optimum}");
}
