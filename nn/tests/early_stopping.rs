//! EarlyStopping decisions traced by hand through Keras 3.15's `early_stopping.py`.

use nn::callbacks::{EarlyStopping, EarlyStoppingConfig, MonitorMode, is_invalid_loss};

fn cfg(patience: usize) -> EarlyStoppingConfig {
    EarlyStoppingConfig {
        monitor: "loss".into(),
        patience,
        ..EarlyStoppingConfig::default()
    }
}

/// Runs the losses until a stop; returns the number of epochs run.
fn epochs_run(es: &mut EarlyStopping, losses: &[f64]) -> usize {
    es.on_train_begin();
    for (e, &l) in losses.iter().enumerate() {
        if es.on_epoch_end(e, Some(l)).stop {
            return e + 1;
        }
    }
    losses.len()
}

#[test]
fn patience_counts_epochs_without_improvement() {
    // Keras's docstring example: no improvement after the first epoch, patience 3 -> 4 epochs.
    let mut es = EarlyStopping::new(cfg(3)).unwrap();
    assert_eq!(epochs_run(&mut es, &[1.0; 10]), 4);
    assert_eq!(es.stopped_epoch(), 3);
    assert_eq!(
        es.end_messages(),
        vec!["Epoch 4: early stopping".to_string()]
    );
    let mut es = EarlyStopping::new(cfg(0)).unwrap();
    assert_eq!(epochs_run(&mut es, &[1.0, 0.9, 0.95, 0.5]), 3);
    let mut es = EarlyStopping::new(cfg(2)).unwrap();
    assert_eq!(epochs_run(&mut es, &[1.0, 1.1, 1.2, 1.3]), 3);
    assert_eq!(es.best(), 1.0);
    // Reusable: on_train_begin resets.
    assert_eq!(epochs_run(&mut es, &[1.0, 1.1, 1.2, 1.3]), 3);
}

#[test]
fn min_delta_baseline_and_warm_up() {
    // min_delta 0.1: 0.95 and 0.91 are not improvements on 1.0; 0.85 is.
    let mut c = cfg(1);
    c.min_delta = -0.1; // the sign is ignored, as in Keras
    let mut es = EarlyStopping::new(c).unwrap();
    assert_eq!(epochs_run(&mut es, &[1.0, 0.85, 0.8, 0.79]), 3);
    // Baseline never beaten but always improving: the early return skips the stop check.
    let mut c = cfg(1);
    c.baseline = Some(0.5);
    let mut es = EarlyStopping::new(c).unwrap();
    assert_eq!(epochs_run(&mut es, &[1.0, 0.9, 0.8, 0.7]), 4);
    // ... and stops once improvement stalls: wait already counts the non-resetting epochs.
    assert_eq!(epochs_run(&mut es, &[1.0, 1.0, 1.0]), 2);
    // Warm-up epochs are ignored entirely.
    let mut c = cfg(0);
    c.start_from_epoch = 2;
    let mut es = EarlyStopping::new(c).unwrap();
    assert_eq!(epochs_run(&mut es, &[1.0, 2.0, 3.0, 4.0, 5.0]), 4);
    // Max mode.
    let mut c = cfg(0);
    c.mode = MonitorMode::Max;
    let mut es = EarlyStopping::new(c).unwrap();
    assert_eq!(epochs_run(&mut es, &[1.0, 2.0, 1.5]), 3);
}

#[test]
fn restore_best_weights_snapshots() {
    let mut c = cfg(1);
    c.restore_best_weights = true;
    let mut es = EarlyStopping::new(c).unwrap();
    let d0 = es.on_epoch_end(0, Some(1.0));
    assert!(d0.snapshot_weights && !d0.stop);
    assert!(es.on_epoch_end(1, Some(0.5)).snapshot_weights);
    let d2 = es.on_epoch_end(2, Some(0.7));
    assert!(!d2.snapshot_weights && d2.stop);
    assert_eq!(es.restore_epoch(), Some(1));
    assert_eq!(
        es.end_messages()[1],
        "Restoring model weights from the end of the best epoch: 2."
    );
    // A missing value changes nothing.
    assert_eq!(es.on_epoch_end(3, None), Default::default());
}

#[test]
fn config_validation_and_monitor_check() {
    let mut c = cfg(0);
    c.monitor = "mae".into();
    let err = EarlyStopping::new(c.clone()).unwrap_err().to_string();
    assert!(err.contains("monitor=mae"), "{err}");
    c.mode = MonitorMode::Min;
    EarlyStopping::new(c).unwrap();
    let es = EarlyStopping::new(EarlyStoppingConfig::default()).unwrap();
    let err = es.check_monitor(&["loss"]).unwrap_err().to_string();
    assert!(
        err.contains("val_loss") && err.contains("validation_split"),
        "{err}"
    );
    es.check_monitor(&["loss", "val_loss"]).unwrap();
    let mut c = cfg(0);
    c.min_delta = f64::NAN;
    assert!(EarlyStopping::new(c).is_err());
    let json = serde_json::to_string(&EarlyStoppingConfig::default()).unwrap();
    assert_eq!(
        serde_json::from_str::<EarlyStoppingConfig>(&json).unwrap(),
        EarlyStoppingConfig::default()
    );
}

#[test]
fn terminate_on_nan() {
    assert!(is_invalid_loss(f64::NAN));
    assert!(is_invalid_loss(f64::INFINITY));
    assert!(is_invalid_loss(f64::NEG_INFINITY));
    assert!(!is_invalid_loss(1e30));
}
