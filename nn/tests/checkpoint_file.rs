//! Checkpoint files: round trip, atomic writes, and clear errors on truncated, corrupted,
//! foreign or mismatched files.

use std::collections::HashMap;
use std::path::PathBuf;

use nn::checkpoint::{CHECKSUM_KEY, Checkpoint, FORMAT_KEY, FORMAT_VERSION};
use nn::{NnError, ParamTensor};
use safetensors::tensor::{Dtype, TensorView};

/// A fresh directory under the system temp dir for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-ckpt-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample() -> Checkpoint {
    let mut c = Checkpoint::new();
    c.metadata
        .insert("config".into(), r#"{"layers":[]}"#.into());
    c.metadata.insert("epoch".into(), "3".into());
    c.tensors.insert(
        "simple_rnn/kernel".into(),
        ParamTensor::new(&[2, 3], vec![0.1, -0.2, 0.3, f32::MIN_POSITIVE, -0.0, 1e30]).unwrap(),
    );
    c.tensors.insert(
        "dense/bias".into(),
        ParamTensor::new(&[1], vec![0.5]).unwrap(),
    );
    c.tensors.insert(
        "optimizer/empty".into(),
        ParamTensor::new(&[0], vec![]).unwrap(),
    );
    c
}

#[test]
fn round_trip_is_bit_identical_and_atomic() {
    let dir = scratch("roundtrip");
    let path = dir.join("model.recur");
    let c = sample();
    c.save(&path).unwrap();
    let back = Checkpoint::load(&path).unwrap();
    assert_eq!(back.metadata, c.metadata);
    assert_eq!(
        back.tensors.keys().collect::<Vec<_>>(),
        c.tensors.keys().collect::<Vec<_>>()
    );
    for (name, t) in &c.tensors {
        let b = back.tensor(name).unwrap();
        assert_eq!(b.shape, t.shape);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&b.data), bits(&t.data), "{name}");
    }
    assert_eq!(back.meta("epoch").unwrap(), "3");
    assert!(back.meta("nope").is_err());
    assert!(
        back.tensor("nope")
            .unwrap_err()
            .to_string()
            .contains("dense/bias")
    );
    // Overwriting works and leaves no temporary file behind.
    c.save(&path).unwrap();
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_files_are_rejected() {
    let dir = scratch("truncated");
    let path = dir.join("m.recur");
    sample().save(&path).unwrap();
    let full = std::fs::read(&path).unwrap();
    for cut in [0, 4, 8, 20, full.len() / 2, full.len() - 1] {
        std::fs::write(&path, &full[..cut]).unwrap();
        let err = Checkpoint::load(&path).unwrap_err();
        assert!(matches!(err, NnError::File { .. }), "cut {cut}: {err}");
        assert!(err.to_string().contains("m.recur"), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn any_flipped_byte_is_reported() {
    let c = sample();
    let full = c.to_bytes().unwrap();
    assert_eq!(Checkpoint::from_bytes(&full).unwrap(), c);
    let header_len = u64::from_le_bytes(full[..8].try_into().unwrap()) as usize;
    for pos in 0..full.len() {
        for mask in [0x01u8, 0x02, 0x10, 0x20, 0x80] {
            let mut bad = full.clone();
            bad[pos] ^= mask;
            let err = Checkpoint::from_bytes(&bad).unwrap_err();
            assert!(
                matches!(err, NnError::InvalidFile { .. }),
                "byte {pos} ^ {mask:#04x}: {err:?}"
            );
            if pos >= 8 + header_len {
                assert!(err.to_string().contains("corrupted"), "byte {pos}: {err}");
            }
        }
    }
    // A changed metadata value (still valid JSON) is caught too.
    let needle = br#""epoch":"3""#;
    let at = full
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    let mut edited = full.clone();
    edited[at + needle.len() - 2] = b'4';
    let err = Checkpoint::from_bytes(&edited).unwrap_err().to_string();
    assert!(err.contains("checksum mismatch"), "{err}");
}

#[test]
fn the_checksum_covers_the_header_layout_too() {
    // Whitespace in the header's padding does not change what the JSON says, yet it is a
    // change to the file: find a metadata length that leaves padding, then swap a space for a
    // tab.
    for extra in 0..8 {
        let mut c = sample();
        c.metadata.insert("pad".into(), "x".repeat(extra));
        let full = c.to_bytes().unwrap();
        let header_len = u64::from_le_bytes(full[..8].try_into().unwrap()) as usize;
        if full[8 + header_len - 1] != b' ' {
            continue;
        }
        let mut tabbed = full.clone();
        tabbed[8 + header_len - 1] = b'\t';
        let err = Checkpoint::from_bytes(&tabbed).unwrap_err().to_string();
        assert!(err.contains("checksum mismatch"), "{err}");
        return;
    }
    panic!("no metadata length left padding in the header");
}

#[test]
fn foreign_and_mismatched_files_are_rejected() {
    // A plain safetensors file without recur's tag.
    let data = vec![0u8; 8];
    let view = TensorView::new(Dtype::F32, vec![2], &data).unwrap();
    let plain = safetensors::serialize([("w", view.clone())], None).unwrap();
    let err = Checkpoint::from_bytes(&plain).unwrap_err().to_string();
    assert!(err.contains("format tag"), "{err}");
    // Tagged, but a newer format.
    let meta = HashMap::from([(FORMAT_KEY.to_string(), "recur-checkpoint-99".to_string())]);
    let newer = safetensors::serialize([("w", view.clone())], Some(meta)).unwrap();
    let err = Checkpoint::from_bytes(&newer).unwrap_err().to_string();
    assert!(
        err.contains("unsupported format 'recur-checkpoint-99'"),
        "{err}"
    );
    // The first checkpoint format is not read.
    let meta = HashMap::from([(FORMAT_KEY.to_string(), "recur-checkpoint-1".to_string())]);
    let first = safetensors::serialize([("w", view.clone())], Some(meta)).unwrap();
    let err = Checkpoint::from_bytes(&first).unwrap_err().to_string();
    assert!(err.contains("unsupported format"), "{err}");
    // Tagged, but an integer tensor.
    let meta = HashMap::from([
        (FORMAT_KEY.to_string(), FORMAT_VERSION.to_string()),
        (CHECKSUM_KEY.to_string(), "0".to_string()),
    ]);
    let ints = TensorView::new(Dtype::I32, vec![2], &data).unwrap();
    let err = Checkpoint::from_bytes(&safetensors::serialize([("w", ints)], Some(meta)).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected F32"), "{err}");
    // Reserved keys and inconsistent tensors are refused on save; a missing file is an I/O error.
    let dir = scratch("foreign");
    let mut c = sample();
    c.metadata.insert(CHECKSUM_KEY.into(), "x".into());
    assert!(c.save(&dir.join("a")).is_err());
    let mut c = sample();
    c.tensors.get_mut("dense/bias").unwrap().data.push(1.0);
    assert!(c.save(&dir.join("b")).is_err());
    let err = Checkpoint::load(&dir.join("missing")).unwrap_err();
    assert!(matches!(err, NnError::Io { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The same checkpoint is the same bytes, whatever order a process's hash maps draw: the header
/// is written with its keys sorted.
#[test]
fn the_same_checkpoint_is_the_same_bytes_every_time() {
    let mut c = Checkpoint::new();
    for k in ["zeta", "alpha", "mid", "beta", "omega", "kappa"] {
        c.metadata.insert(k.to_string(), format!("value of {k}"));
    }
    c.tensors.insert(
        "w".to_string(),
        nn::ParamTensor {
            shape: vec![2, 3],
            data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        },
    );
    let first = c.to_bytes().unwrap();
    // Each call builds a new HashMap with fresh random keys.
    for _ in 0..32 {
        assert_eq!(c.to_bytes().unwrap(), first);
    }
    assert_eq!(Checkpoint::from_bytes(&first).unwrap(), c);
}
