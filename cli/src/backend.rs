//! The model backend the `recur` binary uses.
//!
//! This is the one place where the `nn` crate is wired in: `NnBackend::build` must build and
//! compile `nn`'s Sequential from a [`ModelSpec`] (SimpleRNN(units, activation) -> Dense(d,
//! relu)... -> Dense(1), loss, optimizer at the learning rate, seeded), and `NnBackend::load`
//! must load a model file, mapping a truncated or foreign file to [`CliError::Usage`]. Until
//! `nn` is merged, both return a runtime error saying so (exit status 1), after all of the
//! CLI's input validation has run.

use std::path::Path;

use crate::config::ModelSpec;
use crate::error::CliError;
use crate::model::{Backend, Model};

/// The backend of the `recur` binary (nn's Sequential).
#[derive(Debug, Clone, Copy, Default)]
pub struct NnBackend;

const NOT_LINKED: &str =
    "this build of recur has no model backend: the nn crate is not wired into cli::backend yet";

impl Backend for NnBackend {
    fn build(&self, _spec: &ModelSpec) -> Result<Box<dyn Model>, CliError> {
        Err(CliError::Runtime(NOT_LINKED.to_string()))
    }

    fn load(&self, _path: &Path) -> Result<Box<dyn Model>, CliError> {
        Err(CliError::Runtime(NOT_LINKED.to_string()))
    }
}
