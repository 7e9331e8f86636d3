//! The model backend the `recur` binary uses: `nn`'s Sequential.
//!
//! [`NnBackend::build`] makes SimpleRNN, LSTM or GRU(units, activation[, recurrent_activation])
//! -> Dense(d, relu) for each `--dense`
//! size -> Dense(1), compiled with the loss and the optimizer at the learning rate asked (and
//! `--clipnorm`), seeded by `--seed`: one seed fixes the initial weights, the shuffling and any
//! dropout, and results are bit-identical whatever the thread count. [`NnBackend::load`] reads a
//! model file (one safetensors file holding the model and the CLI's settings) and checks it is
//! a model the CLI can use.

use std::path::Path;

use data::{Layout, Windows};
use nn::callbacks::EarlyStoppingConfig;
use nn::model::{FitEvent, FitOptions, InvalidLoss, Validation};
use nn::{
    Activation, DenseConfig, GruConfig, LayerConfig, Loss, LstmConfig, OptimizerConfig, Sequential,
    SimpleRnnConfig, Tensor,
};

use crate::config::{FitSettings, ModelSpec};
use crate::error::CliError;
use crate::model::{Backend, History, Model};

/// The backend of the `recur` binary (nn's Sequential).
#[derive(Debug, Clone, Copy, Default)]
pub struct NnBackend;

/// A Sequential the CLI built or loaded, with the input it takes.
#[derive(Debug)]
pub struct NnModel {
    model: Sequential,
    step: usize,
    layout: Layout,
}

fn runtime(what: &str) -> impl Fn(nn::NnError) -> CliError + '_ {
    move |e| CliError::Runtime(format!("{what}: {e}"))
}

fn input_shape(step: usize, layout: Layout, features: usize) -> [usize; 2] {
    match layout {
        Layout::Tutorial => [1, step],
        Layout::Sequence => [step, features],
    }
}

fn tensor(x: &Windows) -> Result<Tensor, CliError> {
    Tensor::from_vec(x.data().to_vec(), &x.shape()).map_err(|e| {
        CliError::Runtime(format!(
            "cannot make a tensor of the windows {:?}: {e}",
            x.shape()
        ))
    })
}

fn targets(y: &[f32]) -> Result<Tensor, CliError> {
    Tensor::from_vec(y.to_vec(), &[y.len(), 1])
        .map_err(|e| CliError::Runtime(format!("cannot make a tensor of the targets: {e}")))
}

impl Backend for NnBackend {
    fn build(&self, spec: &ModelSpec) -> Result<Box<dyn Model>, CliError> {
        // The names were validated by the CLI; an error here is a CLI/nn mismatch.
        let activation = Activation::from_keras_name(&spec.activation)
            .map_err(|e| CliError::flag("--activation", &spec.activation, &e.to_string()))?;
        let loss = Loss::from_keras_name(&spec.loss)
            .map_err(|e| CliError::flag("--loss", &spec.loss, &e.to_string()))?;
        let mut optimizer = OptimizerConfig::from_name(&spec.optimizer)
            .map_err(|e| CliError::flag("--optimizer", &spec.optimizer, &e.to_string()))?
            .with_learning_rate(spec.learning_rate);
        if let Some(c) = spec.clipnorm {
            optimizer = optimizer.with_clipnorm(c);
        }
        if let Some(c) = spec.global_clipnorm {
            optimizer = optimizer.with_global_clipnorm(c);
        }
        let gates = match &spec.recurrent_activation {
            Some(name) => Activation::from_keras_name(name)
                .map_err(|e| CliError::flag("--recurrent-activation", name, &e.to_string()))?,
            None => Activation::Sigmoid,
        };
        let (dropout, recurrent_dropout) = (spec.dropout, spec.recurrent_dropout);
        let recurrent: LayerConfig = match spec.cell.as_str() {
            "simple" => SimpleRnnConfig {
                dropout,
                recurrent_dropout,
                ..SimpleRnnConfig::new(spec.units).activation(activation)
            }
            .into(),
            "lstm" => LstmConfig {
                dropout,
                recurrent_dropout,
                ..LstmConfig::new(spec.units)
                    .activation(activation)
                    .recurrent_activation(gates)
            }
            .into(),
            "gru" => GruConfig {
                dropout,
                recurrent_dropout,
                ..GruConfig::new(spec.units)
                    .activation(activation)
                    .recurrent_activation(gates)
            }
            .into(),
            other => return Err(CliError::flag("--cell", other, "simple, lstm or gru")),
        };
        let build = || -> nn::Result<Sequential> {
            let mut m = Sequential::with_seed(spec.seed);
            m.set_input_shape(&input_shape(spec.step, spec.layout, spec.features))?;
            m.add(recurrent.clone())?;
            for &d in &spec.dense {
                m.add(DenseConfig::new(d).activation(Activation::RELU))?;
            }
            m.add(DenseConfig::new(1))?;
            m.compile(loss, optimizer.clone())?;
            Ok(m)
        };
        let model = build().map_err(|e| CliError::Usage(format!("cannot build the model: {e}")))?;
        Ok(Box::new(NnModel {
            model,
            step: spec.step,
            layout: spec.layout,
        }))
    }

    fn load(&self, path: &Path) -> Result<(Box<dyn Model>, Option<serde_json::Value>), CliError> {
        let shown = path.display();
        let bytes = std::fs::read(path).map_err(|e| {
            CliError::Usage(format!(
                "--model '{shown}': cannot read the model file: {e}"
            ))
        })?;
        let (model, settings) = Sequential::from_bytes_with_metadata(&bytes)
            .map_err(|e| CliError::Usage(format!("--model '{shown}' is not a model file: {e}")))?;
        let (step, layout) = check_architecture(&model).map_err(|why| {
            CliError::Usage(format!(
                "--model '{shown}' is a model of another architecture: {why} (recur uses \
                 SimpleRNN, LSTM or GRU -> Dense... -> Dense(1) on windows of shape (1, step) or (step, 1))"
            ))
        })?;
        Ok((
            Box::new(NnModel {
                model,
                step,
                layout,
            }),
            settings,
        ))
    }
}

/// The window length and layout of a loaded model, or why the CLI cannot use it.
fn check_architecture(m: &Sequential) -> Result<(usize, Layout), String> {
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
    if m.output_shape() != Some(&[1][..]) {
        return Err(format!(
            "it outputs shape {:?}, not one value per window",
            m.output_shape()
        ));
    }
    if m.loss().is_none() {
        return Err("it is not compiled (no loss)".into());
    }
    match m.input_shape() {
        Some(&[1, step]) => Ok((step, Layout::Tutorial)),
        Some(&[step, 1]) => Ok((step, Layout::Sequence)),
        // A `--task` model: sequences of (value, marker).
        Some(&[step, data::generate::LONG_DEPENDENCY_FEATURES]) => Ok((step, Layout::Sequence)),
        other => Err(format!(
            "its input shape is {other:?}, not (1, step), (step, 1) or (step, 2)"
        )),
    }
}

impl Model for NnModel {
    fn fit(
        &mut self,
        x: &Windows,
        y: &[f32],
        settings: &FitSettings,
        observer: &mut dyn FnMut(&FitEvent<'_>),
    ) -> Result<History, CliError> {
        let (xt, yt) = (tensor(x)?, targets(y)?);
        let validation = match settings.validation_split {
            Some(v) => Validation::Split(v),
            None => Validation::None,
        };
        let early_stopping = settings.early_stopping.map(|patience| EarlyStoppingConfig {
            monitor: if settings.validation_split.is_some() {
                "val_loss"
            } else {
                "loss"
            }
            .to_string(),
            patience,
            ..EarlyStoppingConfig::default()
        });
        let opts = FitOptions {
            epochs: settings.epochs,
            batch_size: settings.batch_size,
            verbose: 0,
            validation,
            early_stopping,
            // Stop at the first invalid loss and report it ourselves, with the CLI's flags.
            on_invalid_loss: InvalidLoss::Terminate,
            ..FitOptions::default()
        };
        let mut invalid: Option<(usize, usize, usize, f32)> = None;
        let mut forward = |e: &FitEvent<'_>| {
            if invalid.is_some() {
                return;
            }
            if let FitEvent::BatchEnd {
                epoch,
                step,
                steps,
                loss,
            } = *e
                && !loss.is_finite()
            {
                invalid = Some((epoch + 1, step + 1, steps, loss));
                return;
            }
            if matches!(e, FitEvent::Message(m) if m.contains("Invalid loss")) {
                return;
            }
            observer(e);
        };
        let h = self
            .model
            .fit_with(&xt, &yt, &opts, &mut forward)
            .map_err(runtime("training failed"))?;
        if let Some((epoch, step, steps, loss)) = invalid {
            let lr = self
                .model
                .optimizer()
                .map(|o| o.config().learning_rate)
                .unwrap_or(f64::NAN);
            return Err(CliError::Runtime(format!(
                "the loss became {loss} at epoch {epoch}, step {step}/{steps}: training diverged \
                 and stopped (nothing written). Try a lower --learning-rate (now {lr}), \
                 --clipnorm 1.0, or --activation tanh (relu recurrent layers explode easily)"
            )));
        }
        let val =
            (!h.val_loss.is_empty()).then(|| h.val_loss.iter().map(|&v| f64::from(v)).collect());
        Ok(History {
            loss: h.loss.iter().map(|&v| f64::from(v)).collect(),
            val_loss: val,
        })
    }

    fn evaluate(&mut self, x: &Windows, y: &[f32]) -> Result<f64, CliError> {
        let (xt, yt) = (tensor(x)?, targets(y)?);
        self.model
            .evaluate(&xt, &yt, None)
            .map(f64::from)
            .map_err(runtime("evaluate failed"))
    }

    fn predict(&mut self, x: &Windows) -> Result<Vec<f32>, CliError> {
        let out = self
            .model
            .predict(&tensor(x)?, None)
            .map_err(runtime("predict failed"))?;
        Ok(out.data().to_vec())
    }

    /// One forward pass (nn's `evaluate_with_predictions`), bit-identical to `evaluate` and
    /// `predict` separately.
    fn evaluate_and_predict(
        &mut self,
        x: &Windows,
        y: &[f32],
    ) -> Result<(f64, Vec<f32>), CliError> {
        let (xt, yt) = (tensor(x)?, targets(y)?);
        let (score, pred) = self
            .model
            .evaluate_with_predictions(&xt, &yt, None)
            .map_err(runtime("evaluate failed"))?;
        Ok((f64::from(score), pred.into_vec()))
    }

    fn summary(&self) -> String {
        self.model
            .summary()
            .unwrap_or_else(|e| format!("(no summary: {e})"))
    }

    fn param_count(&self) -> usize {
        self.model.count_params()
    }

    fn input(&self) -> (usize, Layout) {
        (self.step, self.layout)
    }

    fn save(&self, path: &Path, settings: &serde_json::Value) -> Result<(), CliError> {
        self.model
            .save_with_metadata(path, settings)
            .map_err(runtime("cannot save the model"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluate_and_predict_matches_evaluate_then_predict_bit_for_bit() {
        let spec = ModelSpec {
            cell: "simple".into(),
            units: 6,
            activation: "tanh".into(),
            recurrent_activation: None,
            dropout: 0.0,
            recurrent_dropout: 0.0,
            dense: vec![4],
            loss: "huber".into(),
            optimizer: "rmsprop".into(),
            learning_rate: 0.001,
            clipnorm: None,
            global_clipnorm: None,
            seed: 5,
            step: 3,
            layout: Layout::Sequence,
            features: 1,
        };
        let mut m = NnBackend.build(&spec).unwrap();
        // 70 windows: two full batches of 32 and a partial one.
        let values: Vec<f32> = (0..70 * 3).map(|i| (i as f32 * 0.3).sin()).collect();
        let x = Windows::from_rows(values, 3, Layout::Sequence).unwrap();
        let y: Vec<f32> = (0..70).map(|i| (i as f32 * 0.7).cos()).collect();
        let score = m.evaluate(&x, &y).unwrap();
        let pred = m.predict(&x).unwrap();
        let (both_score, both_pred) = m.evaluate_and_predict(&x, &y).unwrap();
        assert_eq!(both_score.to_bits(), score.to_bits());
        let bits = |p: &[f32]| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&both_pred), bits(&pred));
        assert_eq!(both_pred.len(), 70);
    }
}
