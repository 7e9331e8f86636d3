//! clap value parsers: flag text to the library's own types, each with a message that says
//! what was expected (clap adds the flag and the value). Names go to nn's own lookups
//! (`Activation::from_keras_name`, `Loss::from_keras_name`, `OptimizerConfig::from_name`), so
//! the CLI keeps no list of names of its own.

use nn::{Activation, Loss, OptimizerConfig};

use forecast::series::limits::{MAX_DENSE_LAYERS, MAX_HORIZON, MAX_STEP, MAX_UNITS, max_threads};

/// A whole number `>= min`.
fn whole_at_least(text: &str, min: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(v) if v >= min => Ok(v),
        _ => Err(format!("expected a whole number >= {min}")),
    }
}

/// A whole number `>= 1` (epochs, units, step, threads...).
pub fn whole_at_least_one(text: &str) -> Result<usize, String> {
    whole_at_least(text, 1)
}

/// A whole number `>= 2` (the sequences of a task: one to train on, one to test).
pub fn whole_at_least_two(text: &str) -> Result<usize, String> {
    whole_at_least(text, 2)
}

/// A whole number from 1 to `max`, the documented cap `what` names.
fn whole_up_to(text: &str, max: usize, what: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(v) if (1..=max).contains(&v) => Ok(v),
        _ => Err(format!("expected a whole number from 1 to {max} ({what})")),
    }
}

/// Units of the recurrent layer: 1 to [`MAX_UNITS`].
pub fn units(text: &str) -> Result<usize, String> {
    whole_up_to(text, MAX_UNITS, "the cap on units")
}

/// Window length: 1 to [`MAX_STEP`].
pub fn step(text: &str) -> Result<usize, String> {
    whole_up_to(text, MAX_STEP, "the cap on the window length")
}

/// Forecast horizon: 1 to [`MAX_HORIZON`].
pub fn horizon(text: &str) -> Result<usize, String> {
    whole_up_to(text, MAX_HORIZON, "the cap on the horizon")
}

/// Worker threads: 1 to [`max_threads`] (4 per available core).
pub fn threads(text: &str) -> Result<usize, String> {
    whole_up_to(
        text,
        max_threads(),
        "4 per core available; more threads only slow recur down",
    )
}

/// A finite number.
pub fn finite(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err("expected a finite number".into()),
    }
}

/// A finite number strictly above 0 (learning rate, clip norms).
pub fn positive(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err("expected a finite number > 0".into()),
    }
}

/// A fraction strictly between 0 and 1 (the validation split).
pub fn fraction(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err("expected a fraction strictly between 0 and 1".into()),
    }
}

/// A dropout rate in `[0, 1]`.
pub fn rate(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(
            "expected a rate in [0, 1] (Keras silently clamps out-of-range rates; recur rejects them)"
                .into(),
        ),
    }
}

/// The hidden Dense sizes of `--dense` (a newtype, so clap takes the list as one value).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DenseSizes(pub Vec<usize>);

/// `none`, or at most [`MAX_DENSE_LAYERS`] comma-separated sizes from 1 to [`MAX_UNITS`].
pub fn dense_sizes(text: &str) -> Result<DenseSizes, String> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(DenseSizes(Vec::new()));
    }
    let expected = format!(
        "expected at most {MAX_DENSE_LAYERS} hidden layer sizes from 1 to {MAX_UNITS} as a comma \
         list (such as 8 or 16,8), or none"
    );
    if text.split(',').count() > MAX_DENSE_LAYERS {
        return Err(expected);
    }
    text.split(',')
        .map(|p| match p.trim().parse::<usize>() {
            Ok(v) if (1..=MAX_UNITS).contains(&v) => Ok(v),
            _ => Err(expected.clone()),
        })
        .collect::<Result<_, _>>()
        .map(DenseSizes)
}

/// The raw values of `--window v1,v2,...` (a newtype, so clap takes the list as one value).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WindowValues(pub Vec<f64>);

/// Comma-separated finite numbers.
pub fn window_values(text: &str) -> Result<WindowValues, String> {
    data::parse_window(text)
        .map(WindowValues)
        .map_err(|e| e.to_string())
}

/// The covariate columns of `--features a,b,...` (a newtype, so clap takes the list as one
/// value).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeatureColumns(pub Vec<data::Column>);

/// Comma-separated CSV columns, each a header name or a 0-based index, none empty or given
/// twice (a name and an index of the same column are found out when the CSV is read).
pub fn feature_columns(text: &str) -> Result<FeatureColumns, String> {
    let mut columns: Vec<data::Column> = Vec::new();
    for part in text.split(',') {
        let c: data::Column = part.parse().map_err(|_| {
            "expected CSV columns as a comma list of header names or 0-based indices, such as \
             price,promo or 2,3 (none empty)"
                .to_string()
        })?;
        if columns.contains(&c) {
            return Err(format!("expected each column once ({c} is listed twice)"));
        }
        columns.push(c);
    }
    Ok(FeatureColumns(columns))
}

/// A Keras activation name, case-insensitive (`ReLU` is `relu`), with Keras's default arguments.
pub fn activation(text: &str) -> Result<Activation, String> {
    Activation::from_keras_name(&text.trim().to_ascii_lowercase()).map_err(|e| e.to_string())
}

/// A Keras loss name or alias, case-insensitive (`mean_squared_error` is `mse`).
pub fn loss(text: &str) -> Result<Loss, String> {
    Loss::from_keras_name(&text.trim().to_ascii_lowercase()).map_err(|e| e.to_string())
}

/// A Keras optimizer name, with Keras's default hyperparameters and learning rate.
pub fn optimizer(text: &str) -> Result<OptimizerConfig, String> {
    OptimizerConfig::from_name(text.trim()).map_err(|e| e.to_string())
}

/// `--time-step`: `1d`, `7d`, `1mo`, `3mo`, `1y`, `1h`, a number... ([`data::time::TimeStep`]).
pub fn time_step(text: &str) -> Result<data::time::TimeStep, String> {
    text.parse()
        .map_err(|_| format!("expected {}", data::time::STEP_FORMS))
}

/// `--time-format`: a strftime-style format that reads whole dates, such as `%d.%m.%Y`.
pub fn time_format(text: &str) -> Result<data::time::TimeFormat, String> {
    data::time::TimeFormat::custom(text).map_err(|e| match e {
        data::DataError::InvalidArgument { expected, .. } => format!("expected {expected}"),
        other => other.to_string(),
    })
}

/// A season length or seasonal difference: 1 to [`MAX_STEP`] (a season, like a window, must
/// fit in the series).
pub fn season(text: &str) -> Result<usize, String> {
    whole_up_to(text, MAX_STEP, "the cap on a season length, the window cap")
}

/// Order of ordinary differencing: 1 to [`data::MAX_DIFF_ORDER`].
pub fn diff_order(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(v) if (1..=data::MAX_DIFF_ORDER).contains(&v) => Ok(v),
        _ => Err(format!(
            "expected 1 (first differences) or 2 (differences of differences), at most {}",
            data::MAX_DIFF_ORDER
        )),
    }
}

/// `--delimiter` and `--decimal`: data's reading of the dialect's names, shared with Python.
pub use data::{decimal, delimiter};
