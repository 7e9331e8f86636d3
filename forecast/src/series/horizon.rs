//! Direct multi-step models (`--horizon H`): their training and test windows, and their test
//! MSE per horizon step on the observed targets, in series units.
//!
//! A direct model's window `i` has the next `H` model values as targets; windows whose `H`
//! targets do not all lie in their part are left out (so a part of `m` model values gives
//! `m - step - H + 1` windows), and no padding copy is ever a target (`--horizon H > 1` needs
//! `--no-pad`). The per-horizon scores predict from every test origin `t` (the window of the
//! `step` model values before `x[t]`, reaching back into the training part as the one-step
//! observed scores do) the values `x[t..t+H]`; output `k` is scored against `x[t+k-1]` when that
//! value exists. With differencing, each output vector is turned back into series values by
//! cumulative sums from the real past ([`data::Differencing::integrate`]).

use nn::Sequential;

use super::data_config::DataConfig;
use crate::ForecastError;
use crate::fitting::predict_rows;

/// Origins predicted per batch of windows.
const CHUNK: usize = 1 << 14;

/// The windows and `[N, H]` targets (row-major) of one part for a direct model.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectPart {
    /// Inputs, in the model's layout.
    pub x: data::Windows,
    /// The next `H` model values after each window.
    pub y: Vec<f32>,
}

/// The training and test parts of `ds` for a model with `horizon` outputs, from the model
/// series (with its covariates, `ds.frame()`) split at `ds.split`. Errors (naming `--horizon`)
/// when a part is too short to hold one window and its `horizon` targets.
pub fn direct_parts(
    ds: &data::Dataset,
    horizon: usize,
    layout: data::Layout,
) -> Result<(DirectPart, DirectPart), ForecastError> {
    let part = |name: &str, rows: data::Frame<'_>| -> Result<DirectPart, ForecastError> {
        let (x, y) = data::direct_windows_frame(rows, ds.step, horizon, layout).map_err(|e| {
            ForecastError::Usage(format!(
                "--horizon {horizon}: the {name} part ({} model values) is too short for one window of step {} and its {horizon} targets ({e})",
                rows.rows(),
                ds.step
            ))
        })?;
        Ok(DirectPart { x, y })
    };
    let frame = ds.frame()?;
    Ok((
        part("training", frame.slice(0..ds.split)?)?,
        part("test", frame.slice(ds.split..frame.rows())?)?,
    ))
}

/// The model's test MSE on the observed targets for each horizon step `1..=H` (`H`: the
/// model's outputs per window), in series units: entry `k - 1` scores output `k` from every
/// test origin `t` whose target `x[t+k-1]` exists. Entry 0 equals the one-step
/// `test_mse_observed`.
pub fn test_mse_by_horizon(
    model: &mut Sequential,
    values: &[f64],
    ds: &data::Dataset,
    config: &DataConfig,
) -> Result<Vec<f64>, ForecastError> {
    let d = config.differencing;
    let lost = d.lost();
    let (n, step, split) = (values.len(), ds.step, ds.split + lost);
    let layout = config.windows.layout;
    let frame = ds.frame()?;
    let mut sums: Vec<f64> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    let mut start = split;
    while start < n {
        let chunk = start..n.min(start + CHUNK);
        let x = data::observed_windows_frame(frame, lost, chunk.clone(), step, layout)?;
        let (out, h) = predict_rows(model, &x)?;
        if sums.is_empty() {
            sums = vec![0.0; h];
            counts = vec![0; h];
        }
        for (t, row) in chunk.zip(out.chunks_exact(h)) {
            let keep = h.min(n - t);
            let diffs = ds.scaler.inverse_all(&row[..keep]);
            let rebuilt = d.integrate(&values[..t], &diffs)?;
            for (k, p) in rebuilt.iter().enumerate() {
                let e = p - values[t + k];
                sums[k] += e * e;
                counts[k] += 1;
            }
        }
        start += CHUNK;
    }
    Ok(sums
        .iter()
        .zip(&counts)
        .map(|(&s, &c)| if c == 0 { f64::NAN } else { s / c as f64 })
        .collect())
}
