//! The settings of a many-series run as `recur.many` passes them, checked into forecast's
//! [`ManyConfig`] (the model and fit keywords by [`crate::settings`]).

use data::{Layout, ScaleKind, WindowConfig};
use forecast::many::{ColumnNames, ManyConfig, Mode};
use pyo3::PyResult;
use pyo3::exceptions::PyValueError;
use serde_json::Value;

use crate::settings::{self, Keywords, MODEL_KEYWORDS};

/// The keywords of the mode, the covariates, the windows, the differencing, the direct
/// model's horizon and the intervals, before [`MODEL_KEYWORDS`].
const RUN_KEYWORDS: [&str; 13] = [
    "mode",
    "features",
    "step",
    "split",
    "pad",
    "scale",
    "layout",
    "diff",
    "seasonal_diff",
    "season",
    "horizon",
    "interval",
    "interval_horizon",
];

/// The run's configuration from the settings' JSON text.
pub fn config(text: &str) -> PyResult<ManyConfig> {
    let keywords: Vec<&str> = RUN_KEYWORDS
        .iter()
        .chain(&MODEL_KEYWORDS)
        .copied()
        .collect();
    let k = Keywords::parse(text, &keywords)?;
    let mode = k.name("mode", |s| {
        serde_json::from_value::<Mode>(Value::String(s.to_string()))
            .map_err(|_| format!("expected 'local' or 'global', got '{s}'"))
    })?;
    let step = k.count("step", 1, data::generate::MAX_SEQUENCE_LEN)?;
    let layout = k.name("layout", str::parse::<Layout>)?;
    let scale = match k.value("scale") {
        // Each series is scaled on its own training part; one global model needs them on one
        // scale, local models do not.
        Value::Null if mode == Mode::Global => ScaleKind::Standard,
        Value::Null => ScaleKind::None,
        _ => k.name("scale", str::parse::<ScaleKind>)?,
    };
    let horizon = k.count("horizon", 1, settings::MAX_HORIZON)?;
    let pad = k.boolean("pad")?;
    if horizon > 1 && pad {
        return Err(PyValueError::new_err(format!(
            "horizon: a direct model of {horizon} outputs trains on the next {horizon} real values \
             after each window, but the tutorial's padding makes up targets at the end of each \
             part: pass pad=False"
        )));
    }
    let features = features(&k)?;
    let model = settings::model(&k, step, layout, 1 + features.len(), horizon)?;
    let interval = settings::interval(&k)?;
    Ok(ManyConfig {
        mode,
        windows: WindowConfig {
            split: settings::split(&k)?,
            step,
            pad,
            layout,
            scale,
        },
        model,
        fit: settings::fit(&k)?,
        // The data's own names, set when it is read.
        columns: ColumnNames::default(),
        differencing: settings::differencing(&k)?,
        season: settings::season(&k)?,
        interval,
        features,
        dialect: None,
    })
}

/// `features`: the covariates' column names (the DataFrame's CSV text has a header, so names
/// only).
fn features(k: &Keywords) -> PyResult<Vec<String>> {
    crate::series_settings::features(k)?
        .into_iter()
        .map(|c| match c {
            data::Column::Name(n) => Ok(n),
            data::Column::Index(_) => Err(settings::bad(
                "features",
                k.value("features"),
                "a list of column names (str)",
            )),
        })
        .collect()
}
