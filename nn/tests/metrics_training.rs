//! Metrics and interruption around `fit`: stopping between batches leaves the model exactly as
//! a run of that many steps; metrics survive save/load; logs, console lines and History keep
//! Keras's order; EarlyStopping's `mode = auto` knows the compiled metrics.

use std::ops::ControlFlow;

use nn::batching::Shuffle;
use nn::callbacks::{EarlyStopping, EarlyStoppingConfig};
use nn::model::{ConsoleProgress, FitEvent, FitOptions, MODEL_METADATA_KEY, Validation};
use nn::{
    DenseConfig, History, Loss, Metric, MetricSpec, NnError, OptimizerConfig, Sequential, Tensor,
};

fn data(n: usize) -> (Tensor, Tensor) {
    let x: Vec<f32> = (0..n * 3).map(|i| (i as f32 * 0.37).sin()).collect();
    let y: Vec<f32> = (0..n).map(|i| (i as f32 * 0.51).cos() + 1.5).collect();
    (
        Tensor::from_vec(x, &[n, 3]).unwrap(),
        Tensor::from_vec(y, &[n, 1]).unwrap(),
    )
}

fn specs() -> Vec<MetricSpec> {
    vec![
        MetricSpec::from_keras_name("mae").unwrap(),
        MetricSpec::object(Metric::RootMeanSquaredError),
    ]
}

fn model() -> Sequential {
    let mut m = Sequential::with_seed(5);
    m.set_input_shape(&[3]).unwrap();
    m.add(DenseConfig::new(4)).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile_with_metrics(Loss::MeanSquaredError, OptimizerConfig::adam(), specs())
        .unwrap();
    m
}

/// Fits until the observer sees `BatchEnd` of 0-based `(epoch, step)`, then breaks.
fn interrupted_at(
    m: &mut Sequential,
    opts: &FitOptions,
    at: (usize, usize),
) -> (NnError, Vec<(usize, usize)>) {
    let (x, y) = data(10);
    let mut seen = Vec::new();
    let err = m
        .fit_with(&x, &y, opts, &mut |e| {
            if let FitEvent::BatchEnd { epoch, step, .. } = *e {
                seen.push((epoch, step));
                if (epoch, step) == at {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        })
        .unwrap_err();
    (err, seen)
}

#[test]
fn interruption_leaves_the_weights_of_the_completed_steps() {
    let opts = FitOptions {
        epochs: 4,
        batch_size: 4,
        shuffle: Shuffle::Off,
        validation: Validation::Split(0.2),
        ..FitOptions::default()
    };
    let mut a = model();
    let (err, seen) = interrupted_at(&mut a, &opts, (1, 0));
    assert_eq!(seen, [(0, 0), (0, 1), (1, 0)]);
    let NnError::Interrupted {
        epoch,
        step,
        steps,
        ref history,
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!((epoch, step, steps), (2, 1, 2));
    assert_eq!(history.epochs(), 1);
    assert!(history.get("val_mae").is_some());
    assert!(
        err.to_string().contains("interrupted at epoch 2, step 1/2"),
        "{err}"
    );
    assert_eq!(a.epochs_done(), 1);
    assert_eq!(a.optimizer().unwrap().iterations(), 3);

    // The same three steps by hand: training samples 0..8 in batches of 4, no shuffling.
    let (x, y) = data(10);
    let rows = |r: std::ops::Range<usize>| {
        (
            Tensor::from_vec(x.data()[r.start * 3..r.end * 3].to_vec(), &[r.len(), 3]).unwrap(),
            Tensor::from_vec(y.data()[r.clone()].to_vec(), &[r.len(), 1]).unwrap(),
        )
    };
    let mut b = model();
    for r in [0..4, 4..8, 0..4] {
        let (bx, by) = rows(r);
        b.train_on_batch(&bx, &by).unwrap();
    }
    assert_eq!(a.get_weights(), b.get_weights());
    assert_eq!(
        a.optimizer().unwrap().export_state(),
        b.optimizer().unwrap().export_state()
    );

    // The model stays usable: it trains on and evaluates.
    let h = a.fit(&x, &y, &opts).unwrap();
    assert_eq!(h.epochs(), 4);
    assert_eq!(a.epochs_done(), 5);
}

#[test]
fn a_break_at_the_last_batch_counts_the_epoch_but_skips_its_end() {
    let opts = FitOptions {
        epochs: 3,
        batch_size: 4,
        shuffle: Shuffle::Full,
        ..FitOptions::default()
    };
    let mut a = model();
    let (err, _) = interrupted_at(&mut a, &opts, (0, 2));
    match err {
        NnError::Interrupted {
            epoch,
            step,
            steps,
            history,
        } => {
            assert_eq!((epoch, step, steps), (1, 3, 3));
            assert_eq!(history.epochs(), 0);
        }
        other => panic!("{other}"),
    }
    assert_eq!(a.epochs_done(), 1);
    // Same weights as a one-epoch run with the same seed (same shuffle draws).
    let mut b = model();
    let (x, y) = data(10);
    b.fit(
        &x,
        &y,
        &FitOptions {
            epochs: 1,
            ..opts.clone()
        },
    )
    .unwrap();
    assert_eq!(a.get_weights(), b.get_weights());
}

#[test]
fn a_break_before_training_changes_nothing() {
    let mut m = model();
    let before = m.get_weights();
    let (x, y) = data(10);
    let err = m
        .fit_with(&x, &y, &FitOptions::default(), &mut |e| {
            if matches!(e, FitEvent::TrainBegin { .. }) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            NnError::Interrupted {
                epoch: 1,
                step: 0,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(m.get_weights(), before);
    assert_eq!(m.epochs_done(), 0);
}

#[test]
fn metrics_are_saved_and_loaded() {
    let dir = std::env::temp_dir().join(format!("recur-nn-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.recur");
    let mut m = model();
    let (x, y) = data(10);
    m.fit(&x, &y, &FitOptions::default()).unwrap();
    m.save(&path).unwrap();
    let mut back = Sequential::load(&path).unwrap();
    assert_eq!(back.metrics(), specs().as_slice());
    assert_eq!(back.metric_keys(), ["mae", "root_mean_squared_error"]);
    assert_eq!(
        back.evaluate_with_metrics(&x, &y, None).unwrap(),
        m.evaluate_with_metrics(&x, &y, None).unwrap()
    );

    // Without metrics the description has no `metrics` entry, as before metrics existed.
    let mut plain = Sequential::with_seed(5);
    plain.add(DenseConfig::new(1)).unwrap();
    plain
        .compile(Loss::MeanSquaredError, OptimizerConfig::adam())
        .unwrap();
    plain.save(&path).unwrap();
    let c = nn::checkpoint::Checkpoint::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    assert!(!c.meta(MODEL_METADATA_KEY).unwrap().contains("metrics"));
    assert!(Sequential::load(&path).unwrap().metrics().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn history_json_without_metrics_is_unchanged() {
    let mut m = Sequential::with_seed(5);
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::sgd())
        .unwrap();
    let (x, y) = data(10);
    let h = m
        .fit(
            &x,
            &y,
            &FitOptions {
                epochs: 2,
                validation: Validation::Split(0.2),
                ..FitOptions::default()
            },
        )
        .unwrap();
    let text = serde_json::to_string(&h).unwrap();
    let old_shape = format!(
        "{{\"loss\":[{},{}],\"val_loss\":[{},{}]}}",
        f64::from(h.loss[0]),
        f64::from(h.loss[1]),
        f64::from(h.val_loss[0]),
        f64::from(h.val_loss[1])
    );
    assert_eq!(text, old_shape);
    assert!(h.metrics.is_empty());
    let back: History = serde_json::from_str(&text).unwrap();
    assert_eq!(back, h);
}

#[test]
fn history_json_with_metrics_is_keras_ordered_and_round_trips() {
    let mut m = model();
    let (x, y) = data(10);
    let h = m
        .fit(
            &x,
            &y,
            &FitOptions {
                validation: Validation::Split(0.2),
                ..FitOptions::default()
            },
        )
        .unwrap();
    let keys: Vec<&str> = h.entries().iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        [
            "loss",
            "mae",
            "root_mean_squared_error",
            "val_loss",
            "val_mae",
            "val_root_mean_squared_error"
        ]
    );
    let text = serde_json::to_string(&h).unwrap();
    assert!(text.starts_with("{\"loss\":["), "{text}");
    assert!(text.find("\"mae\"").unwrap() < text.find("\"val_loss\"").unwrap());
    assert_eq!(serde_json::from_str::<History>(&text).unwrap(), h);
}

#[test]
fn console_lines_list_the_metrics_as_keras_does() {
    // A name sorting after `val_` shows where the verbose-1 bar and the verbose-2 line differ:
    // Keras's verbose-2 line is fully sorted, its bar lists the training keys first.
    let mut m = model();
    let mut s = specs();
    s.push(MetricSpec::named(Metric::MeanAbsoluteError, "zeta").unwrap());
    m.compile_with_metrics(Loss::MeanSquaredError, OptimizerConfig::adam(), s)
        .unwrap();
    let (x, y) = data(10);
    let opts = FitOptions {
        batch_size: 4,
        validation: Validation::Split(0.2),
        ..FitOptions::default()
    };
    let names = |line: &str| -> Vec<String> {
        line.split(" - ")
            .filter_map(|p| p.split_once(": ").map(|(k, _)| k.to_string()))
            .collect()
    };
    for (verbose, want) in [
        (
            2u8,
            [
                "loss",
                "mae",
                "root_mean_squared_error",
                "val_loss",
                "val_mae",
                "val_root_mean_squared_error",
                "val_zeta",
                "zeta",
            ],
        ),
        (
            1,
            [
                "loss",
                "mae",
                "root_mean_squared_error",
                "zeta",
                "val_loss",
                "val_mae",
                "val_root_mean_squared_error",
                "val_zeta",
            ],
        ),
    ] {
        let mut con = ConsoleProgress::new(verbose, Vec::new());
        let h = m
            .fit_with(&x, &y, &opts, &mut |e| {
                con.handle(e);
                ControlFlow::Continue(())
            })
            .unwrap();
        let text = String::from_utf8(con.into_inner()).unwrap();
        // The bar is redrawn in place: the final text follows the last carriage return.
        let last = text.lines().last().unwrap().rsplit('\r').next().unwrap();
        assert_eq!(names(last), want, "{text}");
        let mae = format!("- mae: {:.4} ", h.get("mae").unwrap()[0]);
        assert!(last.contains(&mae), "{last}");
    }
}

#[test]
fn early_stopping_auto_mode_knows_compiled_metrics() {
    let cfg = |monitor: &str| EarlyStoppingConfig {
        monitor: monitor.to_string(),
        ..EarlyStoppingConfig::default()
    };
    let s = specs();
    for ok in [
        "val_mae",
        "mae",
        "root_mean_squared_error",
        "val_loss",
        "loss",
    ] {
        EarlyStopping::with_metrics(cfg(ok), &s).unwrap();
    }
    let e = EarlyStopping::with_metrics(cfg("val_mae_1"), &s)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("mode min or max") && e.contains("val_mae"),
        "{e}"
    );
    assert!(EarlyStopping::new(cfg("val_mae")).is_err());
    // Minimised: a rising val_mae stops after `patience` epochs.
    let mut es = EarlyStopping::with_metrics(cfg("val_mae"), &s).unwrap();
    assert!(!es.on_epoch_end(0, Some(0.5)).stop);
    assert!(es.on_epoch_end(1, Some(0.6)).stop);
}
