//! The tutorial's series: `amplitude * sin(freq * t) + noise` for `t = 0..n-1`.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::NoiseKind;
use crate::error::num;
use crate::{DataError, Series};

/// Longest series [`sine`] generates (10^8 values, 800 MB), so a typo cannot exhaust memory.
pub const MAX_GENERATED_LEN: usize = 100_000_000;

/// Settings of the noisy sine generator. [`Default`] is the tutorial's series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SineConfig {
    /// Number of values, `t = 0..n-1` (default 2000). Must be in `1..=MAX_GENERATED_LEN`.
    pub n: usize,
    /// Angular frequency in radians per step (default 0.02, a period of about 314 steps).
    pub freq: f64,
    /// Amplitude of the sine (default 1).
    pub amplitude: f64,
    /// Kind of additive noise (default uniform, as `np.random.rand`).
    pub noise: NoiseKind,
    /// Noise amplitude `a` (default 1): the uniform noise is `a * U[0,1)`, the gaussian noise has
    /// standard deviation `a`. Must be finite and `>= 0`.
    pub noise_amplitude: f64,
    /// Seed of the ChaCha8 generator; the same seed gives bit-identical noise on every platform.
    pub seed: u64,
}

impl Default for SineConfig {
    fn default() -> Self {
        SineConfig {
            n: 2000,
            freq: 0.02,
            amplitude: 1.0,
            noise: NoiseKind::Uniform,
            noise_amplitude: 1.0,
            seed: 0,
        }
    }
}

impl SineConfig {
    /// Checks every field, naming the first bad one and its value.
    pub fn validate(&self) -> Result<(), DataError> {
        if self.n == 0 || self.n > MAX_GENERATED_LEN {
            return Err(DataError::arg(
                "n",
                self.n,
                &format!("a number of points between 1 and {MAX_GENERATED_LEN}"),
            ));
        }
        if !self.freq.is_finite() {
            return Err(DataError::arg("freq", num(self.freq), "a finite number"));
        }
        if !self.amplitude.is_finite() {
            return Err(DataError::arg(
                "amplitude",
                self.amplitude,
                "a finite number",
            ));
        }
        if !(self.noise_amplitude.is_finite() && self.noise_amplitude >= 0.0) {
            return Err(DataError::arg(
                "noise_amplitude",
                num(self.noise_amplitude),
                "a finite number >= 0",
            ));
        }
        Ok(())
    }
}

/// Generates `x[t] = amplitude * sin(freq * t) + noise_amplitude * noise[t]` for `t = 0..n-1`.
///
/// The noise draws come from `ChaCha8Rng::seed_from_u64(seed)`, one per value in order of `t`
/// (none are drawn for [`NoiseKind::None`]), and the sine is libm's, so a series is bit-identical
/// on every platform given its config.
/// The result has no time stamps and is named `"sine"`.
pub fn sine(config: &SineConfig) -> Result<Series, DataError> {
    config.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let values: Vec<f64> = (0..config.n)
        .map(|t| {
            // libm's sin, not the platform's, so the series is bit-identical everywhere.
            config.amplitude * libm::sin(config.freq * t as f64)
                + config.noise_amplitude * config.noise.draw(&mut rng)
        })
        .collect();
    // Huge amplitudes can overflow to infinity; no later stage could use such a series.
    if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
        return Err(DataError::arg(
            "amplitude",
            format!(
                "{} (with noise_amplitude {})",
                num(config.amplitude),
                num(config.noise_amplitude)
            ),
            &format!(
                "values whose sum stays finite (a generated value was {})",
                num(*bad)
            ),
        ));
    }
    Ok(Series::new(values).with_name("sine"))
}
