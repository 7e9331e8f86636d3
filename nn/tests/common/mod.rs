//! Shared helpers for the fixture tests: loading the Keras JSON files and comparing floats.
#![allow(dead_code)]

use nn::Tensor;
use serde_json::Value;

/// Loads `fixtures/keras/<name>.json` from the repository root.
pub fn load(name: &str) -> Value {
    let path = format!(
        "{}/../fixtures/keras/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Flattens a nested JSON array of numbers (or a number) into f32s (each is an exact f32).
pub fn flat(v: &Value) -> Vec<f32> {
    let mut out = Vec::new();
    fn rec(v: &Value, out: &mut Vec<f32>) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| rec(x, out)),
            Value::Number(n) => out.push(n.as_f64().unwrap() as f32),
            other => panic!("not a number: {other}"),
        }
    }
    rec(v, &mut out);
    out
}

/// Shape as `Vec<usize>`.
pub fn shape(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// Distance in units in the last place between two f32s (0 for bit-identical values; +0 and
/// -0 count as 0 apart).
pub fn ulps(a: f32, b: f32) -> u64 {
    if a == b {
        return 0;
    }
    let key = |x: f32| {
        let i = x.to_bits() as i32;
        if i < 0 {
            i32::MIN.wrapping_sub(i) as i64
        } else {
            i as i64
        }
    };
    (key(a) - key(b)).unsigned_abs()
}

/// Largest ulp distance between two slices of equal length.
pub fn max_ulps(a: &[f32], b: &[f32]) -> u64 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    a.iter()
        .zip(b)
        .map(|(&x, &y)| ulps(x, y))
        .max()
        .unwrap_or(0)
}

/// Asserts `|a - b| <= atol + rtol·|b|` element-wise.
pub fn assert_close(a: &[f32], b: &[f32], rtol: f32, atol: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: length mismatch");
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= atol + rtol * y.abs(),
            "{what}[{i}]: got {x}, want {y}"
        );
    }
}

/// `n` sequences of `t` steps, one feature, `x = sin(0.37 i)` over the flattened steps, and one
/// target each: `x` `[n, t, 1]`, `y` `[n, 1]` (the fit and evaluate behaviour tests' data).
pub fn sine_sequences(n: usize, t: usize) -> (Tensor, Tensor) {
    let x: Vec<f32> = (0..n * t).map(|i| (i as f32 * 0.37).sin()).collect();
    let y: Vec<f32> = (0..n)
        .map(|i| (i as f32 * 0.37 * t as f32).cos() * 0.5)
        .collect();
    (
        Tensor::from_vec(x, &[n, t, 1]).unwrap(),
        Tensor::from_vec(y, &[n, 1]).unwrap(),
    )
}
