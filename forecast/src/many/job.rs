//! One series' windows and scores: what the local and global runners share.

use data::{Dataset, WindowConfig, WindowedPart};
use nn::Sequential;
use serde::Serialize;

use super::SeriesInput;
use crate::ForecastError;
use crate::fitting::score;

/// The figures of one trained series, in the series' units (squared for MSEs); every MSE is
/// taken on the same test windows (the tutorial's windows: padded unless `pad` is off).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesMetrics {
    /// The series id.
    pub id: String,
    /// MSE of the model on the training windows.
    pub train_mse: f64,
    /// MSE of the model on the test windows.
    pub test_mse: f64,
    /// MSE of the mean-of-window predictor on the test windows.
    pub baseline_test_mse: f64,
    /// MSE of persistence (each window's last value, `y[t-1]`) on the test windows.
    pub persistence_test_mse: f64,
    /// `1 - test_mse / min(baseline_test_mse, persistence_test_mse)`: above 0 the model beats
    /// both baselines; `None` when the better baseline is perfect (MSE 0).
    pub skill: Option<f64>,
    /// Training windows used.
    pub train_windows: usize,
    /// Test windows scored.
    pub test_windows: usize,
    /// Epochs fit ran (fewer than asked with early stopping).
    pub epochs: usize,
}

/// Which part of the split a prediction belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The training part `x[0..T]`.
    Train,
    /// The test part `x[T..n]`.
    Test,
}

impl Part {
    /// `train` or `test`.
    pub fn name(self) -> &'static str {
        match self {
            Part::Train => "train",
            Part::Test => "test",
        }
    }
}

/// One-step predictions of one series in its units, each on the index of the value it
/// predicts (windows whose target is a padding copy have none).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPredictions {
    /// The series id.
    pub id: String,
    /// `(index, prediction)`, in index order, training part first.
    pub placed: Vec<(usize, f64, Part)>,
}

/// Splits, scales and windows one series. The error is the reason the series is skipped.
pub(crate) fn prepare(input: &SeriesInput, windows: &WindowConfig) -> Result<Dataset, String> {
    if input.values.is_empty() {
        return Err("no values".into());
    }
    data::prepare(&input.values, windows).map_err(|e| e.to_string())
}

/// MSE of persistence on a part's windows: each window's last target value predicts its
/// target (`y[t-1]` for `y[t]`), in the windows' (scaled) units.
fn persistence_mse(part: &WindowedPart) -> Result<f64, ForecastError> {
    // A window is time-major with the target first at each time step, so its last target
    // value sits `features` values before its end (the last value while there is one feature,
    // as check_config requires today).
    let features = part.x.features();
    let last: Vec<f32> = part
        .x
        .rows()
        .map(|row| {
            row.len()
                .checked_sub(features)
                .and_then(|i| row.get(i))
                .copied()
                .unwrap_or(f32::NAN)
        })
        .collect();
    Ok(data::mse(&last, &part.y)?)
}

/// Scores a trained `model` on one series' windows, unscaling with the series' scaler, and
/// places its predictions.
pub(crate) fn score_series(
    model: &mut Sequential,
    id: &str,
    ds: &Dataset,
    epochs: usize,
) -> Result<(SeriesMetrics, SeriesPredictions), ForecastError> {
    let sc = ds.scaler;
    let train = score(model, &ds.train.x, &ds.train.y)?;
    let test = score(model, &ds.test.x, &ds.test.y)?;
    let test_mse = sc.inverse_mse(test.mse);
    let baseline = sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?);
    let persistence = sc.inverse_mse(persistence_mse(&ds.test)?);
    let best = baseline.min(persistence);
    let metrics = SeriesMetrics {
        id: id.to_string(),
        train_mse: sc.inverse_mse(train.mse),
        test_mse,
        baseline_test_mse: baseline,
        persistence_test_mse: persistence,
        skill: (best > 0.0).then(|| 1.0 - test_mse / best),
        train_windows: ds.train.len(),
        test_windows: ds.test.len(),
        epochs,
    };
    let mut placed = Vec::with_capacity(ds.train.len() + ds.test.len());
    for (part, preds, which) in [
        (&ds.train, &train.predictions, Part::Train),
        (&ds.test, &test.predictions, Part::Test),
    ] {
        let values = sc.inverse_all(preds);
        placed.extend(
            (0..part.len()).filter_map(|i| part.target_index(i).map(|t| (t, values[i], which))),
        );
    }
    Ok((
        metrics,
        SeriesPredictions {
            id: id.to_string(),
            placed,
        },
    ))
}
