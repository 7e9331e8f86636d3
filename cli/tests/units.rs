//! Unit tests of the CLI's parts through their public API: the value parsers, the data
//! settings over saved ones, the predictions and forecast CSVs, and the
//! one-line error text.

use cli::args::{DataArgs, SeriesArgs, SineArgs};
use cli::data_config::DataConfigArgs;
use cli::error::CliError;
use cli::parsers::{dense_sizes, fraction, positive, rate, whole_at_least_one};
use cli::predictions::{forecast_csv, predictions_csv};
use data::{Layout, Series, SplitAt, WindowConfig, prepare};
use forecast::series::placed::place;
use forecast::series::{DataConfig, Source};

#[test]
fn numbers_are_checked() {
    assert_eq!(whole_at_least_one("50"), Ok(50));
    assert!(whole_at_least_one("0").is_err());
    assert!(whole_at_least_one("-3").is_err());
    assert!(positive("nan").is_err());
    assert!(positive("0").is_err());
    assert!(positive("-0.1").is_err());
    assert_eq!(positive("1e-3"), Ok(1e-3));
    assert!(fraction("1").is_err() && fraction("0").is_err());
    assert_eq!(fraction("0.25"), Ok(0.25));
    assert!(rate("1.01").is_err() && rate("-0.1").is_err());
    assert_eq!(rate("1"), Ok(1.0));
}

#[test]
fn dense_lists() {
    assert_eq!(dense_sizes("8").unwrap().0, vec![8]);
    assert_eq!(dense_sizes("16, 8").unwrap().0, vec![16, 8]);
    assert!(dense_sizes("none").unwrap().0.is_empty());
    assert!(dense_sizes("8,0").is_err());
    assert!(dense_sizes("").is_err());
}

#[test]
fn saved_settings_fill_in_flags_not_given() {
    let saved_args = DataArgs {
        series: SeriesArgs {
            step: Some(6),
            layout: Some(Layout::Sequence),
            ..SeriesArgs::default()
        },
        sine: SineArgs {
            n: Some(1500),
            ..SineArgs::default()
        },
        split: Some(SplitAt::Index(1000)),
        ..DataArgs::default()
    };
    let saved = DataConfig::from_args(&saved_args, None).unwrap();
    let again = DataConfig::from_args(&DataArgs::default(), Some(&saved)).unwrap();
    assert_eq!(again, saved);
    let over = DataConfig::from_args(
        &DataArgs {
            series: SeriesArgs {
                step: Some(3),
                ..SeriesArgs::default()
            },
            ..DataArgs::default()
        },
        Some(&saved),
    )
    .unwrap();
    assert_eq!(over.windows.step, 3);
    assert_eq!(over.windows.split, SplitAt::Index(1000));
    match over.source {
        Source::Generated(g) => assert_eq!(g.n, 1500),
        Source::Csv { .. } => panic!("generated source expected"),
    }
}

#[test]
fn a_saved_csv_source_gives_way_to_generator_flags_only() {
    let csv = DataConfig {
        source: Source::Csv {
            path: "a.csv".into(),
            column: None,
            time_column: None,
            time_format: None,
            time_step: None,
            dialect: Default::default(),
            features: Vec::new(),
        },
        ..DataConfig::default()
    };
    let kept = DataConfig::from_args(&DataArgs::default(), Some(&csv)).unwrap();
    assert_eq!(kept.source, csv.source);
    let sine = DataConfig::from_args(
        &DataArgs {
            sine: SineArgs {
                n: Some(500),
                ..SineArgs::default()
            },
            ..DataArgs::default()
        },
        Some(&csv),
    )
    .unwrap();
    assert!(matches!(sine.source, Source::Generated(g) if g.n == 500));
}

#[test]
fn one_line_escapes_control_characters() {
    let e = CliError::Usage("bad\n row \u{1}\u{7f}x".into());
    assert_eq!(e.one_line(), "bad row \\u{1}\\u{7f}x");
    assert_eq!(e.exit_code(), 2);
    assert_eq!(CliError::Runtime("x".into()).exit_code(), 1);
}

#[test]
fn predictions_sit_on_their_targets_and_padding_is_left_out() {
    let values: Vec<f64> = (0..12).map(f64::from).collect();
    let config = WindowConfig {
        split: SplitAt::Index(6),
        step: 2,
        ..WindowConfig::default()
    };
    let ds = prepare(&values, &config).unwrap();
    // A perfect predictor of the targets (padding copies included).
    let placed = place(&ds, &ds.train.y, &ds.test.y).unwrap();
    assert_eq!(placed.train.first(), Some(&(2, 2.0)));
    assert_eq!(placed.train.len(), 4); // targets 2..5; the padded ones are dropped
    assert_eq!(placed.test.first(), Some(&(8, 8.0)));
    assert_eq!(placed.test.last(), Some(&(11, 11.0)));
    let text =
        String::from_utf8(predictions_csv(&Series::new(values), None, &placed).unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "index,actual,train_prediction,test_prediction");
    assert_eq!(lines[1], "0,0,,");
    assert_eq!(lines[3], "2,2,2,");
    assert_eq!(lines[9], "8,8,,8");
    assert_eq!(lines.len(), 13);
}

#[test]
fn wrong_prediction_count_is_an_error() {
    let values: Vec<f64> = (0..12).map(f64::from).collect();
    let config = WindowConfig {
        split: SplitAt::Index(6),
        step: 2,
        ..WindowConfig::default()
    };
    let ds = prepare(&values, &config).unwrap();
    assert!(place(&ds, &[0.0], &ds.test.y).is_err());
}

#[test]
fn forecast_rows() {
    let text = String::from_utf8(forecast_csv(10, &[1.5, 2.0], None).unwrap()).unwrap();
    assert_eq!(text, "step,index,forecast\n1,10,1.5\n2,11,2\n");
}

#[test]
fn forecast_rows_with_times_start_with_the_time_column() {
    let times = ["2020-01-01".to_string(), "2020-02-01".to_string()];
    let text = forecast_csv(10, &[1.5, 2.0], Some(("month", &times[..]))).unwrap();
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "month,step,index,forecast\n2020-01-01,1,10,1.5\n2020-02-01,2,11,2\n"
    );
}

#[test]
fn plot_axis_labels_show_times_for_the_span_and_enough_decimals() {
    use cli::plot_axis::{XLabels, y_decimals, y_label, y_tick_label};
    use forecast::series::SeriesTime;
    let quarters: Vec<String> = (0..200)
        .map(|i| format!("{}Q{}", 1959 + i / 4, i % 4 + 1))
        .collect();
    let axis = data::time::TimeAxis::read(&quarters, None, None).unwrap().0;
    let time = SeriesTime {
        name: "quarter".into(),
        axis,
    };
    // Fifty years: years only; position 0 sits at series index 100 (a model file's tail).
    let years = XLabels::new(Some(&time), 100, 100.0, 300.0);
    assert_eq!(years.title(), "quarter");
    assert_eq!(years.label(120.2), "1964");
    assert_eq!(years.label(50.0), "", "before the first time");
    // Two years of quarters: months.
    let months = XLabels::new(Some(&time), 0, 0.0, 10.0);
    assert_eq!(months.label(1.0), "1959-04");
    let plain = XLabels::new(None, 0, 0.0, 10.0);
    assert_eq!(
        (plain.title().as_str(), plain.label(7.4).as_str()),
        ("index (time step)", "7")
    );
    assert_eq!(y_decimals(0.0, 1.0), 1);
    assert_eq!(y_decimals(0.0, 0.01), 3);
    assert_eq!(y_decimals(-350_000.0, 180_000.0), 0);
    assert_eq!(y_label(123_456.7, 0), "123457");
    // Past 1e12 a power of ten, with the digits the ticks need to differ.
    assert_eq!(y_tick_label(0.25, 0.0, 1.0), "0.2");
    assert_eq!(y_tick_label(2e307, -4e307, 4e307), "2.00e307");
    assert_eq!(
        y_tick_label(3e290, -4e307, 4e307),
        "0.00e0",
        "rounding off 0"
    );
    assert_eq!(y_tick_label(1.5e13, 1e13, 1.00001e13), "1.500000e13");
}
