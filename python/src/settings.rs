//! Reading the keyword arguments the Python layer passes as one JSON object (the Python side
//! keeps the defaults, in its signatures): each keyword checked into nn's, data's and
//! forecast's types, every error naming the keyword and the value given. Names go to the
//! libraries' own lookups (nn's activations, losses and optimizers, data's scalings and
//! layouts), so the package keeps no list of names of its own. `recur.many` and
//! `recur.series` share the model and fit keywords read here.

use data::{Differencing, Layout, SplitAt};
use forecast::FitSettings;
use forecast::series::IntervalConfig;
use forecast::spec::{Cell, ModelSpec, RecurrentSpec};
use nn::{Activation, Loss, OptimizerConfig};
use pyo3::PyResult;
use pyo3::exceptions::PyValueError;
use serde_json::{Map, Value};

/// Largest recurrent state and hidden Dense size (as the CLI's `--units`).
pub const MAX_UNITS: usize = 65_536;

/// Most hidden Dense layers (as the CLI's `--dense`).
pub const MAX_DENSE_LAYERS: usize = 64;

/// Largest forecast horizon (as the CLI's `--horizon`).
pub const MAX_HORIZON: usize = 1_000_000;

/// The keywords of the model and its fit, which every front end takes.
pub const MODEL_KEYWORDS: [&str; 12] = [
    "cell",
    "units",
    "dense",
    "activation",
    "loss",
    "optimizer",
    "learning_rate",
    "epochs",
    "batch_size",
    "validation_split",
    "early_stopping",
    "seed",
];

/// `ValueError("<key>: expected <expected>, got <value>")`.
pub fn bad(key: &str, value: &Value, expected: &str) -> pyo3::PyErr {
    PyValueError::new_err(format!("{key}: expected {expected}, got {value}"))
}

/// The keyword arguments, each taken once.
pub struct Keywords(Map<String, Value>);

impl Keywords {
    /// The JSON object `text`, which must hold exactly `keywords`.
    pub fn parse(text: &str, keywords: &[&str]) -> PyResult<Self> {
        let map: Map<String, Value> = serde_json::from_str(text)
            .map_err(|e| PyValueError::new_err(format!("settings: {e}")))?;
        if let Some(k) = map.keys().find(|k| !keywords.contains(&k.as_str())) {
            return Err(PyValueError::new_err(format!(
                "unknown setting '{k}': expected one of {}",
                keywords.join(", ")
            )));
        }
        if let Some(k) = keywords.iter().find(|k| !map.contains_key(**k)) {
            return Err(PyValueError::new_err(format!("setting '{k}' is missing")));
        }
        Ok(Keywords(map))
    }

    /// The value of `key` (null if absent).
    pub fn value(&self, key: &str) -> &Value {
        // Parse checked that every keyword is present.
        self.0.get(key).unwrap_or(&Value::Null)
    }

    /// A whole number from `min` to `max`.
    pub fn whole(&self, key: &str, min: u64, max: u64) -> PyResult<u64> {
        let v = self.value(key);
        match v.as_u64() {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ if max == u64::MAX => Err(bad(key, v, &format!("a whole number >= {min}"))),
            _ => Err(bad(key, v, &format!("a whole number from {min} to {max}"))),
        }
    }

    /// [`Keywords::whole`] as a `usize`.
    pub fn count(&self, key: &str, min: usize, max: usize) -> PyResult<usize> {
        let n = self.whole(key, min as u64, max as u64)?;
        usize::try_from(n).map_err(|_| bad(key, self.value(key), "a smaller whole number"))
    }

    /// `None` for null, else the value `f` reads.
    pub fn optional<T>(&self, key: &str, f: impl Fn(&Self) -> PyResult<T>) -> PyResult<Option<T>> {
        match self.value(key) {
            Value::Null => Ok(None),
            _ => f(self).map(Some),
        }
    }

    /// A finite number strictly between 0 and 1.
    pub fn fraction(&self, key: &str) -> PyResult<f64> {
        let v = self.value(key);
        match v.as_f64() {
            Some(f) if v.is_number() && f > 0.0 && f < 1.0 => Ok(f),
            _ => Err(bad(key, v, "a fraction strictly between 0 and 1")),
        }
    }

    /// A string.
    pub fn text(&self, key: &str) -> PyResult<&str> {
        let v = self.value(key);
        v.as_str().ok_or_else(|| bad(key, v, "a string"))
    }

    /// A name read by `lookup` (trimmed, lower case), whose error says what it accepts.
    pub fn name<T, E: std::fmt::Display>(
        &self,
        key: &str,
        lookup: impl Fn(&str) -> Result<T, E>,
    ) -> PyResult<T> {
        let text = self.text(key)?.trim().to_ascii_lowercase();
        lookup(&text).map_err(|e| PyValueError::new_err(format!("{key}: {e}")))
    }

    /// `True` or `False`.
    pub fn boolean(&self, key: &str) -> PyResult<bool> {
        let v = self.value(key);
        v.as_bool().ok_or_else(|| bad(key, v, "True or False"))
    }
}

/// `split`: a whole T (the same T within every series) or a fraction of each series' length.
pub fn split(k: &Keywords) -> PyResult<SplitAt> {
    let v = k.value("split");
    match v {
        Value::Number(n) if n.is_u64() => Ok(SplitAt::Index(k.count("split", 1, usize::MAX)?)),
        Value::Number(_) => Ok(SplitAt::Fraction(k.fraction("split")?)),
        _ => Err(bad(
            "split",
            v,
            "a whole number T >= 1 or a fraction strictly between 0 and 1",
        )),
    }
}

/// `dense`: a list of hidden sizes (empty or None: no hidden layer).
pub fn dense(k: &Keywords) -> PyResult<Vec<usize>> {
    let v = k.value("dense");
    let expected = format!(
        "a list of at most {MAX_DENSE_LAYERS} hidden layer sizes from 1 to {MAX_UNITS} (or None)"
    );
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) if items.len() <= MAX_DENSE_LAYERS => items,
        _ => return Err(bad("dense", v, &expected)),
    };
    items
        .iter()
        .map(|d| match d.as_u64() {
            Some(n) if (1..=MAX_UNITS as u64).contains(&n) => Ok(n as usize),
            _ => Err(bad("dense", v, &expected)),
        })
        .collect()
}

/// The model the [`MODEL_KEYWORDS`] describe, over windows of `step` values in `layout` with
/// `features` channels and `horizon` outputs, built once so that nn's own checks (sizes,
/// memory) fail here, before any data is read.
pub fn model(
    k: &Keywords,
    step: usize,
    layout: Layout,
    features: usize,
    horizon: usize,
) -> PyResult<ModelSpec> {
    let cell = k.name("cell", |s| {
        serde_json::from_value::<Cell>(Value::String(s.to_string()))
            .map_err(|_| format!("expected 'simple', 'lstm' or 'gru', got '{s}'"))
    })?;
    let units = k.count("units", 1, MAX_UNITS)?;
    let activation = k.name("activation", Activation::from_keras_name)?;
    let recurrent = RecurrentSpec::new(cell, units, activation, None, 0.0, 0.0)
        .map_err(PyValueError::new_err)?;
    let mut optimizer = k.name("optimizer", OptimizerConfig::from_name)?;
    if let Some(lr) = k.optional("learning_rate", |k| {
        let v = k.value("learning_rate");
        match v.as_f64() {
            Some(lr) if lr.is_finite() && lr > 0.0 => Ok(lr),
            _ => Err(bad("learning_rate", v, "a finite number > 0 (or None)")),
        }
    })? {
        optimizer.learning_rate = lr;
    }
    let model = ModelSpec {
        recurrent,
        dense: dense(k)?,
        loss: k.name("loss", Loss::from_keras_name)?,
        optimizer,
        seed: k.whole("seed", 0, u64::MAX)?,
        step,
        layout,
        features,
        horizon,
    };
    model
        .build()
        .map_err(|e| PyValueError::new_err(format!("cannot build the model: {e}")))?;
    Ok(model)
}

/// How fit runs, from `epochs`, `batch_size`, `validation_split` and `early_stopping`.
pub fn fit(k: &Keywords) -> PyResult<FitSettings> {
    Ok(FitSettings {
        epochs: k.count("epochs", 1, usize::MAX)?,
        batch_size: k.count("batch_size", 1, usize::MAX)?,
        validation_split: k.optional("validation_split", |k| k.fraction("validation_split"))?,
        early_stopping: k.optional("early_stopping", |k| {
            k.count("early_stopping", 1, usize::MAX)
        })?,
        verbose: 0,
    })
}

/// `diff` (None, or 1 to [`data::MAX_DIFF_ORDER`]) and `seasonal_diff` (None or a season
/// length), as `--diff` and `--seasonal-diff`.
pub fn differencing(k: &Keywords) -> PyResult<Differencing> {
    Ok(Differencing {
        order: k
            .optional("diff", |k| k.count("diff", 1, data::MAX_DIFF_ORDER))?
            .unwrap_or(0),
        seasonal: k.optional("seasonal_diff", |k| {
            k.count("seasonal_diff", 1, data::generate::MAX_SEQUENCE_LEN)
        })?,
    })
}

/// `season` (None or a season length), the seasonal naive baseline's, as `--season`.
pub fn season(k: &Keywords) -> PyResult<Option<usize>> {
    k.optional("season", |k| {
        k.count("season", 1, data::generate::MAX_SEQUENCE_LEN)
    })
}

/// `interval` (None or a coverage in `(0, 1)`) with `interval_horizon` (steps calibrated, 1 to
/// [`MAX_HORIZON`]), as `--interval` and `--interval-horizon`.
pub fn interval(k: &Keywords) -> PyResult<Option<IntervalConfig>> {
    k.optional("interval", |k| {
        Ok(IntervalConfig {
            p: k.fraction("interval")?,
            horizon: k.count("interval_horizon", 1, MAX_HORIZON)?,
        })
    })
}

/// A forecast horizon from 1 to [`MAX_HORIZON`].
pub fn horizon(h: usize) -> PyResult<usize> {
    if (1..=MAX_HORIZON).contains(&h) {
        Ok(h)
    } else {
        Err(PyValueError::new_err(format!(
            "horizon: expected a whole number from 1 to {MAX_HORIZON}, got {h}"
        )))
    }
}
