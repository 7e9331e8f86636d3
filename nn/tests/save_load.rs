//! Save/load: bit-identical predictions, exact resumption (3 + 2 epochs == 5 epochs, with
//! shuffling and dropout on), and clear errors for truncated, corrupted and mismatched files.

use std::collections::HashMap;
use std::path::PathBuf;

use autograd::{Activation, Loss};
use nn::checkpoint::Checkpoint;
use nn::model::{FitOptions, MODEL_METADATA_KEY, SavedMetadata, USER_METADATA_KEY};
use nn::{
    DenseConfig, LayerConfig, NnError, OptimizerConfig, ParamTensor, Sequential, SimpleRnnConfig,
    Tensor,
};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("recur-nn-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn data() -> (Tensor, Tensor) {
    let n = 60;
    let x: Vec<f32> = (0..n * 4).map(|i| (i as f32 * 0.21).sin()).collect();
    let y: Vec<f32> = (0..n)
        .map(|i| (i as f32 * 0.84).sin() * 0.5 + 0.5)
        .collect();
    (
        Tensor::from_vec(x, &[n, 4, 1]).unwrap(),
        Tensor::from_vec(y, &[n, 1]).unwrap(),
    )
}

fn model() -> Sequential {
    let mut m = Sequential::with_seed(11);
    let mut rnn = SimpleRnnConfig::new(16).activation(Activation::RELU);
    rnn.dropout = 0.2;
    rnn.recurrent_dropout = 0.1;
    m.add(rnn).unwrap();
    m.add(DenseConfig::new(8).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::adam())
        .unwrap();
    m
}

fn opts(epochs: usize) -> FitOptions {
    FitOptions {
        epochs,
        batch_size: 16,
        ..FitOptions::default()
    }
}

#[test]
fn three_epochs_save_load_two_epochs_equals_five_epochs() {
    let (x, y) = data();
    let dir = tmpdir("resume");
    let path = dir.join("model.safetensors");

    let mut straight = model();
    let h5 = straight.fit(&x, &y, &opts(5)).unwrap();

    let mut first = model();
    let h3 = first.fit(&x, &y, &opts(3)).unwrap();
    let before = first.predict(&x, None).unwrap();
    first.save(&path).unwrap();
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left behind: {names:?}");

    let mut resumed = Sequential::load(&path).unwrap();
    assert_eq!(
        resumed.predict(&x, None).unwrap().data(),
        before.data(),
        "bit-identical predict"
    );
    assert_eq!(resumed.get_weights(), first.get_weights());
    assert_eq!(resumed.epochs_done(), 3);
    assert_eq!(resumed.summary().unwrap(), first.summary().unwrap());
    let h2 = resumed.fit(&x, &y, &opts(2)).unwrap();
    let mut joined = h3.loss.clone();
    joined.extend(&h2.loss);
    assert_eq!(joined, h5.loss, "loss history bit for bit");
    assert_eq!(
        resumed.get_weights(),
        straight.get_weights(),
        "weights bit for bit"
    );
    assert_eq!(
        resumed.optimizer().unwrap().iterations(),
        straight.optimizer().unwrap().iterations()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unbuilt_uncompiled_model_round_trips() {
    let dir = tmpdir("plain");
    let path = dir.join("m.safetensors");
    let mut m = Sequential::new();
    m.add(DenseConfig::new(3)).unwrap();
    m.save(&path).unwrap();
    let l = Sequential::load(&path).unwrap();
    assert!(!l.is_built() && l.loss().is_none());
    assert_eq!(l.layers()[0].config(), m.layers()[0].config());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn saved_bytes() -> Vec<u8> {
    let (x, y) = data();
    let mut m = model();
    m.fit(&x, &y, &opts(1)).unwrap();
    let dir = tmpdir("bytes");
    let p = dir.join("m.safetensors");
    m.save(&p).unwrap();
    let b = std::fs::read(&p).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    b
}

/// A saved file with its model description edited, written again as a valid file (the
/// checksum recomputed), so the loader's own checks are what rejects it.
fn rewrite(bytes: &[u8], edit: impl FnOnce(&mut SavedMetadata, &mut Checkpoint)) -> Vec<u8> {
    let mut c = Checkpoint::from_bytes(bytes).unwrap();
    let mut meta: SavedMetadata = serde_json::from_str(&c.metadata[MODEL_METADATA_KEY]).unwrap();
    edit(&mut meta, &mut c);
    c.metadata.insert(
        MODEL_METADATA_KEY.to_string(),
        serde_json::to_string(&meta).unwrap(),
    );
    c.to_bytes().unwrap()
}

fn err_of(bytes: &[u8]) -> String {
    Sequential::from_bytes(bytes).unwrap_err().to_string()
}

#[test]
fn damaged_files_are_rejected_with_clear_errors() {
    let good = saved_bytes();
    assert!(Sequential::from_bytes(&good).is_ok());
    assert!(Sequential::from_bytes(&rewrite(&good, |_, _| {})).is_ok());

    for cut in [good.len() / 2, 5, 0] {
        let e = Sequential::from_bytes(&good[..cut]).unwrap_err();
        assert!(matches!(e, NnError::InvalidFile { .. }), "{e:?}");
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    let mut flipped = good.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x01;
    let e = err_of(&flipped);
    assert!(e.contains("checksum"), "{e}");

    let e = err_of(&rewrite(&good, |m, _| {
        if let LayerConfig::SimpleRnn(c) = &mut m.layers[0] {
            c.units = 17;
        }
    }));
    assert!(e.contains("shape") && e.contains("needs"), "{e}");

    let e = err_of(&rewrite(&good, |_, c| {
        c.tensors.remove("weights/dense/bias");
    }));
    assert!(e.contains("'weights/dense/bias' is missing"), "{e}");

    let e = err_of(&rewrite(&good, |_, c| {
        c.tensors
            .insert("weights/extra".into(), ParamTensor::zeros(&[2]));
    }));
    assert!(e.contains("'weights/extra' does not belong"), "{e}");

    let e = err_of(&rewrite(&good, |m, _| {
        m.layer_rngs.pop().map(drop).unwrap()
    }));
    assert!(e.contains("RNG and state lists"), "{e}");

    let e = err_of(&rewrite(&good, |_, c| {
        c.metadata.insert("other".into(), "x".into());
    }));
    assert!(e.contains("unexpected metadata entry 'other'"), "{e}");

    // Not written by recur / broken JSON (in the current and in the first format).
    let data = vec![0u8; 8];
    let v = TensorView::new(Dtype::F32, vec![2], &data).unwrap();
    let plain = safetensors::serialize(vec![("w".to_string(), v.clone())], None).unwrap();
    assert!(err_of(&plain).contains("not written by recur"));
    let mut c = Checkpoint::new();
    c.metadata
        .insert(MODEL_METADATA_KEY.into(), "{not json".into());
    assert!(err_of(&c.to_bytes().unwrap()).contains("JSON"));
    c.metadata.clear();
    assert!(err_of(&c.to_bytes().unwrap()).contains("holds no model"));
    let mut md = HashMap::new();
    md.insert("recur".to_string(), "{not json".to_string());
    let broken = safetensors::serialize(vec![("w".to_string(), v)], Some(md)).unwrap();
    // A file in the first format is refused by the loaders, and read only by upgrade_bytes.
    assert!(err_of(&broken).contains("format version 1"));
    let e = Sequential::upgrade_bytes(&broken).unwrap_err().to_string();
    assert!(e.contains("JSON"), "{e}");

    let e = Sequential::load("/nonexistent/dir/model.safetensors").unwrap_err();
    assert!(
        matches!(&e, NnError::Io { kind: std::io::ErrorKind::NotFound, path, .. } if path.contains("/nonexistent/dir")),
        "{e:?}"
    );
}

#[test]
fn a_flipped_byte_anywhere_in_a_model_file_is_rejected() {
    let mut m = Sequential::with_seed(2);
    m.set_input_shape(&[3]).unwrap();
    m.add(DenseConfig::new(2)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::adam())
        .unwrap();
    let x = Tensor::from_vec(vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6], &[2, 3]).unwrap();
    let y = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0], &[2, 2]).unwrap();
    m.train_on_batch(&x, &y).unwrap();
    let dir = tmpdir("flip");
    let p = dir.join("m.recur");
    m.save_with_metadata(&p, &serde_json::json!({"step": 4}))
        .unwrap();
    let good = std::fs::read(&p).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(Sequential::from_bytes(&good).is_ok());
    // The length prefix, the JSON header (its padding and the checksum's own digits
    // included) and the tensor data: no single-byte change goes unnoticed.
    for pos in 0..good.len() {
        for mask in [0x01u8, 0x10, 0x80] {
            let mut bad = good.clone();
            bad[pos] ^= mask;
            let e = Sequential::from_bytes(&bad).unwrap_err();
            assert!(
                matches!(e, NnError::InvalidFile { .. }),
                "byte {pos} ^ {mask:#04x}: {e:?}"
            );
        }
    }
}

#[test]
fn non_finite_weights_are_refused_on_load() {
    let mut m = Sequential::new();
    m.set_input_shape(&[2]).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    let mut w = m.get_weights();
    w[0][1] = f32::INFINITY;
    m.set_weights(&w).unwrap();
    let dir = tmpdir("nonfinite");
    let p = dir.join("m.safetensors");
    m.save(&p).unwrap();
    let e = Sequential::load(&p).unwrap_err().to_string();
    assert!(
        e.contains("non-finite") && e.contains("weights/dense/kernel"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_layer_argument_and_the_carried_state_round_trip() {
    use nn::batching::Shuffle;
    use nn::{Axis, Constraint, Initializer, Regularizer};
    let mut rnn = SimpleRnnConfig::new(5).activation(Activation::Tanh);
    rnn.stateful = true;
    rnn.go_backwards = true;
    rnn.return_sequences = true;
    rnn.unroll = true;
    rnn.seed = Some(99);
    rnn.dropout = 0.1;
    rnn.kernel_initializer = Initializer::HeNormal { seed: Some(3) };
    rnn.recurrent_initializer = Initializer::Orthogonal {
        gain: 0.5,
        seed: None,
    };
    rnn.bias_initializer = Initializer::Constant { value: 0.1 };
    rnn.kernel_regularizer = Some(Regularizer::L1l2 { l1: 0.01, l2: 0.02 });
    rnn.recurrent_regularizer = Some(Regularizer::L2 { l2: 0.003 });
    rnn.activity_regularizer = Some(Regularizer::L1 { l1: 0.001 });
    rnn.recurrent_constraint = Some(Constraint::MaxNorm {
        max_value: 2.0,
        axis: Axis::One(0),
    });
    rnn.bias_constraint = Some(Constraint::NonNeg);
    let mut dense = DenseConfig::new(1);
    dense.kernel_constraint = Some(Constraint::UnitNorm {
        axis: Axis::Many(vec![0, 1]),
    });
    let mut m = Sequential::with_seed(5);
    m.add(rnn).unwrap();
    m.add(dense).unwrap();
    m.compile(
        Loss::Huber { delta: 0.5 },
        OptimizerConfig::sgd()
            .with_learning_rate(0.01)
            .with_clipnorm(1.0),
    )
    .unwrap();
    let (x, y) = data();
    let y3 =
        Tensor::from_vec(y.data().iter().flat_map(|&v| [v; 4]).collect(), &[60, 4, 1]).unwrap();
    let o = FitOptions {
        epochs: 2,
        batch_size: 12,
        shuffle: Shuffle::Off,
        ..FitOptions::default()
    };
    m.fit(&x, &y3, &o).unwrap();
    assert!(m.layers()[0].states().iter().any(|&s| s != 0.0));
    let dir = tmpdir("stateful");
    let p = dir.join("m.safetensors");
    m.save(&p).unwrap();
    let mut l = Sequential::load(&p).unwrap();
    for (a, b) in l.layers().iter().zip(m.layers()) {
        assert_eq!(a.config(), b.config());
        assert_eq!(a.states(), b.states());
        assert_eq!(a.stateful_batch_size(), b.stateful_batch_size());
    }
    assert_eq!(l.loss(), m.loss());
    assert_eq!(
        l.optimizer().unwrap().config(),
        m.optimizer().unwrap().config()
    );
    let h1 = m.fit(&x, &y3, &o).unwrap();
    let h2 = l.fit(&x, &y3, &o).unwrap();
    assert_eq!(h1, h2);
    assert_eq!(l.get_weights(), m.get_weights());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn user_metadata_round_trips_and_is_covered_by_the_checksum() {
    let (x, y) = data();
    let mut m = model();
    m.fit(&x, &y, &opts(1)).unwrap();
    let dir = tmpdir("user-meta");
    let p = dir.join("m.safetensors");
    let doc = serde_json::json!({"data": {"step": 4, "tail": [0.1, 0.25, 1e-300]}, "name": "x"});
    m.save_with_metadata(&p, &doc).unwrap();
    let (l, back) = Sequential::load_with_metadata(&p).unwrap();
    assert_eq!(back, Some(doc.clone()));
    assert_eq!(l.get_weights(), m.get_weights());
    // The plain loader ignores the document; a file saved without one has none.
    assert!(Sequential::load(&p).is_ok());
    let bytes = std::fs::read(&p).unwrap();
    m.save(&p).unwrap();
    assert_eq!(Sequential::load_with_metadata(&p).unwrap().1, None);
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left behind");

    // An edited document (still valid JSON) fails the checksum.
    let needle = br#"\"step\":4"#;
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    let mut edited = bytes.clone();
    edited[at + needle.len() - 1] = b'5';
    let e = Sequential::from_bytes_with_metadata(&edited)
        .unwrap_err()
        .to_string();
    assert!(e.contains("checksum"), "{e}");
    // So does the same content laid out again by another writer: the checksum covers the
    // file's bytes, not only what they decode to.
    // safetensors writes the metadata in a HashMap's order, which each new map draws at
    // random: lay it out again until the order (and so the bytes) differs.
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let again = (0..64)
        .map(|_| {
            let meta: HashMap<String, String> = header
                .metadata()
                .as_ref()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            safetensors::serialize(st.tensors(), Some(meta)).unwrap()
        })
        .find(|b| *b != bytes)
        .expect("another layout of the same content");
    let e = Sequential::from_bytes(&again).unwrap_err().to_string();
    assert!(e.contains("checksum"), "{e}");
    // Through recur's own writer, a removed document is just absent.
    let mut c = Checkpoint::from_bytes(&bytes).unwrap();
    assert!(c.metadata.remove(USER_METADATA_KEY).is_some());
    let (_, none) = Sequential::from_bytes_with_metadata(&c.to_bytes().unwrap()).unwrap();
    assert_eq!(none, None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_is_a_checkpoint_with_the_description_and_the_document() {
    let (x, y) = data();
    let mut m = model();
    m.fit(&x, &y, &opts(1)).unwrap();
    let dir = tmpdir("as-checkpoint");
    let p = dir.join("m.recur");
    m.save_with_metadata(&p, &serde_json::json!([1, 2]))
        .unwrap();
    let c = Checkpoint::load(&p).unwrap();
    let keys: Vec<&str> = c.metadata.keys().map(String::as_str).collect();
    assert_eq!(keys, [MODEL_METADATA_KEY, USER_METADATA_KEY]);
    assert_eq!(c.metadata[USER_METADATA_KEY], "[1,2]");
    let w = &c.tensors["weights/simple_rnn/kernel"];
    assert_eq!(w.shape, [1, 16]);
    assert_eq!(w.data, m.get_weights()[0]);
    assert!(
        c.tensors
            .contains_key("optimizer/simple_rnn/kernel/momentum"),
        "{:?}",
        c.tensors.keys()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Keras's `initial_epoch`: a fit of epochs 2..4 numbers its epochs 3 and 4 and runs two.
#[test]
fn initial_epoch_runs_the_remaining_epochs() {
    let (x, y) = data();
    let mut m = model();
    let first = m.fit(&x, &y, &opts(2)).unwrap();
    let mut seen = Vec::new();
    let o = FitOptions {
        initial_epoch: 2,
        ..opts(4)
    };
    let rest = m
        .fit_with(&x, &y, &o, &mut |e| {
            if let nn::model::FitEvent::EpochBegin { epoch, epochs } = e {
                seen.push((*epoch, *epochs));
            }
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(first.epochs(), 2);
    assert_eq!(rest.epochs(), 2);
    assert_eq!(seen, vec![(2, 4), (3, 4)]);
    assert_eq!(m.epochs_done(), 4);
}
