//! The model loader target.

use std::path::Path;

use forecast::series::model_file::ModelFile;
use nn::Sequential;
use nn::checkpoint::Checkpoint;
use nn::model::{MODEL_METADATA_KEY, USER_METADATA_KEY};
use nn::{NnError, Tensor};

/// Parses `bytes` as each of recur's readers of model files does and checks: no panic; errors
/// are one non-empty line; a checkpoint that parses re-serializes to bytes that parse to the
/// same bytes again; a model that loads (current format, or an old one through the upgrade
/// path) re-saves to bytes that load and re-save to the same bytes, with the same settings
/// document, and predicts on a window of zeros; the readers agree (a file the
/// CLI accepts is one nn loads, a current file the upgrade path reads is one the plain loader
/// reads).
///
/// Then, when `bytes` is UTF-8, it is also put in a small valid model file as the model
/// description and, separately, as the CLI's settings document, with the checksum recomputed,
/// and that file is checked the same way: a checksummed file is otherwise out of the fuzzer's
/// reach past the checksum, and a deliberate edit can always recompute it.
pub fn model_loader(bytes: &[u8]) {
    model_file(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        for key in [MODEL_METADATA_KEY, USER_METADATA_KEY] {
            let mut file = Checkpoint::from_bytes(TEMPLATE).expect("the template is valid");
            file.metadata.insert(key.to_string(), text.to_string());
            model_file(
                &file
                    .to_bytes()
                    .expect("a template with any text serializes"),
            );
        }
    }
}

/// A small model file written by `recur train` (SimpleRNN(3) -> Dense(2) -> Dense(1)), whose
/// JSON documents [`model_loader`] replaces.
const TEMPLATE: &[u8] = include_bytes!("../data/template.recur");

/// The checks of [`model_loader`] on one file.
fn model_file(bytes: &[u8]) {
    checkpoint_round_trip(bytes);

    let loaded = Sequential::from_bytes_with_metadata(bytes);
    if let Err(e) = &loaded {
        one_line(&e.to_string());
    }
    if let Ok((m, doc)) = &loaded {
        model_round_trip(m, doc.as_ref());
    }

    let upgraded = Sequential::upgrade_bytes(bytes);
    match &upgraded {
        Ok((m, doc, unverified)) => {
            assert_eq!(
                unverified.is_none(),
                loaded.is_ok(),
                "the upgrade path and the loader disagree on a current file"
            );
            let saved = model_round_trip(m, doc.as_ref());
            assert!(
                Sequential::from_bytes_with_metadata(&saved).is_ok(),
                "an upgraded model's file does not load"
            );
        }
        Err(e) => {
            one_line(&e.to_string());
            assert!(
                loaded.is_err() || matches!(e, NnError::OldFormat { .. }),
                "a file the loader reads is refused by the upgrade path: {e}"
            );
        }
    }

    let path = Path::new("fuzz.recur");
    match ModelFile::from_bytes(bytes, path) {
        Ok(mut file) => {
            assert!(loaded.is_ok(), "recur reads a file nn refuses");
            predict_zeros(&mut file.model);
        }
        Err(e) => {
            let e = cli::error::CliError::from(e);
            assert_eq!(
                e.exit_code(),
                2,
                "a bad model file is not a usage error: {e}"
            );
            one_line(&e.to_string());
        }
    }
    match ModelFile::upgrade_from_bytes(bytes, path) {
        Ok((mut file, _)) => {
            assert!(upgraded.is_ok(), "recur upgrades a file nn refuses");
            predict_zeros(&mut file.model);
        }
        Err(e) => {
            let e = cli::error::CliError::from(e);
            assert_eq!(
                e.exit_code(),
                2,
                "a bad model file is not a usage error: {e}"
            );
            one_line(&e.to_string());
        }
    }
}

/// A parsed checkpoint re-serializes, and its bytes are a fixed point of parse-then-serialize.
fn checkpoint_round_trip(bytes: &[u8]) {
    match Checkpoint::from_bytes(bytes) {
        Ok(c) => {
            let first = c
                .to_bytes()
                .unwrap_or_else(|e| panic!("a parsed checkpoint does not serialize: {e}"));
            let again = Checkpoint::from_bytes(&first)
                .unwrap_or_else(|e| panic!("a re-serialized checkpoint does not parse: {e}"));
            assert_eq!(
                again.to_bytes().expect("serializes"),
                first,
                "checkpoint round trip changed the bytes"
            );
        }
        Err(e) => one_line(&e.to_string()),
    }
}

/// Re-saves a loaded model, reloads it and checks the second save is the same bytes; returns
/// the bytes.
fn model_round_trip(m: &Sequential, doc: Option<&serde_json::Value>) -> Vec<u8> {
    let first = m
        .to_bytes_with_metadata(doc)
        .unwrap_or_else(|e| panic!("a loaded model does not save: {e}"));
    let (again, doc_again) = Sequential::from_bytes_with_metadata(&first)
        .unwrap_or_else(|e| panic!("a re-saved model does not load: {e}"));
    assert_eq!(doc_again.as_ref(), doc, "the settings document changed");
    assert_eq!(
        again
            .to_bytes_with_metadata(doc_again.as_ref())
            .expect("saves"),
        first,
        "model round trip changed the bytes"
    );
    first
}

/// Most input values of the zero window predicted on: bigger models are checked by loading
/// only, so that one input costs milliseconds.
const MAX_PREDICT_VALUES: usize = 4096;

/// A model the CLI accepts predicts on one window of zeros.
fn predict_zeros(m: &mut Sequential) {
    let Some(shape) = m.input_shape().map(<[usize]>::to_vec) else {
        panic!("the CLI accepted a model without an input shape");
    };
    let values: usize = shape.iter().product();
    if values > MAX_PREDICT_VALUES || m.count_params() > 100_000 {
        return;
    }
    let mut dims = vec![1];
    dims.extend_from_slice(&shape);
    let x = Tensor::zeros(&dims).expect("a small tensor");
    // Not asserted finite: an old file's unverified description may say `exponential`, and
    // large weights then overflow, which is arithmetic, not a fault of the reader.
    if let Err(e) = m.predict(&x, None) {
        panic!("a model the CLI accepts does not predict: {e}");
    }
}

fn one_line(msg: &str) {
    assert!(!msg.is_empty(), "empty error message");
    assert!(
        !msg.contains('\n'),
        "error message of several lines: {msg:?}"
    );
}
