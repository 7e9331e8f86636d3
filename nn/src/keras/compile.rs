//! The `compile_config` of a Keras model: the loss and the optimizer's full config, to and from
//! recur's [`Loss`] and [`OptimizerConfig`].

use autograd::Loss;
use serde_json::{Map, Value, json};

use super::json::{Obj, is_false, is_null, num, opt_num, quote, read_object};
use super::objects::named;
use crate::error::{NnError, Result};
use crate::naming::to_snake_case;
use crate::optimizer::{Algorithm, Optimizer, OptimizerConfig};

const LOSSES: &[&str] = &["keras.losses", "keras.src.losses"];
const OPTIMIZERS: &[&str] = &["keras.optimizers", "keras.src.optimizers"];

/// The loss as the string Keras's `compile(loss=...)` keeps (`"mse"`, `"mae"`, `"huber"`,
/// `"msle"`, `"log_cosh"`). Keras 3.15's `Huber.get_config()` does not save `delta`, so a
/// Huber loss with another delta than 1 has no Keras form and is an error.
pub(super) fn loss_to_keras(loss: Loss) -> Result<Value> {
    if let Loss::Huber { delta } = loss
        && delta != 1.0
    {
        return Err(NnError::invalid(
            "compile_config: loss: delta",
            delta,
            "1.0 (Keras 3.15 does not save Huber's delta, so another delta cannot be \
             written to a Keras file)",
        ));
    }
    Ok(Value::from(loss.short_name()))
}

/// A loss from `compile_config.loss`: a Keras name (`"mse"`, `"mean_squared_error"`, ...), a
/// serialized loss function, or a serialized `Loss` object of a class recur has, with the
/// default reduction.
pub(super) fn loss_from_keras(v: &Value) -> Result<Loss> {
    let ctx = "compile_config";
    let unknown = |name: &str| {
        NnError::invalid(
            "compile_config: loss",
            format!("{name:?}"),
            &format!(
                "a loss recur has: {} (or their Keras classes MeanSquaredError, \
                 MeanAbsoluteError, Huber, MeanSquaredLogarithmicError, LogCosh)",
                Loss::KERAS_NAMES.join(", ")
            ),
        )
    };
    match v {
        Value::String(name) => Loss::from_keras_name(name).map_err(|_| unknown(name)),
        Value::Object(_) => {
            let (class, config) = read_object(v, ctx, "loss", LOSSES)?;
            if class == "function" {
                return match config {
                    Some(Value::String(name)) => {
                        Loss::from_keras_name(name).map_err(|_| unknown(name))
                    }
                    other => Err(NnError::invalid(
                        "compile_config: loss: config",
                        other.map_or("nothing".to_string(), quote),
                        "the loss function's name",
                    )),
                };
            }
            let loss = match class {
                "MeanSquaredError" => Loss::MeanSquaredError,
                "MeanAbsoluteError" => Loss::MeanAbsoluteError,
                "Huber" => Loss::Huber { delta: 1.0 },
                "MeanSquaredLogarithmicError" => Loss::MeanSquaredLogarithmicError,
                "LogCosh" => Loss::LogCosh,
                other => return Err(unknown(other)),
            };
            let mut c = Obj::new_opt(config, format!("compile_config: loss ({class})"), "config")?;
            // The name only labels the loss in Keras's logs.
            c.get("name");
            c.only(
                "reduction",
                |r| r == "sum_over_batch_size",
                "\"sum_over_batch_size\" (recur's only reduction)",
            )?;
            c.only(
                "dtype",
                |d| d.is_null() || d == "float32",
                "null or \"float32\"",
            )?;
            let loss = match loss {
                Loss::Huber { .. } => {
                    let delta = c.f64_or("delta", 1.0)?;
                    if !(delta.is_finite() && delta > 0.0) {
                        return Err(c.err("delta", &num(delta), "a finite number > 0"));
                    }
                    Loss::Huber {
                        delta: delta as f32,
                    }
                }
                l => l,
            };
            c.finish()?;
            Ok(loss)
        }
        other => Err(NnError::invalid(
            "compile_config: loss",
            quote(other),
            "a loss name or a serialized Keras loss",
        )),
    }
}

/// Keras's class name of an algorithm.
fn class_name(a: &Algorithm) -> &'static str {
    match a {
        Algorithm::Sgd { .. } => "SGD",
        Algorithm::Rmsprop { .. } => "RMSprop",
        Algorithm::Adam { .. } => "Adam",
        Algorithm::Adamw { .. } => "AdamW",
        Algorithm::Nadam { .. } => "Nadam",
        Algorithm::Adagrad { .. } => "Adagrad",
        Algorithm::Adamax { .. } => "Adamax",
        Algorithm::Adadelta { .. } => "Adadelta",
        Algorithm::Lion { .. } => "Lion",
    }
}

/// The optimizer as `serialize_keras_object` writes it: every base argument (the ones recur
/// lacks at their off values), the algorithm's own, the automatic name (`rm_sprop`, `adam_w`,
/// ...) and the current f32 learning rate, as Keras reads it from its variable.
pub(super) fn optimizer_to_keras(opt: &Optimizer) -> Value {
    let c = opt.config();
    let class = class_name(&c.algorithm);
    let mut m = Map::new();
    m.insert("name".into(), Value::from(to_snake_case(class)));
    m.insert("learning_rate".into(), num(f64::from(opt.learning_rate())));
    m.insert("weight_decay".into(), opt_num(c.weight_decay));
    m.insert("clipnorm".into(), opt_num(c.clipnorm));
    m.insert("global_clipnorm".into(), opt_num(c.global_clipnorm));
    m.insert("clipvalue".into(), opt_num(c.clipvalue));
    m.insert("use_ema".into(), Value::Bool(false));
    m.insert("ema_momentum".into(), num(0.99));
    m.insert("ema_overwrite_frequency".into(), Value::Null);
    m.insert("loss_scale_factor".into(), Value::Null);
    m.insert("gradient_accumulation_steps".into(), Value::Null);
    let own = match c.algorithm {
        Algorithm::Sgd { momentum, nesterov } => {
            json!({"momentum": num(momentum), "nesterov": nesterov})
        }
        Algorithm::Rmsprop {
            rho,
            momentum,
            epsilon,
            centered,
        } => json!({"rho": num(rho), "momentum": num(momentum), "epsilon": num(epsilon),
                     "centered": centered}),
        Algorithm::Adam {
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
        }
        | Algorithm::Adamw {
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
        } => json!({"beta_1": num(beta_1), "beta_2": num(beta_2), "epsilon": num(epsilon),
                     "amsgrad": amsgrad}),
        Algorithm::Nadam {
            beta_1,
            beta_2,
            epsilon,
        }
        | Algorithm::Adamax {
            beta_1,
            beta_2,
            epsilon,
        } => json!({"beta_1": num(beta_1), "beta_2": num(beta_2), "epsilon": num(epsilon)}),
        Algorithm::Adagrad {
            initial_accumulator_value,
            epsilon,
        } => json!({"initial_accumulator_value": num(initial_accumulator_value),
                     "epsilon": num(epsilon)}),
        Algorithm::Adadelta { rho, epsilon } => json!({"rho": num(rho), "epsilon": num(epsilon)}),
        Algorithm::Lion { beta_1, beta_2 } => json!({"beta_1": num(beta_1), "beta_2": num(beta_2)}),
    };
    if let Value::Object(o) = own {
        m.extend(o);
    }
    super::json::keras_object("keras.optimizers", class, Value::Object(m))
}

/// An optimizer from `compile_config.optimizer`: a name (`"adam"`) or a serialized optimizer
/// of a class recur has. Missing arguments take Keras's defaults; the EMA, loss scaling and
/// gradient accumulation options are accepted only when off, and a learning-rate schedule is
/// an error.
pub(super) fn optimizer_from_keras(v: &Value) -> Result<OptimizerConfig> {
    let ctx = "compile_config";
    if let Value::String(name) = v {
        return OptimizerConfig::from_name(name).map_err(|e| named(ctx, "optimizer", e));
    }
    let (class, config) = read_object(v, ctx, "optimizer", OPTIMIZERS)?;
    let mut oc = match class.to_ascii_lowercase().as_str() {
        "sgd" | "rmsprop" | "adam" | "adamw" | "nadam" | "adagrad" | "adamax" | "adadelta"
        | "lion" => OptimizerConfig::from_name(class).map_err(|e| named(ctx, "optimizer", e))?,
        _ => {
            return Err(NnError::invalid(
                "compile_config: optimizer: class_name",
                format!("{class:?}"),
                "an optimizer recur has: SGD, RMSprop, Adam, AdamW, Nadam, Adagrad, Adamax, \
                 Adadelta, Lion",
            ));
        }
    };
    let mut c = Obj::new_opt(
        config,
        format!("compile_config: optimizer ({class})"),
        "config",
    )?;
    // The name only labels the optimizer's variables.
    c.get("name");
    match c.get("learning_rate") {
        None => {}
        Some(lr) => match lr.as_f64() {
            Some(x) => oc.learning_rate = x,
            None => {
                return Err(c.err(
                    "learning_rate",
                    lr,
                    "a number (learning-rate schedules are not supported)",
                ));
            }
        },
    }
    // Absent keeps the class default (AdamW's 0.004); null turns weight decay off.
    if c.get("weight_decay").is_some() {
        oc.weight_decay = c.opt_f64("weight_decay")?;
    }
    oc.clipnorm = c.opt_f64("clipnorm")?;
    oc.global_clipnorm = c.opt_f64("global_clipnorm")?;
    oc.clipvalue = c.opt_f64("clipvalue")?;
    c.only(
        "use_ema",
        is_false,
        "false (recur has no EMA of the weights)",
    )?;
    // Read only with use_ema on: with it off their values change nothing.
    c.only("ema_momentum", Value::is_number, "a number")?;
    c.only(
        "ema_overwrite_frequency",
        |v| v.is_null() || v.is_u64(),
        "null or an integer",
    )?;
    c.only(
        "loss_scale_factor",
        is_null,
        "null (recur has no loss scaling)",
    )?;
    c.only(
        "gradient_accumulation_steps",
        |v| v.is_null() || v.as_u64() == Some(1),
        "null or 1 (recur has no gradient accumulation)",
    )?;
    match &mut oc.algorithm {
        Algorithm::Sgd { momentum, nesterov } => {
            *momentum = c.f64_or("momentum", *momentum)?;
            *nesterov = c.bool_or("nesterov", *nesterov)?;
        }
        Algorithm::Rmsprop {
            rho,
            momentum,
            epsilon,
            centered,
        } => {
            *rho = c.f64_or("rho", *rho)?;
            *momentum = c.f64_or("momentum", *momentum)?;
            *epsilon = c.f64_or("epsilon", *epsilon)?;
            *centered = c.bool_or("centered", *centered)?;
        }
        Algorithm::Adam {
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
        }
        | Algorithm::Adamw {
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
        } => {
            *beta_1 = c.f64_or("beta_1", *beta_1)?;
            *beta_2 = c.f64_or("beta_2", *beta_2)?;
            *epsilon = c.f64_or("epsilon", *epsilon)?;
            *amsgrad = c.bool_or("amsgrad", *amsgrad)?;
        }
        Algorithm::Nadam {
            beta_1,
            beta_2,
            epsilon,
        }
        | Algorithm::Adamax {
            beta_1,
            beta_2,
            epsilon,
        } => {
            *beta_1 = c.f64_or("beta_1", *beta_1)?;
            *beta_2 = c.f64_or("beta_2", *beta_2)?;
            *epsilon = c.f64_or("epsilon", *epsilon)?;
        }
        Algorithm::Adagrad {
            initial_accumulator_value,
            epsilon,
        } => {
            *initial_accumulator_value =
                c.f64_or("initial_accumulator_value", *initial_accumulator_value)?;
            *epsilon = c.f64_or("epsilon", *epsilon)?;
        }
        Algorithm::Adadelta { rho, epsilon } => {
            *rho = c.f64_or("rho", *rho)?;
            *epsilon = c.f64_or("epsilon", *epsilon)?;
        }
        Algorithm::Lion { beta_1, beta_2 } => {
            *beta_1 = c.f64_or("beta_1", *beta_1)?;
            *beta_2 = c.f64_or("beta_2", *beta_2)?;
        }
    }
    c.finish()?;
    oc.validate()
        .map_err(|e| named(ctx, &format!("optimizer ({class})"), e))?;
    Ok(oc)
}

/// What `compile_config` holds besides the loss and the optimizer: recur keeps `metrics` for
/// its caller and accepts the others only at values that change nothing.
pub(super) fn check_other_compile_args(c: &mut Obj<'_>) -> Result<()> {
    c.only(
        "loss_weights",
        is_null,
        "null (recur models have one output)",
    )?;
    c.only(
        "weighted_metrics",
        is_null,
        "null (recur has no sample weights)",
    )?;
    // How Keras runs the step (eagerly, compiled) does not change what it computes.
    c.only("run_eagerly", Value::is_boolean, "true or false")?;
    c.only(
        "jit_compile",
        |v| v.is_boolean() || v == "auto",
        "true, false or \"auto\"",
    )?;
    c.only(
        "steps_per_execution",
        |v| v.as_u64() == Some(1),
        "1 (recur runs callbacks after every step)",
    )?;
    c.only(
        "auto_scale_loss",
        Value::is_boolean,
        "true or false (float32 models never scale the loss)",
    )?;
    Ok(())
}
