//! Weight initializers with Keras 3.15 names, defaults and formulas (docs/keras-semantics.md, A.3).
//!
//! Every random initializer is seeded: [`Initializer::initialize`] takes a fallback seed (the
//! model derives one per parameter from its own seed) which is used unless the initializer
//! carries its own `seed`. Draws come from `ChaCha8Rng`, so the same seed gives bit-identical
//! weights on every machine. Keras's own draws come from the backend RNG and cannot be
//! reproduced; what is tested against Keras is the formulas (fans, limits, stddevs), loose
//! sample statistics, orthogonality and the deterministic initializers.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result, check_positive};

/// Keras's correction so that a normal truncated at ±2σ has standard deviation `sqrt(scale)`:
/// the std of a standard normal truncated to [-2, 2] (`random_initializers.py`). Kept with
/// Keras's own digits.
#[allow(clippy::excessive_precision)]
pub const TRUNCATED_NORMAL_STD_CORRECTION: f64 = 0.87962566103423978;

/// Which fan `VarianceScaling` divides the scale by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FanMode {
    /// `fan_in` (He, LeCun).
    FanIn,
    /// `fan_out`.
    FanOut,
    /// `(fan_in + fan_out) / 2` (Glorot).
    FanAvg,
}

/// The distribution `VarianceScaling` draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Normal truncated at ±2 stddev, stddev corrected by [`TRUNCATED_NORMAL_STD_CORRECTION`].
    TruncatedNormal,
    /// Plain normal with stddev `sqrt(scale)`.
    UntruncatedNormal,
    /// Uniform on `[-limit, limit)` with `limit = sqrt(3 * scale)`.
    Uniform,
}

/// An initializer and its Keras arguments. Serializes as `{"name": "glorot_uniform", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Initializer {
    /// All zeros (`"zeros"`).
    Zeros,
    /// All ones (`"ones"`).
    Ones,
    /// Every element `value` (`"constant"`, Keras default 0).
    Constant {
        /// The constant (default 0.0).
        value: f32,
    },
    /// Uniform on `[minval, maxval)` (defaults -0.05, 0.05).
    RandomUniform {
        /// Lower bound (default -0.05).
        minval: f64,
        /// Upper bound, exclusive (default 0.05).
        maxval: f64,
        /// Own seed; `None` uses the seed passed to `initialize`.
        seed: Option<u64>,
    },
    /// Normal `N(mean, stddev²)` (defaults 0, 0.05).
    RandomNormal {
        /// Mean (default 0).
        mean: f64,
        /// Standard deviation (default 0.05).
        stddev: f64,
        /// Own seed.
        seed: Option<u64>,
    },
    /// Normal truncated at `mean ± 2·stddev` (values outside are redrawn; defaults 0, 0.05).
    TruncatedNormal {
        /// Mean (default 0).
        mean: f64,
        /// Standard deviation of the untruncated normal (default 0.05).
        stddev: f64,
        /// Own seed.
        seed: Option<u64>,
    },
    /// The general variance-scaling family (Keras `VarianceScaling`, defaults 1.0, fan_in,
    /// truncated_normal).
    VarianceScaling {
        /// Scale, > 0 (default 1.0).
        scale: f64,
        /// Which fan to divide by.
        mode: FanMode,
        /// Distribution to draw from.
        distribution: Distribution,
        /// Own seed.
        seed: Option<u64>,
    },
    /// `VarianceScaling(1, fan_avg, uniform)`: limit `sqrt(6 / (fan_in + fan_out))`.
    GlorotUniform {
        /// Own seed.
        seed: Option<u64>,
    },
    /// `VarianceScaling(1, fan_avg, truncated_normal)`.
    GlorotNormal {
        /// Own seed.
        seed: Option<u64>,
    },
    /// `VarianceScaling(2, fan_in, uniform)`.
    HeUniform {
        /// Own seed.
        seed: Option<u64>,
    },
    /// `VarianceScaling(2, fan_in, truncated_normal)`.
    HeNormal {
        /// Own seed.
        seed: Option<u64>,
    },
    /// `VarianceScaling(1, fan_in, uniform)`.
    LecunUniform {
        /// Own seed.
        seed: Option<u64>,
    },
    /// `VarianceScaling(1, fan_in, truncated_normal)`.
    LecunNormal {
        /// Own seed.
        seed: Option<u64>,
    },
    /// Random orthogonal matrix times `gain` (QR of a Gaussian matrix with sign correction).
    Orthogonal {
        /// Multiplicative factor (default 1.0).
        gain: f64,
        /// Own seed.
        seed: Option<u64>,
    },
    /// `gain` times the (possibly rectangular) identity; rank-2 shapes only.
    Identity {
        /// Multiplicative factor (default 1.0).
        gain: f64,
    },
}

/// Names accepted by [`Initializer::from_name`].
pub const INITIALIZER_NAMES: &str = "zeros, ones, constant, random_uniform (uniform), \
random_normal (normal), truncated_normal, variance_scaling, glorot_uniform, glorot_normal, \
he_uniform, he_normal, lecun_uniform, lecun_normal, orthogonal, identity (or the Keras class names)";

/// Keras `compute_fans`: `(fan_in, fan_out)` for a weight shape.
///
/// Scalar: (1, 1); 1-D `(a,)`: (a, a); 2-D `(a, b)`: (a, b); N-D: the receptive field
/// `prod(shape[:-2])` multiplies `shape[-2]` and `shape[-1]`.
pub fn compute_fans(shape: &[usize]) -> (usize, usize) {
    match shape.len() {
        0 => (1, 1),
        1 => (shape[0], shape[0]),
        2 => (shape[0], shape[1]),
        r => {
            let receptive: usize = shape[..r - 2].iter().product();
            (shape[r - 2] * receptive, shape[r - 1] * receptive)
        }
    }
}

/// `scale / max(1, n)` with `n` chosen by `mode` (Keras `VarianceScaling.__call__`).
pub fn variance_scaling_scale(scale: f64, mode: FanMode, shape: &[usize]) -> f64 {
    let (fan_in, fan_out) = compute_fans(shape);
    let n = match mode {
        FanMode::FanIn => fan_in as f64,
        FanMode::FanOut => fan_out as f64,
        FanMode::FanAvg => (fan_in + fan_out) as f64 / 2.0,
    };
    scale / n.max(1.0)
}

impl Initializer {
    /// Keras's default `glorot_uniform` (unseeded).
    pub fn glorot_uniform() -> Self {
        Initializer::GlorotUniform { seed: None }
    }

    /// Keras's default `orthogonal` (gain 1, unseeded).
    pub fn orthogonal() -> Self {
        Initializer::Orthogonal {
            gain: 1.0,
            seed: None,
        }
    }

    /// Parses a Keras identifier (`"glorot_uniform"`, `"GlorotUniform"`, `"uniform"`, ...)
    /// into the initializer with Keras's default arguments.
    pub fn from_name(name: &str) -> Result<Self> {
        use Initializer as I;
        let init = match name {
            "zeros" | "Zeros" | "zero" => I::Zeros,
            "ones" | "Ones" | "one" => I::Ones,
            "constant" | "Constant" => I::Constant { value: 0.0 },
            "random_uniform" | "RandomUniform" | "uniform" => I::RandomUniform {
                minval: -0.05,
                maxval: 0.05,
                seed: None,
            },
            "random_normal" | "RandomNormal" | "normal" => I::RandomNormal {
                mean: 0.0,
                stddev: 0.05,
                seed: None,
            },
            "truncated_normal" | "TruncatedNormal" => I::TruncatedNormal {
                mean: 0.0,
                stddev: 0.05,
                seed: None,
            },
            "variance_scaling" | "VarianceScaling" => I::VarianceScaling {
                scale: 1.0,
                mode: FanMode::FanIn,
                distribution: Distribution::TruncatedNormal,
                seed: None,
            },
            "glorot_uniform" | "GlorotUniform" => I::GlorotUniform { seed: None },
            "glorot_normal" | "GlorotNormal" => I::GlorotNormal { seed: None },
            "he_uniform" | "HeUniform" => I::HeUniform { seed: None },
            "he_normal" | "HeNormal" => I::HeNormal { seed: None },
            "lecun_uniform" | "LecunUniform" => I::LecunUniform { seed: None },
            "lecun_normal" | "LecunNormal" => I::LecunNormal { seed: None },
            "orthogonal" | "Orthogonal" => I::orthogonal(),
            "identity" | "Identity" => I::Identity { gain: 1.0 },
            _ => {
                return Err(NnError::UnknownName {
                    kind: "initializer",
                    name: name.to_string(),
                    known: INITIALIZER_NAMES.to_string(),
                });
            }
        };
        Ok(init)
    }

    /// The `(scale, mode, distribution)` this initializer stands for, if it is one of the
    /// variance-scaling family.
    pub fn variance_scaling_params(&self) -> Option<(f64, FanMode, Distribution)> {
        use Distribution::{TruncatedNormal as TN, Uniform as U};
        use FanMode::{FanAvg, FanIn};
        match *self {
            Initializer::VarianceScaling {
                scale,
                mode,
                distribution,
                ..
            } => Some((scale, mode, distribution)),
            Initializer::GlorotUniform { .. } => Some((1.0, FanAvg, U)),
            Initializer::GlorotNormal { .. } => Some((1.0, FanAvg, TN)),
            Initializer::HeUniform { .. } => Some((2.0, FanIn, U)),
            Initializer::HeNormal { .. } => Some((2.0, FanIn, TN)),
            Initializer::LecunUniform { .. } => Some((1.0, FanIn, U)),
            Initializer::LecunNormal { .. } => Some((1.0, FanIn, TN)),
            _ => None,
        }
    }

    /// The initializer's own seed, if it has one.
    pub fn seed(&self) -> Option<u64> {
        match *self {
            Initializer::RandomUniform { seed, .. }
            | Initializer::RandomNormal { seed, .. }
            | Initializer::TruncatedNormal { seed, .. }
            | Initializer::VarianceScaling { seed, .. }
            | Initializer::GlorotUniform { seed }
            | Initializer::GlorotNormal { seed }
            | Initializer::HeUniform { seed }
            | Initializer::HeNormal { seed }
            | Initializer::LecunUniform { seed }
            | Initializer::LecunNormal { seed }
            | Initializer::Orthogonal { seed, .. } => seed,
            _ => None,
        }
    }

    /// Checks the arguments: positive scale (Keras's `ValueError`) and, stricter than Keras,
    /// positive stddev, `minval < maxval` and finite values.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Initializer::Constant { value } if !value.is_finite() => {
                Err(NnError::invalid("value", value, "a finite number"))
            }
            Initializer::RandomUniform { minval, maxval, .. } => {
                if !(minval.is_finite() && maxval.is_finite() && minval < maxval) {
                    return Err(NnError::invalid(
                        "maxval",
                        maxval,
                        &format!("a finite number greater than minval={minval}"),
                    ));
                }
                Ok(())
            }
            Initializer::RandomNormal { mean, stddev, .. }
            | Initializer::TruncatedNormal { mean, stddev, .. } => {
                if !mean.is_finite() {
                    return Err(NnError::invalid("mean", mean, "a finite number"));
                }
                check_positive("stddev", stddev)
            }
            Initializer::VarianceScaling { scale, .. } => check_positive("scale", scale),
            Initializer::Orthogonal { gain, .. } | Initializer::Identity { gain } => {
                if gain.is_finite() {
                    Ok(())
                } else {
                    Err(NnError::invalid("gain", gain, "a finite number"))
                }
            }
            _ => Ok(()),
        }
    }

    /// Returns `product(shape)` initial values (row-major). `seed` is used unless the
    /// initializer has its own seed; the same seed always gives the same values.
    pub fn initialize(&self, shape: &[usize], seed: u64) -> Result<Vec<f32>> {
        let mut out = vec![0.0f32; shape.iter().product()];
        self.initialize_into(shape, seed, &mut out)?;
        Ok(out)
    }

    /// Like [`Initializer::initialize`] but writes into `out` (length `product(shape)`).
    pub fn initialize_into(&self, shape: &[usize], seed: u64, out: &mut [f32]) -> Result<()> {
        self.validate()?;
        let len: usize = shape.iter().product();
        if out.len() != len {
            return Err(NnError::shape("initializer output", len, out.len()));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed().unwrap_or(seed));
        if let Some((scale, mode, distribution)) = self.variance_scaling_params() {
            let s = variance_scaling_scale(scale, mode, shape);
            match distribution {
                Distribution::Uniform => {
                    let limit = (3.0 * s).sqrt();
                    fill_uniform(&mut rng, -limit, limit, out);
                }
                Distribution::TruncatedNormal => {
                    let stddev = s.sqrt() / TRUNCATED_NORMAL_STD_CORRECTION;
                    fill_normal(&mut rng, 0.0, stddev, true, out);
                }
                Distribution::UntruncatedNormal => fill_normal(&mut rng, 0.0, s.sqrt(), false, out),
            }
            return Ok(());
        }
        match *self {
            Initializer::Zeros => out.fill(0.0),
            Initializer::Ones => out.fill(1.0),
            Initializer::Constant { value } => out.fill(value),
            Initializer::RandomUniform { minval, maxval, .. } => {
                fill_uniform(&mut rng, minval, maxval, out)
            }
            Initializer::RandomNormal { mean, stddev, .. } => {
                fill_normal(&mut rng, mean, stddev, false, out)
            }
            Initializer::TruncatedNormal { mean, stddev, .. } => {
                fill_normal(&mut rng, mean, stddev, true, out)
            }
            Initializer::Orthogonal { gain, .. } => fill_orthogonal(&mut rng, gain, shape, out)?,
            Initializer::Identity { gain } => {
                if shape.len() != 2 {
                    return Err(NnError::invalid(
                        "shape",
                        format!("{shape:?}"),
                        "a rank-2 shape for the identity initializer",
                    ));
                }
                out.fill(0.0);
                for i in 0..shape[0].min(shape[1]) {
                    out[i * shape[1] + i] = gain as f32;
                }
            }
            _ => unreachable!("variance-scaling initializers are handled above"),
        }
        Ok(())
    }
}

/// Uniform on `[lo, hi)`, computed in f64 and rounded to f32.
fn fill_uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64, out: &mut [f32]) {
    for x in out {
        let u: f64 = rng.random();
        *x = (lo + (hi - lo) * u) as f32;
    }
}

/// Normal `N(mean, stddev²)`; with `truncated`, draws beyond ±2 stddev are redrawn (as TF's
/// `truncated_normal` does).
fn fill_normal(rng: &mut ChaCha8Rng, mean: f64, stddev: f64, truncated: bool, out: &mut [f32]) {
    for x in out {
        let z = loop {
            let z: f64 = rng.sample(StandardNormal);
            if !truncated || z.abs() <= 2.0 {
                break z;
            }
        };
        *x = (mean + stddev * z) as f32;
    }
}

/// Keras `Orthogonal`: QR of a `(max(r, c), min(r, c))` Gaussian matrix, columns multiplied by
/// `sign(diag(R))`, transposed when `rows < cols`, times `gain`. Where `diag(R)` is exactly 0
/// (probability zero) we use +1 instead of Keras's 0, so the result stays orthogonal.
fn fill_orthogonal(
    rng: &mut ChaCha8Rng,
    gain: f64,
    shape: &[usize],
    out: &mut [f32],
) -> Result<()> {
    if shape.len() < 2 {
        return Err(NnError::invalid(
            "shape",
            format!("{shape:?}"),
            "a shape of rank >= 2 for the orthogonal initializer",
        ));
    }
    let rows: usize = shape[..shape.len() - 1].iter().product();
    let cols = shape[shape.len() - 1];
    if rows == 0 || cols == 0 {
        return Ok(());
    }
    let (m, n) = (rows.max(cols), rows.min(cols));
    let a: Vec<f64> = (0..m * n).map(|_| rng.sample(StandardNormal)).collect();
    let (mut q, r_diag) = crate::qr::householder_qr(&a, m, n);
    for i in 0..m {
        for (j, &d) in r_diag.iter().enumerate() {
            if d < 0.0 {
                q[i * n + j] = -q[i * n + j];
            }
        }
    }
    if rows < cols {
        // Output is (rows = n, cols = m) = Q^T.
        for i in 0..n {
            for j in 0..m {
                out[i * m + j] = (gain * q[j * n + i]) as f32;
            }
        }
    } else {
        for (o, v) in out.iter_mut().zip(&q) {
            *o = (gain * v) as f32;
        }
    }
    Ok(())
}
