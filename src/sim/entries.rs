//! The law of the entries z of a design's rows x = Σ^{1/2} z (issue 17, item 5: universality): i.i.d.,
//! standardised (mean 0, variance 1), Gaussian or not.
//!
//! The theory depends on the spectrum only. For i.i.d. standardised entries the empirical spectral law of the
//! sample covariance has the same deterministic equivalent whatever their law (Marchenko–Pastur universality needs
//! only a finite variance; Bai & Silverstein, *Spectral Analysis of Large Dimensional Random Matrices*, 2010,
//! Theorem 3.10 and §4), so the same formulas are the candidates the simulation is compared with.

use rand::Rng;
use rand_distr::{ChiSquared, Distribution};

use super::normal::{fill_scaled_normals, one_standard_normal, symmetric_unit};

/// The law of each entry z_ij of a design's eigenbasis draw Z (X̄ = Z Λ^{1/2}): i.i.d., mean 0, variance 1.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub(crate) enum Entries {
    /// N(0, 1), by the ziggurat of [`super::normal`]: the paper's Gaussian design.
    Gaussian,
    /// ±1 with probability ½ each (kurtosis E z⁴ = 1).
    Rademacher,
    /// Uniform on [−√3, √3] (E z⁴ = 9/5).
    Uniform,
    /// Student-t with ν degrees of freedom, scaled by √((ν−2)/ν) to unit variance: z = g √((ν−2)/χ²_ν) with
    /// g ~ N(0, 1) and χ²_ν independent. Needs ν > 2 (Var t_ν = ν/(ν−2) is infinite for ν ≤ 2); E z⁴ = 3 + 6/(ν−4)
    /// for ν > 4 and infinite for ν ≤ 4.
    StudentT {
        /// The degrees of freedom ν > 2.
        nu: f64,
    },
}

impl Entries {
    /// Fills `out` with `scale · z`, z i.i.d. of this law drawn from `rng` in slice order. Gaussian entries are
    /// [`fill_scaled_normals`] itself, so Gaussian designs are bit for bit those drawn before other laws existed.
    pub(crate) fn fill_scaled<G: Rng + Clone>(self, rng: &mut G, out: &mut [f64], scale: f64) {
        match self {
            Entries::Gaussian => fill_scaled_normals(rng, out, scale),
            Entries::Rademacher => {
                // One bit per entry: 64 entries per draw, lowest bit first.
                for chunk in out.chunks_mut(64) {
                    let bits = rng.next_u64();
                    for (k, x) in chunk.iter_mut().enumerate() {
                        *x = if (bits >> k) & 1 == 1 { scale } else { -scale };
                    }
                }
            }
            Entries::Uniform => {
                // u uniform on [−1, 1) (52 bits), times √3: variance 3·(1/3) = 1.
                let scale = scale * 3_f64.sqrt();
                for x in out {
                    *x = scale * symmetric_unit(rng.next_u64());
                }
            }
            Entries::StudentT { nu } => {
                let chi = ChiSquared::new(nu).expect("the resolver checked ν > 2");
                for x in out {
                    let g = one_standard_normal(rng);
                    // t_ν √((ν−2)/ν) = g √(ν/χ²) √((ν−2)/ν) = g √((ν−2)/χ²).
                    let c: f64 = chi.sample(rng);
                    *x = scale * g * ((nu - 2.0) / c).sqrt();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    /// The sample moments (E z, E z², E z⁴) of `count` entries of `law`.
    fn moments(law: Entries, count: usize, seed: u64) -> [f64; 3] {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut out = vec![0.0; count];
        law.fill_scaled(&mut rng, &mut out, 1.0);
        let n = count as f64;
        let mean = |f: &dyn Fn(f64) -> f64| out.iter().map(|&z| f(z)).sum::<f64>() / n;
        [mean(&|z| z), mean(&|z| z * z), mean(&|z| z.powi(4))]
    }

    /// Each law's sample mean, second and fourth moments on N = 10⁶ entries against the exact values, within 5
    /// standard errors √(Var/N) of the statistic (a false failure has probability below 10⁻⁶ per check):
    /// - Rademacher: z² = z⁴ = 1 exactly; the mean has SE 1/√N = 0.001.
    /// - uniform on [−√3, √3]: E z² = 1, E z⁴ = 9/5, E z⁸ = 3⁴/9 = 9, so Var z² = 4/5 and Var z⁴ = 9 − 81/25 = 5.76.
    /// - t_ν scaled by √((ν−2)/ν): E z^{2k} = (ν−2)^k Γ(k+½) Γ(ν/2−k) / (√π Γ(ν/2)) for 2k < ν, so E z⁴ =
    ///   3(ν−2)/(ν−4) = 3 + 6/(ν−4). At ν = 12: E z⁴ = 3.75, E z⁶ = 10³·(15/8)·Γ(3)/Γ(6) = 31.25, E z⁸ =
    ///   10⁴·(105/16)·Γ(2)/Γ(6) = 546.875, so Var z² = 3.75 − 1 = 2.75 and Var z⁴ = 546.875 − 14.0625 = 532.8. At
    ///   ν = 8 only E z, E z² are checked (Var z² = 3 + 6/4 − 1 = 3.5; E z⁸ is infinite, so the fourth sample
    ///   moment has no standard error).
    #[test]
    fn issue_17_entries_are_standardised_with_the_exact_kurtosis() {
        const N: usize = 1_000_000;
        let se = |variance: f64| 5.0 * (variance / N as f64).sqrt();
        let check = |law: Entries, [m1, m2, m4]: [f64; 3], var2: f64, fourth: Option<(f64, f64)>| {
            assert!(m1.abs() < se(1.0), "{law:?}: mean {m1}");
            assert!((m2 - 1.0).abs() <= se(var2).max(1e-15), "{law:?}: E z² = {m2}");
            if let Some((expected, var4)) = fourth {
                assert!((m4 - expected).abs() <= se(var4).max(1e-15), "{law:?}: E z⁴ = {m4}, expected {expected}");
            }
        };
        check(Entries::Rademacher, moments(Entries::Rademacher, N, 1), 0.0, Some((1.0, 0.0)));
        check(Entries::Uniform, moments(Entries::Uniform, N, 2), 0.8, Some((1.8, 5.76)));
        let t12 = Entries::StudentT { nu: 12.0 };
        check(t12, moments(t12, N, 3), 2.75, Some((3.0 + 6.0 / 8.0, 532.8)));
        let t8 = Entries::StudentT { nu: 8.0 };
        check(t8, moments(t8, N, 4), 3.5, None);
        check(Entries::Gaussian, moments(Entries::Gaussian, N, 5), 2.0, Some((3.0, 96.0)));
    }

    #[test]
    fn entries_respect_their_support_and_scale() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        let mut out = vec![0.0; 1000];
        Entries::Rademacher.fill_scaled(&mut rng, &mut out, 0.5);
        assert!(out.iter().all(|&x| x == 0.5 || x == -0.5));
        assert!(out.iter().any(|&x| x > 0.0) && out.iter().any(|&x| x < 0.0));
        Entries::Uniform.fill_scaled(&mut rng, &mut out, 2.0);
        assert!(out.iter().all(|&x| x.abs() <= 2.0 * 3_f64.sqrt()));
    }

    #[test]
    fn gaussian_entries_are_the_ziggurat_draws() {
        let (mut a, mut b) = (vec![0.0; 100], vec![0.0; 100]);
        Entries::Gaussian.fill_scaled(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4), &mut a, 0.7);
        fill_scaled_normals(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4), &mut b, 0.7);
        assert_eq!(a, b);
    }
}
