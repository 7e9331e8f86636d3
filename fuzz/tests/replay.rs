//! Replays every committed corpus file and every past finding through the fuzz targets, so the
//! ordinary test suite (on stable, without AFL) checks them all on every run.

use std::path::{Path, PathBuf};

/// The files of `fuzz/<folder>`, sorted (none if the folder does not exist).
fn files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable folder").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

/// Runs `target` on every file of the folders, naming the file that panics.
fn replay(folders: &[&str], target: fn(&[u8])) -> usize {
    let mut count = 0;
    for folder in folders {
        for path in files(folder) {
            let bytes = std::fs::read(&path).expect("a readable file");
            let outcome = std::panic::catch_unwind(|| target(&bytes));
            assert!(outcome.is_ok(), "{} fails its target", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn csv_corpus_and_findings_replay() {
    let n = replay(
        &["corpus/csv_reader", "regressions/csv_reader"],
        fuzz_targets::csv_reader,
    );
    assert!(n >= 5, "only {n} CSV inputs: the corpus is missing");
}

#[test]
fn model_corpus_and_findings_replay() {
    let n = replay(
        &["corpus/model_loader", "regressions/model_loader"],
        fuzz_targets::model_loader,
    );
    assert!(n >= 3, "only {n} model inputs: the corpus is missing");
}

#[test]
fn keras_config_corpus_and_findings_replay() {
    let n = replay(
        &["corpus/keras_config", "regressions/keras_config"],
        fuzz_targets::keras_config,
    );
    assert!(n >= 10, "only {n} Keras configs: the corpus is missing");
}
