//! The coefficients β^s of each kind of surrogate at one sample size: a fixed vector, or an ERM surrogate that
//! the simulation refits in every trial.

use crate::spec::{Erm, Surrogate, SurrogateKind, Task, Weight, random_mask};
use crate::theory::{self, Regime};

/// What a series' labels come from at one sample size.
pub(super) enum Coefficients<'a> {
    /// A fixed β^s.
    Fixed(Vec<f64>),
    /// A surrogate trained by ERM in every trial (Section 5).
    Trained(&'a Erm),
    /// The risk of the ERM surrogate at this index of the experiment's surrogates.
    Teacher(usize),
    /// The ridge target on strong labels, self-distilled with this weight ξ (issue 17 item 2).
    SelfDistilled(f64),
    /// A teacher network trained in every trial (issue 18 item 3).
    Network,
}

impl Coefficients<'_> {
    /// A fingerprint that is equal exactly when two series label the target identically.
    pub(super) fn fingerprint(&self, name: &str) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        match self {
            Coefficients::Fixed(b) => b.iter().for_each(|x| {
                hasher.update(&x.to_le_bytes());
            }),
            // Random surrogates differ from everything, including each other.
            Coefficients::Trained(_)
            | Coefficients::Teacher(_)
            | Coefficients::SelfDistilled(_)
            | Coefficients::Network => {
                hasher.update(b"random:").update(name.as_bytes());
            }
        }
        *hasher.finalize().as_bytes()
    }
}

/// The coefficients of `surrogates[index]` for `task` at the sample size of `regime`.
pub(super) fn coefficients<'a>(
    task: &Task,
    surrogates: &'a [Surrogate],
    index: usize,
    regime: &Regime,
) -> Coefficients<'a> {
    let (lambda, beta) = (&task.spectrum.lambda, &task.beta);
    Coefficients::Fixed(match &surrogates[index].kind {
        SurrogateKind::GroundTruth | SurrogateKind::Network(_) | SurrogateKind::Teacher(_) => {
            return without_regime(task, surrogates, index);
        }
        // Prop. 1: β^{s*}; along the segment β⋆ + t(β^{s*} − β⋆) for the optimality checks.
        SurrogateKind::Optimal { step } => {
            let optimal = regime.optimal_surrogate(lambda, beta);
            beta.iter().zip(&optimal).map(|(b, o)| b + step * (o - b)).collect()
        }
        SurrogateKind::OptimalMask => theory::masked(beta, &regime.optimal_mask(lambda)),
        SurrogateKind::TopK(k) => theory::masked(beta, &top_k(beta.len(), *k)),
        SurrogateKind::RandomMask { keep, seed } => theory::masked(beta, &random_mask(beta.len(), *keep, *seed)),
        SurrogateKind::Scaled(c) => beta.iter().map(|b| c * b).collect(),
        // Obs. 1: β^s = Aβ⋆ with A_ii = (λ^s_i/λ^t_i)^{1/2}.
        SurrogateKind::CovarianceShift(source) => theory::covariance_shift_surrogate(&source.lambda, lambda, beta)
            .expect("the resolver checked that the spectra fit and λ^t > 0"),
        SurrogateKind::Erm(erm) => return Coefficients::Trained(erm),
        // ξ* of the ridge fit at this n (theory::SelfDistillation); the resolver admits only λ > 0 here.
        SurrogateKind::SelfDistilled(weight) => {
            return Coefficients::SelfDistilled(match weight {
                Weight::Fixed(xi) => *xi,
                // Its only errors are a penalty that is not positive (the resolver requires λ > 0 here) and a
                // spectrum the regime already accepted.
                Weight::Optimal => theory::SelfDistillation::new(lambda, beta, task.noise, regime.n(), regime.ridge())
                    .expect("self-distillation has a positive penalty and a checked spectrum")
                    .optimal_weight(),
            });
        }
    })
}

/// The coefficients of `surrogates[index]` when it needs no theory: the ground truth β⋆, a teacher network, or
/// the `teacher` of another surrogate (the only series of a classification measure, which has no regime).
///
/// # Panics
/// For any other surrogate.
pub(super) fn without_regime<'a>(task: &Task, surrogates: &'a [Surrogate], index: usize) -> Coefficients<'a> {
    match &surrogates[index].kind {
        SurrogateKind::GroundTruth => Coefficients::Fixed(task.beta.clone()),
        SurrogateKind::Network(_) => Coefficients::Network,
        SurrogateKind::Teacher(of) => {
            let at =
                surrogates.iter().position(|s| &s.name == of).expect("the resolver checked the teacher's surrogate");
            Coefficients::Teacher(at)
        }
        other => unreachable!("{other:?} depends on the regime"),
    }
}

/// The mask keeping the first `k` of `p` features.
pub(super) fn top_k(p: usize, k: usize) -> Vec<bool> {
    (0..p).map(|i| i < k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_first_features() {
        assert_eq!(top_k(5, 2), [true, true, false, false, false]);
    }
}
