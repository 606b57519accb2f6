#!/usr/bin/env python3
"""numpy yardstick for kdrepro: the Monte Carlo workload of Figure 1b.

Paper: M. E. Ildiz, H. A. Gozeten, E. O. Taga, M. Mondelli, S. Oymak, "High-dimensional Analysis of
Knowledge Distillation: Weak-to-Strong Generalization and Scaling Laws", ICLR 2025. Equation and
proposition numbers below are those of the paper as summarised in the project's PAPER.md (v1 numbering,
v2 numbers in brackets).

Workload (the same as specs/bench/fig1b.kd, which bench/compare.sh times against this script):

* p = 500 features, diagonal covariance Sigma = diag(lambda) with lambda_i = i^-2, i = 1..p.
* Ground truth beta with lambda_i beta_i^2 proportional to i^-1.5, rescaled to unit signal power
  sum_i lambda_i beta_i^2 = 1 (so beta_i is proportional to i^0.25).
* Noiseless labels (sigma_t = 0).
* Target sample sizes n = 50, 75, ..., 450 (17 points, all n < p).
* Three surrogates beta_s, all computed from (Sigma, beta, n) before the timed loop:
    - "truth":   beta_s = beta, i.e. the standard target model (eq. 6);
    - "masked":  the optimal 0-1 mask (Proposition 2 [3]): keep feature i iff 1 - zeta_i^2 > Omega,
                 beta_s_i = beta_i on kept features and 0 on dropped ones;
    - "optimal": the optimal surrogate (Proposition 1 / Corollary 1),
                 beta_s_i = beta_i * lambda_i (lambda_i + tau) / (lambda_i^2 + Omega tau^2 / (1 - Omega)).
  Here tau > 0 solves sum_i lambda_i / (lambda_i + tau) = n (eq. 7; found by bisection on log tau, the
  left side being decreasing in tau), zeta_i = tau / (lambda_i + tau) and Omega = (1/n) sum_i (1 - zeta_i)^2.

One trial = one Gaussian design at one n, shared by the three surrogates:

* draw X in R^{n x p} with i.i.d. rows N(0, Sigma) (standard normals scaled column-wise by sqrt(lambda));
* labels Y = X B, B = [beta_truth, beta_masked, beta_optimal] (p x 3): the target learns from surrogate
  labels (eq. 4, no label noise);
* the target is the minimum-l2-norm interpolator (ridgeless least squares, Section 1, since n < p),
  beta_hat = X^T (X X^T)^{-1} Y: one n x n Gram matrix and one linear solve with the three label vectors
  as right-hand sides. numpy has no Cholesky solve (that is scipy's cho_solve), so the solve is
  numpy.linalg.solve (LAPACK gesv, LU with partial pivoting) on the symmetric positive definite Gram matrix;
* excess risk against the ground truth, R(beta_hat) = (beta_hat - beta)^T Sigma (beta_hat - beta) (eq. 5).

The theory these simulations should match is eq. (8)/(11) with finite p; for the ground-truth surrogate it is
the omniscient estimate R = B / (1 - Omega), B = sum_i lambda_i zeta_i^2 beta_i^2 (eq. 11 with sigma = 0).

Usage:

    python3 bench/numpy_reference.py [--trials T] [--seed S]       (defaults: T = 200, S = 0)

Output: one JSON object on stdout with
    p, ns, trials_per_point (= T), trials (= 17 T), seed, numpy (version),
    results: a list of {n, surrogate, mean, se} (mean excess risk over the T trials and its standard error
             std / sqrt(T); se is null when T = 1),
    wall_s: seconds spent in the simulation loop (draws, Gram, solve, risks; not the surrogate set-up),
    trials_per_s: 17 T / wall_s, a trial being one design at one n shared by the three surrogates, the
                  count bench/compare.sh uses for kdrepro (trials x 17 points).
The random stream is numpy's default generator (PCG64) seeded with S; it is not kdrepro's stream, so the
two agree in distribution, not draw for draw. BLAS threading is whatever numpy's BLAS is configured with.
"""

import argparse
import json
import sys
import time

import numpy as np

P = 500
ALPHA = 2.0  # lambda_i = i^-ALPHA
SIGNAL_EXPONENT = 1.5  # lambda_i beta_i^2 proportional to i^-SIGNAL_EXPONENT
NS = list(range(50, 451, 25))
SURROGATES = ("truth", "masked", "optimal")


def solve_tau(lam, n):
    """The tau > 0 with sum(lam / (lam + tau)) = n (eq. 7), by bisection on log tau; needs n < len(lam)."""
    lo = np.log(lam.min() * 1e-12)  # sum ~ p > n here
    hi = np.log(lam.sum() / n)  # sum(lam / (lam + tau)) < sum(lam) / tau = n here
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.sum(lam / (lam + np.exp(mid))) > n:
            lo = mid
        else:
            hi = mid
    return float(np.exp(0.5 * (lo + hi)))


def surrogates(lam, beta, n):
    """The p x 3 matrix [ground truth, optimal masked surrogate, optimal surrogate] at sample size n."""
    tau = solve_tau(lam, n)
    zeta = tau / (lam + tau)
    omega = np.sum((1.0 - zeta) ** 2) / n
    masked = np.where(1.0 - zeta**2 > omega, beta, 0.0)
    optimal = beta * lam * (lam + tau) / (lam**2 + omega * tau**2 / (1.0 - omega))
    return np.column_stack([beta, masked, optimal])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=200, help="designs per sample size (default 200)")
    ap.add_argument("--seed", type=int, default=0, help="seed of numpy's default generator (default 0)")
    args = ap.parse_args()
    if args.trials < 1:
        ap.error("--trials must be at least 1")
    trials = args.trials

    i = np.arange(1, P + 1, dtype=np.float64)
    lam = i**-ALPHA
    beta = np.sqrt(i**-SIGNAL_EXPONENT / lam)
    beta /= np.sqrt(np.sum(lam * beta**2))  # unit signal power
    sqrt_lam = np.sqrt(lam)
    labels_of = {n: surrogates(lam, beta, n) for n in NS}

    rng = np.random.default_rng(args.seed)
    risks = np.empty((len(NS), trials, len(SURROGATES)))
    t0 = time.perf_counter()
    for a, n in enumerate(NS):
        b = labels_of[n]
        for t in range(trials):
            x = rng.standard_normal((n, P))
            x *= sqrt_lam  # rows ~ N(0, diag(lam))
            y = x @ b  # n x 3 surrogate labels
            w = np.linalg.solve(x @ x.T, y)  # (X X^T)^{-1} Y, one solve for the three right-hand sides
            d = x.T @ w - beta[:, None]  # beta_hat - beta, p x 3
            risks[a, t] = lam @ (d * d)
    wall = time.perf_counter() - t0

    mean = risks.mean(axis=1)
    se = risks.std(axis=1, ddof=1) / np.sqrt(trials) if trials > 1 else None
    results = [
        {
            "n": n,
            "surrogate": name,
            "mean": float(mean[a, k]),
            "se": None if se is None else float(se[a, k]),
        }
        for a, n in enumerate(NS)
        for k, name in enumerate(SURROGATES)
    ]
    total = trials * len(NS)
    json.dump(
        {
            "p": P,
            "ns": NS,
            "trials_per_point": trials,
            "trials": total,
            "seed": args.seed,
            "numpy": np.__version__,
            "results": results,
            "wall_s": wall,
            "trials_per_s": total / wall,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
