//! Layers: [`Dense`](DenseConfig), [`SimpleRNN`](SimpleRnnConfig), [`LSTM`](LstmConfig) and
//! [`GRU`](GruConfig), with serializable configs ([`LayerConfig`]) so a saved model can be
//! rebuilt exactly. The three recurrent layers share their call logic (`recurrent.rs`).
//!
//! A [`Layer`] knows its config, builds its parameters once the input shape is known
//! ([`Layer::build`]), and records its forward pass on an autograd [`Tape`]
//! ([`Layer::forward`]). Parameters live in the layer as flat row-major `Vec<f32>` in Keras's
//! `get_weights()` order (`kernel`, `recurrent_kernel`, `bias`); each forward copies them into
//! the tape with [`Tape::param`] and remembers the resulting [`Var`]s, so the caller can read
//! their gradients after `backward` ([`Layer::param_vars`]).

mod cell_weights;
mod dense;
mod gru;
mod lstm;
mod recurrent;
mod simple_rnn;

pub use dense::DenseConfig;
pub use gru::GruConfig;
pub use lstm::LstmConfig;
pub use simple_rnn::SimpleRnnConfig;

use autograd::{AutogradError, Tape, Var};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::batching::RngState;
use crate::constraints::Constraint;
use crate::error::{NnError, Result};
use crate::initializers::Initializer;
use crate::param::ParamInfo;
use crate::regularizers::Regularizer;

/// Wraps an autograd error in [`NnError::Autograd`], naming what was being done.
pub(crate) fn ag(context: &str) -> impl FnOnce(AutogradError) -> NnError + '_ {
    move |e| NnError::autograd(context, e)
}

/// The configuration of one layer: everything needed to rebuild it. Serializes with a
/// `"class_name"` tag (`"Dense"`, `"SimpleRNN"`, `"LSTM"`, `"GRU"`) and the Keras argument
/// names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "class_name")]
pub enum LayerConfig {
    /// A densely connected layer.
    Dense(DenseConfig),
    /// A fully connected recurrent layer.
    #[serde(rename = "SimpleRNN")]
    SimpleRnn(SimpleRnnConfig),
    /// A long short-term memory layer.
    #[serde(rename = "LSTM")]
    Lstm(LstmConfig),
    /// A gated recurrent unit layer.
    #[serde(rename = "GRU")]
    Gru(GruConfig),
}

impl From<DenseConfig> for LayerConfig {
    fn from(c: DenseConfig) -> Self {
        LayerConfig::Dense(c)
    }
}

impl From<SimpleRnnConfig> for LayerConfig {
    fn from(c: SimpleRnnConfig) -> Self {
        LayerConfig::SimpleRnn(c)
    }
}

impl From<LstmConfig> for LayerConfig {
    fn from(c: LstmConfig) -> Self {
        LayerConfig::Lstm(c)
    }
}

impl From<GruConfig> for LayerConfig {
    fn from(c: GruConfig) -> Self {
        LayerConfig::Gru(c)
    }
}

impl LayerConfig {
    /// Keras's class name (`Dense`, `SimpleRNN`, `LSTM`, `GRU`).
    pub fn class_name(&self) -> &'static str {
        match self {
            LayerConfig::Dense(_) => "Dense",
            LayerConfig::SimpleRnn(_) => "SimpleRNN",
            LayerConfig::Lstm(_) => "LSTM",
            LayerConfig::Gru(_) => "GRU",
        }
    }

    /// The explicit name, if one was given.
    pub fn name(&self) -> Option<&str> {
        match self {
            LayerConfig::Dense(c) => c.name.as_deref(),
            LayerConfig::SimpleRnn(c) => c.name.as_deref(),
            LayerConfig::Lstm(c) => c.name.as_deref(),
            LayerConfig::Gru(c) => c.name.as_deref(),
        }
    }

    /// Sets the name.
    pub(crate) fn set_name(&mut self, name: String) {
        match self {
            LayerConfig::Dense(c) => c.name = Some(name),
            LayerConfig::SimpleRnn(c) => c.name = Some(name),
            LayerConfig::Lstm(c) => c.name = Some(name),
            LayerConfig::Gru(c) => c.name = Some(name),
        }
    }

    /// The output size (`units`).
    pub fn units(&self) -> usize {
        match self {
            LayerConfig::Dense(c) => c.units,
            LayerConfig::SimpleRnn(c) => c.units,
            LayerConfig::Lstm(c) => c.units,
            LayerConfig::Gru(c) => c.units,
        }
    }

    /// True for a recurrent layer with `return_state` (several outputs).
    pub fn returns_state(&self) -> bool {
        self.recurrent_spec().is_some_and(|s| s.return_state)
    }

    /// True for a recurrent layer with `stateful`.
    pub fn is_stateful(&self) -> bool {
        self.recurrent_spec().is_some_and(|s| s.stateful)
    }

    /// Number of carried states of a recurrent layer: 1 (`h`) for SimpleRNN and GRU, 2 (`h`,
    /// `c`) for LSTM, 0 for Dense.
    pub fn state_count(&self) -> usize {
        self.recurrent_spec().map_or(0, |s| s.n_states)
    }

    fn recurrent_spec(&self) -> Option<recurrent::Spec<'_>> {
        match self {
            LayerConfig::Dense(_) => None,
            LayerConfig::SimpleRnn(c) => Some(c.spec()),
            LayerConfig::Lstm(c) => Some(c.spec()),
            LayerConfig::Gru(c) => Some(c.spec()),
        }
    }

    /// Checks every argument (Keras's `ValueError`s, plus recur's deliberate rejections).
    pub fn validate(&self) -> Result<()> {
        match self {
            LayerConfig::Dense(c) => c.validate(),
            LayerConfig::SimpleRnn(c) => c.validate(),
            LayerConfig::Lstm(c) => c.validate(),
            LayerConfig::Gru(c) => c.validate(),
        }
    }
}

/// One parameter of a layer: Keras name, shape, values and what the training loop applies to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Keras variable name (`kernel`, `recurrent_kernel`, `bias`).
    pub name: &'static str,
    /// Shape, row-major.
    pub shape: Vec<usize>,
    /// Values, row-major.
    pub value: Vec<f32>,
    /// Weight penalty added to the loss once per step.
    pub regularizer: Option<Regularizer>,
    /// Projection applied by the optimizer after each update.
    pub constraint: Option<Constraint>,
    initializer: Initializer,
}

/// What a layer call produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerOutput {
    /// The output (`(batch, units)`, or `(batch, timesteps, units)` for sequences).
    pub output: Var,
    /// The final state `h_T` `(batch, units)` when the layer has `return_state`.
    pub state: Option<Var>,
    /// An LSTM's final carry state `c_T` `(batch, units)` when it has `return_state` (Keras
    /// returns `[output, h, c]`).
    pub carry_state: Option<Var>,
    /// The activity-regularization penalty already divided by the batch size (a scalar), if
    /// the layer has an `activity_regularizer`; the caller adds it to the loss.
    pub activity_penalty: Option<Var>,
}

/// A layer: its config, its parameters once built, and per-call state.
#[derive(Debug, Clone)]
pub struct Layer {
    config: LayerConfig,
    name: String,
    input_shape: Option<Vec<usize>>,
    output_shape: Option<Vec<usize>>,
    params: Vec<Param>,
    vars: Vec<Var>,
    /// Dropout stream (recurrent layers with a dropout rate).
    rng: ChaCha8Rng,
    /// Stateful recurrent layer: the carried states (`h`, then an LSTM's `c`, each
    /// `(batch, units)`) and their fixed batch size.
    states: Vec<f32>,
    state_batch: Option<usize>,
}

impl Layer {
    /// Validates `config` and makes an unbuilt layer. A config without a name is named after
    /// its class (`dense`); [`crate::model::Sequential`] gives Keras's unique names instead.
    pub fn new(config: impl Into<LayerConfig>) -> Result<Layer> {
        let mut config = config.into();
        config.validate()?;
        let name = match config.name() {
            Some(n) => n.to_string(),
            None => crate::naming::to_snake_case(config.class_name()),
        };
        config.set_name(name.clone());
        Ok(Layer {
            config,
            name,
            input_shape: None,
            output_shape: None,
            params: Vec::new(),
            vars: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(crate::seed::DEFAULT_SEED),
            states: Vec::new(),
            state_batch: None,
        })
    }

    /// The config (its `name` is always set).
    pub fn config(&self) -> &LayerConfig {
        &self.config
    }

    /// The layer name (e.g. `simple_rnn`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Keras's class name.
    pub fn class_name(&self) -> &'static str {
        self.config.class_name()
    }

    /// True once [`Layer::build`] has run.
    pub fn is_built(&self) -> bool {
        self.output_shape.is_some()
    }

    /// Input shape without the batch axis, once built.
    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input_shape.as_deref()
    }

    /// Output shape without the batch axis, once built.
    pub fn output_shape(&self) -> Option<&[usize]> {
        self.output_shape.as_deref()
    }

    /// Creates the parameters for inputs of shape `(batch, *input_shape)` and initializes
    /// them: parameter `j` uses `derive_seed(seed, j)` unless its initializer has its own seed;
    /// the dropout stream uses the layer's `seed` argument if set, else `derive_seed(seed, 100)`.
    /// Returns the output shape (without the batch axis).
    pub fn build(&mut self, input_shape: &[usize], seed: u64) -> Result<Vec<usize>> {
        crate::memory::check_layer(&self.config, input_shape.last().copied().unwrap_or(1))?;
        let (params, out, dropout_seed) = match &self.config {
            LayerConfig::Dense(c) => {
                let (p, o) = c.make_params(&self.name, input_shape)?;
                (p, o, None)
            }
            LayerConfig::SimpleRnn(c) => {
                let (p, o) = c.make_params(&self.name, input_shape)?;
                (p, o, c.seed)
            }
            LayerConfig::Lstm(c) => {
                let (p, o) = c.make_params(&self.name, input_shape)?;
                (p, o, c.seed)
            }
            LayerConfig::Gru(c) => {
                let (p, o) = c.make_params(&self.name, input_shape)?;
                (p, o, c.seed)
            }
        };
        let mut params = params;
        for (j, p) in params.iter_mut().enumerate() {
            let pseed = crate::seed::derive_seed(seed, j as u64);
            match &self.config {
                LayerConfig::Lstm(c) if c.unit_forget_bias && p.name == "bias" => {
                    c.init_bias(pseed, &mut p.value)?
                }
                _ => p
                    .initializer
                    .initialize_into(&p.shape, pseed, &mut p.value)?,
            }
        }
        self.params = params;
        self.rng = ChaCha8Rng::seed_from_u64(
            dropout_seed.unwrap_or_else(|| crate::seed::derive_seed(seed, 100)),
        );
        self.input_shape = Some(input_shape.to_vec());
        self.output_shape = Some(out.clone());
        self.states.clear();
        self.state_batch = None;
        Ok(out)
    }

    /// The parameters in Keras's `get_weights()` order (empty before build).
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Mutable access to the parameters (e.g. for the optimizer).
    pub fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    /// Names and shapes of the parameters: `"<layer>/<variable>"`.
    pub fn param_infos(&self) -> Vec<ParamInfo> {
        self.params
            .iter()
            .map(|p| ParamInfo::new(format!("{}/{}", self.name, p.name), &p.shape))
            .collect()
    }

    /// Number of scalar parameters (Keras `count_params`).
    pub fn count_params(&self) -> usize {
        self.params.iter().map(|p| p.value.len()).sum()
    }

    /// Replaces the parameter values (Keras `set_weights`, same order); lengths are checked.
    /// Constraints are not applied (as in Keras).
    pub fn set_weights(&mut self, weights: &[&[f32]]) -> Result<()> {
        if !self.is_built() {
            return Err(NnError::state(format!(
                "layer '{}' is not built yet: build it (or give the model an input shape) \
                 before setting its weights",
                self.name
            )));
        }
        if weights.len() != self.params.len() {
            return Err(NnError::shape(
                format!("number of weights of layer '{}'", self.name),
                self.params.len(),
                weights.len(),
            ));
        }
        for (p, w) in self.params.iter().zip(weights) {
            if p.value.len() != w.len() {
                return Err(NnError::shape(
                    format!("weight '{}/{}' (shape {:?})", self.name, p.name, p.shape),
                    p.value.len(),
                    w.len(),
                ));
            }
        }
        for (p, w) in self.params.iter_mut().zip(weights) {
            p.value.copy_from_slice(w);
        }
        Ok(())
    }

    /// The tape variables of the parameters fed by the last [`Layer::forward`].
    pub fn param_vars(&self) -> &[Var] {
        &self.vars
    }

    /// Sum of the weight penalties (regularizers), in f32, in parameter order.
    pub fn weight_penalty(&self) -> f32 {
        let mut total = 0.0f32;
        for p in &self.params {
            if let Some(r) = &p.regularizer {
                total += r.penalty(&p.value);
            }
        }
        total
    }

    /// True if any parameter has a regularizer.
    pub fn has_weight_penalty(&self) -> bool {
        self.params.iter().any(|p| p.regularizer.is_some())
    }

    /// Records the layer's forward pass on `tape` for the input `x` `(batch, *input_shape)`.
    /// `training` turns dropout on (masks drawn once per call). `initial_state` (SimpleRNN and
    /// GRU) is a `(batch, units)` starting state that overrides zeros or a stateful layer's
    /// state; an LSTM needs [`Layer::forward_with_states`] to be given `h` and `c`.
    pub fn forward(
        &mut self,
        tape: &mut Tape,
        x: Var,
        training: bool,
        initial_state: Option<Var>,
    ) -> Result<LayerOutput> {
        self.forward_with_states(tape, x, training, initial_state.as_slice())
    }

    /// [`Layer::forward`] with Keras's list of initial states: empty (zeros, or the carried
    /// states of a stateful layer), `[h]` for SimpleRNN and GRU, `[h, c]` for LSTM, each
    /// `(batch, units)`.
    pub fn forward_with_states(
        &mut self,
        tape: &mut Tape,
        x: Var,
        training: bool,
        initial_states: &[Var],
    ) -> Result<LayerOutput> {
        if !self.is_built() {
            return Err(NnError::state(format!(
                "layer '{}' is not built: call build(input_shape) first",
                self.name
            )));
        }
        self.vars.clear();
        for p in &self.params {
            let v = tape
                .param(&p.value, &p.shape)
                .map_err(ag("feeding parameters"))?;
            self.vars.push(v);
        }
        match &self.config {
            LayerConfig::Dense(c) => {
                if !initial_states.is_empty() {
                    return Err(NnError::invalid(
                        "initial_state",
                        "a tensor",
                        &format!("no initial_state for Dense layer '{}'", self.name),
                    ));
                }
                dense::forward(c, &self.name, &self.vars, tape, x)
            }
            config => {
                let mut st = recurrent::CallState {
                    rng: &mut self.rng,
                    states: &mut self.states,
                    state_batch: &mut self.state_batch,
                };
                let (name, vars) = (&self.name, &self.vars);
                match config {
                    LayerConfig::SimpleRnn(c) => simple_rnn::forward(
                        c,
                        name,
                        vars,
                        tape,
                        x,
                        training,
                        initial_states,
                        &mut st,
                    ),
                    LayerConfig::Lstm(c) => {
                        lstm::forward(c, name, vars, tape, x, training, initial_states, &mut st)
                    }
                    LayerConfig::Gru(c) => {
                        gru::forward(c, name, vars, tape, x, training, initial_states, &mut st)
                    }
                    LayerConfig::Dense(_) => unreachable!("handled above"),
                }
            }
        }
    }

    /// Zeros the carried state of a stateful layer (Keras `reset_states`); a no-op for other
    /// layers. The fixed batch size stays.
    pub fn reset_states(&mut self) {
        self.states.iter_mut().for_each(|s| *s = 0.0);
    }

    /// True for a recurrent layer with `stateful=True`.
    pub fn is_stateful(&self) -> bool {
        self.config.is_stateful()
    }

    /// The batch size a stateful layer is fixed to (set by its first call).
    pub fn stateful_batch_size(&self) -> Option<usize> {
        self.state_batch
    }

    /// The carried states of a stateful layer (empty before its first call): `h`
    /// `(batch, units)`, followed for an LSTM by `c` `(batch, units)`.
    pub fn states(&self) -> &[f32] {
        &self.states
    }

    /// The shape [`Layer::states`] is saved with for a batch of `batch`: `(batch, units)` for
    /// one state, `(2, batch, units)` for an LSTM's `h` and `c`.
    pub fn states_shape(&self, batch: usize) -> Vec<usize> {
        match self.config.state_count() {
            1 => vec![batch, self.config.units()],
            n => vec![n, batch, self.config.units()],
        }
    }

    /// Restores a carried state and its batch size (used when loading a saved model).
    pub fn set_states(&mut self, batch: Option<usize>, states: &[f32]) -> Result<()> {
        let units = match &self.config {
            c if c.is_stateful() => c.units() * c.state_count(),
            _ if batch.is_none() && states.is_empty() => return Ok(()),
            _ => {
                return Err(NnError::state(format!(
                    "layer '{}' is not stateful but a carried state was given",
                    self.name
                )));
            }
        };
        let want = batch.map_or(0, |b| b * units);
        if states.len() != want {
            return Err(NnError::shape(
                format!("carried state of layer '{}'", self.name),
                want,
                states.len(),
            ));
        }
        self.state_batch = batch;
        self.states.clear();
        self.states.extend_from_slice(states);
        Ok(())
    }

    /// The dropout RNG state (saved with a model so a resumed run draws the same masks).
    pub fn rng_state(&self) -> RngState {
        RngState::of(&self.rng)
    }

    /// Restores the dropout RNG state.
    pub fn set_rng_state(&mut self, s: &RngState) {
        self.rng = s.to_rng();
    }
}

/// A parameter with zeroed values of `shape`.
pub(crate) fn param(
    name: &'static str,
    shape: Vec<usize>,
    initializer: &Initializer,
    regularizer: &Option<Regularizer>,
    constraint: &Option<Constraint>,
) -> Param {
    Param {
        name,
        value: vec![0.0; shape.iter().product()],
        shape,
        regularizer: regularizer.clone(),
        constraint: constraint.clone(),
        initializer: initializer.clone(),
    }
}

/// Checks the layer's sub-objects and that `units` is positive.
pub(crate) fn validate_common(
    units: usize,
    inits: &[&Initializer],
    regs: &[&Option<Regularizer>],
    cons: &[&Option<Constraint>],
) -> Result<()> {
    if units == 0 {
        return Err(NnError::invalid("units", 0, "a positive integer"));
    }
    for i in inits {
        i.validate()?;
    }
    for r in regs.iter().copied().flatten() {
        r.validate()?;
    }
    for c in cons.iter().copied().flatten() {
        c.validate()?;
    }
    Ok(())
}

/// The activity penalty `(l1·Σ|o| + l2·Σo²) / batch` of one output, recorded on the tape so its
/// gradient flows into the layer (Keras's `Layer.__call__` with `activity_regularizer`).
pub(crate) fn activity_penalty(
    tape: &mut Tape,
    reg: &Regularizer,
    out: Var,
    batch: usize,
) -> Result<Var> {
    let e = ag("activity regularizer");
    let (l1, l2) = match *reg {
        Regularizer::L1 { l1 } => (l1 as f32, 0.0),
        Regularizer::L2 { l2 } => (0.0, l2 as f32),
        Regularizer::L1l2 { l1, l2 } => (l1 as f32, l2 as f32),
    };
    let mut total: Option<Var> = None;
    let run =
        |tape: &mut Tape, total: &mut Option<Var>| -> std::result::Result<(), AutogradError> {
            if l1 != 0.0 {
                let a = tape.abs(out)?;
                let s = tape.sum(a)?;
                *total = Some(tape.scale(s, l1)?);
            }
            if l2 != 0.0 {
                let q = tape.square(out)?;
                let s = tape.sum(q)?;
                let t = tape.scale(s, l2)?;
                *total = Some(match *total {
                    Some(prev) => tape.add(prev, t)?,
                    None => t,
                });
            }
            Ok(())
        };
    run(tape, &mut total).map_err(ag("activity regularizer"))?;
    let total = match total {
        Some(t) => t,
        None => tape.scalar(0.0),
    };
    let b = tape.scalar(batch as f32);
    tape.div(total, b).map_err(e)
}
