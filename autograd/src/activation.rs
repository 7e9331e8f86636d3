//! Keras activations: the [`Activation`] enum, its formulas and derivatives (as TensorFlow
//! computes them, kinks included), parsed from Keras names.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{AutogradError, Result};

/// SELU's constants, as TensorFlow's kernel uses them.
const SELU_SCALE: f32 = 1.050_701;
const SELU_SCALE_ALPHA: f32 = 1.758_099_3;

/// A Keras activation function (Keras 3.15 formulas; see docs/keras-semantics.md, A.4, and
/// fixtures/keras/activations.json).
///
/// Serialized with a `name` tag and the Keras argument names, e.g.
/// `{"name":"relu","negative_slope":0.0,"max_value":null,"threshold":0.0}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Activation {
    /// `x` (Keras `activation=None` too). Derivative 1.
    Linear,
    /// Keras `relu(x, negative_slope, max_value, threshold)`: `x` above `threshold` (0 or
    /// `negative_slope * (x - threshold)` at or below it), clipped to `max_value` if given.
    /// With only `negative_slope` set it is `leaky_relu`. Derivative 0 at the threshold
    /// (`relu'(0) = 0`), 1 at `max_value`. Defaults: 0, None, 0.
    Relu {
        /// Slope below the threshold. Default 0.
        #[serde(default)]
        negative_slope: f32,
        /// Upper clip, if any. Default None.
        #[serde(default)]
        max_value: Option<f32>,
        /// Where the function switches from the negative part to `x`. Default 0.
        #[serde(default)]
        threshold: f32,
    },
    /// `min(max(x, 0), 6)`; derivative 0 at 0 and at 6.
    Relu6,
    /// `x` if `x > 0` else `negative_slope * x`; derivative at 0 is `negative_slope`.
    LeakyRelu {
        /// Default 0.2 (Keras 3).
        negative_slope: f32,
    },
    /// `x` if `x > 0` else `alpha * (eˣ - 1)`; derivative 1 above 0, `alpha` at 0 (TF).
    Elu {
        /// Default 1.0.
        alpha: f32,
    },
    /// `scale * elu(x, alpha)` with TF's constants; derivative `scale` at 0.
    Selu,
    /// `0.5 x (1 + erf(x/√2))`, or the tanh approximation
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` if `approximate`.
    Gelu {
        /// Keras 3 default: false.
        approximate: bool,
    },
    /// `tanh x`; derivative `1 - y²` from the output.
    Tanh,
    /// `1 / (1 + e⁻ˣ)`; derivative `y (1 - y)` from the output.
    Sigmoid,
    /// Keras 3: `relu6(x + 3) / 6`; derivative 1/6 strictly inside (-3, 3), else 0.
    HardSigmoid,
    /// `ln(1 + eˣ)` (TF's thresholds); derivative `sigmoid(x)`.
    Softplus,
    /// `x / (1 + |x|)`; derivative `1 / (1 + |x|)²`.
    Softsign,
    /// `x · sigmoid(x)` (Keras `silu` and `swish`).
    Silu,
    /// `eˣ`; derivative from the output.
    Exponential,
    /// `exp(x - max) / Σ exp(x - max)` over the last axis; backward `y (g - Σ y g)`.
    Softmax,
    /// `x · tanh(softplus(x))`.
    Mish,
    /// `x · hard_sigmoid(x)` (Keras `hard_silu` and `hard_swish`).
    HardSilu,
    /// `-softplus(-x)`; derivative `sigmoid(-x)`.
    LogSigmoid,
}

impl Activation {
    /// Plain `relu`: `max(x, 0)`.
    pub const RELU: Activation = Activation::Relu {
        negative_slope: 0.0,
        max_value: None,
        threshold: 0.0,
    };

    /// Every Keras name [`Activation::from_keras_name`] accepts.
    pub const KERAS_NAMES: &'static [&'static str] = &[
        "linear",
        "relu",
        "relu6",
        "leaky_relu",
        "elu",
        "selu",
        "gelu",
        "tanh",
        "sigmoid",
        "hard_sigmoid",
        "softplus",
        "softsign",
        "silu",
        "swish",
        "exponential",
        "softmax",
        "mish",
        "hard_silu",
        "hard_swish",
        "log_sigmoid",
    ];

    /// The activation Keras means by `name`, with Keras' default arguments.
    pub fn from_keras_name(name: &str) -> Result<Activation> {
        use Activation::*;
        Ok(match name {
            "linear" => Linear,
            "relu" => Activation::RELU,
            "relu6" => Relu6,
            "leaky_relu" => LeakyRelu {
                negative_slope: 0.2,
            },
            "elu" => Elu { alpha: 1.0 },
            "selu" => Selu,
            "gelu" => Gelu { approximate: false },
            "tanh" => Tanh,
            "sigmoid" => Sigmoid,
            "hard_sigmoid" => HardSigmoid,
            "softplus" => Softplus,
            "softsign" => Softsign,
            "silu" | "swish" => Silu,
            "exponential" => Exponential,
            "softmax" => Softmax,
            "mish" => Mish,
            "hard_silu" | "hard_swish" => HardSilu,
            "log_sigmoid" => LogSigmoid,
            _ => {
                return Err(AutogradError::UnknownActivation {
                    name: name.to_string(),
                });
            }
        })
    }

    /// The Keras name of this activation (its arguments aside).
    pub fn keras_name(&self) -> &'static str {
        use Activation::*;
        match self {
            Linear => "linear",
            Relu { .. } => "relu",
            Relu6 => "relu6",
            LeakyRelu { .. } => "leaky_relu",
            Elu { .. } => "elu",
            Selu => "selu",
            Gelu { .. } => "gelu",
            Tanh => "tanh",
            Sigmoid => "sigmoid",
            HardSigmoid => "hard_sigmoid",
            Softplus => "softplus",
            Softsign => "softsign",
            Silu => "silu",
            Exponential => "exponential",
            Softmax => "softmax",
            Mish => "mish",
            HardSilu => "hard_silu",
            LogSigmoid => "log_sigmoid",
        }
    }

    /// True for softmax, which mixes the elements of each last-axis row.
    pub fn is_row_wise(&self) -> bool {
        matches!(self, Activation::Softmax)
    }

    /// True if the derivative needs the input `x`; false if it follows from the output `y`
    /// alone (then backward passes `y` for `x`, and the fused RNN saves no pre-activation).
    pub fn derivative_needs_input(&self) -> bool {
        use Activation::*;
        !matches!(
            self,
            Linear | Tanh | Sigmoid | Exponential | Softmax | Relu6
        ) && *self != Activation::RELU
    }

    /// `f(x)` for an elementwise activation (softmax of a single element is 1).
    pub fn apply(&self, x: f32) -> f32 {
        use Activation::*;
        match *self {
            Linear => x,
            Relu {
                negative_slope,
                max_value,
                threshold,
            } => relu(x, negative_slope, max_value, threshold).0,
            Relu6 => x.clamp(0.0, 6.0),
            LeakyRelu { negative_slope } => {
                if x > 0.0 {
                    x
                } else {
                    negative_slope * x
                }
            }
            Elu { alpha } => {
                if x > 0.0 {
                    x
                } else {
                    alpha * x.exp_m1()
                }
            }
            Selu => {
                if x > 0.0 {
                    SELU_SCALE * x
                } else {
                    SELU_SCALE_ALPHA * x.exp_m1()
                }
            }
            Gelu { approximate } => gelu(x, approximate).0,
            Tanh => kernels::vecmath::approx::tanh(x),
            Sigmoid => kernels::vecmath::approx::sigmoid(x),
            HardSigmoid => (x + 3.0).clamp(0.0, 6.0) / 6.0,
            Softplus => softplus(x),
            Softsign => x / (1.0 + x.abs()),
            Silu => x * sigmoid(x),
            Exponential => x.exp(),
            Softmax => 1.0,
            Mish => (x as f64 * (softplus(x) as f64).tanh()) as f32,
            HardSilu => x * ((x + 3.0).clamp(0.0, 6.0) / 6.0),
            LogSigmoid => -softplus(-x),
        }
    }

    /// `f'(x)` for an elementwise activation, given the input `x` and the output `y = f(x)`
    /// (for those with [`Activation::derivative_needs_input`] false, `x` is not read).
    pub fn derivative(&self, x: f32, y: f32) -> f32 {
        use Activation::*;
        match *self {
            Linear => 1.0,
            Relu {
                negative_slope,
                max_value,
                threshold,
            } => {
                if *self == Activation::RELU {
                    // From the output: y > 0 exactly when x > 0; relu'(0) = 0.
                    if y > 0.0 { 1.0 } else { 0.0 }
                } else {
                    relu(x, negative_slope, max_value, threshold).1
                }
            }
            Relu6 => {
                if y > 0.0 && y < 6.0 {
                    1.0
                } else {
                    0.0
                }
            }
            LeakyRelu { negative_slope } => {
                if x > 0.0 {
                    1.0
                } else {
                    negative_slope
                }
            }
            Elu { alpha } => {
                if x > 0.0 {
                    1.0
                } else if x == 0.0 {
                    alpha
                } else {
                    alpha * x.exp()
                }
            }
            Selu => {
                if x >= 0.0 {
                    SELU_SCALE
                } else {
                    SELU_SCALE_ALPHA * x.exp()
                }
            }
            Gelu { approximate } => gelu(x, approximate).1,
            Tanh => 1.0 - y * y,
            Sigmoid => y * (1.0 - y),
            HardSigmoid => {
                if x > -3.0 && x < 3.0 {
                    1.0 / 6.0
                } else {
                    0.0
                }
            }
            Softplus => sigmoid(x),
            Softsign => {
                let d = 1.0 + x.abs();
                1.0 / (d * d)
            }
            Silu => {
                let s = sigmoid(x);
                s * (1.0 + x * (1.0 - s))
            }
            Exponential => y,
            Softmax => 0.0,
            Mish => {
                let xd = x as f64;
                let t = (softplus(x) as f64).tanh();
                let s = 1.0 / (1.0 + (-xd).exp());
                (t + xd * (1.0 - t * t) * s) as f32
            }
            HardSilu => {
                let hs = (x + 3.0).clamp(0.0, 6.0) / 6.0;
                let dhs = if x > -3.0 && x < 3.0 { 1.0 / 6.0 } else { 0.0 };
                hs + x * dhs
            }
            LogSigmoid => sigmoid(-x),
        }
    }

    /// Applies the activation in place to one last-axis row (softmax needs the whole row).
    ///
    /// The match sits outside the loops so the common activations get tight, vectorizable
    /// loops (a per-element match cost more than the tutorial's GEMMs).
    pub(crate) fn apply_row(&self, row: &mut [f32]) {
        let a = *self;
        match a {
            Activation::Linear => {}
            Activation::Softmax => {
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0.0;
                for v in row.iter_mut() {
                    *v = (*v - max).exp();
                    sum += *v;
                }
                row.iter_mut().for_each(|v| *v /= sum);
            }
            _ if a == Activation::RELU => map(row, |x| if x > 0.0 || x.is_nan() { x } else { 0.0 }),
            Activation::Tanh => kernels::vecmath::tanh_in_place(row),
            Activation::Sigmoid => kernels::vecmath::sigmoid_in_place(row),
            _ => map(row, |x| a.apply(x)),
        }
    }

    /// The vectorized form of this activation's derivative, for the activations whose
    /// derivative reads only their output (`tanh`, `sigmoid`, default `relu`, `linear`):
    /// [`kernels::vecmath::activation_grad`] gives the bits of [`Activation::backward_row`]'s
    /// formulas at 8 or 16 lanes.
    pub(crate) fn output_grad(&self) -> Option<kernels::vecmath::OutputGrad> {
        use kernels::vecmath::OutputGrad;
        match *self {
            Activation::Linear => Some(OutputGrad::Linear),
            Activation::Tanh => Some(OutputGrad::Tanh),
            Activation::Sigmoid => Some(OutputGrad::Sigmoid),
            a if a == Activation::RELU => Some(OutputGrad::Relu),
            _ => None,
        }
    }

    /// The input gradient of one last-axis row: `dx = g · f'` written (`accumulate` false) or
    /// added (`accumulate` true) into `dx`.
    pub(crate) fn backward_row(
        &self,
        x: &[f32],
        y: &[f32],
        g: &[f32],
        dx: &mut [f32],
        accumulate: bool,
    ) {
        let a = *self;
        if let Some(kind) = a.output_grad()
            && !accumulate
            && y.len() >= dx.len()
            && g.len() >= dx.len()
        {
            kernels::vecmath::activation_grad(kind, y, g, None, dx);
            return;
        }
        match a {
            Activation::Softmax => {
                let dot: f32 = y.iter().zip(g).map(|(a, b)| a * b).sum();
                combine(dx, x, y, g, accumulate, |_, yi, gi| yi * (gi - dot));
            }
            Activation::Linear => combine(dx, x, y, g, accumulate, |_, _, gi| gi),
            _ if a == Activation::RELU => {
                combine(
                    dx,
                    x,
                    y,
                    g,
                    accumulate,
                    |_, yi, gi| if yi > 0.0 { gi } else { 0.0 },
                )
            }
            Activation::Tanh => combine(dx, x, y, g, accumulate, |_, yi, gi| gi * (1.0 - yi * yi)),
            Activation::Sigmoid => {
                combine(dx, x, y, g, accumulate, |_, yi, gi| gi * yi * (1.0 - yi))
            }
            _ => combine(dx, x, y, g, accumulate, |xi, yi, gi| {
                gi * a.derivative(xi, yi)
            }),
        }
    }
}

/// `v = f(v)` for every element.
#[inline(always)]
fn map(row: &mut [f32], f: impl Fn(f32) -> f32) {
    row.iter_mut().for_each(|v| *v = f(*v));
}

/// `dx = d(x, y, g)` or `dx += d(x, y, g)` elementwise.
#[inline(always)]
fn combine(
    dx: &mut [f32],
    x: &[f32],
    y: &[f32],
    g: &[f32],
    accumulate: bool,
    d: impl Fn(f32, f32, f32) -> f32,
) {
    let it = dx.iter_mut().zip(x.iter().zip(y).zip(g));
    if accumulate {
        it.for_each(|(o, ((&xi, &yi), &gi))| *o += d(xi, yi, gi));
    } else {
        it.for_each(|(o, ((&xi, &yi), &gi))| *o = d(xi, yi, gi));
    }
}

impl FromStr for Activation {
    type Err = AutogradError;
    fn from_str(s: &str) -> Result<Activation> {
        Activation::from_keras_name(s)
    }
}

/// `1 / (1 + e⁻ˣ)`, as TF computes it.
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// TF's softplus: `x` above `-(ln ε + 2)`, `eˣ` below `ln ε + 2`, else `ln(1 + eˣ)`.
fn softplus(x: f32) -> f32 {
    let threshold = f32::EPSILON.ln() + 2.0;
    if x > -threshold {
        x
    } else if x < threshold {
        x.exp()
    } else {
        x.exp().ln_1p()
    }
}

/// Keras relu with its arguments (keras/src/ops/nn.py `ReLU.static_call`): `(value, derivative)`.
fn relu(x: f32, slope: f32, max_value: Option<f32>, threshold: f32) -> (f32, f32) {
    if slope != 0.0 && max_value.is_none() && threshold == 0.0 {
        // Dispatches to leaky_relu.
        return if x > 0.0 {
            (x, 1.0)
        } else {
            (slope * x, slope)
        };
    }
    let mut clip_max = max_value;
    let (mut y, mut d) = if threshold != 0.0 {
        // x * (x > threshold): a jump at the threshold, derivative 0 there.
        if x > threshold { (x, 1.0) } else { (0.0, 0.0) }
    } else if max_value == Some(6.0) {
        clip_max = None;
        (
            x.clamp(0.0, 6.0),
            if x > 0.0 && x < 6.0 { 1.0 } else { 0.0 },
        )
    } else if x > 0.0 || x.is_nan() {
        // max(x, 0) propagates NaN in TF, so a diverged run shows NaN rather than zeros.
        (x, if x > 0.0 { 1.0 } else { 0.0 })
    } else {
        (0.0, 0.0)
    };
    if let Some(m) = clip_max {
        // clip(y, 0, m): TF passes the gradient where 0 <= y <= m.
        if y > m || y < 0.0 {
            d = 0.0;
        }
        y = y.clamp(0.0, m);
    }
    if slope != 0.0 {
        // minus slope * relu(threshold - x): slope * (x - threshold) below the threshold.
        let neg = threshold - x;
        if neg > 0.0 {
            y -= slope * neg;
            d += slope;
        }
    }
    (y, d)
}

/// GELU value and derivative. The tanh form is computed in f32 like TensorFlow's (so it
/// saturates where TF's does); the erf form in f64, rounded once.
fn gelu(x: f32, approximate: bool) -> (f32, f32) {
    if approximate {
        let c = 0.797_884_6_f32;
        let k = 0.044715_f32;
        let arg = c * (x + k * x * x * x);
        // TF's float tanh (Eigen's rational approximation) is exactly ±1 beyond ±7.9053111; so
        // GELU's tail is exactly 0 (value and derivative) there, as in the fixtures.
        let t = if arg.abs() >= 7.905_311 {
            arg.signum()
        } else {
            arg.tanh()
        };
        let y = 0.5 * x * (1.0 + t);
        let d = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * k * x * x);
        (y, d)
    } else {
        let x = x as f64;
        let e = libm::erf(x / std::f64::consts::SQRT_2);
        let y = 0.5 * x * (1.0 + e);
        let pdf = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let d = 0.5 * (1.0 + e) + x * pdf;
        (y as f32, d as f32)
    }
}
