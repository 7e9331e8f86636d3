//! Bounded fuzzing of model files at the CLI level, in the ordinary test suite: one model file
//! written by `recur train`, mutated (byte flips, truncations, insertions, deletions, edits of
//! the JSON header), must be refused by `predict` and `evaluate` with exit status 2 and one line
//! on stderr saying it is corrupted (or naming the problem), never a panic and never a run on
//! different numbers. The coverage-guided fuzzing of the same readers is in fuzz/.

mod common;

use std::sync::OnceLock;

use common::run;
use proptest::prelude::*;

/// A small trained model file and the stdout of `predict --json` and `evaluate --json` on it
/// (without the file's path).
struct Original {
    bytes: Vec<u8>,
    predict: String,
    evaluate: String,
    _dir: tempfile::TempDir,
}

fn original() -> &'static Original {
    static ORIGINAL: OnceLock<Original> = OnceLock::new();
    ORIGINAL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let (code, _, stderr) = run(&[
            "train",
            "--n",
            "120",
            "--split",
            "0.7",
            "--units",
            "3",
            "--dense",
            "2",
            "--epochs",
            "1",
            "--verbose",
            "0",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        let model = out.join("model.recur");
        let m = model.to_str().unwrap();
        let (code, predict, stderr) = run(&["predict", "--model", m, "--json"]);
        assert_eq!(code, 0, "{stderr}");
        let (code, evaluate, stderr) = run(&["evaluate", "--model", m, "--json"]);
        assert_eq!(code, 0, "{stderr}");
        Original {
            bytes: std::fs::read(&model).unwrap(),
            predict: without_path(&predict),
            evaluate: without_path(&evaluate),
            _dir: dir,
        }
    })
}

/// A `--json` report without its `"model"` entry (the file's path, which differs between the
/// original and the mutated copy), to compare the numbers.
fn without_path(stdout: &str) -> String {
    let mut report: serde_json::Value = serde_json::from_str(stdout).unwrap();
    report.as_object_mut().unwrap().remove("model");
    report.to_string()
}

/// One edit of the file. Positions are taken modulo the file's length when applied.
#[derive(Debug, Clone)]
enum Edit {
    /// XOR a byte with a non-zero mask.
    Flip(usize, u8),
    /// Insert a byte.
    Insert(usize, u8),
    /// Delete a byte.
    Delete(usize),
    /// Cut the file to this length.
    Truncate(usize),
    /// Put a JSON-significant character at a position inside the JSON header.
    HeaderByte(usize, u8),
    /// Change the 8-byte little-endian header length by this amount.
    HeaderLength(i64),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(i, m)| Edit::Flip(i, m)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => any::<usize>().prop_map(Edit::Delete),
        1 => any::<usize>().prop_map(Edit::Truncate),
        3 => (any::<usize>(), prop::sample::select(b"\"{}[],:0123456789 .-eEtfn\\".to_vec()))
            .prop_map(|(i, b)| Edit::HeaderByte(i, b)),
        1 => prop_oneof![-64i64..64, Just(i64::MIN / 2), Just(i64::MAX / 2)]
            .prop_map(Edit::HeaderLength),
    ]
}

/// The JSON header's length as stored (the first 8 bytes, little-endian).
fn header_len(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?))
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    let n = bytes.len();
    match *e {
        Edit::Flip(i, m) if n > 0 => bytes[i % n] ^= m,
        Edit::Insert(i, b) => bytes.insert(i % (n + 1), b),
        Edit::Delete(i) if n > 0 => {
            bytes.remove(i % n);
        }
        Edit::Truncate(len) => bytes.truncate(len % n.max(1)),
        Edit::HeaderByte(i, b) => {
            let end = header_len(bytes).map_or(n, |h| (8 + h).min(n as u64) as usize);
            if end > 8 {
                bytes[8 + i % (end - 8)] = b;
            }
        }
        Edit::HeaderLength(d) => {
            if let Some(h) = header_len(bytes) {
                let changed = h.wrapping_add_signed(d);
                bytes[..8].copy_from_slice(&changed.to_le_bytes());
            }
        }
        _ => {}
    }
}

proptest! {
    // Each case is two in-process runs that stop at the model file: about a millisecond.
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_model_files_are_refused_with_status_2(
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let original = original();
        let mut bytes = original.bytes.clone();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mutated.recur");
        std::fs::write(&path, &bytes).unwrap();
        let m = path.to_str().unwrap();
        for (command, before) in [("predict", &original.predict), ("evaluate", &original.evaluate)] {
            let (code, stdout, stderr) = run(&[command, "--model", m, "--json"]);
            if bytes == original.bytes {
                // The edits cancelled out (say, a byte put back as it was): the same file.
                prop_assert_eq!(code, 0, "{}", stderr);
                prop_assert_eq!(&without_path(&stdout), before);
                continue;
            }
            prop_assert_eq!(code, 2, "{} on {:?}: {}{}", command, edits, stdout, stderr);
            prop_assert!(stdout.is_empty(), "{}", stdout);
            prop_assert_eq!(stderr.lines().count(), 1, "{}", stderr);
            prop_assert!(
                stderr.contains("corrupted") || stderr.contains("recur upgrade --model"),
                "{} on {:?}: {}", command, edits, stderr
            );
        }
    }
}

/// A deliberate edit with its checksum recomputed (FNV-1a guards against accidents only): a
/// description asking for a huge recurrent layer is refused as corrupted, quickly, instead of
/// the process aborting while it allocates the layer (found while fuzzing the model loader).
#[test]
fn a_described_huge_layer_with_a_valid_checksum_is_refused() {
    let original = original();
    let mut file = nn::checkpoint::Checkpoint::from_bytes(&original.bytes).unwrap();
    let mut description: serde_json::Value =
        serde_json::from_str(&file.metadata["recur.model"]).unwrap();
    description["layers"][0]["units"] = 300_000.into();
    file.metadata
        .insert("recur.model".to_string(), description.to_string());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.recur");
    std::fs::write(&path, file.to_bytes().unwrap()).unwrap();
    let m = path.to_str().unwrap();
    for command in ["predict", "evaluate", "summary", "upgrade"] {
        let (code, stdout, stderr) = run(&[command, "--model", m]);
        assert_eq!(code, 2, "{command}: {stdout}{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("corrupted"), "{stderr}");
        assert!(stderr.contains("needs at least"), "{stderr}");
    }
}
