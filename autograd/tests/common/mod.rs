//! Shared test helpers: a central finite-difference gradient checker and fixture readers.
#![allow(dead_code)]

use autograd::{OpKind, Tape, Var};
use proptest::test_runner::TestCaseError;

/// One input of a gradient check.
#[derive(Clone, Debug)]
pub struct Input {
    pub dims: Vec<usize>,
    pub data: Vec<f32>,
    /// Parameter (checked) or constant.
    pub grad: bool,
}

/// A parameter input from the first `prod(dims)` values of `pool`.
pub fn param(pool: &[f32], dims: &[usize]) -> Input {
    let n: usize = dims.iter().product();
    Input {
        dims: dims.to_vec(),
        data: pool[..n].to_vec(),
        grad: true,
    }
}

/// A constant input from the first `prod(dims)` values of `pool`.
pub fn constant(pool: &[f32], dims: &[usize]) -> Input {
    Input {
        grad: false,
        ..param(pool, dims)
    }
}

/// Central-difference step. Inputs are drawn with magnitudes of order 1, so 1e-2 keeps the
/// truncation error (eps²/6 · f''' ≈ 2e-5 · f''') small while the f32 rounding of the two
/// perturbed outputs (≈ 6e-8 · |out| each, divided by 2·eps) stays near 3e-6 · |out| per output.
pub const EPS: f32 = 1e-2;
/// Absolute and relative tolerance: with at most ~60 outputs of magnitude ≤ 5 the errors above
/// add up to about 1e-3 in the worst case, so 5e-3 leaves a margin of ~5 while a wrong backward
/// (a missing term, a wrong sign or factor) is off by O(|gradient|) and fails.
pub const ATOL: f64 = 5e-3;
/// See [`ATOL`].
pub const RTOL: f64 = 5e-3;

/// Fixed, non-trivial output weights: the checked scalar is `Σ out_i · w_i`.
pub fn output_weights(n: usize) -> Vec<f32> {
    (0..n).map(|i| (1.3 * i as f32 + 0.4).sin() + 0.2).collect()
}

fn eval(inputs: &[Input], build: &dyn Fn(&mut Tape, &[Var]) -> autograd::Result<Var>) -> f64 {
    let mut tape = Tape::new();
    let vars = leaves(&mut tape, inputs);
    let out = build(&mut tape, &vars).expect("forward");
    let w = output_weights(tape.value(out).unwrap().len());
    tape.value(out)
        .unwrap()
        .iter()
        .zip(&w)
        .map(|(&o, &w)| o as f64 * w as f64)
        .sum()
}

fn leaves(tape: &mut Tape, inputs: &[Input]) -> Vec<Var> {
    inputs
        .iter()
        .map(|i| {
            if i.grad {
                tape.param(&i.data, &i.dims).unwrap()
            } else {
                tape.constant(&i.data, &i.dims).unwrap()
            }
        })
        .collect()
}

/// Compares backward's gradient of `Σ out · w` with central differences for every element of
/// every parameter input; also checks that the tape recorded an op of `kind`.
pub fn check_gradients(
    kind: OpKind,
    inputs: &[Input],
    build: impl Fn(&mut Tape, &[Var]) -> autograd::Result<Var>,
) -> Result<(), TestCaseError> {
    let mut tape = Tape::new();
    let vars = leaves(&mut tape, inputs);
    let out = build(&mut tape, &vars).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if !tape.op_kinds().any(|k| k == kind) {
        return Err(TestCaseError::fail(format!("no {kind:?} node on the tape")));
    }
    let w = output_weights(tape.value(out).unwrap().len());
    tape.backward_with_seed(out, &w).unwrap();
    for (k, input) in inputs.iter().enumerate() {
        if !input.grad {
            continue;
        }
        let analytic = tape.grad(vars[k]).unwrap().to_vec();
        for (j, &a) in analytic.iter().enumerate() {
            let mut plus = inputs.to_vec();
            plus[k].data[j] += EPS;
            let mut minus = inputs.to_vec();
            minus[k].data[j] -= EPS;
            let fd = (eval(&plus, &build) - eval(&minus, &build)) / (2.0 * EPS as f64);
            let a = a as f64;
            if (a - fd).abs() > ATOL + RTOL * fd.abs() {
                return Err(TestCaseError::fail(format!(
                    "{kind:?}: input {k} element {j}: backward {a}, finite differences {fd}"
                )));
            }
        }
    }
    Ok(())
}

/// `|a - b| <= atol + rtol · |b|` elementwise, with a message naming `what` and the index.
pub fn assert_close(what: &str, got: &[f32], want: &[f32], rtol: f32, atol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= atol + rtol * w.abs(),
            "{what}[{i}]: got {g}, want {w}"
        );
    }
}

/// Flattens a nested JSON array of numbers (as f32, the fixtures' exact values).
pub fn flat(v: &serde_json::Value) -> Vec<f32> {
    let mut out = Vec::new();
    fn go(v: &serde_json::Value, out: &mut Vec<f32>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| go(x, out)),
            serde_json::Value::Number(n) => out.push(n.as_f64().unwrap() as f32),
            other => panic!("not a number: {other}"),
        }
    }
    go(v, &mut out);
    out
}

/// The dimensions of a nested JSON array.
pub fn dims(v: &serde_json::Value) -> Vec<usize> {
    let mut d = Vec::new();
    let mut cur = v;
    while let serde_json::Value::Array(a) = cur {
        d.push(a.len());
        match a.first() {
            Some(x) => cur = x,
            None => break,
        }
    }
    d
}

/// Reads a fixture file from `fixtures/keras/` at the repository root.
pub fn fixture(name: &str) -> serde_json::Value {
    let path = format!("{}/../fixtures/keras/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("json")
}
