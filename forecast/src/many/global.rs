//! Global mode: one model trained on the windows of every series, each scaled on its own
//! training part, scored per series in that series' units.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use data::Windows;
use nn::model::FitEvent;

use super::bundle::ManyModel;
use super::job::{check_input, prepare, score_series};
use super::local::{interrupted, member_of, none_left, sorted_unique, state_of, stop_at_batch_end};
use super::{ManyConfig, ManyRun, Mode, SeriesInput, Skipped, check_config};
use crate::ForecastError;
use crate::fitting::fit_until;

/// Trains one model (seeded by the run's seed) on the pooled training windows of every series
/// (in id order; fit shuffles them as Keras does; with intervals, each series' windows before
/// its held-out targets), sending fit's events to `on_fit`, then scores it on each series
/// (and with intervals calibrates it on each series' held-out targets). Series too short for
/// the split and the window (after differencing, with it; for a direct model's targets),
/// constant under the scaling, whose training part is not longer than the season or cannot
/// give the interval's residuals, are skipped; it is an error if none is left or an id
/// repeats.
pub fn train_global(
    inputs: &[SeriesInput],
    cfg: &ManyConfig,
    on_fit: &mut dyn FnMut(&FitEvent<'_>),
) -> Result<ManyRun, ForecastError> {
    train_global_until(inputs, cfg, on_fit, &AtomicBool::new(false))
}

/// [`train_global`] that stops once `stop` is set (by another thread): the fit ends after its
/// current batch and the run is a [`ForecastError::Runtime`] saying it was interrupted.
pub fn train_global_until(
    inputs: &[SeriesInput],
    cfg: &ManyConfig,
    on_fit: &mut dyn FnMut(&FitEvent<'_>),
    stop: &AtomicBool,
) -> Result<ManyRun, ForecastError> {
    if cfg.mode != Mode::Global {
        return Err(ForecastError::Usage(
            "train_global needs a config of mode global".into(),
        ));
    }
    check_config(cfg)?;
    let order = sorted_unique(inputs)?;
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for &i in &order {
        check_input(&inputs[i], cfg)?;
        match prepare(&inputs[i], cfg) {
            Ok(data) => kept.push((&inputs[i], data)),
            Err(reason) => skipped.push(Skipped {
                id: inputs[i].id.clone(),
                reason,
            }),
        }
    }
    let mut run = ManyRun {
        mode: Mode::Global,
        metrics: Vec::new(),
        predictions: Vec::new(),
        skipped,
        model: ManyModel {
            mode: Mode::Global,
            members: Vec::new(),
        },
        fit_seconds: 0.0,
    };
    none_left_before_fit(&run, kept.len())?;
    let step = cfg.windows.step;
    let mut rows = Vec::new();
    let mut targets = Vec::new();
    for (_, data) in &kept {
        let (x, y) = data.fit_part();
        rows.extend_from_slice(x.data());
        targets.extend_from_slice(y);
    }
    let x = Windows::from_steps(rows, step, 1 + cfg.features.len(), cfg.windows.layout)?;
    let windows = x.count();
    if let Some(v) = cfg.fit.validation_split {
        let left = (windows as f64 * (1.0 - v)) as usize;
        if left == 0 || left >= windows {
            return Err(ForecastError::Usage(format!(
                "validation split {v}: expected a fraction that leaves at least one of the {windows} pooled training windows on each side"
            )));
        }
    }
    let mut model = cfg
        .model
        .build()
        .map_err(|e| ForecastError::Usage(format!("cannot build the model: {e}")))?;
    let mut settings = cfg.fit.clone();
    settings.batch_size = settings.batch_size.min(windows).max(1);
    let started = Instant::now();
    let observer = &mut |e: &FitEvent<'_>| {
        on_fit(e);
        stop_at_batch_end(e, stop)
    };
    let history = match fit_until(&mut model, &x, &targets, &settings, None, observer) {
        Ok(h) => h,
        Err(_) if stop.load(Ordering::Relaxed) => return Err(interrupted()),
        Err(e) => return Err(e),
    };
    run.fit_seconds = started.elapsed().as_secs_f64();
    let epochs = history.loss.len();
    let mut states = Vec::with_capacity(kept.len());
    for (input, data) in &kept {
        let (metrics, predictions, calibration) =
            score_series(&mut model, input, data, cfg, epochs)?;
        run.metrics.push(metrics);
        run.predictions.push(predictions);
        states.push(state_of(input, &data.ds, cfg, calibration)?);
    }
    run.model
        .members
        .push(member_of(&model, cfg.model.clone(), cfg, states)?);
    none_left(&run)?;
    Ok(run)
}

/// [`none_left`] before anything is trained: no series kept is an error.
fn none_left_before_fit(run: &ManyRun, kept: usize) -> Result<(), ForecastError> {
    if kept == 0 { none_left(run) } else { Ok(()) }
}
