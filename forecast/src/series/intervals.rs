//! Split-conformal prediction intervals (`train --interval P`, `predict`/`forecast --interval`).
//!
//! `train` holds out the last [`HELD_OUT_SHARE`] of the training windows' targets: the model is
//! fitted only on the windows whose targets (all `H` of them) come before that tail. From every
//! held-out origin `t` (the window of the `step` real model values before `x[t]`), the model
//! forecasts steps `1..=K` (`K = --interval-horizon`) as `forecast` would (fed back, or by
//! blocks of `H` for a direct model); step `k` gives the absolute residual `|x^[t+k-1] -
//! x[t+k-1]|` in series units when that target lies in the training part. The residuals are
//! stored in the model file; an interval of coverage `P` at step `k` is the prediction plus or
//! minus the `ceil((n + 1) P)`-th smallest of step `k`'s `n` residuals
//! ([`data::conformal_quantile`]).

use std::ops::Range;

use nn::Sequential;
use serde::Serialize;

use super::config::IntervalConfig;
use crate::ForecastError;
use crate::fitting::predict_rows;

/// Share of the training windows whose targets are held out for calibration.
pub const HELD_OUT_SHARE: f64 = 0.2;

/// Fewest residuals at the last calibrated step (enough for `P = 0.95`).
pub const MIN_RESIDUALS: usize = 20;

/// Which training windows fit and which targets calibrate.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOut {
    /// The first `fit_windows` training windows are fitted on.
    pub fit_windows: usize,
    /// The held-out origins, in series positions (the last ones before the split).
    pub origins: Range<usize>,
    /// Horizon steps to calibrate.
    pub horizon: usize,
}

/// The hold-out of `config` for `windows` training windows of a model with `h` outputs, on a
/// series split at `split` (series position) whose model series starts `lost` values later and
/// takes windows of `step`. Errors (naming the flags) if too few residuals would be left at
/// step `--interval-horizon`, or no window would be left to fit.
pub fn hold_out(
    config: IntervalConfig,
    windows: usize,
    split: usize,
    lost: usize,
    step: usize,
    h: usize,
) -> Result<HeldOut, ForecastError> {
    let held = ((windows as f64) * HELD_OUT_SHARE).ceil() as usize;
    let k = config.horizon;
    let at_k = (held + 1).saturating_sub(k);
    if at_k < MIN_RESIDUALS {
        return Err(ForecastError::Usage(format!(
            "--interval-horizon {k}: the {held} held-out targets (the last {}% of the {windows} training windows) give {at_k} residual(s) at step {k}, fewer than the {MIN_RESIDUALS} needed: lower --interval-horizon or give the training part more values (--split)",
            (HELD_OUT_SHARE * 100.0) as usize
        )));
    }
    // The forecasts from every origin are kept until the residuals are taken: f32 outputs and
    // f64 residuals.
    super::limits::check_memory(
        &format!(
            "the calibration forecasts of --interval-horizon {k} from {held} held-out origins"
        ),
        (held as u128) * (k as u128 + step as u128) * 12,
    )?;
    // Windows whose H targets all precede the held-out tail (model positions < split - lost - held).
    let fit_windows = (split - lost).saturating_sub(held + step + h - 1);
    if fit_windows == 0 || fit_windows > windows {
        return Err(ForecastError::flag(
            "--interval",
            config.p,
            &format!(
                "a training part long enough to fit on after holding out its last {held} targets ({windows} training windows)"
            ),
        ));
    }
    Ok(HeldOut {
        fit_windows,
        origins: split - held..split,
        horizon: k,
    })
}

/// Errors (naming `--interval`) unless the fewest residuals of the hold-out `held` (those of
/// its last step) allow coverage `p`: split conformal needs `ceil((n + 1) p) <= n`. Checked
/// before fitting, so a `p` the calibration cannot give costs no fit.
pub fn check_coverage(held: &HeldOut, p: f64) -> Result<(), ForecastError> {
    let n = (held.origins.len() + 1).saturating_sub(held.horizon);
    if n < data::residuals_needed(p) {
        return Err(ForecastError::flag(
            "--interval",
            p,
            &format!(
                "a coverage the {n} held-out residual(s) at step {} allow (split conformal needs ceil((n + 1) P) <= n, so at most P = {:.4}): ask a lower --interval, a lower --interval-horizon or give the training part more values",
                held.horizon,
                n as f64 / (n + 1) as f64
            ),
        ));
    }
    Ok(())
}

/// The absolute residuals of forecasts from the held-out origins, per horizon step (see the
/// module's description), as a [`data::Calibration`], for a model of the series `values`
/// differenced by `d` (the model series is `ds`'s) taking windows in `layout`.
pub fn calibrate(
    model: &mut Sequential,
    values: &[f64],
    ds: &data::Dataset,
    (d, layout): (data::Differencing, data::Layout),
    held: &HeldOut,
) -> Result<data::Calibration, ForecastError> {
    let (lost, step) = (d.lost(), ds.step);
    let split = ds.split + lost;
    let k = held.horizon;
    let frame = ds.frame()?;
    let w = frame.width();
    let x = data::observed_windows_frame(frame, lost, held.origins.clone(), step, layout)?;
    let count = x.count();
    let mut windows = x.into_data();
    let mut preds: Vec<Vec<f32>> = vec![Vec::with_capacity(k); count];
    while preds.first().is_some_and(|p| p.len() < k) {
        let x = data::Windows::from_steps(windows, step, w, layout)?;
        let (out, h) = predict_rows(model, &x)?;
        let mut next = Vec::with_capacity(count * step * w);
        for (((row, o), p), t) in x
            .rows()
            .zip(out.chunks_exact(h))
            .zip(&mut preds)
            .zip(held.origins.clone())
        {
            // Each output fed back becomes a row: the output, then the covariates at its own
            // position (known: the origins lie in the training part). Rows past the series
            // only feed forecasts of targets beyond the split, which are never scored, so
            // they take the last row's covariates.
            let mut rows: Vec<f32> = row.to_vec();
            for (j, &y) in o.iter().enumerate() {
                rows.push(y);
                let at = (t - lost + p.len() + j).min(frame.rows() - 1);
                let cov = frame.row(at).map_or(&[][..], |r| &r[1..]);
                rows.extend(cov.iter().map(|&v| v as f32));
            }
            p.extend_from_slice(o);
            rows.drain(..rows.len() - step * w);
            next.extend_from_slice(&rows);
        }
        windows = next;
    }
    let mut residuals = vec![Vec::new(); k];
    for (t, p) in held.origins.clone().zip(&preds) {
        let steps = k.min(split - t);
        let rebuilt = d.integrate(&values[..t], &ds.scaler.inverse_all(&p[..steps]))?;
        for (j, v) in rebuilt.iter().enumerate() {
            residuals[j].push((v - values[t + j]).abs());
        }
    }
    Ok(data::Calibration::new(residuals)?)
}

/// What `train --interval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalReport {
    /// The coverage asked.
    pub p: f64,
    /// Training windows fitted on.
    pub fit_windows: usize,
    /// Held-out targets (origins of the calibration forecasts).
    pub held_out: usize,
    /// Horizon steps calibrated.
    pub horizons: usize,
    /// Residuals at the last step (the fewest).
    pub residuals_at_last_step: usize,
    /// Half-width of the `p` interval at each step `1..=horizons`, series units.
    pub half_widths: Vec<f64>,
    /// Share of the observed test targets inside the one-step prediction plus or minus the
    /// step-1 half-width.
    pub test_coverage: f64,
}

/// The report of a calibration, with the coverage of its `p` interval around the one-step
/// predictions `placed` (series position, prediction) of the test targets.
pub fn report(
    cal: &data::Calibration,
    p: f64,
    held: &HeldOut,
    placed: &[(usize, f64)],
    values: &[f64],
) -> Result<IntervalReport, ForecastError> {
    let half_widths = cal
        .half_widths(p, cal.horizons())
        .map_err(|e| ForecastError::Usage(format!("--interval {p}: {e}")))?;
    let q = half_widths[0];
    let inside = placed
        .iter()
        .filter(|&&(t, y)| (values[t] - y).abs() <= q)
        .count();
    Ok(IntervalReport {
        p,
        fit_windows: held.fit_windows,
        held_out: held.origins.len(),
        horizons: cal.horizons(),
        residuals_at_last_step: cal.min_count(),
        test_coverage: inside as f64 / placed.len().max(1) as f64,
        half_widths,
    })
}

/// The half-widths of `--interval p` for steps `1..=steps` from a model's stored calibration;
/// errors name `--interval` (no calibration, or too few residuals for `p`) or
/// `--interval-horizon` (more steps than calibrated).
pub fn half_widths(
    cal: Option<&data::Calibration>,
    p: f64,
    steps: usize,
) -> Result<Vec<f64>, ForecastError> {
    let Some(cal) = cal else {
        return Err(ForecastError::Usage(format!(
            "--interval {p}: the model has no calibration; train it with --interval"
        )));
    };
    if steps > cal.horizons() {
        return Err(ForecastError::Usage(format!(
            "--interval {p} with --horizon {steps}: the model's intervals are calibrated for {} step(s); train with --interval-horizon {steps} (or more), or forecast fewer steps",
            cal.horizons()
        )));
    }
    cal.half_widths(p, steps).map_err(|_| {
        let n = cal.residuals[..steps].iter().map(Vec::len).min().unwrap_or(0);
        ForecastError::Usage(format!(
            "--interval {p}: the model's {n} held-out residuals at step {steps} allow P up to {:.4} (split conformal needs ceil((n + 1) P) <= n); ask a lower --interval or train on a longer training part",
            n as f64 / (n + 1) as f64
        ))
    })
}
