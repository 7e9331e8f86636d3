//! Keras's regression metrics (`keras/src/metrics/regression_metrics.py`) as `compile(metrics=)`
//! uses them (docs/keras-semantics.md, A.12): what each spelling means and is called, and
//! their f32 running state.
//!
//! A metric is a Keras `Mean`: each batch adds the sum of its per-sample values to `total` and
//! its number of samples to `count`, both f32; the value is `total / count` (0 when empty).
//! A sample's value is the elementwise error averaged over the last axis, then over the other
//! non-batch axes; `RootMeanSquaredError` averages the squared errors over all non-batch axes
//! at once and reports `sqrt(total / count)`. `y_true` of shape `(N,)` against predictions
//! `(N, 1)` is expanded to `(N, 1)`, as in the losses.

use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result};

/// Keras's `backend.epsilon()`, the floor of MAPE's denominator and MSLE's logarithms.
const EPSILON: f32 = 1e-7;

/// One of Keras's regression metrics (all of them are minimised: Keras's `_direction` is
/// `"down"` for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Metric {
    /// `mean((y_true - y_pred)²)` per sample.
    MeanSquaredError,
    /// `mean(|y_true - y_pred|)` per sample.
    MeanAbsoluteError,
    /// `100 · mean(|(y_true - y_pred) / max(|y_true|, 1e-7)|)` per sample (a percentage).
    MeanAbsolutePercentageError,
    /// `sqrt` of the running mean of the squared errors.
    RootMeanSquaredError,
    /// `mean((ln(max(y_pred, ε) + 1) - ln(max(y_true, ε) + 1))²)` per sample, `ε = 1e-7`.
    MeanSquaredLogarithmicError,
    /// `mean(ln cosh(y_pred - y_true))` per sample, computed as `e + softplus(-2e) - ln 2`.
    LogCoshError,
}

impl Metric {
    /// Every metric, in the order of their listing in error messages.
    pub const ALL: [Metric; 6] = [
        Metric::MeanSquaredError,
        Metric::MeanAbsoluteError,
        Metric::MeanAbsolutePercentageError,
        Metric::RootMeanSquaredError,
        Metric::MeanSquaredLogarithmicError,
        Metric::LogCoshError,
    ];

    /// Every string [`Metric::from_keras_name`] accepts: those `keras.metrics.get` accepts for
    /// these metrics in Keras 3.15.1 (class name, its snake_case, and the upper- and
    /// lower-case abbreviations).
    pub const KERAS_NAMES: &'static [&'static str] = &[
        "mse",
        "MSE",
        "mean_squared_error",
        "MeanSquaredError",
        "mae",
        "MAE",
        "mean_absolute_error",
        "MeanAbsoluteError",
        "mape",
        "MAPE",
        "mean_absolute_percentage_error",
        "MeanAbsolutePercentageError",
        "root_mean_squared_error",
        "RootMeanSquaredError",
        "msle",
        "MSLE",
        "mean_squared_logarithmic_error",
        "MeanSquaredLogarithmicError",
        "log_cosh_error",
        "LogCoshError",
    ];

    /// The metric Keras's `metrics.get(name)` gives, or [`NnError::UnknownName`] listing the
    /// accepted names (`"rmse"` and `"logcosh"` are not among them in Keras 3.15.1).
    pub fn from_keras_name(name: &str) -> Result<Metric> {
        use Metric::*;
        Ok(match name {
            "mse" | "MSE" | "mean_squared_error" | "MeanSquaredError" => MeanSquaredError,
            "mae" | "MAE" | "mean_absolute_error" | "MeanAbsoluteError" => MeanAbsoluteError,
            "mape" | "MAPE" | "mean_absolute_percentage_error" | "MeanAbsolutePercentageError" => {
                MeanAbsolutePercentageError
            }
            "root_mean_squared_error" | "RootMeanSquaredError" => RootMeanSquaredError,
            "msle" | "MSLE" | "mean_squared_logarithmic_error" | "MeanSquaredLogarithmicError" => {
                MeanSquaredLogarithmicError
            }
            "log_cosh_error" | "LogCoshError" => LogCoshError,
            _ => {
                return Err(NnError::UnknownName {
                    kind: "metric",
                    name: name.to_string(),
                    known: Self::KERAS_NAMES.join(", "),
                });
            }
        })
    }

    /// The Keras class name (`MeanAbsoluteError`).
    pub fn class_name(&self) -> &'static str {
        match self {
            Metric::MeanSquaredError => "MeanSquaredError",
            Metric::MeanAbsoluteError => "MeanAbsoluteError",
            Metric::MeanAbsolutePercentageError => "MeanAbsolutePercentageError",
            Metric::RootMeanSquaredError => "RootMeanSquaredError",
            Metric::MeanSquaredLogarithmicError => "MeanSquaredLogarithmicError",
            Metric::LogCoshError => "LogCoshError",
        }
    }

    /// The default `name` of the Keras metric object (`keras.metrics.MeanAbsoluteError().name`
    /// is `mean_absolute_error`; `LogCoshError().name` is `logcosh`).
    pub fn default_name(&self) -> &'static str {
        match self {
            Metric::MeanSquaredError => "mean_squared_error",
            Metric::MeanAbsoluteError => "mean_absolute_error",
            Metric::MeanAbsolutePercentageError => "mean_absolute_percentage_error",
            Metric::RootMeanSquaredError => "root_mean_squared_error",
            Metric::MeanSquaredLogarithmicError => "mean_squared_logarithmic_error",
            Metric::LogCoshError => "logcosh",
        }
    }

    /// True when lower is better (Keras's `_direction == "down"`), which is the case for
    /// every regression metric here; `EarlyStopping`'s `mode="auto"` reads it.
    pub fn minimise(&self) -> bool {
        true
    }

    /// The elementwise error of one prediction against one target (before averaging).
    fn elementwise(&self, pred: f32, target: f32) -> f32 {
        use autograd::Loss;
        match self {
            Metric::MeanSquaredError | Metric::RootMeanSquaredError => {
                Loss::MeanSquaredError.elementwise(pred, target)
            }
            Metric::MeanAbsoluteError => Loss::MeanAbsoluteError.elementwise(pred, target),
            Metric::MeanAbsolutePercentageError => {
                ((target - pred) / target.abs().max(EPSILON)).abs()
            }
            Metric::MeanSquaredLogarithmicError => {
                Loss::MeanSquaredLogarithmicError.elementwise(pred, target)
            }
            Metric::LogCoshError => Loss::LogCosh.elementwise(pred, target),
        }
    }

    /// One sample's value from its `row` of predictions and targets, `last` values per
    /// innermost group.
    fn sample_value(&self, pred: &[f32], target: &[f32], last: usize) -> f32 {
        if *self == Metric::RootMeanSquaredError {
            // Keras's Mean reduces the squared errors over all non-batch axes in one mean.
            let s: f32 = pred
                .iter()
                .zip(target)
                .map(|(&p, &t)| self.elementwise(p, t))
                .sum();
            return s / pred.len() as f32;
        }
        let groups = pred.len() / last;
        let mut acc = 0.0f32;
        for (p, t) in pred.chunks(last).zip(target.chunks(last)) {
            let s: f32 = p.iter().zip(t).map(|(&a, &b)| self.elementwise(a, b)).sum();
            let mut v = s / last as f32;
            if *self == Metric::MeanAbsolutePercentageError {
                v *= 100.0;
            }
            acc += v;
        }
        acc / groups as f32
    }
}

/// A compiled metric: what it computes and its Keras `name` (the key of its value in
/// `History` and in `evaluate`'s dict, before Keras's `_1` suffixes for repeated names).
///
/// Keras names a metric given as a string by that string (`"mae"` logs `mae`,
/// `"MeanAbsoluteError"` logs `MeanAbsoluteError`) and a metric object by its `name`
/// (`MeanAbsoluteError()` logs `mean_absolute_error`, `MeanAbsoluteError(name="foo")` `foo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSpec {
    /// The metric.
    pub metric: Metric,
    /// Its Keras name.
    pub name: String,
}

impl MetricSpec {
    /// A metric given by a string in `compile(metrics=["mae"])`: named by that string.
    pub fn from_keras_name(name: &str) -> Result<MetricSpec> {
        Ok(MetricSpec {
            metric: Metric::from_keras_name(name)?,
            name: name.to_string(),
        })
    }

    /// A metric object with its default name (`keras.metrics.MeanAbsoluteError()`).
    pub fn object(metric: Metric) -> MetricSpec {
        MetricSpec {
            metric,
            name: metric.default_name().to_string(),
        }
    }

    /// A metric object built with `name=` (`keras.metrics.MeanAbsoluteError(name="foo")`).
    pub fn named(metric: Metric, name: &str) -> Result<MetricSpec> {
        if name.is_empty() {
            return Err(NnError::invalid("name", "\"\"", "a non-empty metric name"));
        }
        Ok(MetricSpec {
            metric,
            name: name.to_string(),
        })
    }
}

/// The keys under which `specs` are logged, in compile order: Keras's `CompileMetrics.result`
/// keeps the first use of a name and suffixes later ones `_1`, `_2`, ... (`["mae", "mae"]`
/// logs `mae` and `mae_1`). A key that would collide with another one or with `loss` (which
/// Keras would silently overwrite) is an error.
pub fn logged_names(specs: &[MetricSpec]) -> Result<Vec<String>> {
    let mut counters: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut keys: Vec<String> = Vec::with_capacity(specs.len());
    for s in specs {
        let key = match counters.get_mut(s.name.as_str()) {
            None => {
                counters.insert(&s.name, 1);
                s.name.clone()
            }
            Some(i) => {
                let k = format!("{}_{i}", s.name);
                *i += 1;
                k
            }
        };
        if key == "loss" || keys.contains(&key) {
            return Err(NnError::invalid(
                "metrics",
                format!("a metric logged as '{key}'"),
                "metric names that do not collide with `loss` or with each other (Keras would \
                 overwrite one value with another): give the metric another name",
            ));
        }
        keys.push(key);
    }
    Ok(keys)
}

/// The running state of one metric over an epoch or an evaluation: Keras's f32 `total` and
/// `count`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MetricState {
    /// Sum of the per-sample values seen.
    pub total: f32,
    /// Number of samples seen.
    pub count: f32,
}

impl MetricState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a batch: `y_pred` of shape `pred_dims` and `y_true` of shape `true_dims`, the same
    /// shape or one of them with a trailing 1 the other lacks (Keras's
    /// `squeeze_or_expand_to_same_rank`); the first axis is the batch.
    pub fn update(
        &mut self,
        metric: Metric,
        y_true: &[f32],
        true_dims: &[usize],
        y_pred: &[f32],
        pred_dims: &[usize],
    ) -> Result<()> {
        let dims = common_dims(true_dims, pred_dims)?;
        let n = dims[0];
        let numel: usize = dims.iter().product();
        if y_true.len() != numel || y_pred.len() != numel {
            return Err(NnError::shape(
                "metric values (y_true, y_pred)",
                numel,
                (y_true.len(), y_pred.len()),
            ));
        }
        if n == 0 {
            return Ok(());
        }
        let row = numel / n;
        let last = if dims.len() > 1 {
            dims[dims.len() - 1]
        } else {
            1
        };
        let mut batch_sum = 0.0f32;
        if row > 0 && last > 0 {
            for (p, t) in y_pred.chunks(row).zip(y_true.chunks(row)) {
                batch_sum += metric.sample_value(p, t, last);
            }
        }
        self.total += batch_sum;
        self.count += n as f32;
        Ok(())
    }

    /// The metric's value: `total / count` (0 when empty), its square root for
    /// `RootMeanSquaredError`.
    pub fn result(&self, metric: Metric) -> f32 {
        let mean = if self.count == 0.0 {
            0.0
        } else {
            self.total / self.count
        };
        if metric == Metric::RootMeanSquaredError {
            mean.sqrt()
        } else {
            mean
        }
    }

    /// Empties the state (Keras resets metrics at every epoch and evaluation).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// The shape both operands take after Keras's `squeeze_or_expand_to_same_rank`.
fn common_dims<'a>(t: &'a [usize], p: &'a [usize]) -> Result<&'a [usize]> {
    if t == p && !t.is_empty() {
        return Ok(p);
    }
    let (big, small) = if t.len() > p.len() { (t, p) } else { (p, t) };
    let r = big.len();
    if r == small.len() + 1 && big[r - 1] == 1 && &big[..r - 1] == small && !small.is_empty() {
        return Ok(big);
    }
    Err(NnError::shape(
        "metric targets y_true against predictions y_pred (the same shape, or (batch,) for \
         one output)",
        p,
        t,
    ))
}

/// Logged values in Keras's order, with their names: what `fit` reports after each batch or
/// epoch and `evaluate_with_metrics` returns. Keras sorts the keys of every log dict
/// (`python_utils.pythonify_logs`), so the order is that of the names as strings
/// (`loss`, `mae`, `val_loss`, `val_mae`; upper case before lower case).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logs<'a> {
    names: &'a [String],
    values: &'a [f32],
}

impl<'a> Logs<'a> {
    /// Logs of `names` (sorted) and their `values`, in the same order.
    pub fn new(names: &'a [String], values: &'a [f32]) -> Self {
        Logs { names, values }
    }

    /// The names, in Keras's order.
    pub fn names(&self) -> &'a [String] {
        self.names
    }

    /// The values, in the order of [`Logs::names`].
    pub fn values(&self) -> &'a [f32] {
        self.values
    }

    /// `(name, value)` pairs in Keras's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, f32)> + 'a {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().copied())
    }

    /// The value logged as `name`, if any.
    pub fn get(&self, name: &str) -> Option<f32> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

/// The result of `evaluate` with metrics (Keras's `evaluate(return_dict=True)`): the loss and
/// every metric, keyed by their logged names.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Names in Keras's dict order (sorted: `loss`, `mae`, ...).
    pub names: Vec<String>,
    /// Values in the order of `names`.
    pub values: Vec<f32>,
    /// Keras's list form (`return_dict=False`, `_flatten_metrics_in_order`): the loss, then
    /// each compiled metric by its `name` in compile order, then the remaining keys sorted
    /// (Keras 3.15.1 lists a repeated name's first value again, and its `_1` value at the end).
    pub list: Vec<f32>,
}

impl Evaluation {
    /// The logs view of the dict.
    pub fn logs(&self) -> Logs<'_> {
        Logs::new(&self.names, &self.values)
    }

    /// The value logged as `name` (`"loss"`, `"mae"`), if any.
    pub fn get(&self, name: &str) -> Option<f32> {
        self.logs().get(name)
    }

    /// The loss.
    pub fn loss(&self) -> f32 {
        self.get("loss").unwrap_or(f32::NAN)
    }
}

/// Builds an [`Evaluation`] from the loss, the compiled metrics, their logged keys and their
/// values (compile order).
pub(crate) fn evaluation(
    loss: f32,
    specs: &[MetricSpec],
    keys: &[String],
    values: &[f32],
) -> Evaluation {
    let mut pairs: Vec<(String, f32)> = vec![("loss".to_string(), loss)];
    pairs.extend(keys.iter().cloned().zip(values.iter().copied()));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
    let mut order: Vec<&str> = vec!["loss"];
    order.extend(specs.iter().map(|s| s.name.as_str()));
    let mut list: Vec<f32> = order.iter().filter_map(|k| get(k)).collect();
    list.extend(
        pairs
            .iter()
            .filter(|(k, _)| !order.contains(&k.as_str()))
            .map(|(_, v)| *v),
    );
    let (names, values) = pairs.into_iter().unzip();
    Evaluation {
        names,
        values,
        list,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_keras() {
        assert_eq!(
            MetricSpec::from_keras_name("mae").unwrap().name,
            "mae".to_string()
        );
        assert_eq!(
            MetricSpec::object(Metric::LogCoshError).name,
            "logcosh".to_string()
        );
        let e = Metric::from_keras_name("rmse").unwrap_err().to_string();
        assert!(e.contains("unknown metric 'rmse'") && e.contains("RootMeanSquaredError"));
        let specs: Vec<_> = ["mae", "mae", "mse"]
            .iter()
            .map(|s| MetricSpec::from_keras_name(s).unwrap())
            .collect();
        assert_eq!(logged_names(&specs).unwrap(), ["mae", "mae_1", "mse"]);
        let clash = [
            MetricSpec::from_keras_name("mae").unwrap(),
            MetricSpec::from_keras_name("mae").unwrap(),
            MetricSpec::named(Metric::MeanSquaredError, "mae_1").unwrap(),
        ];
        assert!(logged_names(&clash).is_err());
        assert!(
            logged_names(&[MetricSpec::named(Metric::MeanSquaredError, "loss").unwrap()]).is_err()
        );
    }

    #[test]
    fn the_list_form_repeats_a_repeated_name_as_keras_does() {
        // Keras 3.15.1, metrics=["mae", "mae"]: evaluate() lists loss, mae, mae, mae_1.
        let specs = [
            MetricSpec::from_keras_name("mae").unwrap(),
            MetricSpec::from_keras_name("mae").unwrap(),
        ];
        let keys = logged_names(&specs).unwrap();
        let e = evaluation(1.0, &specs, &keys, &[2.0, 3.0]);
        assert_eq!(e.names, ["loss", "mae", "mae_1"]);
        assert_eq!(e.values, [1.0, 2.0, 3.0]);
        assert_eq!(e.list, [1.0, 2.0, 2.0, 3.0]);
        assert_eq!(e.loss(), 1.0);
    }

    #[test]
    fn rank_one_targets_expand() {
        let mut a = MetricState::new();
        a.update(
            Metric::MeanAbsoluteError,
            &[1.0, 2.0],
            &[2],
            &[0.5, 3.0],
            &[2, 1],
        )
        .unwrap();
        assert_eq!(a.result(Metric::MeanAbsoluteError), 0.75);
        assert!(
            a.update(
                Metric::MeanAbsoluteError,
                &[1.0, 2.0],
                &[2],
                &[0.5, 3.0, 1.0, 1.0],
                &[2, 2]
            )
            .is_err()
        );
    }
}
