//! Regression tests for what fuzzing the model loader (fuzz/, the `model_loader` target)
//! turned up, in files whose checksum passes (a version 1 file, whose checksum leaves the
//! description out, or a current file whose checksum was recomputed): a model description
//! asking for huge layers must be refused quickly instead of allocating the layers first, and
//! a description holding control characters must give a one-line error.

use nn::checkpoint::Checkpoint;
use nn::{NnError, Sequential};
use serde_json::Value;

/// A model file written by `recur train --epochs 2` in the first model format.
const OLD_FILE: &[u8] = include_bytes!("data/model-v1.recur");

/// `file` with the JSON document stored under metadata `key` edited, the header re-laid out
/// (the tensors' offsets are relative to the data, so they stay valid).
fn edit_description(file: &[u8], key: &str, edit: impl Fn(&mut Value)) -> Vec<u8> {
    let n = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    let mut header: Value = serde_json::from_slice(&file[8..8 + n]).unwrap();
    let mut doc: Value =
        serde_json::from_str(header["__metadata__"][key].as_str().unwrap()).unwrap();
    edit(&mut doc);
    header["__metadata__"][key] = Value::String(doc.to_string());
    let mut text = serde_json::to_vec(&header).unwrap();
    while !text.len().is_multiple_of(8) {
        text.push(b' ');
    }
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&text);
    out.extend_from_slice(&file[8 + n..]);
    out
}

fn assert_refused_quickly(result: nn::Result<impl Sized>) {
    match result {
        Err(NnError::InvalidFile { reason }) => {
            assert!(reason.contains("needs at least"), "{reason}");
            assert!(reason.contains("corrupted"), "{reason}");
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("a description of huge layers loaded"),
    }
}

#[test]
fn an_old_file_describing_huge_layers_is_refused_before_building_them() {
    // 200000 units: the recurrent kernel alone would be 160 GB.
    let bytes = edit_description(OLD_FILE, "recur", |d| {
        d["layers"][0]["units"] = 200_000.into()
    });
    let started = std::time::Instant::now();
    assert_refused_quickly(Sequential::upgrade_bytes(&bytes));
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    // The same description with a modest size still reaches the tensors, which name the misfit.
    let bytes = edit_description(OLD_FILE, "recur", |d| d["layers"][0]["units"] = 5.into());
    let err = Sequential::upgrade_bytes(&bytes).map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("shape"), "{err}");
}

#[test]
fn a_current_file_with_a_recomputed_checksum_describing_huge_layers_is_refused() {
    let (m, _, _) = Sequential::upgrade_bytes(OLD_FILE).unwrap();
    let mut current = Checkpoint::from_bytes(&m.to_bytes_with_metadata(None).unwrap()).unwrap();
    let text = &current.metadata["recur.model"];
    let mut d: Value = serde_json::from_str(text).unwrap();
    d["input_shape"] = serde_json::json!([1, 4_000_000_000u64]);
    current
        .metadata
        .insert("recur.model".to_string(), d.to_string());
    // to_bytes writes a fresh, valid checksum.
    let bytes = current.to_bytes().unwrap();
    let started = std::time::Instant::now();
    assert_refused_quickly(Sequential::from_bytes(&bytes));
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

#[test]
fn a_description_key_with_a_line_break_gives_a_one_line_error() {
    let (m, _, _) = Sequential::upgrade_bytes(OLD_FILE).unwrap();
    let mut current = Checkpoint::from_bytes(&m.to_bytes_with_metadata(None).unwrap()).unwrap();
    // Found by the fuzzer: `input_shape` with its `i` turned into a line break.
    let text = current.metadata["recur.model"].replace("\"input_shape\"", "\"\\nput_shape\"");
    assert!(text.contains("\\n"), "the edit applies");
    current.metadata.insert("recur.model".to_string(), text);
    let err = Sequential::from_bytes(&current.to_bytes().unwrap())
        .map(|_| ())
        .unwrap_err();
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg:?}");
    assert!(msg.contains("unknown field `\\nput_shape`"), "{msg}");
}
