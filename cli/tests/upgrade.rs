//! Model files of an older recur are refused with a message naming `recur upgrade`, which
//! rewrites them once in the current format; a changed byte anywhere in a current file is a
//! usage error that says "corrupted".

mod common;

use common::run;
use serde_json::Value;

/// A model file written by `recur train --epochs 2` in the first model format.
const OLD_FILE: &[u8] = include_bytes!("../../nn/tests/data/model-v1.recur");

#[test]
fn an_old_model_file_is_refused_until_upgraded_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.recur");
    std::fs::write(&path, OLD_FILE).unwrap();
    let m = path.to_str().unwrap();
    for args in [
        &["predict", "--model", m][..],
        &["evaluate", "--model", m],
        &["summary", "--model", m],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("recur upgrade --model"), "{stderr}");
        assert!(stdout.is_empty());
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        OLD_FILE,
        "refusing writes nothing"
    );

    let (code, stdout, stderr) = run(&["upgrade", "--model", m, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["upgraded"], true);
    assert!(
        r["unverified"]
            .as_str()
            .unwrap()
            .contains("model description")
    );

    let (code, stdout, stderr) = run(&["predict", "--model", m, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let p: Value = serde_json::from_str(&stdout).unwrap();
    assert!(p["next_value"].as_f64().unwrap().is_finite());

    let (code, stdout, _) = run(&["upgrade", "--model", m, "--json"]);
    assert_eq!(code, 0);
    let again: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(again["upgraded"], false);
}

#[test]
fn a_changed_byte_anywhere_in_a_model_file_says_corrupted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let (code, _, stderr) = run(&[
        "train",
        "--epochs",
        "1",
        "--verbose",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let good = std::fs::read(out.join("model.recur")).unwrap();
    let bad = dir.path().join("bad.recur");
    let b = bad.to_str().unwrap();
    // The length prefix, the JSON header (config and settings), and the tensor data.
    let n = good.len();
    for at in [3, 20, 300, n / 3, n / 2, n - 40, n - 1] {
        for mask in [0x01u8, 0x20] {
            let mut bytes = good.clone();
            bytes[at] ^= mask;
            std::fs::write(&bad, &bytes).unwrap();
            let (code, stdout, stderr) = run(&["predict", "--model", b]);
            assert_eq!(code, 2, "byte {at} ^ {mask:#x}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains("corrupted"), "byte {at}: {stderr}");
            assert!(stdout.is_empty());
        }
    }
}
