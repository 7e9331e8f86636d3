//! Resource caps: every size that comes from a flag or a file is checked before anything of
//! that size is allocated, so a huge value is a one-line usage error (exit status 2) instead of
//! an aborted process ("memory allocation of ... bytes failed") or a hang.
//!
//! Fixed caps bound each flag on its own ([`MAX_UNITS`], [`MAX_DENSE_LAYERS`], [`MAX_STEP`],
//! [`MAX_HORIZON`], [`max_threads`]); the CSV caps live in `data` ([`data::MAX_CSV_BYTES`] and
//! its siblings) and the model file's in [`super::model_file::MAX_MODEL_FILE_BYTES`]. Sizes that
//! only matter together (units, Dense sizes, step and batch size; a series' length and step) are
//! checked by an estimate of the memory they need against the memory available: `/proc/meminfo`'s
//! `MemAvailable` and the room left under the address-space limit (`ulimit -v`, `RLIMIT_AS`).

use crate::ForecastError;
use crate::spec::{Cell, ModelSpec};

/// Most units of the recurrent layer, and the largest hidden Dense size. Why: a layer of 65,536
/// units already holds over 4 billion recurrent weights (16 GB); the memory estimate refuses
/// smaller layers that still do not fit.
pub const MAX_UNITS: usize = 65_536;

/// Most hidden Dense layers in `--dense`.
pub const MAX_DENSE_LAYERS: usize = 64;

/// Longest window (`--step`), as the longest `--task` sequence (`data`'s `MAX_SEQUENCE_LEN`).
pub const MAX_STEP: usize = data::generate::MAX_SEQUENCE_LEN;

/// Most values `recur forecast` produces (`--horizon`): each is one model call, and the values
/// are written to `forecast.csv` and drawn.
pub const MAX_HORIZON: usize = 1_000_000;

/// How many worker threads per available core `--threads` (and `RAYON_NUM_THREADS`) may ask
/// for. More only adds switching, and thousands of threads take a long time to start.
pub const THREADS_PER_CORE: usize = 4;

/// The most worker threads: [`THREADS_PER_CORE`] times the cores available to the process.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(THREADS_PER_CORE)
}

pub use nn::memory::{available_memory, show_bytes};

/// Refuses `needed` bytes when they exceed the memory available; `what` names the flags and
/// values that need them.
pub fn check_memory(what: &str, needed: u128) -> Result<(), ForecastError> {
    match available_memory() {
        Some(room) if needed > u128::from(room) => Err(ForecastError::Usage(format!(
            "{what} need about {} of memory, more than the {} available (MemAvailable, ulimit -v); \
             choose smaller values",
            show_bytes(needed),
            show_bytes(u128::from(room))
        ))),
        _ => Ok(()),
    }
}

/// The trainable parameters of `spec`'s model, computed from the spec alone (nothing is built).
pub fn param_count(spec: &ModelSpec) -> u128 {
    let [_, features] = spec.input_shape().map(|v| v as u128);
    let u = spec.recurrent.units as u128;
    let mut params = match spec.recurrent.cell {
        Cell::Simple => u * (features + u + 1),
        Cell::Lstm => 4 * u * (features + u + 1),
        // Keras 3's reset_after GRU has two bias rows.
        Cell::Gru => 3 * u * (features + u + 2),
    };
    let mut previous = u;
    for &d in spec.dense.iter().chain(std::iter::once(&spec.horizon)) {
        let d = d as u128;
        params += previous * d + d;
        previous = d;
    }
    params
}

/// An estimate of the memory fit needs for `spec` with batches of `batch` samples, in bytes:
/// the weights, their gradients and up to three optimizer slots (5 copies of the parameters),
/// plus the training tape, which keeps every time step's gate values, activations and their
/// gradients for the backward pass. Deliberately generous: it refuses what cannot fit, it does
/// not predict the peak.
pub fn training_bytes(spec: &ModelSpec, batch: usize) -> u128 {
    const F32: u128 = 4;
    let [timesteps, features] = spec.input_shape().map(|v| v as u128);
    let (batch, u) = (batch as u128, spec.recurrent.units as u128);
    let gates = match spec.recurrent.cell {
        Cell::Simple => 1,
        Cell::Lstm => 4,
        Cell::Gru => 3,
    };
    let weights = 5 * param_count(spec) * F32;
    // Per sample and step: the input, each gate's pre-activation and activation and the
    // state, each with its gradient.
    let tape = batch * timesteps * (features + 2 * gates * u + 2 * u) * 2 * F32;
    let dense: u128 = spec.dense.iter().map(|&d| d as u128).sum();
    let head = batch * (dense + 1) * 4 * F32;
    weights + tape + head
}

/// Refuses a model whose training would not fit in memory, naming the flags that size it.
pub fn check_training(spec: &ModelSpec, batch: usize) -> Result<(), ForecastError> {
    let dense = if spec.dense.is_empty() {
        "none".to_string()
    } else {
        spec.dense
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    check_memory(
        &format!(
            "--units {} --dense {dense} (about {} parameters) with step {} and batches of {batch} windows",
            spec.recurrent.units,
            param_count(spec),
            spec.step
        ),
        training_bytes(spec, batch),
    )
}

/// Refuses windows of a series of `n` values at window length `step` that would not fit in
/// memory: the series and its scaled copy (f64), and the windows of both parts with their
/// padding and targets (f32), counted twice for the copies made on the way. `channels` is 1 +
/// the number of covariates (`--features`): each window holds `step` rows of that many.
pub fn check_windows(n: usize, step: usize, channels: usize) -> Result<(), ForecastError> {
    let (n, step, c) = (n as u128, step as u128, channels.max(1) as u128);
    let windows = n + 2 * step;
    let needed = 2 * (n * 8 * 3 * c + windows * (step * c + 1) * 4);
    let covariates = if c > 1 {
        format!(" with {} covariate(s)", c - 1)
    } else {
        String::new()
    };
    check_memory(
        &format!("the windows of a series of n = {n} values at --step {step}{covariates}"),
        needed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_counts_match_keras() {
        let spec = |cell, dense: Vec<usize>| ModelSpec {
            recurrent: crate::spec::RecurrentSpec::new(
                cell,
                32,
                nn::Activation::RELU,
                None,
                0.0,
                0.0,
            )
            .unwrap(),
            dense,
            loss: nn::Loss::MeanSquaredError,
            optimizer: nn::OptimizerConfig::from_name("rmsprop").unwrap(),
            seed: 0,
            step: 4,
            layout: data::Layout::Tutorial,
            features: 1,
            horizon: 1,
        };
        // The tutorial: SimpleRNN(32) on (1, 4) -> Dense(8) -> Dense(1).
        assert_eq!(param_count(&spec(Cell::Simple, vec![8])), 1457);
        // README: the tutorial with LSTM has 5,009 parameters, with GRU 3,921.
        assert_eq!(param_count(&spec(Cell::Lstm, vec![8])), 5009);
        assert_eq!(param_count(&spec(Cell::Gru, vec![8])), 3921);
    }
}
