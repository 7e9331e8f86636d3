//! Many-series runs: local results independent of threads, order and grouping; skipped series;
//! the global mode; the model file's round trip, joins and corruption.

mod common;

use forecast::many::{
    ManyConfig, ManyModel, ManyRun, Mode, SeriesInput, SeriesOutcome, train_global,
    train_in_order_until, train_local, train_series,
};

fn series(id: &str, n: usize, period: f64, trend: f64) -> SeriesInput {
    let values = (0..n)
        .map(|t| {
            let t = t as f64;
            (t * std::f64::consts::TAU / period).sin() + trend * t + 0.1 * ((t * 7.3).sin())
        })
        .collect();
    SeriesInput {
        id: id.to_string(),
        values,
        times: None,
        axis: None,
        covariates: Vec::new(),
    }
}

fn config(mode: Mode) -> ManyConfig {
    common::many_config(mode, 3)
}

fn inputs() -> Vec<SeriesInput> {
    vec![
        series("b", 90, 12.0, 0.0),
        series("a", 120, 20.0, 0.01),
        series("short", 6, 12.0, 0.0),
        series("c", 80, 7.0, -0.02),
    ]
}

fn local_on(threads: usize, inputs: &[SeriesInput]) -> ManyRun {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| train_local(inputs, &config(Mode::Local), &|_| {}).unwrap())
}

fn member_bytes(run: &ManyRun) -> Vec<Vec<u8>> {
    run.model.members.iter().map(|m| m.bytes.clone()).collect()
}

#[test]
fn local_results_do_not_depend_on_threads_order_or_subset() {
    let all = inputs();
    let one = local_on(1, &all);
    let two = local_on(2, &all);
    assert_eq!(one.metrics, two.metrics);
    assert_eq!(member_bytes(&one), member_bytes(&two));
    let ids: Vec<&str> = one.metrics.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(one.skipped.len(), 1);
    assert_eq!(one.skipped[0].id, "short");
    assert!(!one.skipped[0].reason.is_empty());

    let mut shuffled = all.clone();
    shuffled.reverse();
    assert_eq!(local_on(2, &shuffled).metrics, one.metrics);

    let subset = vec![all[3].clone(), all[1].clone()];
    let sub = local_on(1, &subset);
    assert_eq!(sub.metrics[0], one.metrics[0]);
    assert_eq!(sub.metrics[1], one.metrics[2]);
    assert_eq!(member_bytes(&sub)[1], member_bytes(&one)[2]);

    // The per-group function gives the same as the runner.
    match train_series(&all[1], &config(Mode::Local)).unwrap() {
        forecast::many::SeriesOutcome::Trained { metrics, .. } => {
            assert_eq!(metrics, one.metrics[0])
        }
        other => panic!("series 'a' was not trained: {other:?}"),
    }
}

#[test]
fn in_order_runner_gives_the_local_runs_series_from_inside_or_outside_the_pool() {
    let all = inputs();
    let run = local_on(2, &all);
    let never = std::sync::atomic::AtomicBool::new(false);
    let check = |outcomes: Vec<SeriesOutcome>| {
        let ids: Vec<&str> = outcomes.iter().map(SeriesOutcome::id).collect();
        assert_eq!(ids, ["a", "b", "c", "short"]);
        let mut trained = 0;
        for o in &outcomes {
            if let SeriesOutcome::Trained {
                metrics, member, ..
            } = o
            {
                assert_eq!(*metrics, run.metrics[trained]);
                assert_eq!(member.bytes, run.model.members[trained].bytes);
                trained += 1;
            }
        }
        assert_eq!(trained, 3);
    };
    // From a thread of its own (a Python worker's) and from one of rayon's workers.
    check(train_in_order_until(&all, &config(Mode::Local), &never).unwrap());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    check(pool.install(|| train_in_order_until(&all, &config(Mode::Local), &never).unwrap()));

    // Every series of a group skipped is not an error (the run's other groups may train).
    let short = vec![series("x", 5, 3.0, 0.0)];
    let outcomes = train_in_order_until(&short, &config(Mode::Local), &never).unwrap();
    assert!(matches!(outcomes[..], [SeriesOutcome::Skipped(_)]));
    let stopped = std::sync::atomic::AtomicBool::new(true);
    let e = train_in_order_until(&all, &config(Mode::Local), &stopped).unwrap_err();
    assert!(e.to_string().contains("interrupted"), "{e}");
    let e = train_in_order_until(&all, &config(Mode::Global), &never).unwrap_err();
    assert!(e.to_string().contains("mode local"), "{e}");
}

#[test]
fn metrics_are_finite_and_predictions_sit_on_real_targets() {
    let run = local_on(2, &inputs());
    for (m, p) in run.metrics.iter().zip(&run.predictions) {
        assert_eq!(m.id, p.id);
        for v in [
            m.train_mse,
            m.test_mse,
            m.baseline_test_mse,
            m.test_mse_observed,
            m.persistence_test_mse,
        ] {
            assert!(v.is_finite() && v >= 0.0, "{m:?}");
        }
        assert_eq!(m.epochs, 3);
        assert_eq!(m.seasonal_naive_test_mse, None);
        let best = m.persistence_test_mse;
        assert_eq!(m.skill, Some(1.0 - m.test_mse_observed / best));
        let n = inputs().iter().find(|s| s.id == m.id).unwrap().values.len();
        assert!(p.placed.iter().all(|&(i, v, _)| i < n && v.is_finite()));
        assert!(p.placed.windows(2).all(|w| w[0].0 < w[1].0));
    }
    assert!(run.fit_seconds > 0.0);
}

#[test]
fn repeated_ids_all_skipped_and_wrong_mode_are_errors() {
    let mut twice = inputs();
    twice.push(series("a", 50, 5.0, 0.0));
    let e = train_local(&twice, &config(Mode::Local), &|_| {}).unwrap_err();
    assert!(e.to_string().contains("'a' is given twice"), "{e}");

    let short = vec![series("x", 5, 3.0, 0.0), series("y", 3, 3.0, 0.0)];
    let e = train_local(&short, &config(Mode::Local), &|_| {}).unwrap_err();
    assert!(
        e.to_string()
            .contains("every one of the 2 series was skipped"),
        "{e}"
    );
    let e = train_global(&short, &config(Mode::Global), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("skipped"), "{e}");

    let e = train_local(&inputs(), &config(Mode::Global), &|_| {}).unwrap_err();
    assert!(e.to_string().contains("mode local"), "{e}");
}

#[test]
fn global_mode_trains_one_model_and_skips_constant_series() {
    let mut all = inputs();
    all.push(SeriesInput {
        id: "flat".into(),
        values: vec![2.0; 60],
        times: None,
        axis: None,
        covariates: Vec::new(),
    });
    let run = train_global(&all, &config(Mode::Global), &mut |_| {}).unwrap();
    assert_eq!(run.model.members.len(), 1);
    assert_eq!(run.model.ids(), ["a", "b", "c"]);
    let skipped: Vec<&str> = run.skipped.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(skipped, ["flat", "short"]);
    assert!(run.metrics.iter().all(|m| m.test_mse.is_finite()));
    // Reproducible.
    let again = train_global(&all, &config(Mode::Global), &mut |_| {}).unwrap();
    assert_eq!(again.metrics, run.metrics);
}

#[test]
fn model_file_round_trips_joins_and_refuses_corruption() {
    let run = local_on(2, &inputs());
    let bytes = run.model.to_bytes().unwrap();
    assert!(ManyModel::is_many(&bytes));
    let back = ManyModel::from_bytes(&bytes).unwrap();
    let f1 = run.model.forecast(5).unwrap();
    let f2 = back.forecast(5).unwrap();
    assert_eq!(f1, f2);
    assert_eq!(f1.len(), 3);
    assert!(f1.iter().all(|f| f.values.len() == 5 && f.times.is_none()));
    // Deterministic bytes (one metadata key, members in id order).
    assert_eq!(back.to_bytes().unwrap(), bytes);

    // Members joined in any order give the same file.
    let mut members = member_bytes(&run);
    members.reverse();
    let joined = ManyModel::from_members(members.clone()).unwrap();
    assert_eq!(joined.to_bytes().unwrap(), bytes);
    members.push(members[0].clone());
    assert!(ManyModel::from_members(members).is_err());

    // Every flipped byte is refused or changes nothing (spaces padding the header).
    for i in (0..bytes.len()).step_by(61) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x5A;
        if let Ok(m) = ManyModel::from_bytes(&bad) {
            assert_eq!(
                m.forecast(5).unwrap(),
                f1,
                "byte {i} changed the forecast unnoticed"
            );
        }
    }
    for len in [0, 7, 8, bytes.len() / 2, bytes.len() - 1] {
        assert!(ManyModel::from_bytes(&bytes[..len]).is_err());
    }
}

#[test]
fn forecasts_carry_future_times_of_a_regular_axis() {
    use data::time::TimeAxis;
    let labels: Vec<String> = (0..100).map(jiff_day).collect();
    let (axis, _, gaps) = TimeAxis::read(&labels, None, None).unwrap();
    assert!(gaps.is_empty());
    let mut s = series("dated", 100, 10.0, 0.0);
    s.times = Some(labels);
    s.axis = Some(axis);
    let run = train_local(&[s], &config(Mode::Local), &|_| {}).unwrap();
    let f = run.model.forecast(3).unwrap();
    assert_eq!(
        f[0].times.as_deref().unwrap(),
        [jiff_day(100), jiff_day(101), jiff_day(102)]
    );
}

/// `2024-01-01` plus `d` days, as ISO text.
fn jiff_day(d: i64) -> String {
    let start = 19723; // days from 1970-01-01 to 2024-01-01
    let z = start + d;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if month <= 2 { y + 1 } else { y };
    format!("{year:04}-{month:02}-{day:02}")
}

#[test]
fn runs_stop_once_their_flag_is_set() {
    use forecast::many::{train_global_until, train_local_until};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    // Set after the first series on one thread: the others never start.
    let stop = AtomicBool::new(false);
    let calls = AtomicUsize::new(0);
    let e = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| {
            train_local_until(
                &inputs(),
                &config(Mode::Local),
                &|_| {
                    calls.fetch_add(1, Ordering::Relaxed);
                    stop.store(true, Ordering::Relaxed);
                },
                &stop,
            )
        })
        .unwrap_err();
    assert!(e.to_string().contains("interrupted"), "{e}");
    assert_eq!(calls.load(Ordering::Relaxed), 1);

    // Set at the last series: nothing is lost, the run comes back whole.
    let stop = AtomicBool::new(false);
    let run = train_local_until(
        &inputs(),
        &config(Mode::Local),
        &|d| stop.store(d.done == d.total, Ordering::Relaxed),
        &stop,
    )
    .unwrap();
    assert_eq!(run.metrics, local_on(2, &inputs()).metrics);

    // Set during a fit (from the fit's own events here): the fit ends after that batch.
    let stop = AtomicBool::new(false);
    let mut batches = 0;
    let e = train_global_until(
        &inputs(),
        &config(Mode::Global),
        &mut |ev| {
            if matches!(ev, nn::model::FitEvent::BatchEnd { .. }) {
                batches += 1;
                stop.store(true, Ordering::Relaxed);
            }
        },
        &stop,
    )
    .unwrap_err();
    assert!(e.to_string().contains("interrupted"), "{e}");
    assert_eq!(batches, 1);
}

#[test]
fn long_files_become_inputs_with_times_axes_and_column_names() {
    use forecast::many::{LongInputs, NoAxis};
    let text = "store,day,sales\nb,2024-01-02,5\na,2024-01-01,1\nb,2024-01-01,4\nb,2024-01-03,6\n";
    let options = data::LongCsvOptions {
        id: data::Column::Name("store".into()),
        time: Some(data::Column::Name("day".into())),
        ..data::LongCsvOptions::default()
    };
    let read = LongInputs::new(data::read_long_csv_str(text, &options).unwrap(), true);
    let inputs = &read.inputs;
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[1].id, "b");
    assert_eq!(inputs[1].values, [4.0, 5.0, 6.0]);
    assert_eq!(
        inputs[1].times.as_deref().unwrap(),
        ["2024-01-01", "2024-01-02", "2024-01-03"]
    );
    assert_eq!(
        inputs[1].axis.as_ref().unwrap().label(3).unwrap(),
        "2024-01-04"
    );
    assert_eq!(
        read.columns,
        forecast::many::ColumnNames {
            id: "store".into(),
            time: Some("day".into()),
            value: "sales".into(),
        }
    );
    // One time leaves no step: no axis, and the reader's note says why.
    assert!(inputs[0].axis.is_none());
    assert!(
        matches!(&read.no_time_axis[..], [NoAxis { id, reason }] if id == "a" && !reason.is_empty())
    );

    // Without a header or a time column: generic names, file order, no notes.
    let options = data::LongCsvOptions {
        header: Some(false),
        ..data::LongCsvOptions::default()
    };
    let read = LongInputs::new(
        data::read_long_csv_str("x,3\ny,1\nx,2\n", &options).unwrap(),
        false,
    );
    assert_eq!(read.columns.id, "id");
    assert_eq!(read.columns.time, None);
    assert_eq!(read.columns.value, "value");
    assert_eq!(read.inputs[0].values, [3.0, 2.0]);
    assert!(read.no_time_axis.is_empty());
}
