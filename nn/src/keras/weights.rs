//! Where each weight and optimizer variable lives in Keras 3.15.1's `model.weights.h5`, and
//! recur's optimizer state in Keras's variable order.
//!
//! Layout (checked with h5py on files Keras wrote, see `fixtures/keras/keras_configs/`):
//! - a layer's group is `layers/<name>`, where `<name>` is the snake_case class name made unique
//!   within the model in order (`dense`, `dense_1`, `simple_rnn`, ...), whatever the layer's own
//!   name; Dense weights are `layers/<name>/vars/<i>`, a recurrent layer's are in its cell,
//!   `layers/<name>/cell/vars/<i>`, `i` in `get_weights()` order (kernel, recurrent kernel,
//!   bias);
//! - the optimizer's variables are `optimizer/vars/<n>` in `optimizer.variables` order:
//!   `iterations` (an integer scalar), the learning rate (a float32 scalar), then the slots
//!   grouped as each Keras optimizer creates them (see [`slot_groups`]), then Nadam's
//!   `u_product` scalar.

use crate::error::{NnError, Result};
use crate::model::Sequential;
use crate::naming::LayerNamer;
use crate::optimizer::{Algorithm, NamedSlot, OptimizerConfig, OptimizerState};

/// The element type of an HDF5 dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H5Dtype {
    /// 32-bit floats (weights, slots, the learning rate).
    Float32,
    /// A 64-bit integer (the optimizer's `iterations`; Keras writes its backend's integer,
    /// int64 under TensorFlow and int32 under JAX, and reads either back).
    Int64,
}

/// One dataset of `model.weights.h5`: its path inside the file, shape (empty for a scalar) and
/// element type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H5Dataset {
    /// E.g. `layers/simple_rnn/cell/vars/0` or `optimizer/vars/2`.
    pub path: String,
    /// Row-major shape; `[]` for a scalar.
    pub shape: Vec<usize>,
    /// Element type.
    pub dtype: H5Dtype,
}

/// The value of one optimizer variable.
#[derive(Debug, Clone, PartialEq)]
pub enum KerasValue {
    /// An integer scalar (`iterations`).
    Int(i64),
    /// Float32 values, row-major (one value for a scalar).
    Float(Vec<f32>),
}

/// The slot groups a Keras optimizer creates, in order: within a group the slots are
/// interleaved per variable (`[m(w0), v(w0), m(w1), v(w1), ...]`), groups follow each other
/// (RMSprop: every velocity, then every momentum, then every average gradient). Their union is
/// [`OptimizerConfig::slot_names`].
pub fn slot_groups(config: &OptimizerConfig) -> Vec<Vec<&'static str>> {
    match config.algorithm {
        Algorithm::Sgd { .. } | Algorithm::Adagrad { .. } | Algorithm::Lion { .. } => {
            config.slot_names().into_iter().map(|s| vec![s]).collect()
        }
        Algorithm::Rmsprop { .. } => config.slot_names().into_iter().map(|s| vec![s]).collect(),
        Algorithm::Adam { amsgrad, .. } | Algorithm::Adamw { amsgrad, .. } => {
            let mut g = vec![vec!["momentum", "velocity"]];
            if amsgrad {
                g.push(vec!["velocity_hat"]);
            }
            g
        }
        Algorithm::Nadam { .. } => vec![vec!["momentum", "velocity"]],
        Algorithm::Adamax { .. } => vec![vec!["momentum", "norm"]],
        Algorithm::Adadelta { .. } => vec![vec!["accumulated_grad", "accumulated_delta_var"]],
    }
}

/// `(parameter index, slot name)` of each slot variable, in Keras's order.
fn slot_order(config: &OptimizerConfig, n_params: usize) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    for group in slot_groups(config) {
        for p in 0..n_params {
            for s in &group {
                out.push((p, *s));
            }
        }
    }
    out
}

fn scalar(path: String, dtype: H5Dtype) -> H5Dataset {
    H5Dataset {
        path,
        shape: Vec::new(),
        dtype,
    }
}

impl Sequential {
    /// The HDF5 dataset of each weight, in [`Sequential::get_weights`] order (empty before
    /// the model is built).
    pub fn keras_weight_datasets(&self) -> Vec<H5Dataset> {
        let mut namer = LayerNamer::new();
        let mut out = Vec::new();
        for l in self.layers() {
            let group = namer.next_for_class(l.class_name());
            let cell = if l.config().state_count() > 0 {
                "/cell"
            } else {
                ""
            };
            for (i, p) in l.params().iter().enumerate() {
                out.push(H5Dataset {
                    path: format!("layers/{group}{cell}/vars/{i}"),
                    shape: p.shape.clone(),
                    dtype: H5Dtype::Float32,
                });
            }
        }
        out
    }

    /// The HDF5 datasets of the optimizer's variables (`optimizer/vars/<n>`), in Keras's
    /// order: `iterations` and the learning rate, then, once the optimizer is built (training
    /// started), every slot and Nadam's `u_product`. Empty for a model that is not compiled.
    pub fn keras_optimizer_datasets(&self) -> Vec<H5Dataset> {
        let Some(opt) = self.optimizer() else {
            return Vec::new();
        };
        let mut out = vec![
            scalar("optimizer/vars/0".into(), H5Dtype::Int64),
            scalar("optimizer/vars/1".into(), H5Dtype::Float32),
        ];
        if opt.is_built() {
            let params = opt.params();
            for (p, _) in slot_order(opt.config(), params.len()) {
                out.push(H5Dataset {
                    path: format!("optimizer/vars/{}", out.len()),
                    shape: params[p].shape.clone(),
                    dtype: H5Dtype::Float32,
                });
            }
            if matches!(opt.config().algorithm, Algorithm::Nadam { .. }) {
                out.push(scalar(
                    format!("optimizer/vars/{}", out.len()),
                    H5Dtype::Float32,
                ));
            }
        }
        out
    }

    /// The values of [`Sequential::keras_optimizer_datasets`], same order.
    pub fn keras_optimizer_values(&self) -> Vec<KerasValue> {
        let Some(opt) = self.optimizer() else {
            return Vec::new();
        };
        let state = opt.export_state();
        let mut out = vec![
            KerasValue::Int(i64::try_from(state.iterations).unwrap_or(i64::MAX)),
            KerasValue::Float(vec![state.learning_rate]),
        ];
        if opt.is_built() {
            for (p, s) in slot_order(opt.config(), opt.params().len()) {
                let values = opt.slot(p, s).map(<[f32]>::to_vec).unwrap_or_default();
                out.push(KerasValue::Float(values));
            }
            out.extend(state.globals.into_iter().map(|g| KerasValue::Float(g.data)));
        }
        out
    }

    /// Restores the optimizer from the values of Keras's `optimizer/vars/<n>` datasets, in
    /// order, so that training continues exactly as it would have in Keras (and as it would
    /// have in recur before a round trip). Two values (`iterations`, learning rate) are what
    /// Keras writes before training: they set the learning rate and leave the optimizer
    /// unbuilt (an optimizer without slots, such as plain SGD, is built with that iteration
    /// count). More values build the optimizer for the model's parameters and must match
    /// [`Sequential::keras_optimizer_datasets`] of the built optimizer in number and sizes.
    pub fn set_keras_optimizer_values(&mut self, values: &[KerasValue]) -> Result<()> {
        let infos = self.param_infos();
        let built = self.is_built();
        let Some(opt) = self.optimizer_mut() else {
            return Err(NnError::state(
                "the model is not compiled, so it has no optimizer to restore: compile it first",
            ));
        };
        let (iterations, lr) = match values {
            [KerasValue::Int(i), KerasValue::Float(lr), ..] if lr.len() == 1 && *i >= 0 => {
                (*i as u64, lr[0])
            }
            _ => {
                return Err(NnError::invalid(
                    "optimizer variables",
                    format!("{} values", values.len()),
                    "iterations (a non-negative integer) and the learning rate (one float) \
                     first",
                ));
            }
        };
        let config = opt.config().clone();
        let has_slots =
            !config.slot_names().is_empty() || matches!(config.algorithm, Algorithm::Nadam { .. });
        if values.len() == 2 && has_slots {
            if iterations != 0 {
                return Err(NnError::invalid(
                    "optimizer variables",
                    "iterations and the learning rate only",
                    &format!(
                        "the {} slot variables of an optimizer that has taken {iterations} steps",
                        config.name()
                    ),
                ));
            }
            return opt.set_learning_rate(f64::from(lr));
        }
        if !built {
            return Err(NnError::state(
                "the model is not built, so the optimizer's slots cannot be restored: give it \
                 an input shape first",
            ));
        }
        let order = slot_order(&config, infos.len());
        let nadam = matches!(config.algorithm, Algorithm::Nadam { .. });
        let want = 2 + order.len() + usize::from(nadam);
        if values.len() != want {
            return Err(NnError::shape(
                format!("number of {} optimizer variables", config.name()),
                want,
                values.len(),
            ));
        }
        let float = |k: usize, len: usize| -> Result<&Vec<f32>> {
            match &values[k] {
                KerasValue::Float(v) if v.len() == len => Ok(v),
                other => Err(NnError::shape(
                    format!("optimizer variable {k}"),
                    format!("{len} floats"),
                    match other {
                        KerasValue::Float(v) => format!("{} floats", v.len()),
                        KerasValue::Int(_) => "an integer".to_string(),
                    },
                )),
            }
        };
        let mut slots = Vec::new();
        for p in &infos {
            for s in config.slot_names() {
                let k = 2 + order
                    .iter()
                    .position(|&(q, t)| infos[q].name == p.name && t == s)
                    .expect("every slot is in the order");
                slots.push(NamedSlot {
                    name: format!("{}/{s}", p.name),
                    data: float(k, p.len())?.clone(),
                });
            }
        }
        let globals = if nadam {
            vec![NamedSlot {
                name: "u_product".into(),
                data: float(want - 1, 1)?.clone(),
            }]
        } else {
            Vec::new()
        };
        for s in slots.iter().chain(&globals) {
            if let Some(x) = s.data.iter().find(|x| !x.is_finite()) {
                return Err(NnError::invalid(
                    &format!("optimizer variable '{}'", s.name),
                    x,
                    "finite values",
                ));
            }
        }
        opt.build(&infos)?;
        opt.import_state(&OptimizerState {
            iterations,
            learning_rate: lr,
            slots,
            globals,
        })
    }
}
