//! The theory-only measures: deterministic-equivalent quantities, cut-offs, mask sweeps and finite-p bounds.
//! Each returns its series' values at one point, in the order of [`Measure::series`].

use rayon::prelude::*;

use crate::spec::{Experiment, Measure, Task};
use crate::theory::{self, Regime, TheoryError};

use super::surrogates::top_k;

/// The values of a quantity measure's series at sample size n (NaN where a quantity does not apply).
pub(super) fn quantities(measure: Measure, task: &Task, regime: &Regime) -> Result<Vec<f64>, TheoryError> {
    let lambda = &task.spectrum.lambda;
    let alpha = task.spectrum.alpha.unwrap_or(f64::NAN);
    let n = regime.n();
    let eq = regime.equivalent();
    let tau = eq.map_or(f64::NAN, |q| q.tau);
    let omega = eq.map_or(f64::NAN, |q| q.omega);
    Ok(match measure {
        // Prop. 4 (v2): τ n^α → c(α) and Ω → (α−1)/α.
        Measure::Equivalent => {
            vec![tau * (n as f64).powf(alpha), theory::tau_constant(alpha)?, omega, theory::omega_limit(alpha)?]
        }
        // Prop. 5 (v2): amplified i < nC1 + O(1), kept i < nC2 + O(1).
        Measure::Cutoffs => {
            let amplified = lambda.iter().filter(|&&l| regime.amplifies(l)).count() as f64;
            let kept = lambda.iter().filter(|&&l| regime.keeps(l)).count() as f64;
            let nf = n as f64;
            vec![amplified, nf * theory::cutoff_c1(alpha)?, kept, nf * theory::cutoff_c2(alpha)?]
        }
        // v1 Props 7, 8 and 9, only where their conditions hold.
        Measure::Bounds => {
            let p = lambda.len();
            let t = theory::inverse_tau_bounds(alpha, p, n)?;
            let o = theory::omega_lower_bound(alpha, p, n)?;
            let (lower, upper) = if t.conditions_hold { (t.lower, t.upper) } else { (f64::NAN, f64::NAN) };
            let omega_lower = if o.conditions_hold { o.lower } else { f64::NAN };
            // Prop. 9 needs α > 4; below that its region is empty.
            let in_region = theory::masking_region(alpha, p, n).is_ok_and(|r| r.conditions_hold);
            let (truth, masked) = if in_region {
                let mask = regime.optimal_mask(lambda);
                (
                    regime.standard_risk(lambda, &task.beta, task.theory_noise_at(n)),
                    regime.masked_risk(lambda, &task.beta, &mask, task.theory_noise_at(n)),
                )
            } else {
                (f64::NAN, f64::NAN)
            };
            vec![1.0 / tau, lower, upper, omega, omega_lower, truth, masked]
        }
        // Issue 17 item 7: R*/R(β^t) at n on the task's spectrum, and its limit K(α, β) as n → ∞ (— on β = 2α + 1).
        Measure::Scale => vec![theory::optimal_ratio(regime, lambda, &task.beta), scale_constant(task)?],
        Measure::ExcessRisk | Measure::Coefficients | Measure::Masks | Measure::Accuracy | Measure::Error => {
            unreachable!("not a quantity measure")
        }
    })
}

/// Proposition 3 against every top-k mask: the risk of keeping the first k features for k = 0..=p, and the
/// optimal mask's risk, at one sample size.
pub(super) fn mask_sweep(task: &Task, regime: &Regime) -> (Vec<f64>, f64) {
    let (lambda, beta, noise) = (&task.spectrum.lambda, &task.beta, task.theory_noise_at(regime.n()));
    let p = lambda.len();
    let sweep = (0..=p).map(|k| regime.masked_risk(lambda, beta, &top_k(p, k), noise)).collect();
    let optimal = regime.masked_risk(lambda, beta, &regime.optimal_mask(lambda), noise);
    (sweep, optimal)
}

/// K(α, β) of the task's exponents (NaN on the boundary β = 2α + 1, where it is not defined).
fn scale_constant(task: &Task) -> Result<f64, TheoryError> {
    let (alpha, beta) = (task.spectrum.alpha.unwrap_or(f64::NAN), task.energy_exponent.unwrap_or(f64::NAN));
    Ok(theory::ratio_constant(alpha, beta)?.unwrap_or(f64::NAN))
}

/// `measure scale` with `p`: at the experiment's one n, for each dimension p (concurrently, in order), the point's
/// x = p and the values of its series, R*/R(β^t) on λ_i = i^−α, λ_i β⋆_i² = i^−β (i ≤ p) and K(α, β); the error
/// of the first p that fails.
pub(super) fn scale_in_p(e: &Experiment) -> Result<Vec<(usize, [f64; 2])>, TheoryError> {
    let (alpha, beta) = (e.task.spectrum.alpha.unwrap_or(f64::NAN), e.task.energy_exponent.unwrap_or(f64::NAN));
    let n = e.sizes[0];
    let constant = scale_constant(&e.task)?;
    let dimensions = e.dimensions.as_deref().unwrap_or_default();
    let values: Vec<_> = dimensions
        .par_iter()
        .map(|&p| theory::power_law_ratio(alpha, beta, n, p).map(|ratio| (p, [ratio, constant])))
        .collect();
    values.into_iter().collect()
}
