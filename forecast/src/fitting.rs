//! What a series run asks of nn's Sequential: fit on windows (sending fit's events to an
//! observer), score and predict one part, predict one window. Errors from nn become the
//! pipeline's by their variant.

use std::ops::ControlFlow;

use data::Windows;
use nn::callbacks::EarlyStoppingConfig;
use nn::model::{FitEvent, FitOptions, InvalidLoss, Validation};
use nn::{History, Loss, NnError, Sequential, Tensor};

use crate::FitSettings;
use crate::error::ForecastError;

fn tensor(x: &Windows) -> Result<Tensor, ForecastError> {
    Tensor::from_vec(x.data().to_vec(), &x.shape()).map_err(|e| {
        ForecastError::Runtime(format!(
            "cannot make a tensor of the windows {:?}: {e}",
            x.shape()
        ))
    })
}

/// The targets of `x`'s windows as `[N, H]`: `H = y.len() / N` values per window (1 for a
/// one-step model, the next `H` for a direct multi-step one), row-major.
fn targets(x: &Windows, y: &[f32]) -> Result<Tensor, ForecastError> {
    let n = x.count();
    if n == 0 {
        return Tensor::from_vec(y.to_vec(), &[y.len(), 1]).map_err(|e| {
            ForecastError::Runtime(format!("cannot make a tensor of the targets: {e}"))
        });
    }
    if !y.len().is_multiple_of(n) {
        return Err(ForecastError::Runtime(format!(
            "{} targets for {n} windows: not a whole number per window",
            y.len()
        )));
    }
    Tensor::from_vec(y.to_vec(), &[n, y.len() / n])
        .map_err(|e| ForecastError::Runtime(format!("cannot make a tensor of the targets: {e}")))
}

/// Largest magnitude of unscaled training data that is not blamed for a diverging fit: above
/// it, squared errors overflow f32 (or come close), whatever the learning rate.
pub const HUGE_MAGNITUDE: f64 = 1e6;

/// What a diverging fit's message needs to know about the data: its largest magnitude and
/// whether it was scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataMagnitude {
    /// Largest absolute value of the series, in its own units.
    pub max_abs: f64,
    /// Whether `--scale` scaled it (minmax or standard) before training.
    pub scaled: bool,
}

impl DataMagnitude {
    /// The magnitude of `values`, scaled by `scale` or not.
    pub fn of(values: &[f64], scale: data::ScaleKind) -> Self {
        DataMagnitude {
            max_abs: values.iter().fold(0.0, |m, v| m.max(v.abs())),
            scaled: scale != data::ScaleKind::None,
        }
    }
}

/// An nn failure while running (`what` says which step), except a diverging fit, which gets
/// the CLI's own advice in terms of its flags: unscaled data of huge magnitude is named as the
/// cause (a lower learning rate cannot help then), else the learning rate and clipping.
fn runtime<'a>(
    what: &'static str,
    model: &'a Sequential,
    magnitude: Option<DataMagnitude>,
) -> impl Fn(NnError) -> ForecastError + 'a {
    move |e| match e {
        NnError::NonFiniteLoss {
            epoch,
            step,
            steps,
            value,
        } => {
            if let Some(m) = magnitude.filter(|m| !m.scaled && m.max_abs > HUGE_MAGNITUDE) {
                return ForecastError::Runtime(format!(
                    "the loss became {value} at epoch {epoch}, step {step}/{steps}: training \
                     diverged and stopped (nothing written). The series' values reach {:e} in \
                     magnitude, too large to train on unscaled (errors overflow); pass --scale \
                     standard (or --scale minmax)",
                    m.max_abs
                ));
            }
            let lr = model
                .optimizer()
                .map_or(f64::NAN, |o| o.config().learning_rate);
            ForecastError::Runtime(format!(
                "the loss became {value} at epoch {epoch}, step {step}/{steps}: training diverged \
                 and stopped (nothing written). Try a lower --learning-rate (now {lr}), \
                 --clipnorm 1.0, or --activation tanh (relu recurrent layers explode easily)"
            ))
        }
        other => ForecastError::Runtime(format!("{what}: {other}")),
    }
}

/// Trains `model` on windows `x` with targets `y` (one per window) as Keras's `fit` does,
/// sending fit's events to `observer`. A NaN/inf loss stops fit before that step is applied
/// and is a runtime error naming the epoch and step (and, with `magnitude`, the data's
/// magnitude when it is the cause).
pub fn fit(
    model: &mut Sequential,
    x: &Windows,
    y: &[f32],
    settings: &FitSettings,
    magnitude: Option<DataMagnitude>,
    observer: &mut dyn FnMut(&FitEvent<'_>),
) -> Result<History, ForecastError> {
    // The CLI never interrupts fit from an event (Ctrl-C ends the process).
    fit_until(model, x, y, settings, magnitude, &mut |e| {
        observer(e);
        ControlFlow::Continue(())
    })
}

/// [`fit`] that `observer` can stop: a `Break` ends fit after the batch and is a runtime error
/// saying it was interrupted (a front end that cannot end the process on Ctrl-C, Python,
/// stops there).
pub fn fit_until(
    model: &mut Sequential,
    x: &Windows,
    y: &[f32],
    settings: &FitSettings,
    magnitude: Option<DataMagnitude>,
    observer: &mut dyn FnMut(&FitEvent<'_>) -> ControlFlow<()>,
) -> Result<History, ForecastError> {
    let (xt, yt) = (tensor(x)?, targets(x, y)?);
    let validation = match settings.validation_split {
        Some(v) => Validation::Split(v),
        None => Validation::None,
    };
    let early_stopping = settings.early_stopping.map(|patience| EarlyStoppingConfig {
        monitor: if settings.validation_split.is_some() {
            "val_loss"
        } else {
            "loss"
        }
        .to_string(),
        patience,
        ..EarlyStoppingConfig::default()
    });
    let opts = FitOptions {
        epochs: settings.epochs,
        batch_size: settings.batch_size,
        verbose: 0,
        validation,
        early_stopping,
        on_invalid_loss: InvalidLoss::Error,
        ..FitOptions::default()
    };
    let result = model.fit_with(&xt, &yt, &opts, observer);
    result.map_err(runtime("training failed", model, magnitude))
}

/// A model's scores on one part: its compiled loss (model.evaluate), the MSE of its
/// predictions (still in the model's units) and the predictions, one per window.
#[derive(Debug, Clone, PartialEq)]
pub struct PartScores {
    /// `model.evaluate`: the compiled loss, penalties included.
    pub score: f64,
    /// MSE of the predictions against the targets, in the model's (scaled) units.
    pub mse: f64,
    /// One prediction per window.
    pub predictions: Vec<f32>,
}

/// Scores `model` on `(x, y)` in one forward pass. With the MSE loss the MSE is the score
/// itself (bit for bit what `evaluate` gives); with another loss it is computed from the
/// predictions.
pub fn score(model: &mut Sequential, x: &Windows, y: &[f32]) -> Result<PartScores, ForecastError> {
    let (xt, yt) = (tensor(x)?, targets(x, y)?);
    let (score, pred) = model
        .evaluate_with_predictions(&xt, &yt, None)
        .map_err(runtime("evaluate failed", model, None))?;
    let score = f64::from(score);
    let predictions = pred.data().to_vec();
    let mse = match model.loss() {
        Some(Loss::MeanSquaredError) => score,
        _ => data::mse(&predictions, y)?,
    };
    Ok(PartScores {
        score,
        mse,
        predictions,
    })
}

/// The model's one-step output for one window: its only output, or the first (horizon 1) of
/// a direct multi-step model's.
pub fn predict_one(model: &mut Sequential, x: &Windows) -> Result<f32, ForecastError> {
    let (out, _) = predict_rows(model, x)?;
    match out.first() {
        Some(v) if x.count() == 1 => Ok(*v),
        _ => Err(ForecastError::Runtime(format!(
            "the model gave {} outputs for {} window(s), expected one window",
            out.len(),
            x.count()
        ))),
    }
}

/// Every output of the model for the windows of `x`, row-major, with the outputs per window
/// (`H`: 1 for a one-step model).
pub fn predict_rows(
    model: &mut Sequential,
    x: &Windows,
) -> Result<(Vec<f32>, usize), ForecastError> {
    let out = model
        .predict(&tensor(x)?, None)
        .map_err(runtime("predict failed", model, None))?;
    let n = x.count();
    let len = out.data().len();
    if n == 0 && len == 0 {
        return Ok((Vec::new(), 1));
    }
    if n == 0 || len == 0 || !len.is_multiple_of(n) {
        return Err(ForecastError::Runtime(format!(
            "the model gave {len} outputs for {n} windows"
        )));
    }
    Ok((out.data().to_vec(), len / n))
}

/// Keras's summary table of `model`.
pub fn summary(model: &Sequential) -> Result<String, ForecastError> {
    model
        .summary()
        .map_err(|e| ForecastError::Runtime(format!("cannot draw the summary: {e}")))
}

/// The model's one-step outputs for every window of `x`, one per window, in the model's
/// units (a direct multi-step model's first output, its horizon-1 prediction).
pub fn predict_all(model: &mut Sequential, x: &Windows) -> Result<Vec<f32>, ForecastError> {
    let (out, h) = predict_rows(model, x)?;
    Ok(out.chunks_exact(h).map(|row| row[0]).collect())
}
