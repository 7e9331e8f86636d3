//! A model file written by the first file format (`"format": "recur.sequential"`, version 1,
//! saved by the `recur train` command before the format changed) is refused by the loaders
//! (its checksum left the model description out) and read by `Sequential::upgrade_bytes`: same
//! predictions bit for bit, same optimizer state, and the caller's settings document back.
//!
//! `data/model-v1.recur` came from `recur train --epochs 2 --out DIR --json` (SimpleRNN(32,
//! relu) -> Dense(8, relu) -> Dense(1), RMSprop, input `(1, 4)`). The expected numbers below
//! were computed by the code that wrote it; they must never be regenerated from newer code, or
//! the test would stop showing that old files keep their meaning.

use nn::checkpoint::Checkpoint;
use nn::{NnError, Sequential, Tensor};
use safetensors::SafeTensors;

const OLD_FILE: &[u8] = include_bytes!("data/model-v1.recur");

/// A fixed input of shape `(6, 1, 4)`.
fn input() -> Tensor {
    let x: Vec<f32> = (0..24).map(|i| (i as f32 * 0.37).sin() * 1.5).collect();
    Tensor::from_vec(x, &[6, 1, 4]).unwrap()
}

/// Targets of shape `(6, 1)` for one training step.
fn targets() -> Tensor {
    let y: Vec<f32> = (0..6).map(|i| (i as f32 * 0.9).cos()).collect();
    Tensor::from_vec(y, &[6, 1]).unwrap()
}

fn bits(t: &Tensor) -> Vec<u32> {
    t.data().iter().map(|v| v.to_bits()).collect()
}

/// `predict` on [`input`] by the model in the file, as computed when the file was written.
const PREDICTIONS: [u32; 6] = [
    0x3f68b10f, 0x3f9680b8, 0xbedce2e8, 0xbf48d4ea, 0x3eca6f09, 0x3fb0e7ee,
];

/// `train_on_batch(input, targets)` on the loaded model: the loss before the step, then the
/// predictions after it. They depend on the saved RMSprop slots and iteration count.
const LOSS: u32 = 0x3f435718;
const PREDICTIONS_AFTER_STEP: [u32; 6] = [
    0x3f5b6010, 0x3f8e4cdf, 0xbed9574a, 0xbf4d1a2e, 0x3eaf0576, 0x3fa7a14f,
];

/// The caller's document as stored in the file, read with the safetensors crate alone (not
/// through recur's loader).
fn stored_document() -> serde_json::Value {
    let (_, header) = SafeTensors::read_metadata(OLD_FILE).unwrap();
    let text = &header.metadata().as_ref().unwrap()["recur.user"];
    serde_json::from_str(text).unwrap()
}

/// Reads the old file the one way that accepts it.
fn upgraded(bytes: &[u8]) -> nn::Result<(Sequential, Option<serde_json::Value>)> {
    let (m, doc, unverified) = Sequential::upgrade_bytes(bytes)?;
    assert!(unverified.unwrap().contains("model description"));
    Ok((m, doc))
}

#[test]
fn a_version_1_file_predicts_bit_for_bit_and_resumes_training() {
    let (mut m, doc) = upgraded(OLD_FILE).unwrap();
    assert_eq!(bits(&m.predict(&input(), None).unwrap()), PREDICTIONS);
    assert_eq!(m.epochs_done(), 2);
    assert_eq!(m.optimizer().unwrap().iterations(), 114);
    let loss = m.train_on_batch(&input(), &targets()).unwrap();
    assert_eq!(loss.to_bits(), LOSS);
    assert_eq!(
        bits(&m.predict(&input(), None).unwrap()),
        PREDICTIONS_AFTER_STEP
    );

    let doc = doc.expect("the settings document");
    assert_eq!(doc, stored_document());
    assert_eq!(doc["format"], "recur-cli-settings/1");
    assert_eq!(doc["model"]["units"], 32);
    assert_eq!(doc["data"]["windows"]["step"], 4);
}

#[test]
fn the_loaders_refuse_a_version_1_file_and_say_what_it_lacks() {
    let dir = std::env::temp_dir().join(format!("recur-nn-v1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.recur");
    std::fs::write(&path, OLD_FILE).unwrap();
    let is_old = |e: &NnError| {
        let inner = match e {
            NnError::File { source, .. } => source.as_ref(),
            other => other,
        };
        matches!(inner, NnError::OldFormat { version: 1, .. })
    };
    assert!(is_old(&Sequential::load_with_metadata(&path).unwrap_err()));
    assert!(is_old(&Sequential::load(&path).unwrap_err()));
    let e = Sequential::from_bytes(OLD_FILE).unwrap_err();
    assert!(is_old(&e));
    assert!(e.to_string().contains("upgrade_bytes"), "{e}");
    // A current file goes through upgrade_bytes unchanged, with nothing unverified.
    let (m, doc) = upgraded(OLD_FILE).unwrap();
    m.save_with_metadata(&path, doc.as_ref().unwrap()).unwrap();
    let (_, _, unverified) = Sequential::upgrade_bytes(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(unverified, None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_damaged_version_1_file_is_still_rejected() {
    // The first format's checksum covers the tensor bytes and the caller's document.
    let mut bad = OLD_FILE.to_vec();
    let last = bad.len() - 9;
    bad[last] ^= 0x01;
    let e = Sequential::upgrade_bytes(&bad).unwrap_err().to_string();
    assert!(e.contains("checksum"), "{e}");

    let needle = b"recur-cli-settings/1";
    let at = OLD_FILE
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    let mut edited = OLD_FILE.to_vec();
    edited[at + needle.len() - 1] = b'2';
    let e = Sequential::upgrade_bytes(&edited).unwrap_err().to_string();
    assert!(e.contains("checksum"), "{e}");

    assert!(Sequential::upgrade_bytes(&OLD_FILE[..OLD_FILE.len() - 1]).is_err());
    assert!(Sequential::upgrade_bytes(&OLD_FILE[..OLD_FILE.len() / 2]).is_err());
}

#[test]
fn a_version_1_file_saved_again_is_in_the_current_format_and_means_the_same() {
    let (mut old, doc) = upgraded(OLD_FILE).unwrap();
    let dir = std::env::temp_dir().join(format!("recur-nn-v1-again-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.recur");
    old.save_with_metadata(&path, doc.as_ref().unwrap())
        .unwrap();
    let c = Checkpoint::load(&path).unwrap();
    assert_eq!(c.tensors.len(), 15);
    let (mut new, doc_again) = Sequential::load_with_metadata(&path).unwrap();
    assert_eq!(doc_again, doc);
    assert_eq!(bits(&new.predict(&input(), None).unwrap()), PREDICTIONS);
    assert_eq!(
        new.train_on_batch(&input(), &targets()).unwrap().to_bits(),
        LOSS
    );
    assert_eq!(
        old.train_on_batch(&input(), &targets()).unwrap().to_bits(),
        LOSS
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
