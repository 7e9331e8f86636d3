//! The settings of a single-series run as `recur.series.fit` passes them, checked into
//! forecast's [`SeriesConfig`] (the model and fit keywords by [`crate::settings`]): the same
//! settings `recur train`'s flags give, with the same limits.

use std::path::PathBuf;

use data::time::{TimeFormat, TimeStep};
use data::{Column, Layout, MissingPolicy, ScaleKind, SineConfig, WindowConfig};
use forecast::series::{CsvDialect, DataConfig, SeriesConfig, Source};
use pyo3::PyResult;
use pyo3::exceptions::PyValueError;
use serde_json::Value;

use crate::settings::{self, Keywords, MODEL_KEYWORDS, bad};

/// The keywords of the data, the windows and the forecaster's features, before
/// [`MODEL_KEYWORDS`].
const SERIES_KEYWORDS: [&str; 19] = [
    "value_col",
    "time_col",
    "features",
    "step",
    "split",
    "pad",
    "scale",
    "layout",
    "diff",
    "seasonal_diff",
    "season",
    "missing",
    "time_step",
    "time_format",
    "delimiter",
    "decimal",
    "horizon",
    "interval",
    "interval_horizon",
];

/// Most covariate columns (as the CLI's `--features`).
const MAX_FEATURES: usize = 4096;

/// Where the series comes from, as the Python layer hands it over.
pub enum Input {
    /// The tutorial's generated sine.
    Generated,
    /// CSV text (a DataFrame, a Series or an array written by the Python layer).
    Text(String),
    /// A CSV file.
    Path(PathBuf),
}

/// The name a DataFrame's CSV text goes by in messages and in the model file.
pub const FRAME_NAME: &str = "the DataFrame";

/// A column by name (a string) or 0-based position (a whole number), or None.
fn column(k: &Keywords, key: &str) -> PyResult<Option<Column>> {
    let v = k.value(key);
    match v {
        Value::Null => Ok(None),
        _ => column_value(key, v).map(Some),
    }
}

fn column_value(key: &str, v: &Value) -> PyResult<Column> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(Column::Name(s.clone())),
        Value::Number(n) if n.is_u64() => Ok(Column::Index(n.as_u64().unwrap_or(0) as usize)),
        _ => Err(bad(
            key,
            v,
            "a column name (str) or a 0-based position (int)",
        )),
    }
}

/// `features`: a list of columns.
pub fn features(k: &Keywords) -> PyResult<Vec<Column>> {
    let v = k.value("features");
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) if items.len() <= MAX_FEATURES => items
            .iter()
            .map(|item| column_value("features", item))
            .collect(),
        _ => Err(bad(
            "features",
            v,
            &format!("a list of at most {MAX_FEATURES} column names"),
        )),
    }
}

/// A one-character setting read by `parse` (the CLI's parser of the same flag).
fn character(k: &Keywords, key: &str, parse: impl Fn(&str) -> Result<u8, String>) -> PyResult<u8> {
    let text = k.text(key)?;
    parse(text).map_err(|e| bad(key, k.value(key), &e.replace("expected ", "")))
}

/// The run's configuration from the settings' JSON text and the input.
pub fn config(text: &str, input: Input) -> PyResult<SeriesConfig> {
    let keywords: Vec<&str> = SERIES_KEYWORDS
        .iter()
        .chain(&MODEL_KEYWORDS)
        .copied()
        .collect();
    let k = Keywords::parse(text, &keywords)?;
    let step = k.count("step", 1, data::generate::MAX_SEQUENCE_LEN)?;
    let layout = k.name("layout", str::parse::<Layout>)?;
    let features = features(&k)?;
    let horizon = k.count("horizon", 1, settings::MAX_HORIZON)?;
    let model = settings::model(&k, step, layout, 1 + features.len(), horizon)?;
    let dialect = CsvDialect {
        delimiter: character(&k, "delimiter", data::delimiter)?,
        decimal: character(&k, "decimal", data::decimal)?,
        missing: k.name("missing", str::parse::<MissingPolicy>)?,
    };
    if dialect.delimiter == dialect.decimal {
        return Err(PyValueError::new_err(format!(
            "decimal: '{}' is also the field delimiter: pass delimiter=';' with decimal commas",
            char::from(dialect.decimal)
        )));
    }
    let time_step = k.optional("time_step", |k| {
        k.text("time_step")?
            .parse::<TimeStep>()
            .map_err(|_| bad("time_step", k.value("time_step"), data::time::STEP_FORMS))
    })?;
    let time_format = k.optional("time_format", |k| {
        TimeFormat::custom(k.text("time_format")?)
            .map_err(|e| PyValueError::new_err(format!("time_format: {e}")))
    })?;
    let (csv_text, path) = match input {
        Input::Generated => (None, None),
        Input::Text(text) => (Some(text), Some(PathBuf::from(FRAME_NAME))),
        Input::Path(path) => (None, Some(path)),
    };
    let source = match path {
        Some(path) => Source::Csv {
            path,
            column: column(&k, "value_col")?,
            time_column: column(&k, "time_col")?,
            time_format,
            time_step,
            dialect,
            features,
        },
        None if !features.is_empty() => {
            return Err(bad(
                "features",
                k.value("features"),
                "no features for the generated sine",
            ));
        }
        None => Source::Generated(SineConfig::default()),
    };
    let interval = settings::interval(&k)?;
    Ok(SeriesConfig {
        data: DataConfig {
            source,
            windows: WindowConfig {
                split: settings::split(&k)?,
                step,
                pad: k.boolean("pad")?,
                layout,
                scale: k.name("scale", str::parse::<ScaleKind>)?,
            },
            split_given: true,
            differencing: settings::differencing(&k)?,
            season: settings::season(&k)?,
        },
        model,
        fit: settings::fit(&k)?,
        interval,
        csv_text,
    })
}
