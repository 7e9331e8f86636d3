//! The many-series figures' pieces on a small set: runs on different pools are bit-identical
//! and fingerprinted as such, a different seed is told apart, and the quality comparison counts
//! only the series both modes trained.

use benches::many::generate::generate;
use benches::many::measure::{RunSettings, metrics_identical, run_local};
use benches::many::quality::compare;

fn settings(seed: u64) -> RunSettings {
    RunSettings {
        epochs: 2,
        seed,
        ..RunSettings::default()
    }
}

#[test]
fn runs_on_one_and_two_threads_are_identical_and_seeds_are_not() {
    let inputs = generate(1, 6, 120);
    let one = run_local(&inputs, &settings(0), 1).unwrap();
    let two = run_local(&inputs, &settings(0), 2).unwrap();
    assert_eq!((one.threads, two.threads), (1, 2));
    assert_eq!(one.trained, 6);
    assert_eq!(one.skipped, 0);
    assert_eq!(one.fingerprint, two.fingerprint);
    assert!(metrics_identical(&one.metrics, &two.metrics));
    assert!(one.wall_seconds > 0.0 && one.fit_seconds > 0.0);
    assert!(one.series_per_second() > 0.0);
    // Padded windows: one per value of each part (split 0.8 of 120 values: 96 and 24).
    assert!(
        one.metrics
            .iter()
            .all(|m| (m.train_windows, m.test_windows) == (96, 24))
    );
    // The whole file holds every member and more.
    assert!(one.member_bytes > 0 && one.file_bytes > 6 * one.member_bytes);
    // Predictions: 24 bytes per real target (96 - 4 + 24 - 4 per series), and every member
    // (about one size: same model, ids of one length; the last values in the settings vary).
    let models = one.held_bytes as f64 - (6 * (92 + 20) * 24) as f64;
    let expected = (6 * one.member_bytes) as f64;
    assert!(
        (models - expected).abs() < 0.01 * expected,
        "{models} vs {expected}"
    );

    let other = run_local(&inputs, &settings(1), 1).unwrap();
    assert_ne!(other.fingerprint, one.fingerprint);
    assert!(!metrics_identical(&other.metrics, &one.metrics));
    assert!(!metrics_identical(&one.metrics[..5], &one.metrics));
}

#[test]
fn peak_memory_is_read_where_proc_exists() {
    if std::path::Path::new("/proc/self/status").exists() {
        let kib = benches::many::measure::vm_hwm_kib().unwrap();
        assert!(kib > 100, "VmHWM {kib} KiB");
    }
}

#[test]
fn quality_compares_the_series_both_modes_trained() {
    let inputs = generate(2, 5, 150);
    let local = run_local(&inputs, &settings(0), 1).unwrap();
    // Only the first three: the local metrics of the others are ignored.
    let q = compare(&inputs[..3], &local.metrics, &settings(0), 1).unwrap();
    assert_eq!((q.series, q.compared), (3, 3));
    assert_eq!((q.local.trained, q.global.trained), (3, 3));
    let mean = |f: fn(&forecast::many::SeriesMetrics) -> f64| {
        local.metrics[..3].iter().map(f).sum::<f64>() / 3.0
    };
    assert_eq!(q.local.mean_test_mse, mean(|m| m.test_mse));
    assert_eq!(q.baseline_mse, mean(|m| m.baseline_test_mse));
    assert_eq!(q.persistence_mse, mean(|m| m.persistence_test_mse));
    let mut mses: Vec<f64> = local.metrics[..3].iter().map(|m| m.test_mse).collect();
    mses.sort_by(f64::total_cmp);
    assert_eq!(q.local.median_test_mse, mses[1]);
    let beats = local.metrics[..3]
        .iter()
        .filter(|m| m.test_mse_observed < m.persistence_test_mse)
        .count();
    assert_eq!(q.local.beats_persistence, beats);
    assert!(q.global.mean_test_mse.is_finite() && q.global.mean_test_mse > 0.0);
    assert!(q.global.beats_persistence <= 3 && q.global.beats_baseline <= 3);
    assert!(q.global_fit_seconds > 0.0);
}
