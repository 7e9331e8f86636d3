//! The noise added to generated series.

use std::fmt;
use std::str::FromStr;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::DataError;

/// Distribution of the additive noise of a generated series, scaled by a noise amplitude `a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoiseKind {
    /// `a * U[0, 1)`: the tutorial's `np.random.rand`, mean `a / 2`, variance `a^2 / 12`.
    #[default]
    Uniform,
    /// `a * N(0, 1)`: zero mean, standard deviation `a` (rand_distr's ziggurat `StandardNormal`,
    /// whose math goes through libm, so it is platform-independent too).
    Gaussian,
    /// No noise: the clean sine.
    None,
}

impl NoiseKind {
    /// All kinds, in the order their names are listed in messages.
    pub const ALL: [NoiseKind; 3] = [NoiseKind::Uniform, NoiseKind::Gaussian, NoiseKind::None];

    /// The lower-case name accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            NoiseKind::Uniform => "uniform",
            NoiseKind::Gaussian => "gaussian",
            NoiseKind::None => "none",
        }
    }

    /// One draw of the unscaled noise (amplitude 1) from `rng`.
    pub(crate) fn draw(self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            NoiseKind::Uniform => rng.random::<f64>(),
            NoiseKind::Gaussian => rng.sample(StandardNormal),
            NoiseKind::None => 0.0,
        }
    }
}

impl fmt::Display for NoiseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NoiseKind {
    type Err = DataError;

    /// Parses `uniform`, `gaussian` or `none` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, DataError> {
        NoiseKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DataError::arg("noise", format!("'{s}'"), "uniform, gaussian or none"))
    }
}
