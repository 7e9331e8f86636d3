//! Every case of fixtures/keras/activations.json (Keras 3.15.1 values and derivatives), rtol 1e-5,
//! atol 1e-6 (the fixtures' single-op tolerance).

mod common;

use autograd::{Activation, Tape};
use common::{assert_close, dims, fixture, flat};

fn activation_for(case: &str, spec: &serde_json::Value) -> Activation {
    if let Some(args) = spec.get("args")
        && case.starts_with("relu_")
    {
        return Activation::Relu {
            negative_slope: args
                .get("negative_slope")
                .map_or(0.0, |v| v.as_f64().unwrap() as f32),
            max_value: args.get("max_value").map(|v| v.as_f64().unwrap() as f32),
            threshold: args
                .get("threshold")
                .map_or(0.0, |v| v.as_f64().unwrap() as f32),
        };
    }
    match case {
        "gelu_approximate" => Activation::Gelu { approximate: true },
        "softmax_last_axis_3x5" => Activation::Softmax,
        name => Activation::from_keras_name(name).unwrap_or_else(|e| panic!("{e}")),
    }
}

#[test]
fn every_keras_activation_case() {
    let f = fixture("activations.json");
    let cases = f["cases"].as_object().unwrap();
    assert!(cases.len() >= 24);
    for (name, spec) in cases {
        let act = activation_for(name, spec);
        let x = flat(&spec["x"]);
        let d = dims(&spec["x"]);
        let mut t = Tape::new();
        let xv = t.param(&x, &d).unwrap();
        let y = t.activation(xv, act).unwrap();
        assert_close(
            &format!("{name} y"),
            t.value(y).unwrap(),
            &flat(&spec["y"]),
            1e-5,
            1e-6,
        );
        if name == "softmax_last_axis_3x5" {
            let g = flat(&spec["G"]);
            t.backward_with_seed(y, &g).unwrap();
            assert_close(
                &format!("{name} grad_x"),
                t.grad(xv).unwrap(),
                &flat(&spec["grad_x"]),
                1e-5,
                1e-6,
            );
        } else {
            t.backward_with_seed(y, &vec![1.0; x.len()]).unwrap();
            assert_close(
                &format!("{name} dy_dx"),
                t.grad(xv).unwrap(),
                &flat(&spec["dy_dx"]),
                1e-5,
                1e-6,
            );
        }
    }
}

/// NaN in gives NaN out, on the elementwise path and the row path alike (TF's `max(x, 0)`
/// propagates NaN, so a diverged run shows NaN rather than silent zeros).
#[test]
fn nan_propagates_through_the_common_activations() {
    for act in [Activation::RELU, Activation::Tanh, Activation::Sigmoid] {
        assert!(act.apply(f32::NAN).is_nan(), "{act:?} apply");
        let mut tape = Tape::new();
        let x = tape.constant(&[f32::NAN, 1.0, -1.0], &[3]).unwrap();
        let y = tape.activation(x, act).unwrap();
        let v = tape.value(y).unwrap();
        assert!(v[0].is_nan(), "{act:?} row: {v:?}");
        assert!(v[1].is_finite() && v[2].is_finite(), "{act:?} row: {v:?}");
    }
}
