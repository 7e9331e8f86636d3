//! `recur evaluate` on a single-series model: its scores on the training and test windows in
//! its own loss, and the MSE of its predictions in series units beside the baselines'.

use serde::Serialize;

use super::horizon::{direct_parts, test_mse_by_horizon};
use super::model::SeriesModel;
use super::scores::{ObservedScores, observed};
use super::train::{MissingReport, score_units};
use crate::ForecastError;
use crate::fitting;

/// A model's scores on its series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The covariates' names (`--features` at training), when the model has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// `model.evaluate` on the training windows (the compiled loss).
    pub train_score: f64,
    /// `model.evaluate` on the test windows.
    pub test_score: f64,
    /// Units of the two scores (see [`score_units`]).
    pub score_units: &'static str,
    /// MSE on the tutorial's training windows (direct windows for a direct model), in the
    /// series' units (of the differences, with differencing).
    pub train_mse: f64,
    /// MSE on the test windows, same units.
    pub test_mse: f64,
    /// MSE of the mean-of-window predictor on the test windows, same units.
    pub baseline_test_mse: f64,
    /// Scores on the observed targets and the baselines, series units.
    #[serde(flatten)]
    pub observed: ObservedScores,
    /// Test MSE on the observed targets per horizon step `1..=H`, series units.
    pub test_mse_by_horizon: Vec<f64>,
    /// What `--missing` did (`null` for the generated series).
    pub missing: Option<MissingReport>,
}

/// Scores `model` on its series (read with its data settings, or from `csv_text`). A direct
/// model is scored on its own windows (the next `H` values as targets).
pub fn evaluate(model: &mut SeriesModel) -> Result<Evaluation, ForecastError> {
    let (series, ds) = model.series()?;
    let h = model.model_horizon();
    let layout = model.data.windows.layout;
    let m = &mut model.file.model;
    let (train, test) = if h > 1 {
        let (tr, te) = direct_parts(&ds, h, layout)?;
        (
            fitting::score(m, &tr.x, &tr.y)?,
            fitting::score(m, &te.x, &te.y)?,
        )
    } else {
        (
            fitting::score(m, &ds.train.x, &ds.train.y)?,
            fitting::score(m, &ds.test.x, &ds.test.y)?,
        )
    };
    let (observed, _) = observed(m, series.values(), &ds, &model.data)?;
    let test_mse_by_horizon = test_mse_by_horizon(m, series.values(), &ds, &model.data)?;
    let sc = ds.scaler;
    Ok(Evaluation {
        train_score: train.score,
        test_score: test.score,
        score_units: score_units(&model.data),
        train_mse: sc.inverse_mse(train.mse),
        test_mse: sc.inverse_mse(test.mse),
        baseline_test_mse: sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?),
        observed,
        test_mse_by_horizon,
        missing: MissingReport::of(&model.data, &series),
        features: series.covariates().iter().map(|c| c.name.clone()).collect(),
    })
}
