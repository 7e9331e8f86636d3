//! The seed of one series' model, from the run's seed and the series id alone.

/// The seed of the local model of series `id` in a run seeded by `seed`: splitmix64 of `seed`
/// mixed with the FNV-1a hash of the id's UTF-8 bytes. Fixed by `(seed, id)`, so a series gets
/// the same model whatever the thread count, the row order, or which other series share the
/// run (a subset, a Spark partition).
pub fn series_seed(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    let mut z = (seed ^ h).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::series_seed;

    #[test]
    fn seeds_differ_by_id_and_run_seed_and_are_stable() {
        assert_ne!(series_seed(0, "a"), series_seed(0, "b"));
        assert_ne!(series_seed(0, "a"), series_seed(1, "a"));
        assert_eq!(series_seed(7, "store-1"), series_seed(7, "store-1"));
        // Pinned: a change here changes every saved run's models.
        assert_eq!(series_seed(0, ""), {
            let mut z = 0xCBF2_9CE4_8422_2325u64.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        });
    }
}
