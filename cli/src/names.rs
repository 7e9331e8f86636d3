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

/// Recurrent cells this build supports (`lstm` and `gru` come later).
pub const CELLS: [&str; 1] = ["simple"];

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

/// The recurrent cell `name`, or a usage error (only `simple` today).
pub fn cell(name: &str) -> Result<String, CliError> {
    let n = lower(name);
    if CELLS.contains(&n.as_str()) {
        Ok(n)
    } else if n == "lstm" || n == "gru" {
        Err(CliError::flag(
            "--cell",
            name,
            "simple (lstm and gru are not available yet)",
        ))
    } else {
        Err(CliError::flag("--cell", name, "simple"))
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
        assert!(
            cell("lstm")
                .unwrap_err()
                .one_line()
                .contains("not available yet")
        );
    }
}
