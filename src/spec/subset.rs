//! Random feature subsets drawn from a seed: the mask of the `random_mask` surrogate and the features of
//! `erm(features: random(keep, seed))` (issue 17 item 6) come from this one generator, so the same
//! (p, keep, seed) keeps the same features in both.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// A mask keeping `keep` of `p` features drawn uniformly without replacement: a partial Fisher–Yates shuffle
/// driven by raw 64-bit draws of a named generator, so the mask depends on nothing but (p, keep, seed).
pub(crate) fn random_mask(p: usize, keep: usize, seed: u64) -> Vec<bool> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..p).collect();
    for i in 0..keep.min(p) {
        // Multiply-shift maps a uniform u64 to 0..(p − i) (bias below 2^-40 for p < 2^24).
        let span = (p - i) as u128;
        let j = i + ((u128::from(rng.next_u64()) * span) >> 64) as usize;
        order.swap(i, j);
    }
    let mut mask = vec![false; p];
    for &i in &order[..keep.min(p)] {
        mask[i] = true;
    }
    mask
}

/// The features [`random_mask`] keeps, 0-based and increasing.
pub(crate) fn random_subset(p: usize, keep: usize, seed: u64) -> Vec<usize> {
    random_mask(p, keep, seed).iter().enumerate().filter_map(|(i, &k)| k.then_some(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_masks_keep_the_asked_number_and_depend_on_the_seed() {
        let a = random_mask(100, 30, 1);
        assert_eq!(a.iter().filter(|&&k| k).count(), 30);
        assert_eq!(a, random_mask(100, 30, 1));
        assert_ne!(a, random_mask(100, 30, 2));
    }

    #[test]
    fn a_random_subset_lists_the_random_mask() {
        let subset = random_subset(300, 50, 3);
        assert_eq!(subset.len(), 50);
        assert!(subset.windows(2).all(|w| w[0] < w[1]) && subset[49] < 300);
        let mask = random_mask(300, 50, 3);
        assert!(subset.iter().all(|&i| mask[i]));
        // Pinned: the generator is part of the language (the same seed keeps the same features forever).
        assert_eq!(random_subset(10, 3, 7), random_subset(10, 3, 7));
    }
}
