//! The Keras names recur accepts for activations, losses, optimizers and recurrent cells, and
//! the optimizers' default learning rates.

use crate::error::CliError;

/// Activation names of `keras.activations` accepted for the recurrent layer.
pub const ACTIVATIONS: [&str; 16] = [
    "linear",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "tanh",
    "sigmoid",
    "hard_sigmoid",
    "softplus",
    "softsign",
    "silu",
    "swish",
    "exponential",
    "relu6",
    "mish",
];

/// Loss names, each with the canonical name it stands for (Keras's aliases).
pub const LOSSES: [(&str, &str); 8] = [
    ("mse", "mse"),
    ("mean_squared_error", "mse"),
    ("mae", "mae"),
    ("mean_absolute_error", "mae"),
    ("huber", "huber"),
    ("huber_loss", "huber"),
    ("msle", "msle"),
    ("mean_squared_logarithmic_error", "msle"),
];

/// Optimizer names with their Keras default learning rates.
pub const OPTIMIZERS: [(&str, f64); 4] = [
    ("sgd", 0.01),
    ("rmsprop", 0.001),
    ("adam", 0.001),
    ("adamw", 0.001),
];

/// Recurrent cells: `simple` (SimpleRNN), `lstm` (LSTM) and `gru` (GRU, Keras 3's
/// `reset_after=True` form).
pub const CELLS: [&str; 3] = ["simple", "lstm", "gru"];

fn lower(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// The activation `name` (case-insensitive), or a usage error listing the accepted names.
pub fn activation(name: &str) -> Result<String, CliError> {
    let n = lower(name);
    if ACTIVATIONS.contains(&n.as_str()) {
        Ok(n)
    } else {
        Err(CliError::flag(
            "--activation",
            name,
            &format!("one of {}", ACTIVATIONS.join(", ")),
        ))
    }
}

/// The canonical loss for `name` (`mean_squared_error` gives `mse`), or a usage error.
pub fn loss(name: &str) -> Result<String, CliError> {
    let n = lower(name);
    LOSSES
        .iter()
        .find(|(alias, _)| *alias == n)
        .map(|(_, c)| c.to_string())
        .ok_or_else(|| {
            let names: Vec<&str> = LOSSES.iter().map(|(a, _)| *a).collect();
            CliError::flag("--loss", name, &format!("one of {}", names.join(", ")))
        })
}

/// The optimizer `name` and its Keras default learning rate, or a usage error.
pub fn optimizer(name: &str) -> Result<(String, f64), CliError> {
    let n = lower(name);
    OPTIMIZERS
        .iter()
        .find(|(o, _)| *o == n)
        .map(|(o, lr)| (o.to_string(), *lr))
        .ok_or_else(|| {
            let names: Vec<&str> = OPTIMIZERS.iter().map(|(o, _)| *o).collect();
            CliError::flag("--optimizer", name, &format!("one of {}", names.join(", ")))
        })
}

/// The recurrent cell `name` (case-insensitive), or a usage error listing the cells.
pub fn cell(name: &str) -> Result<String, CliError> {
    let n = lower(name);
    if CELLS.contains(&n.as_str()) {
        Ok(n)
    } else {
        Err(CliError::flag("--cell", name, "simple, lstm or gru"))
    }
}

/// The `--recurrent-activation` of `cell`: the name given (an activation name, checked as
/// `--activation` is), else sigmoid (Keras's default) for LSTM and GRU; `None` for SimpleRNN,
/// which has no gates, so giving the flag with `--cell simple` is a usage error.
pub fn recurrent_activation(cell: &str, given: Option<&str>) -> Result<Option<String>, CliError> {
    match (cell, given) {
        ("simple", None) => Ok(None),
        ("simple", Some(g)) => Err(CliError::flag(
            "--recurrent-activation",
            g,
            "no value with --cell simple (SimpleRNN has no gates; use --cell lstm or gru)",
        )),
        (_, None) => Ok(Some("sigmoid".to_string())),
        (_, Some(g)) => {
            let n = lower(g);
            if ACTIVATIONS.contains(&n.as_str()) {
                Ok(Some(n))
            } else {
                Err(CliError::flag(
                    "--recurrent-activation",
                    g,
                    &format!("one of {}", ACTIVATIONS.join(", ")),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_keras_names_and_aliases() {
        assert_eq!(activation("ReLU").unwrap(), "relu");
        assert_eq!(loss("mean_squared_error").unwrap(), "mse");
        assert_eq!(optimizer("Adam").unwrap(), ("adam".to_string(), 0.001));
        assert_eq!(optimizer("sgd").unwrap().1, 0.01);
        assert_eq!(cell("simple").unwrap(), "simple");
        assert_eq!(cell("LSTM").unwrap(), "lstm");
        assert_eq!(cell("gru").unwrap(), "gru");
        assert_eq!(recurrent_activation("simple", None).unwrap(), None);
        assert_eq!(
            recurrent_activation("lstm", None).unwrap().as_deref(),
            Some("sigmoid")
        );
        assert_eq!(
            recurrent_activation("gru", Some("Hard_Sigmoid"))
                .unwrap()
                .as_deref(),
            Some("hard_sigmoid")
        );
    }

    #[test]
    fn rejects_unknown_names_with_the_value_and_the_list() {
        let e = activation("relu7").unwrap_err().one_line();
        assert!(
            e.contains("'relu7'") && e.contains("--activation") && e.contains("mish"),
            "{e}"
        );
        assert!(loss("mape").unwrap_err().one_line().contains("'mape'"));
        assert!(
            optimizer("adagrad")
                .unwrap_err()
                .one_line()
                .contains("rmsprop")
        );
        assert!(cell("transformer").unwrap_err().one_line().contains("gru"));
        let e = recurrent_activation("simple", Some("sigmoid"))
            .unwrap_err()
            .one_line();
        assert!(
            e.contains("--recurrent-activation") && e.contains("--cell simple"),
            "{e}"
        );
        let e = recurrent_activation("lstm", Some("nope"))
            .unwrap_err()
            .one_line();
        assert!(e.contains("'nope'"), "{e}");
    }
}
