//! Many series at once: one model per series (**local**) or one model over the windows of all
//! of them (**global**), from series already grouped by id (the long format's `id, time, value`
//! rows, read by `data::read_long_csv_*` or handed over by a front end).
//!
//! - [`train_local`]: each series is split, windowed and fitted on its own, in parallel on
//!   rayon's pool (one series per worker at a time). Its model is seeded by [`series_seed`] from
//!   the run's seed and its id, so results depend neither on the thread count nor on the
//!   order or grouping of the series.
//! - [`train_global`]: every series is scaled on its own training part, their windows are
//!   pooled into one fit, and the model is scored per series in that series' units.
//! - [`ManyModel`]: the one model file of a run (every local model, or the global one), each
//!   member with the settings it needs to forecast on its own; [`ManyModel::forecast`].
//! - [`backtest()`]: each series' rolling-origin backtest by its member, pooled over the series.
//!
//! Series too short for the split and the window (or constant under a scaling) are skipped
//! with a reason, never an error, unless none is left.
//!
//! With intervals ([`ManyConfig::interval`]), each series is calibrated on the held-out tail
//! of its own training part as a one-series run is ([`crate::series::intervals`]), and a
//! series whose training part cannot give enough residuals is skipped with the reason. With
//! a direct model (`model.horizon = H > 1`, [`crate::series::horizon`]), each window's targets
//! are its next `H` values; the metrics score its horizon-1 output, and forecasts use the `H`
//! outputs of each forward pass.
//!
//! With differencing ([`ManyConfig::differencing`]), each series is differenced before its
//! split and scaling, as a one-series run does: the split `T` is resolved on the whole series
//! and falls on the same value, the model learns the differences, and its predictions,
//! scores and forecasts are turned back into the series' units.

mod backtest;
mod bundle;
mod future;
mod global;
mod job;
mod local;
mod long_inputs;
mod member_covariates;
mod model_series;
mod seed;

pub use backtest::{
    BacktestRows, ManyBacktest, ManyBacktestConfig, PooledOverall, SeriesBacktest, backtest,
};
pub use bundle::{
    MANY_FORMAT, MAX_MEMBERS, MEMBER_COVARIATES_FORMAT, MEMBER_FORMAT, ManyModel, Member,
    MemberSettings, SeriesForecast, SeriesState,
};
pub use future::ManyFuture;
pub use global::{train_global, train_global_until};
pub use job::{Part, SeriesMetrics, SeriesPredictions};
pub use local::{
    SeriesDone, SeriesOutcome, train_in_order_until, train_local, train_local_until, train_series,
};
pub use long_inputs::{LongInputs, NoAxis};
pub use seed::series_seed;

use serde::{Deserialize, Serialize};

use crate::FitSettings;
use crate::spec::ModelSpec;

/// One series of a many-series run.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesInput {
    /// The series id (the long format's `unique_id`).
    pub id: String,
    /// The values in time order, in the series' units.
    pub values: Vec<f64>,
    /// The time labels of the values, when the data had a time column (same length).
    pub times: Option<Vec<String>>,
    /// The regular time axis of the values (position 0 is `values[0]`), for future times.
    pub axis: Option<data::time::TimeAxis>,
    /// The covariates beside the values (each as long as `values`), in the order and with the
    /// names of the run's [`ManyConfig::features`]; empty without covariates.
    pub covariates: Vec<data::Covariate>,
}

/// Local (one model per series) or global (one model for all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One model per series.
    Local,
    /// One model trained on the windows of every series.
    Global,
}

impl Mode {
    /// `local` or `global`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Local => "local",
            Mode::Global => "global",
        }
    }
}

/// The settings of a many-series run: how each series becomes windows (the split applies
/// within each series; the scaling is fitted on each series' own training part), the model
/// and how fit runs. The model's seed is the run's: each local model is seeded by
/// [`series_seed`]`(model.seed, id)`, the global model by `model.seed` itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManyConfig {
    /// Local or global.
    pub mode: Mode,
    /// Split, step, padding, layout and scaling of each series.
    pub windows: data::WindowConfig,
    /// The model (its `step` and `layout` equal the windows').
    pub model: ModelSpec,
    /// How fit runs (its `verbose` is the front end's business: the runners report through
    /// their observers).
    pub fit: FitSettings,
    /// The names of the data's id, time and value columns, kept in the model file for the
    /// headers of its forecasts.
    #[serde(default)]
    pub columns: ColumnNames,
    /// Differences taken of each series before its split and scaling (`--diff`,
    /// `--seasonal-diff`); none by default.
    #[serde(default, skip_serializing_if = "data::Differencing::is_none")]
    pub differencing: data::Differencing,
    /// Season length `m` of the seasonal naive baseline (`y[t-m]`, `--season`), scored on each
    /// series' observed test targets; `None`: not scored. A series whose training part is not
    /// longer than `m` is skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<usize>,
    /// Split-conformal intervals (`--interval P`, `--interval-horizon K`): each series holds
    /// out the last targets of its training part, its model (the global one in global mode)
    /// is fitted on the windows before them and calibrated on them as a one-series run's is,
    /// and the residuals go into the model file with the series. `None`: no calibration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<crate::series::IntervalConfig>,
    /// The covariates' names (`--features`), in the model's channel order (covariate `k` is
    /// input channel `k + 1`): every series must carry exactly these, and the model takes
    /// `1 + F` values per time step. Each covariate is scaled on its series' own training
    /// part as a one-series run scales it ([`data::covariate_scale`]). Empty: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// How the data's CSV is written (delimiter, decimal separator, missing-value policy),
    /// for a front end reading a file. A run with covariates keeps it in its model file, so
    /// their future values (`forecast --future-csv`) are read the same way. `None`: the
    /// default (comma, decimal point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<crate::series::CsvDialect>,
}

/// The names of a long-format table's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnNames {
    /// The series id column.
    pub id: String,
    /// The time column, if the data had one.
    pub time: Option<String>,
    /// The value column.
    pub value: String,
}

impl Default for ColumnNames {
    /// Nixtla's `unique_id`, `ds`, `y`.
    fn default() -> Self {
        ColumnNames {
            id: "unique_id".into(),
            time: Some("ds".into()),
            value: "y".into(),
        }
    }
}

/// A series left out of a run, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The series id.
    pub id: String,
    /// Why: too short for the split and the window, constant under a scaling, ...
    pub reason: String,
}

/// What a many-series run produced: per-series metrics and predictions (sorted by id), the
/// skipped series, and the model file.
#[derive(Debug)]
pub struct ManyRun {
    /// Local or global.
    pub mode: Mode,
    /// One entry per trained series, sorted by id.
    pub metrics: Vec<SeriesMetrics>,
    /// The one-step predictions of each trained series, sorted by id.
    pub predictions: Vec<SeriesPredictions>,
    /// The series left out, sorted by id.
    pub skipped: Vec<Skipped>,
    /// The model file of the run.
    pub model: ManyModel,
    /// Wall-clock seconds of the training of every series (local: the parallel loop, scoring
    /// included; global: the one fit).
    pub fit_seconds: f64,
}

impl ManyRun {
    /// The mean over the trained series of `f` (NaN when there is none).
    pub fn mean_of(&self, f: impl Fn(&SeriesMetrics) -> f64) -> f64 {
        let n = self.metrics.len();
        self.metrics.iter().map(f).sum::<f64>() / n as f64
    }
}

/// Errors unless the model's input matches the windows (step, layout, and `1 + F` values per
/// time step with `F` covariates), a direct model
/// (`horizon > 1`) has unpadded windows, the differences are valid, the season is at least 1
/// and the interval's coverage lies in `(0, 1)` with at least one step calibrated.
fn check_config(cfg: &ManyConfig) -> Result<(), crate::ForecastError> {
    cfg.differencing.validate()?;
    if let Some(i) = cfg.interval {
        if !(i.p > 0.0 && i.p < 1.0) {
            return Err(crate::ForecastError::flag(
                "--interval",
                i.p,
                "a coverage strictly between 0 and 1",
            ));
        }
        if i.horizon == 0 {
            return Err(crate::ForecastError::flag(
                "--interval-horizon",
                0,
                "at least 1 horizon step to calibrate",
            ));
        }
    }
    if cfg.season == Some(0) {
        return Err(crate::ForecastError::Usage(
            "season 0: expected a season length of at least 1".into(),
        ));
    }
    let m = &cfg.model;
    let channels = 1 + cfg.features.len();
    if m.step != cfg.windows.step || m.layout != cfg.windows.layout || m.features != channels {
        return Err(crate::ForecastError::Usage(format!(
            "the model takes windows of step {} in the {} layout with {} feature(s), the data gives step {} in the {} layout with {channels}",
            m.step,
            m.layout.name(),
            m.features,
            cfg.windows.step,
            cfg.windows.layout.name()
        )));
    }
    if m.horizon == 0 {
        return Err(crate::ForecastError::flag(
            "--horizon",
            0,
            "at least 1 output per window",
        ));
    }
    crate::series::config::check_horizon_padding(m.horizon, cfg.windows.pad)
}
