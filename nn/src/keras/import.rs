//! [`Sequential::from_keras_config`]: a recur model from a Keras 3 `config.json`.

use serde_json::Value;

use super::compile::{check_other_compile_args, loss_from_keras, optimizer_from_keras};
use super::json::{Obj, is_null};
use super::layers::{KerasLayer, Shape, layer_from_keras, read_shape};
use super::objects::{check_float32, named};
use super::{KerasImport, MAX_KERAS_PARAMS};
use crate::error::{NnError, Result};
use crate::layers::LayerConfig;
use crate::model::Sequential;

/// A layer of the Keras list: its index there, its config, its `build_config` input shape.
type Listed = (usize, LayerConfig, Option<Shape>);

const MODELS: &[&str] = &["keras", "keras.models", "keras.src.models.sequential"];

impl Sequential {
    /// Builds the model a Keras 3 `config.json` describes (the format `model.save("x.keras")`
    /// writes and `keras.saving.serialize_keras_object(model)` returns), compiled when the
    /// config has a non-empty `compile_config`. The weights are not in the config: set them
    /// with [`Sequential::set_weights`] in the order of [`Sequential::keras_weight_datasets`].
    ///
    /// Anything recur cannot do exactly as Keras would is an error naming the layer, the
    /// argument and the value: another model or layer class, an argument recur lacks or a
    /// value it does not support (mixed precision, masking, a learning-rate schedule, a loss
    /// or optimizer recur does not have, variable timesteps, ...). Arguments whose value
    /// changes nothing (`trainable: true`, a float32 `dtype`, names, `jit_compile`) are
    /// accepted. A missing argument takes Keras's constructor default. No JSON value makes it
    /// panic; sizes are capped at [`MAX_KERAS_PARAMS`] parameters before anything is
    /// allocated.
    ///
    /// `compile_config.metrics` is returned as it is, in [`KerasImport::metrics`], for the
    /// caller to interpret (and to pass back to [`Sequential::to_keras_config`]).
    pub fn from_keras_config(config: &Value) -> Result<KerasImport> {
        let mut top = Obj::new(config, "model", "config.json")?;
        let class = top.str("class_name")?;
        if class != "Sequential" {
            return Err(NnError::invalid(
                "model: class_name",
                format!("{class:?}"),
                "\"Sequential\" (functional and subclassed models are not supported)",
            ));
        }
        if let Some(m) = top.get("module")
            && !m.as_str().is_some_and(|m| MODELS.contains(&m))
        {
            return Err(top.err("module", m, &format!("one of {MODELS:?}")));
        }
        top.only(
            "registered_name",
            is_null,
            "null (custom models are not supported)",
        )?;
        let top_build = match top.get("build_config") {
            None | Some(Value::Null) => None,
            Some(b) => {
                let mut bo = Obj::new(b, "model: build_config", "value")?;
                let s = read_shape(bo.req("input_shape")?, "model: build_config", "input_shape")?;
                bo.finish()?;
                Some(s)
            }
        };
        let compile = top.get("compile_config");
        let mut c = Obj::new(top.req("config")?, "model: config", "config")?;
        top.finish()?;

        let name = match c.get("name") {
            None => None,
            Some(v) => Some(v.as_str().ok_or_else(|| c.err("name", v, "a string"))?),
        };
        c.only(
            "trainable",
            |v| *v == Value::Bool(true),
            "true (frozen models are not supported)",
        )?;
        if let Some(d) = c.get("dtype") {
            check_float32(d, "model: config")?;
        }
        let build_input = match c.get("build_input_shape") {
            None | Some(Value::Null) => None,
            Some(s) => Some(read_shape(s, "model: config", "build_input_shape")?),
        };
        let list = c.req("layers")?;
        let list = list
            .as_array()
            .ok_or_else(|| c.err("layers", list, "a list of layers"))?;
        c.finish()?;

        let mut input = None;
        let mut layers: Vec<Listed> = Vec::new();
        for (i, v) in list.iter().enumerate() {
            match layer_from_keras(v, i)? {
                KerasLayer::Input(shape) if i == 0 => input = Some(shape),
                KerasLayer::Input(_) => {
                    return Err(NnError::invalid(
                        &format!("layers[{i}]: class_name"),
                        "\"InputLayer\"",
                        "an InputLayer only as the first layer of a Sequential model",
                    ));
                }
                KerasLayer::Layer(l, b) => layers.push((i, *l, b)),
            }
        }

        // The input shape: the InputLayer's, else the model's build shape; all must agree.
        let mut shape: Option<Shape> = None;
        for (what, s) in [
            ("InputLayer batch_shape", input),
            ("build_config input_shape", top_build),
            ("build_input_shape", build_input),
        ] {
            match (&shape, s) {
                (_, None) => {}
                (None, Some(s)) => shape = Some(s),
                (Some(a), Some(b)) if *a != b => {
                    return Err(NnError::invalid(
                        &format!("model: {what}"),
                        format!("{b:?}"),
                        &format!("the model's input shape {a:?}"),
                    ));
                }
                _ => {}
            }
        }
        let (batch, dims) = match shape {
            None => (None, None),
            Some(s) => {
                let (batch, rest) = match s.split_first() {
                    Some((b, rest)) if !rest.is_empty() => (*b, rest),
                    _ => {
                        return Err(NnError::invalid(
                            "model: input shape",
                            format!("{s:?}"),
                            "(batch, timesteps, features) or (batch, features)",
                        ));
                    }
                };
                let dims: Option<Vec<usize>> = rest.iter().map(|d| d.filter(|&d| d > 0)).collect();
                let Some(dims) = dims else {
                    return Err(NnError::invalid(
                        "model: input shape",
                        format!("{s:?}"),
                        "positive sizes for every axis but the batch (recur needs a fixed \
                         number of timesteps and features)",
                    ));
                };
                (batch, Some(dims))
            }
        };
        let stateful = layers.iter().any(|(_, l, _)| l.is_stateful());
        if let Some(b) = batch
            && !stateful
        {
            return Err(NnError::invalid(
                "model: input shape: batch size",
                b,
                "null: recur fixes the batch size only for stateful layers",
            ));
        }
        if batch == Some(0) {
            return Err(NnError::invalid(
                "model: input shape: batch size",
                0,
                "a positive batch size (or null)",
            ));
        }
        if let Some(d) = &dims {
            check_budget(&layers, d, batch)?;
        }

        let mut model = Sequential::new();
        if let Some(n) = name {
            model.set_name(n.to_string());
        }
        // The input shape first, so each layer is built as it is added and a build error
        // names its layer.
        if let Some(d) = &dims {
            model.set_input_shape(d)?;
        }
        for (i, l, _) in &layers {
            model
                .add(l.clone())
                .map_err(|e| named(&format!("layers[{i}]"), "config", e))?;
        }
        for (layer, (i, _, build)) in model.layers_mut().iter_mut().zip(&layers) {
            if let (Some(want), Some(have)) = (build, layer.input_shape()) {
                let matches = want.len() == have.len() + 1
                    && want[1..].iter().zip(have).all(|(w, h)| *w == Some(*h));
                if !matches {
                    return Err(NnError::invalid(
                        &format!("layers[{i}] '{}': build_config input_shape", layer.name()),
                        format!("{want:?}"),
                        &format!("the shape the layer is built for, (batch, {have:?})"),
                    ));
                }
            }
            if let (Some(b), true) = (batch, layer.is_stateful()) {
                let n = layer.states_shape(b).iter().product();
                layer.set_states(Some(b), &vec![0.0; n])?;
            }
        }

        let mut metrics = Value::Null;
        match compile {
            None | Some(Value::Null) => {}
            Some(Value::Object(o)) if o.is_empty() => {}
            Some(v) => {
                let mut cc = Obj::new(v, "compile_config", "value")?;
                let loss = loss_from_keras(cc.req("loss")?)?;
                let opt = optimizer_from_keras(cc.req("optimizer")?)?;
                metrics = cc.get("metrics").cloned().unwrap_or(Value::Null);
                check_other_compile_args(&mut cc)?;
                cc.finish()?;
                model.compile(loss, opt)?;
            }
        }
        Ok(KerasImport { model, metrics })
    }
}

/// Refuses, before anything is allocated, a model whose parameters (plus a stateful batch's
/// carried states) would exceed [`MAX_KERAS_PARAMS`] values.
fn check_budget(layers: &[Listed], input: &[usize], batch: Option<usize>) -> Result<()> {
    let too_big = || {
        NnError::invalid(
            "model: size",
            "more than the cap",
            &format!(
                "at most {MAX_KERAS_PARAMS} parameters and carried state values in a model \
                 read from a Keras file"
            ),
        )
    };
    let mut features = *input.last().unwrap_or(&0);
    let mut total: usize = 0;
    for (_, l, _) in layers {
        let u = l.units();
        let (gates, bias) = match l {
            LayerConfig::Dense(_) => (0, u),
            LayerConfig::SimpleRnn(_) => (1, u),
            LayerConfig::Lstm(_) => (4, 4 * u),
            LayerConfig::Gru(g) => (3, if g.reset_after { 6 * u } else { 3 * u }),
        };
        let count = if gates == 0 {
            features.checked_mul(u).and_then(|k| k.checked_add(bias))
        } else {
            features
                .checked_add(u)
                .and_then(|s| s.checked_mul(u))
                .and_then(|s| s.checked_mul(gates))
                .and_then(|s| s.checked_add(bias))
        };
        total = count
            .and_then(|c| total.checked_add(c))
            .ok_or_else(too_big)?;
        if let (true, Some(b)) = (l.is_stateful(), batch) {
            let states = b
                .checked_mul(u)
                .and_then(|s| s.checked_mul(l.state_count()))
                .ok_or_else(too_big)?;
            total = total.checked_add(states).ok_or_else(too_big)?;
        }
        if total > MAX_KERAS_PARAMS {
            return Err(too_big());
        }
        features = u;
    }
    Ok(())
}
