//! The settings of a many-series run as `recur.many` passes them, checked into forecast's
//! [`ManyConfig`] (the model and fit keywords by [`crate::settings`]).

use data::{Layout, ScaleKind, WindowConfig};
use forecast::many::{ColumnNames, ManyConfig, Mode};
use pyo3::PyResult;
use serde_json::Value;

use crate::settings::{self, Keywords, MODEL_KEYWORDS};

/// The keywords of the mode, the windows and the differencing, before [`MODEL_KEYWORDS`].
const RUN_KEYWORDS: [&str; 9] = [
    "mode",
    "step",
    "split",
    "pad",
    "scale",
    "layout",
    "diff",
    "seasonal_diff",
    "season",
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
    let model = settings::model(&k, step, layout, 1, 1)?;
    Ok(ManyConfig {
        mode,
        windows: WindowConfig {
            split: settings::split(&k)?,
            step,
            pad: k.boolean("pad")?,
            layout,
            scale,
        },
        model,
        fit: settings::fit(&k)?,
        // The data's own names, set when it is read.
        columns: ColumnNames::default(),
        differencing: settings::differencing(&k)?,
        season: settings::season(&k)?,
    })
}
