//! Seeds: one model seed fixes initialization, shuffling and dropout.
//!
//! Keras draws unseeded initializers from a fresh random seed each session; recur instead uses
//! [`DEFAULT_SEED`] when the user gives none, so two runs of the same command agree. Each
//! consumer (a parameter's initializer, the shuffler, a dropout layer) gets its own
//! independent stream through [`derive_seed`].

/// The seed used when the user gives none (documented, fixed: runs are reproducible).
pub const DEFAULT_SEED: u64 = 1337;

/// A well-mixed seed for consumer number `index` of a model seeded with `base`
/// (SplitMix64 of `base` and `index`), so consumers never share a random stream and adding a
/// consumer at the end does not change the earlier ones.
pub fn derive_seed(base: u64, index: u64) -> u64 {
    let mut z = base.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_seeds_are_distinct_and_stable() {
        let seeds: Vec<u64> = (0..100).map(|i| derive_seed(DEFAULT_SEED, i)).collect();
        let mut sorted = seeds.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 100);
        assert_ne!(derive_seed(1, 0), derive_seed(2, 0));
        // Pinned: changing the mixing would silently change every model's initial weights.
        assert_eq!(derive_seed(0, 0), 0xE220_A839_7B1D_CDAF);
    }
}
