//! The `Sequential` model: a stack of single-output layers, compiled with a loss and an
//! optimizer, trained with Keras's `fit` semantics (docs/keras-semantics.md, A.7).
//!
//! # Deliberate differences from Keras 3.15
//! - A NaN or infinite loss stops `fit` with an error naming the epoch and step (and what to
//!   try) unless [`InvalidLoss`] says otherwise; the offending step is never applied.
//! - The model has `reset_states()` (Keras 3 has it only per layer); combining a stateful layer
//!   with shuffling sends a warning; a batch count that does not divide the data is refused
//!   before training starts for stateful models.
//! - `FitOptions::verbose` defaults to 0 (a library call prints nothing unless asked).
//! - A layer with `return_state` is refused in a Sequential model (Keras fails later, at call).
//! - Out-of-range dropout rates are errors (Keras clamps); `unroll` changes nothing (fused op).
//! - A metric whose logged key would collide with `loss` or another metric's key is refused
//!   (Keras overwrites one value with the other).
//! - `fit_with`'s observer can stop training between batches ([`NnError::Interrupted`]);
//!   Keras only has a `KeyboardInterrupt` escaping `fit`.
//!
//! ```
//! use nn::{Activation, DenseConfig, Loss, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};
//! use nn::model::FitOptions;
//! # fn main() -> Result<(), nn::NnError> {
//! // The Keras tutorial model: SimpleRNN(32, relu) -> Dense(8, relu) -> Dense(1).
//! let mut model = Sequential::with_seed(42);
//! model.set_input_shape(&[1, 4])?; // (timesteps, features), without the batch axis
//! model.add(SimpleRnnConfig::new(32).activation(Activation::RELU))?;
//! model.add(DenseConfig::new(8).activation(Activation::RELU))?;
//! model.add(DenseConfig::new(1))?;
//! model.compile(Loss::MeanSquaredError, OptimizerConfig::rmsprop())?;
//! assert_eq!(model.count_params(), 1457);
//! let x = Tensor::from_vec((0..40 * 4).map(|i| (i as f32 * 0.1).sin()).collect(), &[40, 1, 4]).unwrap();
//! let y = Tensor::from_vec((0..40).map(|i| (i as f32 * 0.1).cos()).collect(), &[40, 1]).unwrap();
//! let history = model.fit(&x, &y, &FitOptions { epochs: 2, batch_size: 16, ..FitOptions::default() })?;
//! assert_eq!(history.loss.len(), 2);
//! let mse = model.evaluate(&x, &y, None)?;
//! let pred = model.predict(&x, None)?;
//! assert_eq!(pred.dims(), &[40, 1]);
//! # let _ = mse;
//! # Ok(()) }
//! ```

mod console;
mod evaluate;
mod fit;
mod legacy_v1;
mod save;
mod tutorial;
mod uncompile;

pub use console::ConsoleProgress;
pub use evaluate::DEFAULT_BATCH_SIZE;
pub use fit::{FitEvent, FitOptions, InvalidLoss, Validation};
pub use save::{MAX_MODEL_FILE_BYTES, MODEL_METADATA_KEY, SavedMetadata, USER_METADATA_KEY};
pub use tutorial::{tutorial_model, tutorial_model_with};

use autograd::{Loss, Tape};

use crate::batching::EpochShuffler;
use crate::error::{NnError, Result};
use crate::layers::{Layer, LayerConfig};
use crate::metrics::{MetricSpec, logged_names};
use crate::naming::LayerNamer;
use crate::optimizer::{Optimizer, OptimizerConfig};
use crate::param::ParamInfo;
use crate::seed::{DEFAULT_SEED, derive_seed};
use crate::summary::{
    ParamSize, SUMMARY_LINE_LENGTH, SummaryRow, SummaryTotals, format_shape, render_summary,
};

/// A linear stack of layers (Keras `Sequential`).
///
/// One seed ([`Sequential::with_seed`], default [`DEFAULT_SEED`]) fixes the initial weights
/// (layer `i` builds with `derive_seed(seed, 1 + i)`), the shuffling (`derive_seed(seed, 0)`)
/// and the dropout masks; results are bit-identical for any thread count.
#[derive(Debug)]
pub struct Sequential {
    name: String,
    layers: Vec<Layer>,
    namer: LayerNamer,
    input_shape: Option<Vec<usize>>,
    seed: u64,
    loss: Option<Loss>,
    optimizer: Option<Optimizer>,
    metrics: Vec<MetricSpec>,
    metric_keys: Vec<String>,
    batch_logs: fit::LogLayout,
    epoch_logs: fit::LogLayout,
    shuffler: EpochShuffler,
    epochs_done: usize,
    tape: Tape,
    xbuf: Vec<f32>,
    ybuf: Vec<f32>,
    grads: Vec<Vec<f32>>,
    order: Vec<usize>,
}

impl Default for Sequential {
    fn default() -> Self {
        Self::new()
    }
}

impl Sequential {
    /// An empty model named `sequential`, seeded with [`DEFAULT_SEED`].
    pub fn new() -> Self {
        Self::with_seed(DEFAULT_SEED)
    }

    /// An empty model whose initialization, shuffling and dropout follow `seed`.
    pub fn with_seed(seed: u64) -> Self {
        Sequential {
            name: "sequential".to_string(),
            layers: Vec::new(),
            namer: LayerNamer::new(),
            input_shape: None,
            seed,
            loss: None,
            optimizer: None,
            metrics: Vec::new(),
            metric_keys: Vec::new(),
            batch_logs: fit::LogLayout::default(),
            epoch_logs: fit::LogLayout::default(),
            shuffler: EpochShuffler::new(derive_seed(seed, 0)),
            epochs_done: 0,
            tape: Tape::new(),
            xbuf: Vec::new(),
            ybuf: Vec::new(),
            grads: Vec::new(),
            order: Vec::new(),
        }
    }

    /// The model seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The model name (`sequential`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the model (a Keras file carries its model's name).
    pub(crate) fn set_name(&mut self, name: String) {
        self.name = name;
    }

    /// The layers, in order.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Mutable access to the layers (e.g. to set one layer's weights).
    pub fn layers_mut(&mut self) -> &mut [Layer] {
        &mut self.layers
    }

    /// Input shape without the batch axis: `(timesteps, features)` for a recurrent first layer.
    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input_shape.as_deref()
    }

    /// Output shape without the batch axis, once built.
    pub fn output_shape(&self) -> Option<&[usize]> {
        match self.layers.last() {
            Some(l) => l.output_shape(),
            None => self.input_shape.as_deref(),
        }
    }

    /// Completed training epochs over the model's life (kept by save/load).
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Sets the input shape (without the batch axis, Keras's `Input(shape)`) and builds every
    /// layer added so far. Can be given once; without it the model is built by the first
    /// `fit`, `evaluate` or `predict` from the data's shape.
    pub fn set_input_shape(&mut self, shape: &[usize]) -> Result<()> {
        if let Some(s) = &self.input_shape {
            if s.as_slice() == shape {
                return Ok(());
            }
            return Err(NnError::state(format!(
                "the model's input shape is already {s:?}; it cannot change to {shape:?} \
                 (build a new model)"
            )));
        }
        if shape.is_empty() || shape.contains(&0) {
            return Err(NnError::invalid(
                "input_shape",
                format!("{shape:?}"),
                "positive dimensions without the batch axis, e.g. (timesteps, features)",
            ));
        }
        let mut current = shape.to_vec();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            current = layer.build(&current, derive_seed(self.seed, 1 + i as u64))?;
        }
        self.input_shape = Some(shape.to_vec());
        self.grads.clear();
        Ok(())
    }

    /// Appends a layer (Keras `model.add`). A layer without a name gets Keras's automatic one
    /// (`simple_rnn`, `dense`, `dense_1`); names must be unique. Layers must have a single
    /// output, so `return_state` is refused here (as Keras's Sequential does).
    pub fn add(&mut self, config: impl Into<LayerConfig>) -> Result<()> {
        if self.optimizer.as_ref().is_some_and(Optimizer::is_built) {
            return Err(NnError::state(
                "layers cannot be added after training started (the optimizer is built)",
            ));
        }
        let mut config = config.into();
        if config.returns_state() {
            return Err(NnError::invalid(
                "return_state",
                true,
                "false in a Sequential model: every layer must have a single output (call \
                 the layer directly to get its state)",
            ));
        }
        let name = match config.name() {
            Some(n) => {
                self.namer.uniquify(n);
                n.to_string()
            }
            None => self.namer.next_for_class(config.class_name()),
        };
        if self.layers.iter().any(|l| l.name() == name) {
            return Err(NnError::invalid(
                "name",
                &name,
                "a layer name not used yet in this model",
            ));
        }
        config.set_name(name);
        let mut layer = Layer::new(config)?;
        if let Some(shape) = self.output_shape().map(<[usize]>::to_vec) {
            let i = self.layers.len() as u64;
            layer.build(&shape, derive_seed(self.seed, 1 + i))?;
        }
        self.layers.push(layer);
        self.grads.clear();
        Ok(())
    }

    /// Sets the loss and the optimizer (Keras `compile`) without metrics. Compiling again
    /// replaces the loss, the optimizer and the metrics, and forgets the optimizer state.
    pub fn compile(&mut self, loss: Loss, optimizer: OptimizerConfig) -> Result<()> {
        self.compile_with_metrics(loss, optimizer, Vec::new())
    }

    /// Keras `compile(loss=, optimizer=, metrics=)`: [`Sequential::compile`] plus metrics,
    /// which `fit` logs per epoch (and as `val_<name>` with validation) and
    /// [`Sequential::evaluate_with_metrics`] reports, under the keys Keras gives them
    /// ([`crate::metrics::logged_names`]: a repeated name gets `_1`, `_2`, ...; a key that
    /// would collide with `loss` or another key is an error). Nothing changes if it fails.
    pub fn compile_with_metrics(
        &mut self,
        loss: Loss,
        optimizer: OptimizerConfig,
        metrics: Vec<MetricSpec>,
    ) -> Result<()> {
        let keys = logged_names(&metrics)?;
        let optimizer = Optimizer::new(optimizer)?;
        self.optimizer = Some(optimizer);
        self.loss = Some(loss);
        self.metrics = metrics;
        self.metric_keys = keys;
        // The logged names changed: fit rebuilds its log layouts.
        self.batch_logs = fit::LogLayout::default();
        self.epoch_logs = fit::LogLayout::default();
        Ok(())
    }

    /// The metrics set by `compile_with_metrics`, in compile order.
    pub fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }

    /// The keys the metrics are logged under (compile order; `val_` is prepended for
    /// validation).
    pub fn metric_keys(&self) -> &[String] {
        &self.metric_keys
    }

    /// The loss set by `compile`.
    pub fn loss(&self) -> Option<Loss> {
        self.loss
    }

    /// The optimizer set by `compile` (built once training starts).
    pub fn optimizer(&self) -> Option<&Optimizer> {
        self.optimizer.as_ref()
    }

    /// Mutable access to the optimizer (e.g. to change the learning rate).
    pub fn optimizer_mut(&mut self) -> Option<&mut Optimizer> {
        self.optimizer.as_mut()
    }

    /// True once every layer has its parameters.
    pub fn is_built(&self) -> bool {
        self.input_shape.is_some()
    }

    /// Names and shapes of every parameter, in Keras's `get_weights()` order.
    pub fn param_infos(&self) -> Vec<ParamInfo> {
        self.layers.iter().flat_map(Layer::param_infos).collect()
    }

    /// Total number of trainable parameters (Keras `count_params`).
    pub fn count_params(&self) -> usize {
        self.layers.iter().map(Layer::count_params).sum()
    }

    /// Copies of every weight, in Keras's `get_weights()` order.
    pub fn get_weights(&self) -> Vec<Vec<f32>> {
        self.layers
            .iter()
            .flat_map(|l| l.params().iter().map(|p| p.value.clone()))
            .collect()
    }

    /// Replaces every weight (Keras `set_weights`, same order); lengths are checked first.
    pub fn set_weights(&mut self, weights: &[Vec<f32>]) -> Result<()> {
        if !self.is_built() {
            return Err(NnError::state(
                "the model is not built: give it an input shape (set_input_shape) first",
            ));
        }
        let want: usize = self.layers.iter().map(|l| l.params().len()).sum();
        if weights.len() != want {
            return Err(NnError::shape("number of weights", want, weights.len()));
        }
        let mut k = 0;
        for l in &self.layers {
            for p in l.params() {
                if weights[k].len() != p.value.len() {
                    return Err(NnError::shape(
                        format!("weight '{}/{}' (shape {:?})", l.name(), p.name, p.shape),
                        p.value.len(),
                        weights[k].len(),
                    ));
                }
                k += 1;
            }
        }
        let mut it = weights.iter();
        for l in &mut self.layers {
            for p in l.params_mut() {
                p.value.copy_from_slice(it.next().expect("counted"));
            }
        }
        Ok(())
    }

    /// Zeros the carried state of every stateful layer. Keras 3 has this only per layer; recur
    /// offers it on the model too (a deliberate addition).
    pub fn reset_states(&mut self) {
        self.layers.iter_mut().for_each(Layer::reset_states);
    }

    /// Keras's `model.summary()` text at the default width of 88 characters.
    pub fn summary(&self) -> Result<String> {
        self.summary_with_width(SUMMARY_LINE_LENGTH)
    }

    /// `model.summary()` for a table `line_length` characters wide (Keras uses
    /// `min(88, terminal columns - 4)`). After training the optimizer's variables are listed
    /// and counted in the total, as in Keras.
    pub fn summary_with_width(&self, line_length: usize) -> Result<String> {
        let rows: Vec<SummaryRow> = self
            .layers
            .iter()
            .map(|l| SummaryRow {
                name: l.name().to_string(),
                class_name: l.class_name().to_string(),
                output_shape: l.output_shape().map(|s| {
                    let mut dims = vec![None];
                    dims.extend(s.iter().map(|&d| Some(d)));
                    format_shape(&dims)
                }),
                params: l.is_built().then_some(l.count_params() as u64),
            })
            .collect();
        let optimizer = self
            .optimizer
            .as_ref()
            .filter(|o| o.is_built())
            .map(|o| ParamSize::optimizer(o.variable_count() as u64 - 2));
        let totals = SummaryTotals {
            trainable: ParamSize::f32s(self.count_params() as u64),
            non_trainable: ParamSize::default(),
            optimizer,
        };
        render_summary(&self.name, &rows, &totals, line_length)
    }

    /// Builds the model from the data if needed, else checks the data's per-sample shape.
    fn ensure_built(&mut self, what: &str, dims: &[usize]) -> Result<()> {
        if self.layers.is_empty() {
            return Err(NnError::state("the model has no layers: add some first"));
        }
        match &self.input_shape {
            None => self.set_input_shape(&dims[1..]),
            Some(s) if s.as_slice() == &dims[1..] => Ok(()),
            Some(s) => Err(NnError::shape(
                format!("{what} (batch, ...) for a model with input shape {s:?}"),
                format!("(batch, {})", join(s)),
                format!("{dims:?}"),
            )),
        }
    }
}

fn join(s: &[usize]) -> String {
    s.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
