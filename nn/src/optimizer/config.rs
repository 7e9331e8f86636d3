//! Optimizer configurations with Keras 3.15 names and defaults (docs/keras-semantics.md, A.5).
//!
//! Hyperparameters are kept as f64, like the Python floats Keras holds, because Keras computes
//! some factors (`1 - rho`, `1 - beta_1`, `1 - beta_2`) in Python before rounding to f32: doing
//! the same is what makes the updates bit-identical to Keras's.
//!
//! Keras options recur does not implement (`use_ema`, `ema_momentum`,
//! `ema_overwrite_frequency`, `loss_scale_factor`, `gradient_accumulation_steps`) do not exist
//! here; a serialized config carrying them is rejected as an unknown field.

use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result, check_non_negative, check_positive, check_range};

/// The update rule and its own hyperparameters. Serializes with a `"name"` tag
/// (`"sgd"`, `"rmsprop"`, `"adam"`, `"adamw"`, `"nadam"`, `"adagrad"`, `"adamax"`, `"adadelta"`, `"lion"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Algorithm {
    /// Stochastic gradient descent (Keras defaults: momentum 0, nesterov false).
    Sgd {
        /// Momentum in [0, 1].
        momentum: f64,
        /// Nesterov momentum.
        nesterov: bool,
    },
    /// RMSprop (defaults rho 0.9, momentum 0, epsilon 1e-7, centered false); epsilon sits
    /// inside the square root and there is no bias correction.
    Rmsprop {
        /// Discount of the squared-gradient average, in [0, 1).
        rho: f64,
        /// Momentum in [0, 1).
        momentum: f64,
        /// Added to the average before the square root, >= 0.
        epsilon: f64,
        /// Normalise by the variance rather than the second moment.
        centered: bool,
    },
    /// Adam (defaults beta_1 0.9, beta_2 0.999, epsilon 1e-7, amsgrad false).
    Adam {
        /// First-moment decay in [0, 1).
        beta_1: f64,
        /// Second-moment decay in [0, 1).
        beta_2: f64,
        /// Added to `sqrt(v)` ("epsilon hat"), >= 0.
        epsilon: f64,
        /// Use the running maximum of `v`.
        amsgrad: bool,
    },
    /// AdamW: Adam plus decoupled weight decay (required; Keras default 0.004).
    Adamw {
        /// First-moment decay in [0, 1).
        beta_1: f64,
        /// Second-moment decay in [0, 1).
        beta_2: f64,
        /// Added to `sqrt(v)`, >= 0.
        epsilon: f64,
        /// Use the running maximum of `v`.
        amsgrad: bool,
    },
    /// Nadam: Adam with Nesterov momentum and Keras's momentum schedule
    /// (defaults beta_1 0.9, beta_2 0.999, epsilon 1e-7).
    Nadam {
        /// First-moment decay in [0, 1).
        beta_1: f64,
        /// Second-moment decay in [0, 1).
        beta_2: f64,
        /// Added to `sqrt(v̂)`, >= 0.
        epsilon: f64,
    },
    /// Adagrad (defaults initial_accumulator_value 0.1, epsilon 1e-7).
    Adagrad {
        /// Starting value of the accumulator, >= 0.
        initial_accumulator_value: f64,
        /// Added inside the square root, >= 0.
        epsilon: f64,
    },
    /// Adamax (defaults beta_1 0.9, beta_2 0.999, epsilon 1e-7).
    Adamax {
        /// First-moment decay in [0, 1).
        beta_1: f64,
        /// Infinity-norm decay in [0, 1).
        beta_2: f64,
        /// Added to the norm, >= 0.
        epsilon: f64,
    },
    /// Adadelta (defaults rho 0.95, epsilon 1e-7).
    Adadelta {
        /// Decay in [0, 1).
        rho: f64,
        /// Added inside the square roots, >= 0.
        epsilon: f64,
    },
    /// Lion (defaults beta_1 0.9, beta_2 0.99).
    Lion {
        /// Interpolation factor of the update direction, in (0, 1].
        beta_1: f64,
        /// Momentum decay in [0, 1].
        beta_2: f64,
    },
}

/// A full optimizer configuration: the algorithm plus the options every Keras optimizer has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerConfig {
    /// The update rule.
    pub algorithm: Algorithm,
    /// Learning rate, finite and > 0 (kept as an f32 variable while training, as in Keras).
    pub learning_rate: f64,
    /// Decoupled weight decay `θ ← θ − θ·wd·lr` before each update (None = off).
    #[serde(default)]
    pub weight_decay: Option<f64>,
    /// Clip each gradient to this L2 norm (None or 0 = off).
    #[serde(default)]
    pub clipnorm: Option<f64>,
    /// Clip each gradient element to `[-v, v]` (None or 0 = off).
    #[serde(default)]
    pub clipvalue: Option<f64>,
    /// Clip all gradients jointly to this global L2 norm (None or 0 = off).
    #[serde(default)]
    pub global_clipnorm: Option<f64>,
}

/// Names accepted by [`OptimizerConfig::from_name`].
pub const OPTIMIZER_NAMES: &str =
    "sgd, rmsprop, adam, adamw, nadam, adagrad, adamax, adadelta, lion (or the Keras class names)";

impl OptimizerConfig {
    fn with(algorithm: Algorithm, learning_rate: f64) -> Self {
        OptimizerConfig {
            algorithm,
            learning_rate,
            weight_decay: None,
            clipnorm: None,
            clipvalue: None,
            global_clipnorm: None,
        }
    }

    /// `SGD()` with Keras defaults (learning_rate 0.01, momentum 0, nesterov false).
    pub fn sgd() -> Self {
        Self::with(
            Algorithm::Sgd {
                momentum: 0.0,
                nesterov: false,
            },
            0.01,
        )
    }

    /// `RMSprop()` with Keras defaults (learning_rate 0.001, rho 0.9, momentum 0,
    /// epsilon 1e-7, centered false).
    pub fn rmsprop() -> Self {
        Self::with(
            Algorithm::Rmsprop {
                rho: 0.9,
                momentum: 0.0,
                epsilon: 1e-7,
                centered: false,
            },
            0.001,
        )
    }

    /// `Adam()` with Keras defaults (learning_rate 0.001, 0.9, 0.999, 1e-7, amsgrad false).
    pub fn adam() -> Self {
        Self::with(
            Algorithm::Adam {
                beta_1: 0.9,
                beta_2: 0.999,
                epsilon: 1e-7,
                amsgrad: false,
            },
            0.001,
        )
    }

    /// `AdamW()` with Keras defaults (Adam's, plus weight_decay 0.004).
    pub fn adamw() -> Self {
        let mut c = Self::with(
            Algorithm::Adamw {
                beta_1: 0.9,
                beta_2: 0.999,
                epsilon: 1e-7,
                amsgrad: false,
            },
            0.001,
        );
        c.weight_decay = Some(0.004);
        c
    }

    /// `Nadam()` with Keras defaults (learning_rate 0.001, 0.9, 0.999, 1e-7).
    pub fn nadam() -> Self {
        Self::with(
            Algorithm::Nadam {
                beta_1: 0.9,
                beta_2: 0.999,
                epsilon: 1e-7,
            },
            0.001,
        )
    }

    /// `Adagrad()` with Keras defaults (learning_rate 0.001, 0.1, 1e-7).
    pub fn adagrad() -> Self {
        Self::with(
            Algorithm::Adagrad {
                initial_accumulator_value: 0.1,
                epsilon: 1e-7,
            },
            0.001,
        )
    }

    /// `Adamax()` with Keras defaults (learning_rate 0.001, 0.9, 0.999, 1e-7).
    pub fn adamax() -> Self {
        Self::with(
            Algorithm::Adamax {
                beta_1: 0.9,
                beta_2: 0.999,
                epsilon: 1e-7,
            },
            0.001,
        )
    }

    /// `Adadelta()` with Keras defaults (learning_rate 0.001, rho 0.95, epsilon 1e-7).
    pub fn adadelta() -> Self {
        Self::with(
            Algorithm::Adadelta {
                rho: 0.95,
                epsilon: 1e-7,
            },
            0.001,
        )
    }

    /// `Lion()` with Keras defaults (learning_rate 0.001, 0.9, 0.99).
    pub fn lion() -> Self {
        Self::with(
            Algorithm::Lion {
                beta_1: 0.9,
                beta_2: 0.99,
            },
            0.001,
        )
    }

    /// Parses a Keras identifier (`"rmsprop"`, `"RMSprop"`, ...) into its default config.
    /// Keras optimizers recur lacks (Adafactor, Ftrl, Muon, ...) give a clear error.
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sgd" => Ok(Self::sgd()),
            "rmsprop" => Ok(Self::rmsprop()),
            "adam" => Ok(Self::adam()),
            "adamw" => Ok(Self::adamw()),
            "nadam" => Ok(Self::nadam()),
            "adagrad" => Ok(Self::adagrad()),
            "adamax" => Ok(Self::adamax()),
            "adadelta" => Ok(Self::adadelta()),
            "lion" => Ok(Self::lion()),
            _ => Err(NnError::UnknownName {
                kind: "optimizer",
                name: name.to_string(),
                known: OPTIMIZER_NAMES.to_string(),
            }),
        }
    }

    /// Sets the learning rate (builder style).
    pub fn with_learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }

    /// Sets `clipnorm` (builder style).
    pub fn with_clipnorm(mut self, c: f64) -> Self {
        self.clipnorm = Some(c);
        self
    }

    /// Sets `clipvalue` (builder style).
    pub fn with_clipvalue(mut self, v: f64) -> Self {
        self.clipvalue = Some(v);
        self
    }

    /// Sets `global_clipnorm` (builder style).
    pub fn with_global_clipnorm(mut self, c: f64) -> Self {
        self.global_clipnorm = Some(c);
        self
    }

    /// Sets `weight_decay` (builder style).
    pub fn with_weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = Some(wd);
        self
    }

    /// The Keras snake_case name of the algorithm (`"sgd"`, `"rmsprop"`, ...).
    pub fn name(&self) -> &'static str {
        match self.algorithm {
            Algorithm::Sgd { .. } => "sgd",
            Algorithm::Rmsprop { .. } => "rmsprop",
            Algorithm::Adam { .. } => "adam",
            Algorithm::Adamw { .. } => "adamw",
            Algorithm::Nadam { .. } => "nadam",
            Algorithm::Adagrad { .. } => "adagrad",
            Algorithm::Adamax { .. } => "adamax",
            Algorithm::Adadelta { .. } => "adadelta",
            Algorithm::Lion { .. } => "lion",
        }
    }

    /// Validates every value, with errors naming the argument and value:
    /// learning rate finite and > 0; clip values and weight decay finite and >= 0; at most one
    /// of `clipnorm`, `clipvalue`, `global_clipnorm` set (as Keras's `ValueError`); each
    /// algorithm's own ranges.
    pub fn validate(&self) -> Result<()> {
        check_positive("learning_rate", self.learning_rate)?;
        let clips = [
            ("clipnorm", self.clipnorm),
            ("clipvalue", self.clipvalue),
            ("global_clipnorm", self.global_clipnorm),
        ];
        for (name, v) in clips {
            if let Some(v) = v {
                check_non_negative(name, v)?;
            }
        }
        let set: Vec<String> = clips
            .iter()
            .filter_map(|(n, v)| v.map(|v| format!("{n}={v}")))
            .collect();
        if set.len() > 1 {
            return Err(NnError::Conflict {
                message: format!(
                    "only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set; \
                     received {}",
                    set.join(", ")
                ),
            });
        }
        if let Some(wd) = self.weight_decay {
            check_non_negative("weight_decay", wd)?;
        }
        match self.algorithm {
            Algorithm::Sgd { momentum, .. } => check_range("momentum", momentum, 0.0, 1.0, true),
            Algorithm::Rmsprop {
                rho,
                momentum,
                epsilon,
                ..
            } => {
                check_range("rho", rho, 0.0, 1.0, false)?;
                check_range("momentum", momentum, 0.0, 1.0, false)?;
                check_non_negative("epsilon", epsilon)
            }
            Algorithm::Adam {
                beta_1,
                beta_2,
                epsilon,
                ..
            }
            | Algorithm::Adamax {
                beta_1,
                beta_2,
                epsilon,
            }
            | Algorithm::Nadam {
                beta_1,
                beta_2,
                epsilon,
            } => {
                check_range("beta_1", beta_1, 0.0, 1.0, false)?;
                check_range("beta_2", beta_2, 0.0, 1.0, false)?;
                check_non_negative("epsilon", epsilon)
            }
            Algorithm::Adamw {
                beta_1,
                beta_2,
                epsilon,
                ..
            } => {
                if self.weight_decay.is_none() {
                    return Err(NnError::invalid(
                        "weight_decay",
                        "None",
                        "a float (AdamW needs a weight decay; Keras's default is 0.004)",
                    ));
                }
                check_range("beta_1", beta_1, 0.0, 1.0, false)?;
                check_range("beta_2", beta_2, 0.0, 1.0, false)?;
                check_non_negative("epsilon", epsilon)
            }
            Algorithm::Adagrad {
                initial_accumulator_value,
                epsilon,
            } => {
                check_non_negative("initial_accumulator_value", initial_accumulator_value)?;
                check_non_negative("epsilon", epsilon)
            }
            Algorithm::Adadelta { rho, epsilon } => {
                check_range("rho", rho, 0.0, 1.0, false)?;
                check_non_negative("epsilon", epsilon)
            }
            Algorithm::Lion { beta_1, beta_2 } => {
                if !(beta_1 > 0.0 && beta_1 <= 1.0) {
                    return Err(NnError::invalid("beta_1", beta_1, "a number in (0, 1]"));
                }
                check_range("beta_2", beta_2, 0.0, 1.0, true)
            }
        }
    }

    /// Names of the per-parameter slots this configuration keeps, in Keras's order.
    pub fn slot_names(&self) -> Vec<&'static str> {
        match self.algorithm {
            Algorithm::Sgd { momentum, .. } => {
                if momentum != 0.0 {
                    vec!["momentum"]
                } else {
                    vec![]
                }
            }
            Algorithm::Rmsprop {
                momentum, centered, ..
            } => {
                let mut v = vec!["velocity"];
                if momentum > 0.0 {
                    v.push("momentum");
                }
                if centered {
                    v.push("average_gradient");
                }
                v
            }
            Algorithm::Adam { amsgrad, .. } | Algorithm::Adamw { amsgrad, .. } => {
                if amsgrad {
                    vec!["momentum", "velocity", "velocity_hat"]
                } else {
                    vec!["momentum", "velocity"]
                }
            }
            Algorithm::Nadam { .. } => vec!["momentum", "velocity"],
            Algorithm::Adagrad { .. } => vec!["accumulator"],
            Algorithm::Adamax { .. } => vec!["momentum", "norm"],
            Algorithm::Adadelta { .. } => vec!["accumulated_grad", "accumulated_delta_var"],
            Algorithm::Lion { .. } => vec!["momentum"],
        }
    }
}
