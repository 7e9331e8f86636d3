//! The model a series run builds, held in nn's own types: the recurrent layer's config, the
//! hidden Dense sizes, the loss, the optimizer and the input the windows give.
//!
//! It is written (in `--json` and inside the model file) in a flat form with Keras names
//! (`"cell": "simple"`, `"activation": "relu"`, `"loss": "mse"`, ...): that form is the one
//! place where a name becomes text and is read back, with nn's own name functions.

use data::Layout;
use nn::{
    Activation, DenseConfig, GruConfig, LayerConfig, Loss, LstmConfig, NnError, OptimizerConfig,
    Sequential, SimpleRnnConfig,
};
use serde::{Deserialize, Serialize};

/// The recurrent cell of `--cell`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// Keras's SimpleRNN.
    Simple,
    /// Keras's LSTM.
    Lstm,
    /// Keras 3's GRU (`reset_after=True`).
    Gru,
}

/// The recurrent layer's settings that `recur train` exposes, in Keras's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct RecurrentSpec {
    /// The cell.
    pub cell: Cell,
    /// State size (> 0).
    pub units: usize,
    /// Keras's `activation`.
    pub activation: Activation,
    /// Keras's `recurrent_activation` of the gates (LSTM and GRU only; `None` for SimpleRNN).
    pub recurrent_activation: Option<Activation>,
    /// Keras's `dropout` on the inputs, in `[0, 1]`.
    pub dropout: f32,
    /// Keras's `recurrent_dropout` on the state, in `[0, 1]`.
    pub recurrent_dropout: f32,
}

impl RecurrentSpec {
    /// The recurrent layer from the flags. `--recurrent-activation` with `--cell simple` is a
    /// usage error naming both flags: SimpleRNN has no gates. LSTM and GRU default to Keras's
    /// sigmoid gates.
    pub fn new(
        cell: Cell,
        units: usize,
        activation: Activation,
        recurrent_activation: Option<Activation>,
        dropout: f32,
        recurrent_dropout: f32,
    ) -> Result<Self, String> {
        let recurrent_activation = match (cell, recurrent_activation) {
            (Cell::Simple, Some(a)) => {
                return Err(format!(
                    "the argument '--recurrent-activation {}' cannot be used with '--cell simple' \
                     (SimpleRNN has no gates; use --cell lstm or gru)",
                    a.keras_name()
                ));
            }
            (Cell::Simple, None) => None,
            (_, given) => Some(given.unwrap_or(Activation::Sigmoid)),
        };
        Ok(RecurrentSpec {
            cell,
            units,
            activation,
            recurrent_activation,
            dropout,
            recurrent_dropout,
        })
    }

    /// nn's layer config.
    pub fn layer(&self) -> LayerConfig {
        let (dropout, recurrent_dropout) = (self.dropout, self.recurrent_dropout);
        let gates = self.recurrent_activation.unwrap_or(Activation::Sigmoid);
        match self.cell {
            Cell::Simple => SimpleRnnConfig {
                dropout,
                recurrent_dropout,
                ..SimpleRnnConfig::new(self.units).activation(self.activation)
            }
            .into(),
            Cell::Lstm => LstmConfig {
                dropout,
                recurrent_dropout,
                ..LstmConfig::new(self.units)
                    .activation(self.activation)
                    .recurrent_activation(gates)
            }
            .into(),
            Cell::Gru => GruConfig {
                dropout,
                recurrent_dropout,
                ..GruConfig::new(self.units)
                    .activation(self.activation)
                    .recurrent_activation(gates)
            }
            .into(),
        }
    }
}

/// The model: recurrent layer -> Dense(d, relu) for each hidden size -> Dense(horizon), compiled with
/// `loss` and `optimizer`, taking `step` time steps of `features` values in `layout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "SpecText", try_from = "SpecText")]
pub struct ModelSpec {
    /// The recurrent layer.
    pub recurrent: RecurrentSpec,
    /// Hidden Dense sizes (relu) before the final Dense(horizon).
    pub dense: Vec<usize>,
    /// The compiled loss.
    pub loss: Loss,
    /// The optimizer, with its learning rate and clipping.
    pub optimizer: OptimizerConfig,
    /// The one seed of the run: initial weights, shuffling and any dropout (default 0);
    /// results are bit-identical for any thread count.
    pub seed: u64,
    /// Window length: the model's input holds `step` time steps.
    pub step: usize,
    /// Input layout: `(1, step * features)` or `(step, features)` per sample.
    pub layout: Layout,
    /// Features per time step: 1 for a series, 1 + F for a series with F covariates (the
    /// target first), 2 for a `--task` (value and marker).
    pub features: usize,
    /// Outputs of the final Dense layer: the next `horizon` values at once (`--horizon H`,
    /// a direct multi-step model); 1 for a one-step model.
    pub horizon: usize,
}

impl ModelSpec {
    /// The tutorial's model on windows of `step` values in the tutorial's layout:
    /// `SimpleRNN(32, relu) -> Dense(8, relu) -> Dense(1)`, MSE, RMSprop with Keras's defaults,
    /// seed 0.
    pub fn tutorial(step: usize) -> Self {
        ModelSpec {
            recurrent: RecurrentSpec {
                cell: Cell::Simple,
                units: 32,
                activation: Activation::RELU,
                recurrent_activation: None,
                dropout: 0.0,
                recurrent_dropout: 0.0,
            },
            dense: vec![8],
            loss: Loss::MeanSquaredError,
            optimizer: OptimizerConfig::rmsprop(),
            seed: 0,
            step,
            layout: Layout::Tutorial,
            features: 1,
            horizon: 1,
        }
    }

    /// The input shape of one sample: the tutorial layout flattens the `step` time steps of
    /// `features` values into one (time-major), as the tutorial's `(1, step)` does for one.
    pub fn input_shape(&self) -> [usize; 2] {
        match self.layout {
            Layout::Tutorial => [1, self.step * self.features],
            Layout::Sequence => [self.step, self.features],
        }
    }

    /// The compiled, untrained model, seeded by [`ModelSpec::seed`]. nn validates every
    /// setting (e.g. a dropout rate of 1 on LSTM) and its error names the argument.
    pub fn build(&self) -> Result<Sequential, NnError> {
        let mut m = Sequential::with_seed(self.seed);
        m.set_input_shape(&self.input_shape())?;
        m.add(self.recurrent.layer())?;
        for &d in &self.dense {
            m.add(DenseConfig::new(d).activation(Activation::RELU))?;
        }
        m.add(DenseConfig::new(self.horizon))?;
        m.compile(self.loss, self.optimizer.clone())?;
        Ok(m)
    }
}

/// Whether a rate is 0 (left out of the written spec, which then reads as before the dropout
/// flags existed).
fn is_zero(x: &f32) -> bool {
    *x == 0.0
}

fn one_feature() -> usize {
    1
}

/// Whether the horizon is 1 (left out of the written spec, which then reads as before
/// `--horizon` existed).
fn is_one(h: &usize) -> bool {
    *h == 1
}

/// [`ModelSpec`] as text: Keras names and plain numbers. Model files written since the first
/// release hold this form, so its fields and their order do not change.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SpecText {
    cell: Cell,
    units: usize,
    activation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recurrent_activation: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    dropout: f32,
    #[serde(default, skip_serializing_if = "is_zero")]
    recurrent_dropout: f32,
    dense: Vec<usize>,
    loss: String,
    optimizer: String,
    learning_rate: f64,
    #[serde(default)]
    clipnorm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    global_clipnorm: Option<f64>,
    seed: u64,
    step: usize,
    layout: Layout,
    #[serde(default = "one_feature")]
    features: usize,
    #[serde(default = "one_feature", skip_serializing_if = "is_one")]
    horizon: usize,
}

impl From<ModelSpec> for SpecText {
    fn from(s: ModelSpec) -> Self {
        let r = s.recurrent;
        SpecText {
            cell: r.cell,
            units: r.units,
            activation: r.activation.keras_name().to_string(),
            recurrent_activation: r.recurrent_activation.map(|a| a.keras_name().to_string()),
            dropout: r.dropout,
            recurrent_dropout: r.recurrent_dropout,
            dense: s.dense,
            loss: s.loss.short_name().to_string(),
            optimizer: s.optimizer.name().to_string(),
            learning_rate: s.optimizer.learning_rate,
            clipnorm: s.optimizer.clipnorm,
            global_clipnorm: s.optimizer.global_clipnorm,
            seed: s.seed,
            step: s.step,
            layout: s.layout,
            features: s.features,
            horizon: s.horizon,
        }
    }
}

impl TryFrom<SpecText> for ModelSpec {
    type Error = String;

    fn try_from(t: SpecText) -> Result<Self, String> {
        let act = |name: &str| Activation::from_keras_name(name).map_err(|e| e.to_string());
        let recurrent = RecurrentSpec {
            cell: t.cell,
            units: t.units,
            activation: act(&t.activation)?,
            recurrent_activation: t.recurrent_activation.as_deref().map(act).transpose()?,
            dropout: t.dropout,
            recurrent_dropout: t.recurrent_dropout,
        };
        let mut optimizer = OptimizerConfig::from_name(&t.optimizer)
            .map_err(|e| e.to_string())?
            .with_learning_rate(t.learning_rate);
        optimizer.clipnorm = t.clipnorm;
        optimizer.global_clipnorm = t.global_clipnorm;
        Ok(ModelSpec {
            recurrent,
            dense: t.dense,
            loss: Loss::from_keras_name(&t.loss).map_err(|e| e.to_string())?,
            optimizer,
            seed: t.seed,
            step: t.step,
            layout: t.layout,
            features: t.features,
            horizon: t.horizon,
        })
    }
}
