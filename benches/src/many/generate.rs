//! The synthetic series of the many-series figures: each with its own period, phase, amplitude,
//! trend, level and noise, drawn from splitmix64 so that a few lines of any language (the
//! Keras script, `benches/compare/many_keras.py`) produce the very same `f64` values.

use forecast::many::SeriesInput;

/// splitmix64's increment (the golden ratio in 64 bits).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64's output function: a bijective mix of one 64-bit word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Vigna's splitmix64: chosen over the workspace's ChaCha because it is five lines to port,
/// so another language can draw the same numbers without a library.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A stream starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A uniform draw in `[0, 1)`: the top 53 bits over 2^53 (exact in `f64`, so ports agree).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw in `[lo, hi)`: `lo + (hi - lo) * u`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
}

/// Range of the period, in time steps.
pub const PERIOD: (f64, f64) = (10.0, 200.0);
/// Range of the sine's amplitude.
pub const AMPLITUDE: (f64, f64) = (0.5, 2.0);
/// Range of the trend: the rise (or fall) over the whole series.
pub const TREND: (f64, f64) = (-2.0, 2.0);
/// Range of the level.
pub const LEVEL: (f64, f64) = (-2.0, 2.0);
/// Range of the noise's width (noise is `U[0, width)`).
pub const NOISE: (f64, f64) = (0.1, 1.0);

/// What makes one series its own, drawn in this order from its stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesParams {
    /// Period `p` of the sine, in time steps, in [`PERIOD`].
    pub period: f64,
    /// Amplitude `a` of the sine, in [`AMPLITUDE`].
    pub amplitude: f64,
    /// Phase of the sine, radians in `[0, 2 pi)`.
    pub phase: f64,
    /// Trend `b`: the series rises by `b` from its first value to its last, in [`TREND`].
    pub trend: f64,
    /// Level `c`, in [`LEVEL`].
    pub level: f64,
    /// Width of the uniform noise, in [`NOISE`].
    pub noise: f64,
}

/// The stream of series `index` in a set seeded by `seed`: splitmix64 seeded with the
/// `index + 1`-th output of splitmix64 from `seed`, so every series has a stream of its own and
/// series `i` is the same in a set of 20 or of 1,000.
pub fn series_stream(seed: u64, index: u64) -> SplitMix64 {
    let start = seed.wrapping_add(index.wrapping_add(1).wrapping_mul(GOLDEN));
    SplitMix64::new(mix(start))
}

impl SeriesParams {
    /// The first six draws of `rng`, in the order of the fields.
    pub fn draw(rng: &mut SplitMix64) -> Self {
        SeriesParams {
            period: rng.uniform(PERIOD.0, PERIOD.1),
            amplitude: rng.uniform(AMPLITUDE.0, AMPLITUDE.1),
            phase: rng.uniform(0.0, std::f64::consts::TAU),
            trend: rng.uniform(TREND.0, TREND.1),
            level: rng.uniform(LEVEL.0, LEVEL.1),
            noise: rng.uniform(NOISE.0, NOISE.1),
        }
    }
}

/// The id of series `index` among `count`: `s` and the index in at least 4 digits (`s0000`),
/// more when `count` needs them, so ids sort as the indices do.
pub fn series_id(index: usize, count: usize) -> String {
    let digits = count.saturating_sub(1).to_string().len().max(4);
    format!("s{index:0digits$}")
}

/// Series `index` of `count` (its id depends on `count` only through its width), `points` values
/// long: `x[t] = a sin(2 pi t / p + phase) + b t / points + c + noise u[t]`, with the parameters'
/// six draws followed by one `u[t]` in `[0, 1)` per point. Evaluated left to right in that
/// order, so a port that does the same gets the same bits (given the same `sin`).
pub fn series(seed: u64, index: usize, count: usize, points: usize) -> SeriesInput {
    let mut rng = series_stream(seed, index as u64);
    let p = SeriesParams::draw(&mut rng);
    let n = points as f64;
    let values = (0..points)
        .map(|t| {
            let t = t as f64;
            let u = rng.next_f64();
            p.amplitude * (std::f64::consts::TAU * t / p.period + p.phase).sin()
                + p.trend * t / n
                + p.level
                + p.noise * u
        })
        .collect();
    SeriesInput {
        id: series_id(index, count),
        values,
        times: None,
        axis: None,
        covariates: Vec::new(),
    }
}

/// `count` series of `points` values, ids `s0000`, `s0001`, ...
pub fn generate(seed: u64, count: usize, points: usize) -> Vec<SeriesInput> {
    (0..count).map(|i| series(seed, i, count, points)).collect()
}

/// FNV-1a (64-bit) over the little-endian bytes of every value of every series, in order: equal
/// checksums mean bit-identical series (the Keras script prints the same checksum).
pub fn checksum(series: &[SeriesInput]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for v in series.iter().flat_map(|s| &s.values) {
        for b in v.to_bits().to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splitmix64_matches_the_reference_outputs() {
        // Vigna's splitmix64.c from seed 1234567: its first outputs.
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(r.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn ids_sort_as_indices_and_widen_past_9999() {
        assert_eq!(series_id(0, 1000), "s0000");
        assert_eq!(series_id(42, 20), "s0042");
        assert_eq!(series_id(7, 20_000), "s00007");
        assert!(series_id(9, 20_000) < series_id(10_000, 20_000));
    }

    #[test]
    fn a_series_does_not_depend_on_the_size_of_its_set() {
        let small = generate(3, 20, 50);
        let large = generate(3, 100, 50);
        assert_eq!(small[..], large[..20]);
        assert_ne!(small[0].values, small[1].values);
        assert_ne!(generate(4, 1, 50)[0].values, small[0].values);
        assert_eq!(checksum(&small), checksum(&generate(3, 20, 50)));
        assert_ne!(checksum(&small), checksum(&large));
    }

    #[test]
    fn values_follow_the_formula_of_their_parameters() {
        let s = series(0, 5, 10, 300);
        let mut rng = series_stream(0, 5);
        let p = SeriesParams::draw(&mut rng);
        for (t, &v) in s.values.iter().enumerate() {
            let clean = p.amplitude * (std::f64::consts::TAU * t as f64 / p.period + p.phase).sin()
                + p.trend * t as f64 / 300.0
                + p.level;
            let u = (v - clean) / p.noise;
            assert!((-1e-9..1.0 + 1e-9).contains(&u), "t {t}: noise draw {u}");
        }
    }

    proptest! {
        #[test]
        fn parameters_stay_in_their_ranges(seed in any::<u64>(), index in 0u64..1_000_000) {
            let p = SeriesParams::draw(&mut series_stream(seed, index));
            for (v, (lo, hi)) in [
                (p.period, PERIOD),
                (p.amplitude, AMPLITUDE),
                (p.phase, (0.0, std::f64::consts::TAU)),
                (p.trend, TREND),
                (p.level, LEVEL),
                (p.noise, NOISE),
            ] {
                prop_assert!(v >= lo && v < hi, "{v} outside [{lo}, {hi})");
            }
        }

        #[test]
        fn uniform_draws_are_in_the_unit_interval(seed in any::<u64>()) {
            let mut r = SplitMix64::new(seed);
            for _ in 0..64 {
                let u = r.next_f64();
                prop_assert!((0.0..1.0).contains(&u));
            }
        }
    }
}
