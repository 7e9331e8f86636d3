//! Every case of fixtures/keras/losses.json (Keras 3.15.1, reduction sum_over_batch_size): value
//! and gradient with respect to y_pred, rtol 1e-5, atol 1e-6.

mod common;

use autograd::{Loss, Tape};
use common::{assert_close, fixture, flat};

fn loss_for(name: &str) -> Loss {
    match name {
        "huber_delta1" => Loss::Huber { delta: 1.0 },
        "huber_delta0.5" => Loss::Huber { delta: 0.5 },
        n => Loss::from_keras_name(n).unwrap_or_else(|e| panic!("{e}")),
    }
}

fn dims_of(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn every_keras_loss_case() {
    let f = fixture("losses.json");
    let cases = f["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 18);
    for (name, spec) in cases {
        let loss = loss_for(spec["loss"].as_str().unwrap());
        let mut t = Tape::new();
        let yt = t
            .constant(&flat(&spec["y_true"]), &dims_of(&spec["y_true_shape"]))
            .unwrap();
        let yp = t
            .param(&flat(&spec["y_pred"]), &dims_of(&spec["y_pred_shape"]))
            .unwrap();
        let l = t.loss(loss, yt, yp).unwrap();
        let want = spec["value"].as_f64().unwrap() as f32;
        assert_close(
            &format!("{name} value"),
            &[t.item(l).unwrap()],
            &[want],
            1e-5,
            1e-6,
        );
        t.backward(l).unwrap();
        assert_close(
            &format!("{name} grad_y_pred"),
            t.grad(yp).unwrap(),
            &flat(&spec["grad_y_pred"]),
            1e-5,
            1e-6,
        );
    }
}

#[test]
fn mismatched_loss_shapes_are_errors() {
    let mut t = Tape::new();
    let yt = t.constant(&[0.0; 4], &[4]).unwrap();
    let yp = t.param(&[0.0; 8], &[4, 2]).unwrap();
    let e = t
        .loss(Loss::MeanSquaredError, yt, yp)
        .unwrap_err()
        .to_string();
    assert!(e.contains("[4]") && e.contains("[4, 2]"), "{e}");
}
