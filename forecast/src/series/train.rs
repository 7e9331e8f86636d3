//! Training on one series: [`prepare`] loads the windows, checks every setting against them
//! and builds the model (nothing is fitted yet, so a front end can show the shapes and the
//! model first); [`Prepared::fit`] fits it, scores both parts in the model's and the series'
//! units against the baselines, calibrates the intervals and keeps everything in a
//! [`SeriesRun`], with the model file to save. Nothing here writes a file.

use std::ops::ControlFlow;
use std::time::Instant;

use data::{Dataset, Series, Windows};
use nn::model::FitEvent;
use nn::{History, Sequential};
use serde::Serialize;

use super::config::{SeriesConfig, check_horizon};
use super::data_config::{DataConfig, Source};
use super::horizon::{DirectPart, direct_parts, test_mse_by_horizon};
use super::intervals::{HeldOut, IntervalReport, calibrate, hold_out};
use super::model_file::{ModelFile, SeriesSettings, Settings};
use super::placed::{Placed, PredictionTable};
use super::scores::{ObservedScores, check_season, next_after, observed};
use super::time_axis::{SeriesTime, series_time};
use crate::fitting::{self, PartScores};
use crate::spec::ModelSpec;
use crate::{FitSettings, ForecastError};

/// Input shapes `[N, a, b]` of the training and test parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shapes {
    /// Training windows (or sequences).
    pub train: [usize; 3],
    /// Test windows (or sequences).
    pub test: [usize; 3],
}

/// What a missing-value policy did to the series read (`--missing`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MissingReport {
    /// The policy: `error`, `drop`, `ffill` or `interpolate`.
    pub policy: data::MissingPolicy,
    /// Missing values filled in.
    pub filled: usize,
    /// Rows left out.
    pub dropped: usize,
    /// Rows absent from a regular time column, inserted on its step (and counted in
    /// `filled`, or `dropped` at the series' edges).
    pub missing_rows: usize,
}

impl MissingReport {
    /// The report of a series read with `config`'s CSV policy; `None` for a generated series.
    pub fn of(config: &DataConfig, series: &Series) -> Option<Self> {
        match &config.source {
            Source::Csv { dialect, .. } => Some(MissingReport {
                policy: dialect.missing,
                filled: series.missing().filled,
                dropped: series.missing().dropped,
                missing_rows: series.missing().missing_rows,
            }),
            Source::Generated(_) => None,
        }
    }

    /// `3 filled, 1 dropped (--missing ffill)`, with `, 2 of them missing rows of the time
    /// column` when rows were inserted.
    pub fn describe(&self) -> String {
        let rows = if self.missing_rows > 0 {
            format!(
                ", {} of them missing rows of the time column",
                self.missing_rows
            )
        } else {
            String::new()
        };
        format!(
            "{} filled, {} dropped{rows} (--missing {})",
            self.filled, self.dropped, self.policy
        )
    }
}

/// The figures of a series run beside the model's own scores (the `--json` report's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesFigures {
    /// Units of `train_score` and `test_score`: `scaled` with `--scale`, else `series`
    /// (`differenced` or `scaled differences` with `--diff`/`--seasonal-diff`).
    pub score_units: &'static str,
    /// MSE on the tutorial's (padded) training windows in the series' units (squared); with
    /// differencing, in the units of the differences. With `--horizon H > 1`, on the direct
    /// model's windows, over all `H` outputs.
    pub train_mse: f64,
    /// MSE on the tutorial's (padded) test windows, in the same units as `train_mse`.
    pub test_mse: f64,
    /// MSE of the mean-of-window predictor on the tutorial's test windows, in those units.
    pub baseline_test_mse: f64,
    /// Scores on the observed targets and the baselines, in series units (with `--horizon
    /// H > 1`, of the model's horizon-1 output).
    #[serde(flatten)]
    pub observed: ObservedScores,
    /// MSE on the observed test targets for each horizon step `1..=H` of the model's outputs,
    /// series units (entry 0 is `test_mse_observed`; one entry for a one-step model).
    pub test_mse_by_horizon: Vec<f64>,
    /// What `--missing` did (`null` for the generated series).
    pub missing: Option<MissingReport>,
    /// Prediction after the last `step` real values of the series (series units).
    pub next_value: f64,
    /// The tutorial's figure: prediction from `testX[-1]` (with padding, `step` copies of the
    /// last value), in series units.
    pub next_value_tutorial: f64,
    /// The time column, when the CSV has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeSummary>,
    /// The split-conformal calibration (`--interval`), when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<IntervalReport>,
    /// The covariates (`--features`) by name, in the model's channel order (channel 0 is the
    /// target); absent without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// How each covariate was scaled on the training part: `--scale`'s kind, `standard` with
    /// `--scale none`; absent without covariates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_scale: Option<data::ScaleKind>,
}

/// A series' time column as the train report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSummary {
    /// The column's name.
    pub column: String,
    /// The first time.
    pub first: String,
    /// The last time.
    pub last: String,
    /// The regular step, inferred or given (`1d`, `3mo`...).
    pub step: String,
    /// The time of `next_value`.
    pub next: String,
}

/// The units of the model's own scores: `series`, `scaled` with a scaling, `differenced`
/// with differencing, `scaled differences` with both.
pub fn score_units(config: &DataConfig) -> &'static str {
    let scaled = config.windows.scale != data::ScaleKind::None;
    match (scaled, config.differencing.is_none()) {
        (false, true) => "series",
        (true, true) => "scaled",
        (false, false) => "differenced",
        (true, false) => "scaled differences",
    }
}

/// The first `count` windows of a part and their targets (`y.len() / x.count()` per window).
pub fn first_windows((x, y): (&Windows, &[f32]), count: usize) -> (Windows, Vec<f32>) {
    let per = y.len() / x.count().max(1);
    let kept = x.head(count);
    let targets = y[..kept.count() * per].to_vec();
    (kept, targets)
}

/// Keras's rule for `validation_split`: the first `int(N * (1 - v))` windows train, the rest
/// validate; both sides must be non-empty.
fn check_validation_split(v: Option<f64>, windows: usize) -> Result<(), ForecastError> {
    if let Some(v) = v {
        let kept = (windows as f64 * (1.0 - v)) as usize;
        if kept == 0 || kept >= windows {
            return Err(ForecastError::flag(
                "--validation-split",
                v,
                &format!(
                    "a fraction that leaves at least one of the {windows} training windows on each side"
                ),
            ));
        }
    }
    Ok(())
}

/// The model of `spec`, built once `fit`'s validation split leaves windows on both sides of
/// `windows` training windows and fit's memory (batches never larger than the windows) fits.
pub fn build_model(
    spec: &ModelSpec,
    fit: &FitSettings,
    windows: usize,
) -> Result<Sequential, ForecastError> {
    check_validation_split(fit.validation_split, windows)?;
    // Before nn allocates anything: a batch never holds more windows than there are.
    let batch = fit.batch_size.min(windows).max(1);
    super::limits::check_training(spec, batch)?;
    spec.build()
        .map_err(|e| ForecastError::Usage(format!("cannot build the model: {e}")))
}

/// A run checked and ready to fit: the series, its windows and the built model.
#[derive(Debug)]
pub struct Prepared {
    config: SeriesConfig,
    series: Series,
    parts: Parts,
    /// With `--interval`: which windows are fitted on (those before the held-out tail).
    held: Option<HeldOut>,
    fit_part: Option<(Windows, Vec<f32>)>,
    model: Sequential,
}

/// The windows of a run.
#[derive(Debug)]
struct Parts {
    ds: Dataset,
    /// The training and test parts of a direct model (`--horizon H > 1`), which trains and
    /// is scored on them instead of the one-target windows.
    direct: Option<Box<(DirectPart, DirectPart)>>,
}

impl Parts {
    fn train(&self) -> (&Windows, &[f32]) {
        match &self.direct {
            Some(d) => (&d.0.x, &d.0.y),
            None => (&self.ds.train.x, &self.ds.train.y),
        }
    }

    fn test(&self) -> (&Windows, &[f32]) {
        match &self.direct {
            Some(d) => (&d.1.x, &d.1.y),
            None => (&self.ds.test.x, &self.ds.test.y),
        }
    }

    fn shapes(&self) -> Shapes {
        Shapes {
            train: self.train().0.shape(),
            test: self.test().0.shape(),
        }
    }
}

/// Loads the series of `config` (its `csv_text` when given) and checks everything a fit needs
/// (the horizon against padding, the season, the interval's hold-out, the validation split,
/// the memory of training) before building the model. Errors are usage errors naming the
/// setting (its CLI flag).
pub fn prepare(config: &SeriesConfig) -> Result<Prepared, ForecastError> {
    let data = &config.data;
    let h = config.model.horizon;
    check_horizon(data, h)?;
    let (series, ds) = data.load_with(config.csv_text.as_deref(), None, None)?;
    let direct = if h > 1 {
        Some(Box::new(direct_parts(&ds, h, data.windows.layout)?))
    } else {
        None
    };
    let parts = Parts { ds, direct };
    check_season(data, &parts.ds)?;
    let lost = data.differencing.lost();
    // With --interval, fit only on the windows before the held-out tail.
    let held = match config.interval {
        Some(i) => Some(hold_out(
            i,
            parts.train().0.count(),
            parts.ds.split + lost,
            lost,
            parts.ds.step,
            h,
        )?),
        None => None,
    };
    let fit_part = held
        .as_ref()
        .map(|held| first_windows(parts.train(), held.fit_windows));
    let fit_windows = fit_part
        .as_ref()
        .map_or(parts.train().0.count(), |(x, _)| x.count());
    let model = build_model(&config.model, &config.fit, fit_windows)?;
    Ok(Prepared {
        config: config.clone(),
        series,
        parts,
        held,
        fit_part,
        model,
    })
}

impl Prepared {
    /// The input shapes of the training and test parts.
    pub fn shapes(&self) -> Shapes {
        self.parts.shapes()
    }

    /// The built model, not yet fitted (for its summary).
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// The series read (or generated).
    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Fits the model, sending fit's events to `observer` (a `Break` stops fit: a runtime
    /// error saying it was interrupted), then scores and calibrates it. `fit_seconds` times
    /// the training loop alone.
    pub fn fit(
        self,
        observer: &mut dyn FnMut(&FitEvent<'_>) -> ControlFlow<()>,
    ) -> Result<SeriesRun, ForecastError> {
        let Prepared {
            config,
            series,
            parts,
            held,
            fit_part,
            mut model,
        } = self;
        let data = &config.data;
        let started = Instant::now();
        let (x, y) = match &fit_part {
            Some((x, y)) => (x, y.as_slice()),
            None => parts.train(),
        };
        let magnitude = fitting::DataMagnitude::of(series.values(), data.windows.scale);
        let history = fitting::fit_until(&mut model, x, y, &config.fit, Some(magnitude), observer)?;
        let fit_seconds = started.elapsed().as_secs_f64();
        let train = fitting::score(&mut model, parts.train().0, parts.train().1)?;
        let test = fitting::score(&mut model, parts.test().0, parts.test().1)?;
        let scored = Scored {
            config: &config,
            series: &series,
            ds: &parts.ds,
            held: held.as_ref(),
        };
        let (figures, placed, settings) = scored.figures(&mut model, &train, &test)?;
        let split = parts.ds.split + data.differencing.lost();
        let (step, layout, features) = (parts.ds.step, config.model.layout, config.model.features);
        Ok(SeriesRun {
            params: model.count_params(),
            model_file: ModelFile {
                model,
                step,
                layout,
                features,
                settings: Some(Settings::Series(settings)),
            },
            history,
            shapes: parts.shapes(),
            train_score: train.score,
            test_score: test.score,
            fit_seconds,
            figures,
            split,
            step,
            placed,
            time: series_time(&series),
            series,
            config,
        })
    }
}

/// What a fitted model is scored on.
struct Scored<'a> {
    config: &'a SeriesConfig,
    series: &'a Series,
    ds: &'a Dataset,
    held: Option<&'a HeldOut>,
}

impl Scored<'_> {
    /// Scores in series units, the next value, the calibration, and the settings the model
    /// file keeps.
    fn figures(
        &self,
        model: &mut Sequential,
        train: &PartScores,
        test: &PartScores,
    ) -> Result<(SeriesFigures, Placed, SeriesSettings), ForecastError> {
        let (cfg, series, ds) = (self.config, self.series, self.ds);
        let data = &cfg.data;
        let sc = ds.scaler;
        let time = series_time(series);
        let n = series.len();
        let time_summary = match &time {
            Some(t) => Some(TimeSummary {
                column: t.name.clone(),
                first: t.label(0)?,
                last: t.label(n - 1)?,
                step: t.axis.step.to_string(),
                next: t.label(n)?,
            }),
            None => None,
        };
        let (observed, placed) = observed(model, series.values(), ds, data)?;
        let d = data.differencing;
        let mut figures = SeriesFigures {
            time: time_summary,
            score_units: score_units(data),
            train_mse: sc.inverse_mse(train.mse),
            test_mse: sc.inverse_mse(test.mse),
            baseline_test_mse: sc.inverse_mse(data::baseline_mse(&ds.test.x, &ds.test.y)?),
            next_value: next_after(model, &ds.next_window, series.values(), &sc, d)?,
            next_value_tutorial: next_after(
                model,
                &ds.tutorial_next_window,
                series.values(),
                &sc,
                d,
            )?,
            missing: MissingReport::of(data, series),
            test_mse_by_horizon: test_mse_by_horizon(model, series.values(), ds, data)?,
            observed,
            interval: None,
            features: series.covariates().iter().map(|c| c.name.clone()).collect(),
            feature_scale: (!series.covariates().is_empty())
                .then(|| data::covariate_scale(data.windows.scale)),
        };
        let calibration = match (self.held, cfg.interval) {
            (Some(h), Some(i)) => {
                let cal = calibrate(model, series.values(), ds, (d, data.windows.layout), h)?;
                figures.interval = Some(super::intervals::report(
                    &cal,
                    i.p,
                    h,
                    &placed.test,
                    series.values(),
                )?);
                Some(cal)
            }
            _ => None,
        };
        let mut settings = SeriesSettings::new(data, &cfg.model, series, time.as_ref(), ds)?;
        settings.calibration = calibration;
        Ok((figures, placed, settings))
    }
}

/// A fitted single-series run: the model file to save and everything a report, a plot or
/// `predictions.csv` shows.
#[derive(Debug)]
pub struct SeriesRun {
    /// The settings of the run.
    pub config: SeriesConfig,
    /// The fitted model with its settings (what `model.recur` holds).
    pub model_file: ModelFile,
    /// fit's per-epoch losses (running means of batch losses), and val_loss with validation.
    pub history: History,
    /// Input shapes.
    pub shapes: Shapes,
    /// Trainable parameter count.
    pub params: usize,
    /// Train score: model.evaluate on the training part after fit (the compiled loss).
    pub train_score: f64,
    /// Test score: model.evaluate on the test part.
    pub test_score: f64,
    /// Seconds spent in the training loop alone (fit), not loading, scoring or calibrating.
    pub fit_seconds: f64,
    /// The figures in series units, the baselines', the next value.
    pub figures: SeriesFigures,
    /// The training split T in series positions (differencing's lost values included).
    pub split: usize,
    /// Window length.
    pub step: usize,
    /// The one-step predictions of the observed targets, placed on the series.
    pub placed: Placed,
    /// The series' time axis, with a time column.
    pub time: Option<SeriesTime>,
    /// The series read (or generated).
    pub series: Series,
}

impl SeriesRun {
    /// The rows of `predictions.csv`: every series value with the prediction placed on it.
    pub fn predictions(&self) -> Result<PredictionTable, ForecastError> {
        PredictionTable::new(&self.series, self.time.as_ref(), &self.placed)
    }

    /// The settings saved in the model file.
    pub fn settings(&self) -> Option<&SeriesSettings> {
        match &self.model_file.settings {
            Some(Settings::Series(s)) => Some(s),
            _ => None,
        }
    }
}
