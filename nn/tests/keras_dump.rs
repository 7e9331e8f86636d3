//! Writes recur-made models in their Keras forms for `fixtures/keras/check_recur_files.py`,
//! which zips them into `.keras` archives and checks that real Keras loads them with the same
//! predictions and optimizer variables. Ignored by default (it needs a folder and Keras):
//!
//! ```sh
//! RECUR_KERAS_DUMP=/tmp/recur-keras cargo test -p nn --test keras_dump -- --ignored
//! KERAS_BACKEND=jax python fixtures/keras/check_recur_files.py /tmp/recur-keras
//! ```

use nn::keras::KerasValue;
use nn::model::FitOptions;
use nn::{
    Algorithm, Axis, Constraint, DenseConfig, GruConfig, Loss, LstmConfig, OptimizerConfig,
    Regularizer, Sequential, SimpleRnnConfig, Tensor,
};
use serde_json::{Value, json};

fn data(n: usize, t: usize, f: usize) -> (Tensor, Tensor) {
    let x = (0..n * t * f).map(|i| ((i as f32) * 0.37).sin()).collect();
    let y = (0..n).map(|i| ((i as f32) * 0.21).cos()).collect();
    (
        Tensor::from_vec(x, &[n, t, f]).unwrap(),
        Tensor::from_vec(y, &[n, 1]).unwrap(),
    )
}

/// Trains `m` one epoch (if compiled), then writes its config, weights, optimizer variables,
/// an input and recur's prediction for it to `<dir>/<name>.json`.
fn dump(dir: &str, name: &str, m: &mut Sequential, batch: usize) {
    let (x, y) = data(8, 5, 3);
    let opts = FitOptions {
        epochs: 1,
        batch_size: batch,
        shuffle: nn::batching::Shuffle::Off,
        ..FitOptions::default()
    };
    if m.optimizer().is_some() {
        m.fit(&x, &y, &opts).unwrap();
    }
    // Keras's JAX predict does not carry a stateful layer's state from batch to batch, so the
    // prediction compared is one batch from zero states.
    m.reset_states();
    let x1 = Tensor::from_vec(x.data()[..batch * 15].to_vec(), &[batch, 5, 3]).unwrap();
    let pred = m.predict(&x1, Some(batch)).unwrap();
    m.reset_states();
    let weights: Vec<Value> = m
        .keras_weight_datasets()
        .into_iter()
        .zip(m.get_weights())
        .map(|(d, w)| json!({"path": d.path, "shape": d.shape, "values": w}))
        .collect();
    let optimizer: Vec<Value> = m
        .keras_optimizer_datasets()
        .into_iter()
        .zip(m.keras_optimizer_values())
        .map(|(d, v)| match v {
            KerasValue::Int(i) => {
                json!({"path": d.path, "shape": d.shape, "int": true, "values": [i]})
            }
            KerasValue::Float(f) => {
                json!({"path": d.path, "shape": d.shape, "int": false, "values": f})
            }
        })
        .collect();
    let metrics = if m.optimizer().is_some() {
        json!(["mae"])
    } else {
        Value::Null
    };
    let doc = json!({
        "config": m.to_keras_config(&metrics).unwrap(),
        "weights": weights,
        "optimizer": optimizer,
        "x": x1.data(),
        "x_shape": x1.dims(),
        "pred": pred.data(),
    });
    std::fs::write(
        format!("{dir}/{name}.json"),
        serde_json::to_string(&doc).unwrap(),
    )
    .unwrap();
}

#[test]
#[ignore = "writes files for check_recur_files.py; set RECUR_KERAS_DUMP"]
fn dump_models_for_keras() {
    let dir = std::env::var("RECUR_KERAS_DUMP").expect("RECUR_KERAS_DUMP=<folder>");
    std::fs::create_dir_all(&dir).unwrap();

    let mut m = Sequential::new();
    m.set_input_shape(&[5, 3]).unwrap();
    let mut s = SimpleRnnConfig::new(4).return_sequences(true);
    s.kernel_regularizer = Some(Regularizer::L2 { l2: 0.01 });
    s.recurrent_constraint = Some(Constraint::MaxNorm {
        max_value: 2.0,
        axis: Axis::One(0),
    });
    m.add(s).unwrap();
    let mut l = LstmConfig::new(3);
    l.return_sequences = true;
    l.activity_regularizer = Some(Regularizer::L1 { l1: 0.001 });
    m.add(l).unwrap();
    m.add(GruConfig::new(2).reset_after(false)).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    let mut adam = OptimizerConfig::adam();
    if let Algorithm::Adam { amsgrad, .. } = &mut adam.algorithm {
        *amsgrad = true;
    }
    m.compile(Loss::MeanSquaredError, adam).unwrap();
    dump(&dir, "stack_adam_amsgrad", &mut m, 4);

    let mut m = Sequential::new();
    m.set_input_shape(&[5, 3]).unwrap();
    m.add(GruConfig::new(3)).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanAbsoluteError, OptimizerConfig::nadam())
        .unwrap();
    dump(&dir, "gru_nadam", &mut m, 4);

    let mut m = Sequential::new();
    m.set_input_shape(&[5, 3]).unwrap();
    let mut s = SimpleRnnConfig::new(4);
    s.stateful = true;
    s.go_backwards = true;
    m.add(s).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    let mut rms = OptimizerConfig::rmsprop();
    if let Algorithm::Rmsprop {
        momentum, centered, ..
    } = &mut rms.algorithm
    {
        *momentum = 0.5;
        *centered = true;
    }
    m.compile(Loss::Huber { delta: 1.0 }, rms).unwrap();
    dump(&dir, "stateful_rmsprop", &mut m, 4);

    let mut m = Sequential::new();
    m.set_input_shape(&[5, 3]).unwrap();
    m.add(LstmConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::sgd())
        .unwrap();
    dump(&dir, "lstm_sgd", &mut m, 4);

    let mut m = Sequential::new();
    m.set_input_shape(&[5, 3]).unwrap();
    m.add(SimpleRnnConfig::new(2)).unwrap();
    dump(&dir, "simple_rnn_not_compiled", &mut m, 4);
}
