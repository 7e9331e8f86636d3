//! Keras's serialized initializers, regularizers, constraints, activations and dtype policies,
//! to and from recur's types. Written as `keras.saving.serialize_keras_object` writes them
//! (`{"module", "class_name", "config", "registered_name"}`); read from that form or from the
//! string identifiers Keras also accepts (`"glorot_uniform"`, `"l2"`, `"max_norm"`).

use autograd::Activation;
use serde_json::{Map, Value, json};

use super::json::{Obj, f32_json, is_null, keras_object, num, quote, read_object};
use crate::constraints::{Axis, Constraint};
use crate::error::{NnError, Result};
use crate::initializers::{Distribution, FanMode, Initializer};
use crate::regularizers::Regularizer;

const INITIALIZERS: &[&str] = &["keras.initializers", "keras.src.initializers"];
const REGULARIZERS: &[&str] = &["keras.regularizers", "keras.src.regularizers"];
const CONSTRAINTS: &[&str] = &["keras.constraints", "keras.src.constraints"];
const POLICIES: &[&str] = &["keras", "keras.mixed_precision", "keras.src.dtype_policies"];

fn seed_json(seed: Option<u64>) -> Value {
    seed.map_or(Value::Null, Value::from)
}

/// An initializer as Keras serializes it.
pub(super) fn initializer_to_keras(i: &Initializer) -> Value {
    use Initializer as I;
    let fans = |seed: Option<u64>| json!({"seed": seed_json(seed), "input_axes": null, "output_axes": null});
    let (class, config) = match *i {
        I::Zeros => ("Zeros", json!({})),
        I::Ones => ("Ones", json!({})),
        I::Constant { value } => ("Constant", json!({"value": f32_json(value)})),
        I::RandomUniform {
            minval,
            maxval,
            seed,
        } => (
            "RandomUniform",
            json!({"seed": seed_json(seed), "minval": num(minval), "maxval": num(maxval)}),
        ),
        I::RandomNormal { mean, stddev, seed } => (
            "RandomNormal",
            json!({"seed": seed_json(seed), "mean": num(mean), "stddev": num(stddev)}),
        ),
        I::TruncatedNormal { mean, stddev, seed } => (
            "TruncatedNormal",
            json!({"seed": seed_json(seed), "mean": num(mean), "stddev": num(stddev)}),
        ),
        I::VarianceScaling {
            scale,
            mode,
            distribution,
            seed,
        } => (
            "VarianceScaling",
            json!({
                "seed": seed_json(seed),
                "scale": num(scale),
                "mode": fan_mode_name(mode),
                "distribution": distribution_name(distribution),
                "input_axes": null,
                "output_axes": null,
            }),
        ),
        I::GlorotUniform { seed } => ("GlorotUniform", fans(seed)),
        I::GlorotNormal { seed } => ("GlorotNormal", fans(seed)),
        I::HeUniform { seed } => ("HeUniform", fans(seed)),
        I::HeNormal { seed } => ("HeNormal", fans(seed)),
        I::LecunUniform { seed } => ("LecunUniform", fans(seed)),
        I::LecunNormal { seed } => ("LecunNormal", fans(seed)),
        I::Orthogonal { gain, seed } => (
            "Orthogonal",
            json!({"seed": seed_json(seed), "gain": num(gain)}),
        ),
        // Keras 3.15's Identity.get_config() is `{}` (its gain is not saved); its constructor
        // takes `gain`, so a gain other than 1 is written and Keras reads it back.
        I::Identity { gain } => {
            if gain == 1.0 {
                ("Identity", json!({}))
            } else {
                ("Identity", json!({"gain": num(gain)}))
            }
        }
    };
    keras_object("keras.initializers", class, config)
}

fn fan_mode_name(m: FanMode) -> &'static str {
    match m {
        FanMode::FanIn => "fan_in",
        FanMode::FanOut => "fan_out",
        FanMode::FanAvg => "fan_avg",
    }
}

fn distribution_name(d: Distribution) -> &'static str {
    match d {
        Distribution::TruncatedNormal => "truncated_normal",
        Distribution::UntruncatedNormal => "untruncated_normal",
        Distribution::Uniform => "uniform",
    }
}

/// An initializer from its Keras form (`ctx`/`key` name it in errors); validated.
pub(super) fn initializer_from_keras(v: &Value, ctx: &str, key: &str) -> Result<Initializer> {
    use Initializer as I;
    let init = match v {
        Value::String(name) => Initializer::from_name(name).map_err(|e| named(ctx, key, e))?,
        _ => {
            let (class, config) = read_object(v, ctx, key, INITIALIZERS)?;
            let mut c = Obj::new_opt(config, format!("{ctx}: {key} ({class})"), "config")?;
            let init = match class {
                "Zeros" => I::Zeros,
                "Ones" => I::Ones,
                "Constant" => {
                    let value = c.f64_or("value", 0.0)?;
                    I::Constant {
                        value: value as f32,
                    }
                }
                "RandomUniform" => I::RandomUniform {
                    minval: c.f64_or("minval", -0.05)?,
                    maxval: c.f64_or("maxval", 0.05)?,
                    seed: c.seed("seed")?,
                },
                "RandomNormal" => I::RandomNormal {
                    mean: c.f64_or("mean", 0.0)?,
                    stddev: c.f64_or("stddev", 0.05)?,
                    seed: c.seed("seed")?,
                },
                "TruncatedNormal" => I::TruncatedNormal {
                    mean: c.f64_or("mean", 0.0)?,
                    stddev: c.f64_or("stddev", 0.05)?,
                    seed: c.seed("seed")?,
                },
                "VarianceScaling" => {
                    let scale = c.f64_or("scale", 1.0)?;
                    let mode = match c.get("mode") {
                        None => FanMode::FanIn,
                        Some(m) => match m.as_str() {
                            Some("fan_in") => FanMode::FanIn,
                            Some("fan_out") => FanMode::FanOut,
                            Some("fan_avg") => FanMode::FanAvg,
                            _ => return Err(c.err("mode", m, "fan_in, fan_out or fan_avg")),
                        },
                    };
                    let distribution = match c.get("distribution") {
                        None => Distribution::TruncatedNormal,
                        Some(d) => match d.as_str() {
                            Some("truncated_normal") => Distribution::TruncatedNormal,
                            Some("untruncated_normal") => Distribution::UntruncatedNormal,
                            Some("uniform") => Distribution::Uniform,
                            _ => {
                                return Err(c.err(
                                    "distribution",
                                    d,
                                    "truncated_normal, untruncated_normal or uniform",
                                ));
                            }
                        },
                    };
                    fan_axes(&mut c)?;
                    I::VarianceScaling {
                        scale,
                        mode,
                        distribution,
                        seed: c.seed("seed")?,
                    }
                }
                "GlorotUniform" | "GlorotNormal" | "HeUniform" | "HeNormal" | "LecunUniform"
                | "LecunNormal" => {
                    fan_axes(&mut c)?;
                    let seed = c.seed("seed")?;
                    match class {
                        "GlorotUniform" => I::GlorotUniform { seed },
                        "GlorotNormal" => I::GlorotNormal { seed },
                        "HeUniform" => I::HeUniform { seed },
                        "HeNormal" => I::HeNormal { seed },
                        "LecunUniform" => I::LecunUniform { seed },
                        _ => I::LecunNormal { seed },
                    }
                }
                "Orthogonal" => I::Orthogonal {
                    gain: c.f64_or("gain", 1.0)?,
                    seed: c.seed("seed")?,
                },
                "Identity" => I::Identity {
                    gain: c.f64_or("gain", 1.0)?,
                },
                other => {
                    return Err(NnError::invalid(
                        &format!("{ctx}: {key}"),
                        other,
                        "an initializer recur has: Zeros, Ones, Constant, RandomUniform, \
                         RandomNormal, TruncatedNormal, VarianceScaling, GlorotUniform, \
                         GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, \
                         Orthogonal, Identity",
                    ));
                }
            };
            c.finish()?;
            init
        }
    };
    init.validate().map_err(|e| named(ctx, key, e))?;
    Ok(init)
}

/// Keras 3.15's `input_axes` / `output_axes` (fans over chosen axes): recur computes fans the
/// default way only, so they must be null.
fn fan_axes(c: &mut Obj<'_>) -> Result<()> {
    for k in ["input_axes", "output_axes"] {
        c.only(
            k,
            is_null,
            "null (recur computes fans from the last two axes only)",
        )?;
    }
    Ok(())
}

/// Prefixes an error from recur's own validation with where the value came from.
pub(super) fn named(ctx: &str, key: &str, e: NnError) -> NnError {
    match e {
        NnError::InvalidArgument {
            name,
            value,
            expected,
        } => NnError::InvalidArgument {
            name: format!("{ctx}: {key}: {name}"),
            value,
            expected,
        },
        NnError::UnknownName { kind, name, known } => NnError::InvalidArgument {
            name: format!("{ctx}: {key}"),
            value: format!("{name:?}"),
            expected: format!("a known {kind}: {known}"),
        },
        other => NnError::invalid(&format!("{ctx}: {key}"), other, "a valid value"),
    }
}

/// A regularizer as Keras serializes it (null for none).
pub(super) fn regularizer_to_keras(r: &Option<Regularizer>) -> Value {
    match r {
        None => Value::Null,
        // Keras 3.15.1's L1 keeps its factor as a float32 tensor (L2 and L1L2 keep Python
        // floats), so its config holds the f32 value; recur computes with that value too.
        Some(Regularizer::L1 { l1 }) => keras_object(
            "keras.regularizers",
            "L1",
            json!({"l1": num(f64::from(*l1 as f32))}),
        ),
        Some(Regularizer::L2 { l2 }) => {
            keras_object("keras.regularizers", "L2", json!({"l2": num(*l2)}))
        }
        Some(Regularizer::L1l2 { l1, l2 }) => keras_object(
            "keras.regularizers",
            "L1L2",
            json!({"l1": num(*l1), "l2": num(*l2)}),
        ),
    }
}

/// A regularizer from its Keras form (null: none); validated.
pub(super) fn regularizer_from_keras(
    v: &Value,
    ctx: &str,
    key: &str,
) -> Result<Option<Regularizer>> {
    let r = match v {
        Value::Null => return Ok(None),
        Value::String(name) => Regularizer::from_name(name).map_err(|e| named(ctx, key, e))?,
        _ => {
            let (class, config) = read_object(v, ctx, key, REGULARIZERS)?;
            let mut c = Obj::new_opt(config, format!("{ctx}: {key} ({class})"), "config")?;
            let r = match class {
                "L1" => Regularizer::L1 {
                    l1: c.f64_or("l1", 0.01)?,
                },
                "L2" => Regularizer::L2 {
                    l2: c.f64_or("l2", 0.01)?,
                },
                "L1L2" => Regularizer::L1l2 {
                    l1: c.f64_or("l1", 0.0)?,
                    l2: c.f64_or("l2", 0.0)?,
                },
                other => {
                    return Err(NnError::invalid(
                        &format!("{ctx}: {key}"),
                        other,
                        "a regularizer recur has: L1, L2, L1L2",
                    ));
                }
            };
            c.finish()?;
            r
        }
    };
    r.validate().map_err(|e| named(ctx, key, e))?;
    Ok(Some(r))
}

fn axis_json(a: &Axis) -> Value {
    match a {
        Axis::One(i) => Value::from(*i),
        Axis::Many(v) => Value::from(v.clone()),
    }
}

/// A constraint as Keras serializes it (null for none).
pub(super) fn constraint_to_keras(c: &Option<Constraint>) -> Value {
    let (class, config) = match c {
        None => return Value::Null,
        Some(Constraint::MaxNorm { max_value, axis }) => (
            "MaxNorm",
            json!({"max_value": num(*max_value), "axis": axis_json(axis)}),
        ),
        Some(Constraint::NonNeg) => ("NonNeg", json!({})),
        Some(Constraint::UnitNorm { axis }) => ("UnitNorm", json!({"axis": axis_json(axis)})),
        Some(Constraint::MinMaxNorm {
            min_value,
            max_value,
            rate,
            axis,
        }) => (
            "MinMaxNorm",
            json!({
                "min_value": num(*min_value),
                "max_value": num(*max_value),
                "rate": num(*rate),
                "axis": axis_json(axis),
            }),
        ),
    };
    keras_object("keras.constraints", class, config)
}

fn axis_from(c: &mut Obj<'_>) -> Result<Axis> {
    let Some(v) = c.get("axis") else {
        return Ok(Axis::One(0));
    };
    if let Some(i) = v.as_i64() {
        return Ok(Axis::One(i));
    }
    if let Some(items) = v.as_array()
        && items.len() <= crate::constraints::MAX_CONSTRAINT_RANK
        && let Some(axes) = items
            .iter()
            .map(Value::as_i64)
            .collect::<Option<Vec<i64>>>()
    {
        return Ok(Axis::Many(axes));
    }
    Err(c.err(
        "axis",
        v,
        &format!(
            "an integer or a list of at most {} integers",
            crate::constraints::MAX_CONSTRAINT_RANK
        ),
    ))
}

/// A constraint from its Keras form (null: none); validated.
pub(super) fn constraint_from_keras(v: &Value, ctx: &str, key: &str) -> Result<Option<Constraint>> {
    let con = match v {
        Value::Null => return Ok(None),
        Value::String(name) => Constraint::from_name(name).map_err(|e| named(ctx, key, e))?,
        _ => {
            let (class, config) = read_object(v, ctx, key, CONSTRAINTS)?;
            let mut c = Obj::new_opt(config, format!("{ctx}: {key} ({class})"), "config")?;
            let con = match class {
                "MaxNorm" => Constraint::MaxNorm {
                    max_value: c.f64_or("max_value", 2.0)?,
                    axis: axis_from(&mut c)?,
                },
                "NonNeg" => Constraint::NonNeg,
                "UnitNorm" => Constraint::UnitNorm {
                    axis: axis_from(&mut c)?,
                },
                "MinMaxNorm" => Constraint::MinMaxNorm {
                    min_value: c.f64_or("min_value", 0.0)?,
                    max_value: c.f64_or("max_value", 1.0)?,
                    rate: c.f64_or("rate", 1.0)?,
                    axis: axis_from(&mut c)?,
                },
                other => {
                    return Err(NnError::invalid(
                        &format!("{ctx}: {key}"),
                        other,
                        "a constraint recur has: MaxNorm, NonNeg, UnitNorm, MinMaxNorm",
                    ));
                }
            };
            c.finish()?;
            con
        }
    };
    con.validate().map_err(|e| named(ctx, key, e))?;
    Ok(Some(con))
}

/// An activation as Keras writes it in a layer config: its name. Keras serializes activations
/// by name only, so a variant with non-default arguments (e.g. relu with `max_value`) has no
/// Keras form and is an error naming it.
pub(super) fn activation_to_keras(a: Activation, ctx: &str, key: &str) -> Result<Value> {
    let name = a.keras_name();
    match Activation::from_keras_name(name) {
        Ok(d) if d == a => Ok(Value::from(name)),
        _ => Err(NnError::invalid(
            &format!("{ctx}: {key}"),
            format!("{a:?}"),
            "an activation with Keras's default arguments (a Keras config names activations \
             only, so other arguments cannot be saved)",
        )),
    }
}

/// An activation from a layer config: a Keras name, or null (linear).
pub(super) fn activation_from_keras(v: &Value, ctx: &str, key: &str) -> Result<Activation> {
    match v {
        Value::Null => Ok(Activation::Linear),
        Value::String(name) => Activation::from_keras_name(name).map_err(|_| {
            NnError::invalid(
                &format!("{ctx}: {key}"),
                format!("{name:?}"),
                &format!(
                    "an activation recur has: {}",
                    Activation::KERAS_NAMES.join(", ")
                ),
            )
        }),
        other => Err(NnError::invalid(
            &format!("{ctx}: {key}"),
            quote(other),
            "an activation name (a string) or null",
        )),
    }
}

/// Keras's float32 `DTypePolicy`, as every layer and the model carry it.
pub(super) fn float32_policy() -> Value {
    keras_object("keras", "DTypePolicy", json!({"name": "float32"}))
}

/// Accepts a `dtype` that means float32 (null, `"float32"`, or a float32 `DTypePolicy`);
/// anything else (mixed precision, float64, ...) is an error: recur computes in float32 only.
pub(super) fn check_float32(v: &Value, ctx: &str) -> Result<()> {
    let ok = match v {
        Value::Null => true,
        Value::String(s) => s == "float32",
        Value::Object(_) => {
            let (class, config) = read_object(v, ctx, "dtype", POLICIES)?;
            let mut c = Obj::new_opt(config, format!("{ctx}: dtype ({class})"), "config")?;
            let name = c.get("name").cloned().unwrap_or(Value::Null);
            c.finish()?;
            matches!(class, "DTypePolicy" | "FloatDTypePolicy") && name == "float32"
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(NnError::invalid(
            &format!("{ctx}: dtype"),
            quote(v),
            "the float32 policy (recur computes in float32 only)",
        ))
    }
}

/// Adds `shared_object_id` to serialized objects the way Keras's serializer does for objects
/// it meets more than once (the dtype policy every layer shares; the initializers,
/// regularizers and constraints a recurrent layer shares with its cell). Keras takes the ids
/// from Python's `id()`; recur numbers them 1, 2, ... (they only need to be unique in a file).
#[derive(Debug, Default)]
pub(super) struct SharedIds {
    next: u64,
}

impl SharedIds {
    /// `v` with a fresh id, or `v` unchanged if it is null.
    pub(super) fn share(&mut self, mut v: Value) -> Value {
        if let Value::Object(m) = &mut v {
            self.next += 1;
            m.insert("shared_object_id".into(), Value::from(self.next));
        }
        v
    }
}

/// An empty JSON object.
pub(super) fn empty() -> Value {
    Value::Object(Map::new())
}
