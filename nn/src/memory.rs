//! Memory checks before large allocations: a layer's parameters when it is built and a
//! training batch's tape when `fit` starts are estimated first and refused with an error when
//! they cannot fit, instead of aborting the process ("memory allocation of ... bytes failed")
//! or being killed by the kernel. The room is the smaller of `/proc/meminfo`'s `MemAvailable`
//! and what is left under the address-space limit (`ulimit -v`, `RLIMIT_AS`); where neither is
//! known (no `/proc`) nothing is refused.

use crate::error::{NnError, Result};
use crate::layers::LayerConfig;

/// A `kB` field of a `/proc` status file, in bytes.
fn kb_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kb: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// Room left under the soft address-space limit, read from `/proc/self/limits` (the limit
/// minus the address space already mapped).
fn address_space_room() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let name = "Max address space";
    let line = limits.lines().find(|l| l.starts_with(name))?;
    // "unlimited" does not parse: no limit.
    let soft: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let mapped = kb_field(&status, "VmSize:").unwrap_or(0);
    Some(soft.saturating_sub(mapped))
}

/// The memory the process can still use, in bytes: the smaller of `MemAvailable` and the room
/// under the address-space limit; `None` when neither is known.
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| kb_field(&t, "MemAvailable:"));
    match (meminfo, address_space_room()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Bytes as a short figure for messages (`1.5 GB`).
pub fn show_bytes(bytes: u128) -> String {
    let b = bytes as f64;
    match b {
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.0} kB", (b / 1e3).ceil()),
    }
}

/// Needs below this many bytes are never refused, and cost no look at `/proc` (so a warm
/// training step stays free of allocations and system calls).
pub const ALWAYS_FITS: u128 = 64 << 20;

/// Refuses `needed` bytes when they exceed the memory available; `what` says what needs them
/// (an argument's value, built only for the message), `name` the argument for
/// [`NnError::InvalidArgument`].
pub fn check(name: &str, needed: u128, what: impl FnOnce() -> String) -> Result<()> {
    if needed < ALWAYS_FITS {
        return Ok(());
    }
    match available_memory() {
        Some(room) if needed > u128::from(room) => Err(NnError::invalid(
            name,
            what(),
            &format!(
                "a size that fits in memory: it needs about {}, more than the {} available \
                 (MemAvailable, ulimit -v)",
                show_bytes(needed),
                show_bytes(u128::from(room))
            ),
        )),
        _ => Ok(()),
    }
}

/// Gate blocks of a layer's kernels: 1 for Dense and SimpleRNN, 4 for LSTM, 3 for GRU.
fn gates(config: &LayerConfig) -> u128 {
    match config {
        LayerConfig::Dense(_) | LayerConfig::SimpleRnn(_) => 1,
        LayerConfig::Lstm(_) => 4,
        LayerConfig::Gru(_) => 3,
    }
}

/// The parameters `config` will have for inputs whose last axis has `features` values,
/// computed without building anything (Keras's counts; GRU's `reset_after` has two bias rows).
pub fn param_count(config: &LayerConfig, features: usize) -> u128 {
    let (f, u) = (features as u128, config.units() as u128);
    match config {
        LayerConfig::Dense(_) => f * u + u,
        LayerConfig::SimpleRnn(_) => u * (f + u + 1),
        LayerConfig::Lstm(_) => 4 * u * (f + u + 1),
        LayerConfig::Gru(c) => 3 * u * (f + u + if c.reset_after { 2 } else { 1 }),
    }
}

/// Refuses to build `config` for `features` inputs when its weights, their gradients and up to
/// three optimizer slots (5 copies, 4 bytes each) cannot fit in memory.
pub fn check_layer(config: &LayerConfig, features: usize) -> Result<()> {
    let params = param_count(config, features);
    check("units", params.saturating_mul(20), || {
        format!(
            "{} in layer {} ({} inputs, {params} parameters)",
            config.units(),
            config.class_name(),
            features
        )
    })
}

/// Refuses training batches of `batch` samples whose tape cannot fit: per sample and time step,
/// every layer's input, each gate's pre-activation and activation and the state, each with its
/// gradient (deliberately generous: it refuses what cannot fit, it does not predict the peak).
pub fn check_batch<'a>(
    layers: impl Iterator<Item = (&'a LayerConfig, &'a [usize])>,
    batch: usize,
) -> Result<()> {
    let per_sample: u128 = layers
        .map(|(config, input)| {
            let steps: u128 = input[..input.len().saturating_sub(1)]
                .iter()
                .map(|&d| d as u128)
                .product();
            let features = input.last().copied().unwrap_or(1) as u128;
            let u = config.units() as u128;
            steps.max(1) * (features + 2 * gates(config) * u + 2 * u) * 2 * 4
        })
        .sum();
    check(
        "batch_size",
        per_sample.saturating_mul(batch as u128),
        || format!("{batch} (about {per_sample} bytes of training tape per sample)"),
    )
}
