//! Defensive reading of Keras's serialized JSON: typed getters on one JSON object that name
//! the object and the key in every error, Keras's constructor default for a missing key, and a
//! final check that every key was understood (an unknown argument is an error, never dropped).

use serde_json::{Map, Value};

use crate::error::{NnError, Result};

/// Longest excerpt of a received value quoted in an error.
const MAX_QUOTE: usize = 120;

/// A short, single-line rendering of `v` for error messages.
pub(super) fn quote(v: &Value) -> String {
    let s = v.to_string();
    if s.len() <= MAX_QUOTE {
        return s;
    }
    let mut end = MAX_QUOTE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// The error for `key` of the object described by `ctx` holding `value`.
pub(super) fn bad(ctx: &str, key: &str, value: &Value, expected: &str) -> NnError {
    NnError::invalid(&format!("{ctx}: {key}"), quote(value), expected)
}

/// One JSON object being read; `ctx` names it in errors (e.g. `layer 2 (GRU 'gru')`).
pub(super) struct Obj<'a> {
    map: &'a Map<String, Value>,
    ctx: String,
    used: Vec<&'a str>,
}

impl<'a> Obj<'a> {
    /// Views `v` as an object, or fails naming `what` (the object's role).
    pub(super) fn new(v: &'a Value, ctx: impl Into<String>, what: &str) -> Result<Obj<'a>> {
        let ctx = ctx.into();
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                ctx,
                used: Vec::new(),
            }),
            other => Err(bad(&ctx, what, other, "a JSON object")),
        }
    }

    /// Like [`Obj::new`], an absent value reading as `{}` (a serialized object without a
    /// `config`).
    pub(super) fn new_opt(
        v: Option<&'a Value>,
        ctx: impl Into<String>,
        what: &str,
    ) -> Result<Obj<'a>> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        match v {
            Some(v) => Obj::new(v, ctx, what),
            None => Ok(Obj {
                map: &EMPTY,
                ctx: ctx.into(),
                used: Vec::new(),
            }),
        }
    }

    /// The context string, for errors raised by the caller.
    pub(super) fn ctx(&self) -> &str {
        &self.ctx
    }

    /// The value of `key` (None if absent), marked as understood.
    pub(super) fn get(&mut self, key: &str) -> Option<&'a Value> {
        let (k, v) = self.map.get_key_value(key)?;
        self.used.push(k.as_str());
        Some(v)
    }

    /// The value of `key`, which must be present.
    pub(super) fn req(&mut self, key: &str) -> Result<&'a Value> {
        self.get(key).ok_or_else(|| {
            NnError::invalid(
                &format!("{}: {key}", self.ctx),
                "nothing (the key is missing)",
                "the key to be present",
            )
        })
    }

    /// The error for `key` holding `v`.
    pub(super) fn err(&self, key: &str, v: &Value, expected: &str) -> NnError {
        bad(&self.ctx, key, v, expected)
    }

    /// A required string.
    pub(super) fn str(&mut self, key: &str) -> Result<&'a str> {
        let v = self.req(key)?;
        v.as_str().ok_or_else(|| self.err(key, v, "a string"))
    }

    /// A boolean, `default` when absent.
    pub(super) fn bool_or(&mut self, key: &str, default: bool) -> Result<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| self.err(key, v, "true or false")),
        }
    }

    /// A number, `default` when absent.
    pub(super) fn f64_or(&mut self, key: &str, default: f64) -> Result<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_f64().ok_or_else(|| self.err(key, v, "a number")),
        }
    }

    /// A number or null (None when absent or null).
    pub(super) fn opt_f64(&mut self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.err(key, v, "a number or null")),
        }
    }

    /// A required positive integer that fits in `usize`, at most `max`.
    pub(super) fn positive(&mut self, key: &str, max: usize) -> Result<usize> {
        let v = self.req(key)?;
        match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n > 0 && n <= max => Ok(n),
            _ => Err(self.err(key, v, &format!("an integer in [1, {max}]"))),
        }
    }

    /// A seed: absent or null gives None, else a non-negative integer.
    pub(super) fn seed(&mut self, key: &str) -> Result<Option<u64>> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.err(
                    key,
                    v,
                    "null or a non-negative integer seed (recur has no SeedGenerator objects)",
                )
            }),
        }
    }

    /// Accepts `key` only when absent or when `ok(value)` holds: for arguments recur does not
    /// implement, whose accepted values change nothing. `expected` says what is accepted.
    pub(super) fn only(
        &mut self,
        key: &str,
        ok: impl Fn(&Value) -> bool,
        expected: &str,
    ) -> Result<()> {
        match self.get(key) {
            Some(v) if !ok(v) => Err(self.err(key, v, expected)),
            _ => Ok(()),
        }
    }

    /// Fails on the first key no getter asked for.
    pub(super) fn finish(self) -> Result<()> {
        for (k, v) in self.map {
            if !self.used.contains(&k.as_str()) {
                return Err(bad(
                    &self.ctx,
                    k,
                    v,
                    "no such argument: recur does not support it (remove it to load this model)",
                ));
            }
        }
        Ok(())
    }
}

/// True for JSON null.
pub(super) fn is_null(v: &Value) -> bool {
    v.is_null()
}

/// True for JSON false.
pub(super) fn is_false(v: &Value) -> bool {
    *v == Value::Bool(false)
}

/// An f32 argument as the Python float Keras would hold: the shortest decimal that rounds to
/// it (so `0.1f32` is written `0.1`, as the user typed it, not `0.10000000149011612`).
pub(super) fn f32_json(x: f32) -> Value {
    let shortest: f64 = x.to_string().parse().unwrap_or(f64::from(x));
    num(shortest)
}

/// A finite f64 as a JSON number (non-finite values, which validated configs never hold,
/// become null rather than a panic).
pub(super) fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// An optional f64 as a number or null.
pub(super) fn opt_num(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num)
}

/// `{"module": module, "class_name": class, "config": config, "registered_name": null}`, the
/// shape of every object `keras.saving.serialize_keras_object` writes.
pub(super) fn keras_object(module: &str, class: &str, config: Value) -> Value {
    let mut m = Map::new();
    m.insert("module".into(), Value::from(module));
    m.insert("class_name".into(), Value::from(class));
    m.insert("config".into(), config);
    m.insert("registered_name".into(), Value::Null);
    Value::Object(m)
}

/// A serialized object read back: its class name and config (None when absent), after checking
/// `module` (when present) and `registered_name` (null or absent: no custom objects).
pub(super) fn read_object<'a>(
    v: &'a Value,
    ctx: &str,
    key: &str,
    modules: &[&str],
) -> Result<(&'a str, Option<&'a Value>)> {
    let mut o = Obj::new(v, format!("{ctx}: {key}"), "value")?;
    let class = o.str("class_name")?;
    if let Some(m) = o.get("module")
        && !m.as_str().is_some_and(|m| modules.contains(&m))
    {
        return Err(o.err("module", m, &format!("one of {modules:?}")));
    }
    o.only(
        "registered_name",
        is_null,
        "null (custom registered objects are not supported)",
    )?;
    // Keras adds this id to objects serialized more than once; it only shares instances.
    o.only(
        "shared_object_id",
        |v| v.is_u64() || v.is_i64(),
        "an integer",
    )?;
    let config = o.get("config");
    o.finish()?;
    Ok((class, config))
}
