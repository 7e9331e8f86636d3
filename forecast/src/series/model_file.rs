//! The model file of a single-series run (`recur train`, Python's `recur.series.fit`): nn's
//! saved Sequential plus the settings document in its metadata (covered by the file's
//! checksum), so evaluate, predict and forecast rebuild the same windows, and predict and
//! forecast work from the model file alone. The format tags are the ones the CLI has always
//! written (`recur-cli-settings/...`), so every older file still loads.

use std::path::Path;

use data::Layout;
use nn::{LayerConfig, NnError, Sequential};
use serde::{Deserialize, Serialize};

use super::covariates::CovariateSettings;
use super::data_config::DataConfig;
use super::time_axis::SeriesTime;
use crate::ForecastError;
use crate::spec::ModelSpec;

/// File name of the saved model inside the output folder.
pub const MODEL_FILE: &str = "model.recur";

/// Largest model file read, in bytes: nn's cap (1 GiB), the same for every front end. The file
/// is read whole before it is parsed, so a larger one (or an endless one such as `/dev/zero`)
/// is refused: a regular file from its length, anything else through `Read::take(cap + 1)`.
pub use nn::model::MAX_MODEL_FILE_BYTES;

/// How many of the series' last values a model file keeps (for `predict` and `forecast`
/// without the series, and the forecast plot's context).
pub const TAIL_LEN: usize = 300;

/// Tag of the settings document of a series model.
pub const SERIES_FORMAT: &str = "recur-cli-settings/1";

/// Tag of the settings document of a series model trained on differences (`--diff`,
/// `--seasonal-diff`). Why a second tag: a recur that predates differencing would ignore the
/// field and give predictions in differenced units without a word; it refuses an unknown tag
/// instead. Files without differencing keep [`SERIES_FORMAT`], so older recur still reads them.
pub const SERIES_DIFF_FORMAT: &str = "recur-cli-settings/2";

/// Tag of the settings document of a series model with covariates (`--features`), with or
/// without differencing. Why a third tag: a recur that predates covariates would refuse the
/// unknown `covariates` field with a message about foreign settings, or read the model's wider
/// input as another window length; an unknown tag is refused plainly. Files without
/// covariates keep their tag.
pub const SERIES_COVARIATES_FORMAT: &str = "recur-cli-settings/3";

/// Tag of the settings document of a `--task` model.
pub const TASK_FORMAT: &str = "recur-cli-task/1";

/// The settings of a model trained on a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesSettings {
    /// Always [`SERIES_FORMAT`].
    pub format: String,
    /// Series and windows the model was trained on.
    pub data: DataConfig,
    /// The model's specification.
    pub model: ModelSpec,
    /// The scaling fitted on the training part (identity without `--scale`).
    pub scaler: data::Scaler,
    /// Length of the training series.
    pub series_len: usize,
    /// The series' last values (at most [`TAIL_LEN`] or `step + lost + 1` if that is more,
    /// `lost` being the values differencing consumes; at least `step + lost + 1`), in its units;
    /// the first sits at index `series_len - tail.len()`.
    pub tail: Vec<f64>,
    /// Time labels of the tail values, when the CSV had a time column.
    pub tail_times: Option<Vec<String>>,
    /// The time axis of the tail (position 0 is `tail[0]`) and the time column's name, for
    /// the future times of `predict` and `forecast`. Absent in model files of older recur
    /// (they load; their forecasts have no times) and without a time column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<SeriesTime>,
    /// The series' name (the value column's header), for plot titles; absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series_name: Option<String>,
    /// Held-out absolute residuals per horizon step (series units) for split-conformal
    /// intervals (`train --interval`); absent without it and in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<data::Calibration>,
    /// The covariates (`--features`): names, scalers and last values; absent without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariates: Option<CovariateSettings>,
}

impl SeriesSettings {
    /// The settings of a run of `model` on `series` (with its time axis `time`) with `ds`.
    pub fn new(
        data: &DataConfig,
        model: &ModelSpec,
        series: &data::Series,
        time: Option<&SeriesTime>,
        ds: &data::Dataset,
    ) -> Result<Self, ForecastError> {
        let n = series.len();
        let keep = TAIL_LEN.max(data.windows.step + data.differencing.lost() + 1);
        let start = n - n.min(keep);
        let covariates = CovariateSettings::of(series.covariates(), ds, start);
        let format = if covariates.is_some() {
            SERIES_COVARIATES_FORMAT
        } else if data.differencing.is_none() {
            SERIES_FORMAT
        } else {
            SERIES_DIFF_FORMAT
        };
        Ok(SeriesSettings {
            format: format.to_string(),
            data: data.clone(),
            model: model.clone(),
            scaler: ds.scaler,
            series_len: n,
            tail: series.values()[start..].to_vec(),
            tail_times: series.times().map(|t| t[start..].to_vec()),
            time: time.map(|t| t.from_position(start)).transpose()?,
            series_name: series.name().map(str::to_string),
            calibration: None,
            covariates,
        })
    }
}

/// The settings of a model trained on a `--task`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSettings {
    /// Always [`TASK_FORMAT`].
    pub format: String,
    /// The task the model was trained on.
    pub task: data::LongDependencyConfig,
    /// The model's specification.
    pub model: ModelSpec,
}

/// The settings document of a model file, by its `format` tag.
// One value per command, never in bulk: the size difference between the variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Settings {
    /// A series model.
    Series(SeriesSettings),
    /// A `--task` model.
    Task(TaskSettings),
}

impl Serialize for Settings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Settings::Series(x) => x.serialize(s),
            Settings::Task(x) => x.serialize(s),
        }
    }
}

/// A model file recur can use: the model, the input it takes and its settings.
#[derive(Debug)]
pub struct ModelFile {
    /// The compiled model with its trained weights.
    pub model: Sequential,
    /// Window length the model takes.
    pub step: usize,
    /// Input layout the model takes.
    pub layout: Layout,
    /// Values per time step: 1, or 1 + the number of covariates (`--features`).
    pub features: usize,
    /// The settings saved with it (`None`: a model saved by the library without them).
    pub settings: Option<Settings>,
}

impl ModelFile {
    /// Loads `path`: a missing or unreadable file, one that is not a model, a model of another
    /// architecture or settings that are not recur's are usage errors naming the path.
    pub fn load(path: &Path) -> Result<Self, ForecastError> {
        Self::from_bytes(&read_bytes(path)?, path)
    }

    /// [`ModelFile::load`] from the file's bytes; `path` only names the file in errors. Why
    /// public: the fuzz targets feed bytes straight in, without a file per input.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, ForecastError> {
        if crate::many::ManyModel::is_many(bytes) {
            return Err(ForecastError::Usage(format!(
                "--model '{}' is a many-series model (recur train --id-column): `recur forecast \
                 --model {0} --horizon H` forecasts its series; evaluate, predict, backtest and \
                 summary take one-series models",
                path.display()
            )));
        }
        let (model, doc) =
            Sequential::from_bytes_with_metadata(bytes).map_err(|e| load_error(path, e))?;
        Self::usable(path, model, doc)
    }

    /// What `recur upgrade` reads, from the file's bytes, without writing anything: the model
    /// file of any format this recur knows and what an old format's checksum could not verify
    /// (`None`: a current file). `path` only names the file in errors.
    pub fn upgrade_from_bytes(
        bytes: &[u8],
        path: &Path,
    ) -> Result<(Self, Option<&'static str>), ForecastError> {
        let (model, doc, unverified) =
            Sequential::upgrade_bytes(bytes).map_err(|e| load_error(path, e))?;
        Ok((Self::usable(path, model, doc)?, unverified))
    }

    /// `recur upgrade`: reads `path` in any format this recur knows and, if it is an older
    /// one, rewrites it in place (atomically) in the current format. Returns the model file
    /// and what the old format's checksum could not verify (`None`: already current, nothing
    /// written).
    pub fn upgrade(path: &Path) -> Result<(Self, Option<&'static str>), ForecastError> {
        let (file, unverified) = Self::upgrade_from_bytes(&read_bytes(path)?, path)?;
        if unverified.is_some() {
            match &file.settings {
                Some(settings) => Self::save(&file.model, settings, path)?,
                None => file
                    .model
                    .save(path)
                    .map_err(|e| ForecastError::Runtime(format!("cannot save the model: {e}")))?,
            }
        }
        Ok((file, unverified))
    }

    /// Checks that a loaded model is one recur can use and reads its settings.
    fn usable(
        path: &Path,
        model: Sequential,
        doc: Option<serde_json::Value>,
    ) -> Result<Self, ForecastError> {
        let shown = path.display();
        let settings = doc.map(|v| settings_of(v, path)).transpose()?;
        // A direct multi-step model (`--horizon H`) outputs H values; its settings say so.
        // Its covariates widen each time step to 1 + F values.
        let (horizon, features) = match &settings {
            Some(Settings::Series(s)) => (s.model.horizon, s.model.features),
            Some(Settings::Task(t)) => (t.model.horizon, t.model.features),
            None => (1, 1),
        };
        let (step, layout) = input_of(&model, horizon, features).map_err(|why| {
            ForecastError::Usage(format!(
                "--model '{shown}' is a model of another architecture: {why} (recur uses \
                 SimpleRNN, LSTM or GRU -> Dense... -> Dense(H) on windows of shape (1, step) or (step, 1), H = 1 unless trained with --horizon H, 1 + F values per step with F covariates)"
            ))
        })?;
        Ok(ModelFile {
            model,
            step,
            layout,
            features,
            settings,
        })
    }

    /// The bytes [`ModelFile::save`] writes for this model and its settings (the model alone
    /// when it has none), without touching the file system.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ForecastError> {
        let doc = self.settings.as_ref().map(settings_document).transpose()?;
        self.model
            .to_bytes_with_metadata(doc.as_ref())
            .map_err(|e| ForecastError::Runtime(format!("cannot save the model: {e}")))
    }

    /// Saves `model` with `settings` to `path` (the caller passes a temporary name).
    pub fn save(model: &Sequential, settings: &Settings, path: &Path) -> Result<(), ForecastError> {
        let doc = settings_document(settings)?;
        model
            .save_with_metadata(path, &doc)
            .map_err(|e| ForecastError::Runtime(format!("cannot save the model: {e}")))
    }

    /// The settings of a series model; a `--task` model is a usage error (its windows cannot
    /// be rebuilt from a series).
    pub fn series_settings(&self, path: &Path) -> Result<Option<&SeriesSettings>, ForecastError> {
        match &self.settings {
            None => Ok(None),
            Some(Settings::Series(s)) => Ok(Some(s)),
            Some(Settings::Task(t)) => Err(ForecastError::Usage(format!(
                "--model '{}' was trained on --task {} (lag {}): evaluate, predict and forecast \
                 work on series models; `recur summary` shows this one, and its test scores are \
                 in the train report",
                path.display(),
                t.task.kind,
                t.task.lag
            ))),
        }
    }
}

/// The settings as the JSON document a model file keeps.
fn settings_document(settings: &Settings) -> Result<serde_json::Value, ForecastError> {
    serde_json::to_value(settings)
        .map_err(|e| ForecastError::Runtime(format!("cannot encode the settings: {e}")))
}

/// The bytes of the model file at `path`: a folder or an unreadable file is a usage error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ForecastError> {
    if path.is_dir() {
        return Err(ForecastError::flag(
            "--model",
            path.display(),
            "a model file (this is a folder)",
        ));
    }
    read_capped(path, MAX_MODEL_FILE_BYTES)
}

/// nn's reason for refusing a model file, as a usage error.
fn load_error(path: &Path, e: NnError) -> ForecastError {
    let shown = path.display();
    ForecastError::Usage(match e {
        NnError::OldFormat {
            version,
            unverified,
        } => format!(
            "--model '{shown}' was written by an older recur (model file format {version}, whose \
             checksum does not cover {unverified}): run `recur upgrade --model {shown}` once to \
             rewrite it with a checksum over every byte"
        ),
        NnError::InvalidFile { reason } => format!(
            "--model '{shown}' is not a model file recur can use (corrupted, truncated or \
             foreign): {reason}"
        ),
        other => format!("--model '{shown}' is not a model file: {other}"),
    })
}

/// The bytes of the model file at `path`, refused when longer than `cap` (before parsing).
fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ForecastError> {
    use std::io::Read;
    let shown = path.display();
    let cannot = |e: std::io::Error| {
        ForecastError::Usage(format!(
            "--model '{shown}': cannot read the model file: {e}"
        ))
    };
    let too_large = || {
        ForecastError::Usage(format!(
            "--model '{shown}' is larger than {cap} bytes, the largest model file recur reads: \
             it is not a model recur wrote"
        ))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.is_file() && meta.len() > cap {
        return Err(too_large());
    }
    // A regular file's length sizes the buffer once; other files grow it as they are read.
    let hint = if meta.is_file() { meta.len() } else { 0 };
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads a settings document by its `format` tag.
fn settings_of(doc: serde_json::Value, path: &Path) -> Result<Settings, ForecastError> {
    let bad = |e: &dyn std::fmt::Display| {
        ForecastError::Usage(format!(
            "--model '{}': the settings in the model file are not recur's: {e}",
            path.display()
        ))
    };
    let format = doc
        .get("format")
        .and_then(|f| f.as_str())
        .unwrap_or("")
        .to_string();
    match format.as_str() {
        TASK_FORMAT => serde_json::from_value(doc)
            .map(Settings::Task)
            .map_err(|e| bad(&e)),
        SERIES_FORMAT | SERIES_DIFF_FORMAT | SERIES_COVARIATES_FORMAT => {
            let s: SeriesSettings = serde_json::from_value(doc).map_err(|e| bad(&e))?;
            let step = s.data.windows.step;
            let d = s.data.differencing;
            // The tag says whether there are differences and covariates: a mismatch is a
            // foreign document.
            let tagged_diff = format == SERIES_DIFF_FORMAT;
            let covariates = format == SERIES_COVARIATES_FORMAT;
            if (!covariates && d.is_none() == tagged_diff) || d.validate().is_err() {
                return Err(bad(&format!(
                    "format '{format}' with differencing {}",
                    d.describe()
                )));
            }
            check_covariates(&s, covariates).map_err(|why| bad(&why))?;
            let needed = step + d.lost() + 1;
            if s.tail.len() < needed || s.tail.len() > s.series_len {
                return Err(ForecastError::Usage(format!(
                    "--model '{}': the settings in the model file are not valid ({} tail values; step {step} needs at least {needed})",
                    path.display(),
                    s.tail.len()
                )));
            }
            Ok(Settings::Series(s))
        }
        other => Err(bad(&format!("unknown format '{other}'"))),
    }
}

/// Whether the covariates of series settings agree with their tag (`tagged`: the covariates
/// format) and with each other: one name, scaler and tail per `--features` column, each tail
/// as long as the target's, and the model's features `1 + F`. Why checked: each is an index
/// into the others, so a foreign document must be refused here rather than fail later.
fn check_covariates(s: &SeriesSettings, tagged: bool) -> Result<(), String> {
    let columns = s.data.features().len();
    match &s.covariates {
        None if !tagged && columns == 0 && s.model.features == 1 => Ok(()),
        Some(c)
            if tagged
                && columns > 0
                && c.names.len() == columns
                && c.scalers.len() == columns
                && c.tails.len() == columns
                && c.tails.iter().all(|t| t.len() == s.tail.len())
                && s.model.features == 1 + columns =>
        {
            Ok(())
        }
        _ => Err(format!(
            "covariates that do not match their {columns} --features column(s), the format \
             tag or the model's {} feature(s) per step",
            s.model.features
        )),
    }
}

/// The window length and layout a loaded model takes, or why recur cannot use it (it must
/// output `horizon` values per window and take `features` values per time step).
fn input_of(m: &Sequential, horizon: usize, features: usize) -> Result<(usize, Layout), String> {
    let layers = m.layers();
    match layers.first().map(|l| l.config()) {
        Some(LayerConfig::SimpleRnn(c)) if !c.return_sequences && !c.stateful => {}
        Some(LayerConfig::Lstm(c)) if !c.return_sequences && !c.return_state && !c.stateful => {}
        Some(LayerConfig::Gru(c)) if !c.return_sequences && !c.return_state && !c.stateful => {}
        Some(_) => {
            return Err(format!(
                "its first layer is {} (a SimpleRNN, LSTM or GRU returning its last output is needed)",
                layers[0].class_name()
            ));
        }
        None => return Err("it has no layers".into()),
    }
    if let Some(l) = layers[1..]
        .iter()
        .find(|l| !matches!(l.config(), LayerConfig::Dense(_)))
    {
        return Err(format!("layer '{}' is a {}", l.name(), l.class_name()));
    }
    if m.output_shape() != Some(&[horizon][..]) {
        let want = if horizon == 1 {
            "one value per window".to_string()
        } else {
            format!("the {horizon} values per window its settings (--horizon {horizon}) say")
        };
        return Err(format!(
            "it outputs shape {:?}, not {want}",
            m.output_shape()
        ));
    }
    if m.loss().is_none() {
        return Err("it is not compiled (no loss)".into());
    }
    let f = features.max(1);
    match m.input_shape() {
        // The tutorial layout flattens `step` time steps of `f` values.
        Some(&[1, width]) if width.is_multiple_of(f) => Ok((width / f, Layout::Tutorial)),
        Some(&[step, w]) if w == f => Ok((step, Layout::Sequence)),
        // A `--task` model: sequences of (value, marker).
        Some(&[step, data::generate::LONG_DEPENDENCY_FEATURES]) if f == 1 => {
            Ok((step, Layout::Sequence))
        }
        other if f > 1 => Err(format!(
            "its input shape is {other:?}, not (1, step * {f}) or (step, {f}) for its {} covariate(s)",
            f - 1
        )),
        other => Err(format!(
            "its input shape is {other:?}, not (1, step), (step, 1) or (step, 2)"
        )),
    }
}
