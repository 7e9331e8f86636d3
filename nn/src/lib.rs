//! `nn`: Keras-faithful building blocks for recur.
//!
//! This crate holds what the layers and the `Sequential` model build on, all working on plain
//! `f32` parameter storage: [`initializers`], [`optimizer`]s with Keras's exact f32 update rules,
//! [`regularizers`], [`constraints`], the training loop's [`loss_tracker`] and [`batching`]
//! helpers, and the [`summary`] table. Keras 3.15 (see `shared/KERAS.md`) is the reference for
//! names, defaults and numbers; deliberate differences are documented where they occur.

#![warn(missing_docs)]

pub mod batching;
pub mod constraints;
pub mod error;
pub mod initializers;
pub mod loss_tracker;
pub mod optimizer;
pub mod param;
mod qr;
pub mod regularizers;
pub mod summary;

pub use constraints::{Axis, Constraint};
pub use error::{NnError, Result};
pub use initializers::Initializer;
pub use loss_tracker::{History, LossMean};
pub use optimizer::{Algorithm, Optimizer, OptimizerConfig, OptimizerState};
pub use param::{ParamInfo, ParamTensor};
pub use regularizers::Regularizer;
