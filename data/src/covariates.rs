//! Covariates: columns read beside the target and fed to the model as extra input channels
//! (past covariates: a window holds their values at the same time steps as the target's).

use crate::{DataError, ScaleKind, Scaler};

/// A covariate: a column of values beside the target, one per target value.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariate {
    /// The column's header name, or its 0-based index as text when the CSV has no header.
    pub name: String,
    /// One value per target value (after the missing-value policy), in the column's units.
    pub values: Vec<f64>,
}

/// Splits kept rows of `1 + names.len()` cells (row-major: the target, then each covariate in
/// the order of `names`) into the target's values and the covariates, so every reader that
/// reads covariates beside a target builds them one way.
pub(crate) fn split_rows(rows: &[f64], names: Vec<String>) -> (Vec<f64>, Vec<Covariate>) {
    let width = 1 + names.len();
    let column = |k: usize| rows.iter().skip(k).step_by(width).copied().collect();
    let covariates = names
        .into_iter()
        .enumerate()
        .map(|(k, name)| Covariate {
            name,
            values: column(k + 1),
        })
        .collect();
    (column(0), covariates)
}

/// How covariates are scaled when the target is scaled as `target`: the same kind, except
/// that an unscaled target ([`ScaleKind::None`], the tutorial's) still gets standardised
/// covariates.
///
/// Why: a covariate is an input only, never an output, so scaling it changes no figure's units;
/// left raw, a covariate of magnitude 1e5 beside a target of magnitude 1 saturates the relu
/// layers and wrecks training. Keras users scale their inputs themselves; recur's pipeline does
/// it for them (as neuralforecast's scalers scale exogenous inputs too).
pub fn covariate_scale(target: ScaleKind) -> ScaleKind {
    match target {
        ScaleKind::None => ScaleKind::Standard,
        kind => kind,
    }
}

/// Fits `kind` on the training part `train` of covariate `name`; a covariate without spread
/// there is an error naming it (it carries no information to learn from).
pub(crate) fn fit_covariate(
    name: &str,
    kind: ScaleKind,
    train: &[f64],
) -> Result<Scaler, DataError> {
    Scaler::fit(kind, train).map_err(|e| match e {
        DataError::ConstantSeries { value, .. } => DataError::Covariate {
            column: format!("'{name}'"),
            reason: format!(
                "is constant on the training part (every value {}): it carries no information \
                 to learn from; leave it out",
                crate::error::num(value)
            ),
        },
        other => DataError::Covariate {
            column: format!("'{name}'"),
            reason: format!("cannot be scaled: {other}"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unscaled_target_still_gets_standardised_covariates() {
        assert_eq!(covariate_scale(ScaleKind::None), ScaleKind::Standard);
        assert_eq!(covariate_scale(ScaleKind::MinMax), ScaleKind::MinMax);
        assert_eq!(covariate_scale(ScaleKind::Standard), ScaleKind::Standard);
    }

    #[test]
    fn a_constant_covariate_is_named() {
        let e = fit_covariate("promo", ScaleKind::Standard, &[1.0, 1.0])
            .unwrap_err()
            .to_string();
        assert!(e.contains("'promo'") && e.contains("constant"), "{e}");
        assert!(fit_covariate("x", ScaleKind::MinMax, &[1.0, 2.0]).is_ok());
    }
}
