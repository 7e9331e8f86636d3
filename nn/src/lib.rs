//! `nn`: Keras-faithful building blocks for recur.
//!
//! This crate holds what the layers and the `Sequential` model build on, all working on plain
//! `f32` parameter storage: [`initializers`], [`optimizer`]s with Keras's exact f32 update rules,
//! [`regularizers`], [`constraints`], the training loop's [`loss_tracker`], [`metrics`], [`batching`] and
//! [`callbacks`] logic, [`seed`] derivation, automatic layer [`naming`], the [`summary`] table,
//! Keras's console lines ([`progress`]), the [`checkpoint`] file and the translation to and
//! from Keras 3 `.keras` files ([`keras`]). Keras 3.15 (see
//! `docs/keras-semantics.md` in the repository) is the reference for names, defaults and numbers;
//! deliberate differences are documented where they occur and listed below.
//!
//! # Deliberate differences from Keras 3.15
//! - `"l1_l2"` means `L1L2(0.01, 0.01)` as the Keras docstring says (Keras 3.15 raises).
//! - Values Keras accepts silently but that cannot be meant are errors: a learning rate that is
//!   not finite and > 0, negative clip values, weight decay or regularizer factors, hyperparameters
//!   outside their ranges (e.g. `rho` outside [0, 1)), `minval >= maxval`.
//! - Random draws come from seeded ChaCha8 streams ([`seed`]), so they are reproducible across
//!   machines but are not Keras's numbers; unseeded use falls back to [`seed::DEFAULT_SEED`].
//! - Orthogonal: a column whose `R_jj` is exactly 0 (probability zero) keeps sign +1 instead of
//!   Keras's 0, so the result stays orthogonal.
//! - `EarlyStopping` refuses a monitor that will never be logged (Keras warns every epoch).
//! - Not implemented, so absent from the API and rejected in configs: `use_ema`,
//!   `ema_momentum`, `ema_overwrite_frequency`, `loss_scale_factor`,
//!   `gradient_accumulation_steps`, learning-rate schedules, `exclude_from_weight_decay`.
//!
//! # Example: one optimizer step on plain buffers
//! A model names its parameters once, builds the optimizer, then steps without allocating:
//! ```
//! use nn::{Constraint, Optimizer, OptimizerConfig, ParamInfo};
//! let params = [ParamInfo::new("dense/kernel", &[2, 1]), ParamInfo::new("dense/bias", &[1])];
//! let mut opt = Optimizer::new(OptimizerConfig::from_name("rmsprop")?)?;
//! opt.build(&params)?;
//! let (mut kernel, mut bias) = (vec![0.5f32, -0.5], vec![0.0f32]);
//! let (grad_kernel, grad_bias) = (vec![0.1f32, 0.2], vec![0.3f32]);
//! opt.begin_step([grad_kernel.as_slice(), grad_bias.as_slice()])?;
//! opt.update(0, &mut kernel, &grad_kernel, Some(&Constraint::NonNeg))?;
//! opt.update(1, &mut bias, &grad_bias, None)?;
//! opt.finish_step()?;
//! assert_eq!(opt.iterations(), 1);
//! assert_eq!(opt.export_state().slots[0].name, "dense/kernel/velocity");
//! # Ok::<(), nn::NnError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batching;
pub mod callbacks;
pub mod checkpoint;
pub mod constraints;
pub mod error;
pub mod initializers;
pub mod keras;
pub mod layers;
pub mod loss_tracker;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod naming;
pub mod optimizer;
pub mod param;
pub mod progress;
mod qr;
pub mod regularizers;
pub mod seed;
pub mod summary;

pub use autograd::{Activation, Loss, Tensor};
pub use constraints::{Axis, Constraint};
pub use error::{NnError, Result};
pub use initializers::Initializer;
pub use layers::{DenseConfig, GruConfig, Layer, LayerConfig, LstmConfig, SimpleRnnConfig};
pub use loss_tracker::{History, LossMean};
pub use metrics::{Metric, MetricSpec};
pub use model::Sequential;
pub use optimizer::{Algorithm, Optimizer, OptimizerConfig, OptimizerState};
pub use param::{ParamInfo, ParamTensor};
pub use regularizers::Regularizer;
