//! Standard normal draws by the ziggurat method (ZIGNOR variant, Doornik 2005; 256 layers, the
//! constants of `rand_distr`), written so that the whole loop inlines into one function compiled for
//! the CPU's vector instruction set.

use std::sync::OnceLock;

use faer::traits::pulp::{Arch, Simd, WithSimd};
use rand::Rng;

/// The right edge R of the base layer and the common layer area V (256 layers).
const R: f64 = 3.654_152_885_361_009;
const V: f64 = 0.004_928_673_233_99;

/// The standard normal density up to its constant: f(x) = exp(−x²/2).
#[inline(always)]
fn density(x: f64) -> f64 {
    (-0.5 * x * x).exp()
}

/// Layer abscissae x_0 = V/f(R) > x_1 = R > … > x_255 > x_256 = 0 and densities f(x_i).
struct Layers {
    x: [f64; 257],
    f: [f64; 257],
}

/// The ziggurat layers: x_{i+1} = f⁻¹(V/x_i + f(x_i)) = √(−2 ln(V/x_i + f(x_i))), the equal-area recursion.
fn layers() -> &'static Layers {
    static LAYERS: OnceLock<Layers> = OnceLock::new();
    LAYERS.get_or_init(|| {
        let mut x = [0.0; 257];
        x[0] = V / density(R);
        x[1] = R;
        for i in 2..256 {
            x[i] = (-2.0 * (V / x[i - 1] + density(x[i - 1])).ln()).sqrt();
        }
        Layers { x, f: x.map(density) }
    })
}

/// A uniform draw in [−1, 1) from the top 52 bits of `bits`.
#[inline(always)]
pub(super) fn symmetric_unit(bits: u64) -> f64 {
    f64::from_bits((bits >> 12) | 0x4000_0000_0000_0000) - 3.0
}

/// A uniform draw in the open interval (0, 1).
#[inline(always)]
fn open_unit<G: Rng>(rng: &mut G) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1_u64 << 53) as f64)
}

/// One standard normal drawn from `rng`, by the same ziggurat as [`fill_scaled_normals`] (for draws that need
/// normals one at a time, such as Student-t entries).
pub(super) fn one_standard_normal<G: Rng>(rng: &mut G) -> f64 {
    standard_normal(rng, layers())
}

/// One standard normal: a uniform point of a random layer, accepted at once if it lies under the
/// next layer's edge (≈ 98.5%), else by the tail or wedge rejection step.
#[inline(always)]
fn standard_normal<G: Rng>(rng: &mut G, layers: &Layers) -> f64 {
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        let u = symmetric_unit(bits);
        let x = u * layers.x[i];
        if x.abs() < layers.x[i + 1] {
            return x;
        }
        if i == 0 {
            return tail(rng, u);
        }
        let wedge = layers.f[i + 1] + (layers.f[i] - layers.f[i + 1]) * open_unit(rng);
        if wedge < density(x) {
            return x;
        }
    }
}

/// The tail beyond R (Marsaglia 1964), with the sign of `u`.
#[cold]
fn tail<G: Rng>(rng: &mut G, u: f64) -> f64 {
    loop {
        let x = open_unit(rng).ln() / R;
        let y = open_unit(rng).ln();
        if -2.0 * y >= x * x {
            return if u < 0.0 { x - R } else { R - x };
        }
    }
}

/// Fills `out` with `scale · g`, g i.i.d. standard normal drawn from `rng`, in slice order.
///
/// The loop runs under `pulp` dispatch, compiled for the best instruction set of the CPU. Its
/// floating-point operations are the same IEEE operations on every instruction set (Rust never fuses a
/// multiply and an add), so the numbers do not depend on it. VEX encoding is the point: the GEMM
/// kernels leave the upper halves of the vector registers dirty, which makes legacy-SSE code (the
/// default x86-64 target) pay a false dependency per instruction.
pub(crate) fn fill_scaled_normals<G: Rng + Clone>(rng: &mut G, out: &mut [f64], scale: f64) {
    Arch::new().dispatch(ScaledNormals { rng, out, scale, layers: layers() });
}

/// The arguments of [`fill_scaled_normals`] for the dispatch.
struct ScaledNormals<'a, G> {
    rng: &'a mut G,
    out: &'a mut [f64],
    scale: f64,
    layers: &'a Layers,
}

impl<G: Rng + Clone> WithSimd for ScaledNormals<'_, G> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _simd: S) {
        // A local copy of the generator lets its state live in registers.
        let (mut rng, scale, layers) = (self.rng.clone(), self.scale, self.layers);
        for x in self.out {
            *x = scale * standard_normal(&mut rng, layers);
        }
        *self.rng = rng;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_match_the_published_table() {
        // rand_distr's ZIG_NORM_X: x_0 = 3.910757959537090045, x_255 = 0.215241895913273806.
        let layers = layers();
        assert!((layers.x[0] - 3.910_757_959_537_09).abs() < 1e-12, "{}", layers.x[0]);
        assert!((layers.x[255] - 0.215_241_895_913_273_8).abs() < 1e-12, "{}", layers.x[255]);
        assert_eq!(layers.x[256], 0.0);
    }

    #[test]
    fn tail_and_body_probabilities_match_the_normal_law() {
        // P(|g| > R) = erfc(R/√2) ≈ 2.5807e-4 and P(|g| < 1) ≈ 0.682689 on 4·10⁶ draws (5 SE bands).
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(17);
        let mut out = vec![0.0; 4_000_000];
        fill_scaled_normals(&mut rng, &mut out, 1.0);
        let n = out.len() as f64;
        let share = |pred: &dyn Fn(f64) -> bool| out.iter().filter(|&&g| pred(g)).count() as f64 / n;
        let band = |p: f64| 5.0 * (p * (1.0 - p) / n).sqrt();
        let (tail, body) = (share(&|g| g.abs() > R), share(&|g| g.abs() < 1.0));
        assert!((tail - 2.5807e-4).abs() < band(2.5807e-4), "tail {tail}");
        assert!((body - 0.682_689).abs() < band(0.682_689), "body {body}");
    }
}
