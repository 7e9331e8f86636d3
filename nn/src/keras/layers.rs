//! One layer's Keras config (`{"module": "keras.layers", "class_name": "GRU", "config": {...},
//! "build_config": {...}}`) to and from recur's [`LayerConfig`].
//!
//! Keras writes every constructor argument; recur reads each one, uses those it implements and
//! accepts the others only with the value under which they change nothing (`trainable: true`,
//! a float32 `dtype`, `zero_output_for_mask: false`, `quantization_config: null`, ...).

use serde_json::{Map, Value};

use super::json::{Obj, f32_json, is_false, is_null};
use super::objects::{
    SharedIds, activation_from_keras, activation_to_keras, check_float32, constraint_from_keras,
    constraint_to_keras, initializer_from_keras, initializer_to_keras, regularizer_from_keras,
    regularizer_to_keras,
};
use crate::constraints::Constraint;
use crate::error::{NnError, Result};
use crate::initializers::Initializer;
use crate::layers::{DenseConfig, GruConfig, Layer, LayerConfig, LstmConfig, SimpleRnnConfig};
use crate::regularizers::Regularizer;

use autograd::Activation;

const LAYERS: &[&str] = &["keras.layers", "keras.src.layers"];

/// Why a SimpleRNN `activity_regularizer` has no Keras form.
const SIMPLE_RNN_ACTIVITY: &str = "Keras 3.15.1's SimpleRNN does not pass activity_regularizer \
on to its base layer (its get_config() writes null and it never applies one), while recur's \
SimpleRNN applies it, so the same model would train differently in Keras";

/// Largest `units` accepted from a Keras file (the parameter budget is checked separately).
pub const MAX_KERAS_UNITS: usize = 1 << 20;

/// A Keras shape list without its meaning: one entry per axis, None for `null` (unknown).
pub(super) type Shape = Vec<Option<usize>>;

/// One entry of a Keras Sequential's `layers` list, read.
pub(super) enum KerasLayer {
    /// An `InputLayer`: its `batch_shape` (None for an unknown dimension).
    Input(Vec<Option<usize>>),
    /// A layer recur has, and its `build_config.input_shape` if present.
    Layer(Box<LayerConfig>, Option<Shape>),
}

/// Reads a shape list (`[null, 5, 3]`): each entry null or a non-negative integer.
pub(super) fn read_shape(v: &Value, ctx: &str, key: &str) -> Result<Vec<Option<usize>>> {
    let bad = || {
        NnError::invalid(
            &format!("{ctx}: {key}"),
            super::json::quote(v),
            "a list of at most 8 dimensions, each null or a non-negative integer",
        )
    };
    let items = v.as_array().filter(|a| a.len() <= 8).ok_or_else(bad)?;
    items
        .iter()
        .map(|d| match d {
            Value::Null => Ok(None),
            _ => d
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(bad),
        })
        .collect()
}

/// Reads entry `index` of the `layers` list.
pub(super) fn layer_from_keras(v: &Value, index: usize) -> Result<KerasLayer> {
    let mut outer = Obj::new(v, format!("layers[{index}]"), "value")?;
    let class = outer.str("class_name")?;
    if let Some(m) = outer.get("module")
        && !m.as_str().is_some_and(|m| LAYERS.contains(&m))
    {
        return Err(outer.err("module", m, &format!("one of {LAYERS:?}")));
    }
    outer.only(
        "registered_name",
        is_null,
        "null (custom registered layers are not supported)",
    )?;
    let build = match outer.get("build_config") {
        None | Some(Value::Null) => None,
        Some(b) => {
            let mut bo = Obj::new(
                b,
                format!("layers[{index}] ({class}): build_config"),
                "value",
            )?;
            let shape = read_shape(bo.req("input_shape")?, bo.ctx(), "input_shape")?;
            bo.finish()?;
            Some(shape)
        }
    };
    let config = outer.req("config")?;
    outer.finish()?;
    let name = config
        .get("name")
        .and_then(Value::as_str)
        .map(|n| format!(" '{n}'"))
        .unwrap_or_default();
    let ctx = format!("layers[{index}] ({class}{name})");
    let mut c = Obj::new(config, ctx, "config")?;
    let layer = match class {
        "InputLayer" => {
            let shape = match (c.get("batch_shape"), c.get("batch_input_shape")) {
                (Some(s), None) | (None, Some(s)) => read_shape(s, c.ctx(), "batch_shape")?,
                _ => {
                    return Err(NnError::invalid(
                        &format!("{}: batch_shape", c.ctx()),
                        "nothing (or both batch_shape and batch_input_shape)",
                        "one batch_shape",
                    ));
                }
            };
            let dtype = c.get("dtype").cloned().unwrap_or(Value::Null);
            check_float32(&dtype, c.ctx())?;
            c.get("name");
            for k in ["sparse", "ragged", "optional"] {
                c.only(k, is_false, "false (recur has dense, fixed inputs only)")?;
            }
            c.finish()?;
            return Ok(KerasLayer::Input(shape));
        }
        "Dense" => LayerConfig::Dense(dense_from(&mut c)?),
        "SimpleRNN" => LayerConfig::SimpleRnn(simple_rnn_from(&mut c)?),
        "LSTM" => LayerConfig::Lstm(lstm_from(&mut c)?),
        "GRU" => LayerConfig::Gru(gru_from(&mut c)?),
        other => {
            return Err(NnError::invalid(
                &format!("layers[{index}]{name}: class_name"),
                format!("{other:?}"),
                "a layer recur has: InputLayer (first), Dense, SimpleRNN, LSTM, GRU",
            ));
        }
    };
    c.finish()?;
    layer.validate().map_err(|e| {
        super::objects::named(&format!("layers[{index}] ({class}{name})"), "config", e)
    })?;
    Ok(KerasLayer::Layer(Box::new(layer), build))
}

/// What every layer has: name, `trainable`, `dtype`, `activity_regularizer`.
fn base_from(c: &mut Obj<'_>) -> Result<(Option<String>, Option<Regularizer>)> {
    let name = match c.get("name") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .ok_or_else(|| c.err("name", v, "a string"))?
                .to_string(),
        ),
    };
    c.only(
        "trainable",
        |v| *v == Value::Bool(true),
        "true (recur trains every layer; frozen layers are not supported)",
    )?;
    if let Some(d) = c.get("dtype") {
        check_float32(d, c.ctx())?;
    }
    let ctx = c.ctx().to_string();
    let activity = match c.get("activity_regularizer") {
        None => None,
        Some(v) => regularizer_from_keras(v, &ctx, "activity_regularizer")?,
    };
    Ok((name, activity))
}

fn init(c: &mut Obj<'_>, key: &str, default: Initializer) -> Result<Initializer> {
    let ctx = c.ctx().to_string();
    match c.get(key) {
        None => Ok(default),
        Some(v) => initializer_from_keras(v, &ctx, key),
    }
}

fn reg(c: &mut Obj<'_>, key: &str) -> Result<Option<Regularizer>> {
    let ctx = c.ctx().to_string();
    match c.get(key) {
        None => Ok(None),
        Some(v) => regularizer_from_keras(v, &ctx, key),
    }
}

fn con(c: &mut Obj<'_>, key: &str) -> Result<Option<Constraint>> {
    let ctx = c.ctx().to_string();
    match c.get(key) {
        None => Ok(None),
        Some(v) => constraint_from_keras(v, &ctx, key),
    }
}

fn act(c: &mut Obj<'_>, key: &str, default: Activation) -> Result<Activation> {
    let ctx = c.ctx().to_string();
    match c.get(key) {
        None => Ok(default),
        Some(v) => activation_from_keras(v, &ctx, key),
    }
}

/// A dropout rate, kept as recur's f32 (range checked by the layer's validation).
fn rate(c: &mut Obj<'_>, key: &str) -> Result<f32> {
    Ok(c.f64_or(key, 0.0)? as f32)
}

fn dense_from(c: &mut Obj<'_>) -> Result<DenseConfig> {
    let (name, activity) = base_from(c)?;
    let mut d = DenseConfig::new(c.positive("units", MAX_KERAS_UNITS)?);
    d.name = name;
    d.activity_regularizer = activity;
    d.activation = act(c, "activation", Activation::Linear)?;
    d.use_bias = c.bool_or("use_bias", true)?;
    d.kernel_initializer = init(c, "kernel_initializer", Initializer::glorot_uniform())?;
    d.bias_initializer = init(c, "bias_initializer", Initializer::Zeros)?;
    d.kernel_regularizer = reg(c, "kernel_regularizer")?;
    d.bias_regularizer = reg(c, "bias_regularizer")?;
    d.kernel_constraint = con(c, "kernel_constraint")?;
    d.bias_constraint = con(c, "bias_constraint")?;
    c.only(
        "quantization_config",
        is_null,
        "null (recur has no quantization)",
    )?;
    c.only("lora_rank", is_null, "null (recur has no LoRA)")?;
    c.only("lora_alpha", is_null, "null (recur has no LoRA)")?;
    Ok(d)
}

/// The arguments SimpleRNN, LSTM and GRU share, read once.
struct RnnArgs {
    name: Option<String>,
    units: usize,
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Initializer,
    recurrent_initializer: Initializer,
    bias_initializer: Initializer,
    regularizers: [Option<Regularizer>; 4],
    constraints: [Option<Constraint>; 3],
    dropout: f32,
    recurrent_dropout: f32,
    return_sequences: bool,
    return_state: bool,
    go_backwards: bool,
    stateful: bool,
    unroll: bool,
    seed: Option<u64>,
}

fn rnn_from(c: &mut Obj<'_>) -> Result<RnnArgs> {
    let (name, activity) = base_from(c)?;
    c.only(
        "zero_output_for_mask",
        is_false,
        "false (recur has no masking)",
    )?;
    Ok(RnnArgs {
        name,
        units: c.positive("units", MAX_KERAS_UNITS)?,
        activation: act(c, "activation", Activation::Tanh)?,
        use_bias: c.bool_or("use_bias", true)?,
        kernel_initializer: init(c, "kernel_initializer", Initializer::glorot_uniform())?,
        recurrent_initializer: init(c, "recurrent_initializer", Initializer::orthogonal())?,
        bias_initializer: init(c, "bias_initializer", Initializer::Zeros)?,
        regularizers: [
            reg(c, "kernel_regularizer")?,
            reg(c, "recurrent_regularizer")?,
            reg(c, "bias_regularizer")?,
            activity,
        ],
        constraints: [
            con(c, "kernel_constraint")?,
            con(c, "recurrent_constraint")?,
            con(c, "bias_constraint")?,
        ],
        dropout: rate(c, "dropout")?,
        recurrent_dropout: rate(c, "recurrent_dropout")?,
        return_sequences: c.bool_or("return_sequences", false)?,
        return_state: c.bool_or("return_state", false)?,
        go_backwards: c.bool_or("go_backwards", false)?,
        stateful: c.bool_or("stateful", false)?,
        unroll: c.bool_or("unroll", false)?,
        seed: c.seed("seed")?,
    })
}

/// Copies the shared arguments into a recurrent config (the field names are the same in all
/// three).
macro_rules! apply_rnn {
    ($cfg:expr, $a:expr) => {{
        let a = $a;
        let [kr, rr, br, ar] = a.regularizers;
        let [kc, rc, bc] = a.constraints;
        $cfg.name = a.name;
        $cfg.activation = a.activation;
        $cfg.use_bias = a.use_bias;
        $cfg.kernel_initializer = a.kernel_initializer;
        $cfg.recurrent_initializer = a.recurrent_initializer;
        $cfg.bias_initializer = a.bias_initializer;
        $cfg.kernel_regularizer = kr;
        $cfg.recurrent_regularizer = rr;
        $cfg.bias_regularizer = br;
        $cfg.activity_regularizer = ar;
        $cfg.kernel_constraint = kc;
        $cfg.recurrent_constraint = rc;
        $cfg.bias_constraint = bc;
        $cfg.dropout = a.dropout;
        $cfg.recurrent_dropout = a.recurrent_dropout;
        $cfg.return_sequences = a.return_sequences;
        $cfg.return_state = a.return_state;
        $cfg.go_backwards = a.go_backwards;
        $cfg.stateful = a.stateful;
        $cfg.unroll = a.unroll;
        $cfg.seed = a.seed;
    }};
}

fn simple_rnn_from(c: &mut Obj<'_>) -> Result<SimpleRnnConfig> {
    let a = rnn_from(c)?;
    if let Some(r) = &a.regularizers[3] {
        return Err(NnError::invalid(
            &format!("{}: activity_regularizer", c.ctx()),
            format!("{r:?}"),
            &format!("null: {SIMPLE_RNN_ACTIVITY}"),
        ));
    }
    let mut s = SimpleRnnConfig::new(a.units);
    apply_rnn!(s, a);
    Ok(s)
}

fn lstm_from(c: &mut Obj<'_>) -> Result<LstmConfig> {
    let a = rnn_from(c)?;
    let mut s = LstmConfig::new(a.units);
    apply_rnn!(s, a);
    s.recurrent_activation = act(c, "recurrent_activation", Activation::Sigmoid)?;
    s.unit_forget_bias = c.bool_or("unit_forget_bias", true)?;
    c.only(
        "implementation",
        |v| v.as_u64().is_some_and(|i| i == 1 || i == 2),
        "1 or 2 (both compute the same function; recur picks its kernel itself)",
    )?;
    Ok(s)
}

fn gru_from(c: &mut Obj<'_>) -> Result<GruConfig> {
    let a = rnn_from(c)?;
    let mut s = GruConfig::new(a.units);
    apply_rnn!(s, a);
    s.recurrent_activation = act(c, "recurrent_activation", Activation::Sigmoid)?;
    s.reset_after = c.bool_or("reset_after", true)?;
    c.only(
        "implementation",
        |v| v.as_u64().is_some_and(|i| i == 1 || i == 2),
        "1 or 2 (both compute the same function; recur picks its kernel itself)",
    )?;
    Ok(s)
}

/// A built or unbuilt layer as Keras's `serialize_keras_object` writes it. `policy` is the
/// model's shared dtype policy (with its id); `batch` the batch dimension of `build_config`.
pub(super) fn layer_to_keras(
    layer: &Layer,
    policy: &Value,
    ids: &mut SharedIds,
    batch: Option<usize>,
) -> Result<Value> {
    let ctx = format!("layer '{}' ({})", layer.name(), layer.class_name());
    if layer.name().contains('/') {
        return Err(NnError::invalid(
            &format!("{ctx}: name"),
            layer.name(),
            "a name without '/' (Keras refuses such layer names)",
        ));
    }
    let mut m = Map::new();
    m.insert("name".into(), Value::from(layer.name()));
    m.insert("trainable".into(), Value::Bool(true));
    m.insert("dtype".into(), policy.clone());
    match layer.config() {
        LayerConfig::Dense(d) => {
            m.insert("units".into(), Value::from(d.units));
            m.insert(
                "activation".into(),
                activation_to_keras(d.activation, &ctx, "activation")?,
            );
            m.insert("use_bias".into(), Value::Bool(d.use_bias));
            m.insert(
                "kernel_initializer".into(),
                initializer_to_keras(&d.kernel_initializer),
            );
            m.insert(
                "bias_initializer".into(),
                initializer_to_keras(&d.bias_initializer),
            );
            m.insert(
                "kernel_regularizer".into(),
                regularizer_to_keras(&d.kernel_regularizer),
            );
            m.insert(
                "bias_regularizer".into(),
                regularizer_to_keras(&d.bias_regularizer),
            );
            m.insert(
                "kernel_constraint".into(),
                constraint_to_keras(&d.kernel_constraint),
            );
            m.insert(
                "bias_constraint".into(),
                constraint_to_keras(&d.bias_constraint),
            );
            m.insert("quantization_config".into(), Value::Null);
            // Keras's Dense writes `activity_regularizer` only when it is set.
            if d.activity_regularizer.is_some() {
                m.insert(
                    "activity_regularizer".into(),
                    regularizer_to_keras(&d.activity_regularizer),
                );
            }
        }
        LayerConfig::SimpleRnn(s) => {
            if let Some(r) = &s.activity_regularizer {
                return Err(NnError::invalid(
                    &format!("{ctx}: activity_regularizer"),
                    format!("{r:?}"),
                    &format!("None: {SIMPLE_RNN_ACTIVITY}"),
                ));
            }
            rnn_to(&mut m, ids, &ctx, &RnnView::of_simple(s))?;
            // Keras's SimpleRNN.get_config() drops `seed`; recur writes it when set (the
            // constructor takes it, so Keras reads it back).
            if let Some(seed) = s.seed {
                m.insert("seed".into(), Value::from(seed));
            }
        }
        LayerConfig::Lstm(s) => {
            rnn_to(&mut m, ids, &ctx, &RnnView::of_lstm(s))?;
            m.insert(
                "recurrent_activation".into(),
                activation_to_keras(s.recurrent_activation, &ctx, "recurrent_activation")?,
            );
            m.insert("unit_forget_bias".into(), Value::Bool(s.unit_forget_bias));
            m.insert("seed".into(), s.seed.map_or(Value::Null, Value::from));
        }
        LayerConfig::Gru(s) => {
            rnn_to(&mut m, ids, &ctx, &RnnView::of_gru(s))?;
            m.insert(
                "recurrent_activation".into(),
                activation_to_keras(s.recurrent_activation, &ctx, "recurrent_activation")?,
            );
            m.insert("reset_after".into(), Value::Bool(s.reset_after));
            m.insert("seed".into(), s.seed.map_or(Value::Null, Value::from));
        }
    }
    let mut out = super::json::keras_object("keras.layers", layer.class_name(), Value::Object(m));
    if let (Some(shape), Value::Object(o)) = (layer.input_shape(), &mut out) {
        o.insert(
            "build_config".into(),
            serde_json::json!({ "input_shape": batch_shape(batch, shape) }),
        );
    }
    Ok(out)
}

/// `[batch or null, *shape]`.
pub(super) fn batch_shape(batch: Option<usize>, shape: &[usize]) -> Value {
    let mut v = vec![batch.map_or(Value::Null, Value::from)];
    v.extend(shape.iter().map(|&d| Value::from(d)));
    Value::Array(v)
}

/// The shared recurrent arguments, borrowed from any of the three configs.
struct RnnView<'a> {
    units: usize,
    activation: Activation,
    use_bias: bool,
    initializers: [&'a Initializer; 3],
    regularizers: [&'a Option<Regularizer>; 4],
    constraints: [&'a Option<Constraint>; 3],
    dropout: f32,
    recurrent_dropout: f32,
    flags: [bool; 5],
}

macro_rules! view {
    ($s:expr) => {
        RnnView {
            units: $s.units,
            activation: $s.activation,
            use_bias: $s.use_bias,
            initializers: [
                &$s.kernel_initializer,
                &$s.recurrent_initializer,
                &$s.bias_initializer,
            ],
            regularizers: [
                &$s.kernel_regularizer,
                &$s.recurrent_regularizer,
                &$s.bias_regularizer,
                &$s.activity_regularizer,
            ],
            constraints: [
                &$s.kernel_constraint,
                &$s.recurrent_constraint,
                &$s.bias_constraint,
            ],
            dropout: $s.dropout,
            recurrent_dropout: $s.recurrent_dropout,
            flags: [
                $s.return_sequences,
                $s.return_state,
                $s.go_backwards,
                $s.stateful,
                $s.unroll,
            ],
        }
    };
}

impl<'a> RnnView<'a> {
    fn of_simple(s: &'a SimpleRnnConfig) -> Self {
        view!(s)
    }
    fn of_lstm(s: &'a LstmConfig) -> Self {
        view!(s)
    }
    fn of_gru(s: &'a GruConfig) -> Self {
        view!(s)
    }
}

fn rnn_to(
    m: &mut Map<String, Value>,
    ids: &mut SharedIds,
    ctx: &str,
    r: &RnnView<'_>,
) -> Result<()> {
    let flags = [
        "return_sequences",
        "return_state",
        "go_backwards",
        "stateful",
        "unroll",
    ];
    for (k, v) in flags.iter().zip(r.flags) {
        m.insert((*k).into(), Value::Bool(v));
    }
    m.insert("zero_output_for_mask".into(), Value::Bool(false));
    m.insert("units".into(), Value::from(r.units));
    m.insert(
        "activation".into(),
        activation_to_keras(r.activation, ctx, "activation")?,
    );
    m.insert("use_bias".into(), Value::Bool(r.use_bias));
    // The layer and its cell hold the same objects, so Keras serializes each one twice and
    // gives it a shared_object_id; recur does the same, in Keras's order.
    if r.regularizers[3].is_some() {
        let v = ids.share(regularizer_to_keras(r.regularizers[3]));
        m.insert("activity_regularizer".into(), v);
    }
    let inits = [
        "kernel_initializer",
        "recurrent_initializer",
        "bias_initializer",
    ];
    for (k, i) in inits.iter().zip(r.initializers) {
        m.insert((*k).into(), ids.share(initializer_to_keras(i)));
    }
    let regs = [
        "kernel_regularizer",
        "recurrent_regularizer",
        "bias_regularizer",
    ];
    for (k, x) in regs.iter().zip(r.regularizers) {
        m.insert((*k).into(), ids.share(regularizer_to_keras(x)));
    }
    if r.regularizers[3].is_none() {
        m.insert("activity_regularizer".into(), Value::Null);
    }
    let cons = [
        "kernel_constraint",
        "recurrent_constraint",
        "bias_constraint",
    ];
    for (k, x) in cons.iter().zip(r.constraints) {
        m.insert((*k).into(), ids.share(constraint_to_keras(x)));
    }
    m.insert("dropout".into(), f32_json(r.dropout));
    m.insert("recurrent_dropout".into(), f32_json(r.recurrent_dropout));
    Ok(())
}
