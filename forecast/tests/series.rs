//! Single-series runs through `forecast::series` alone, as the Python package makes them: a
//! CSV handed over as text, the model file kept in memory, then forecast, predict, evaluate and
//! backtest on it.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use data::{Column, SplitAt, WindowConfig};
use forecast::series::{
    BacktestConfig, CsvDialect, DataConfig, ForecastRequest, PredictRequest, SeriesConfig,
    SeriesModel, Source,
};
use forecast::spec::ModelSpec;
use forecast::{FitSettings, ForecastError};

/// A path that does not exist: only the text is read.
const NAME: &str = "in-memory/no-such-file.csv";

fn csv_text(n: usize) -> String {
    let mut text = String::from("y\n");
    for t in 0..n {
        let t = t as f64;
        text.push_str(&format!(
            "{}\n",
            (t * std::f64::consts::TAU / 12.0).sin() + 0.01 * t
        ));
    }
    text
}

fn config(n: usize) -> SeriesConfig {
    SeriesConfig {
        data: DataConfig {
            source: Source::Csv {
                path: PathBuf::from(NAME),
                column: Some(Column::Name("y".into())),
                time_column: None,
                time_format: None,
                time_step: None,
                dialect: CsvDialect::default(),
                features: Vec::new(),
            },
            windows: WindowConfig {
                split: SplitAt::Fraction(0.75),
                ..WindowConfig::default()
            },
            split_given: true,
            ..DataConfig::default()
        },
        model: ModelSpec {
            seed: 5,
            ..ModelSpec::tutorial(4)
        },
        fit: FitSettings {
            epochs: 2,
            batch_size: 16,
            validation_split: None,
            early_stopping: None,
            verbose: 0,
        },
        interval: None,
        csv_text: Some(csv_text(n)),
    }
}

fn go_on(_: &nn::model::FitEvent<'_>) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

#[test]
fn a_series_from_csv_text_trains_and_forecasts_from_the_model_bytes() {
    let cfg = config(120);
    let prepared = forecast::series::prepare(&cfg).unwrap();
    assert_eq!(prepared.series().len(), 120);
    let run = prepared.fit(&mut go_on).unwrap();
    assert_eq!(run.history.loss.len(), 2);
    assert!(run.figures.observed.test_mse_observed.is_finite());
    let table = run.predictions().unwrap();
    assert_eq!(table.len(), 120);
    assert_eq!(table.part[90], "test");
    assert_eq!(table.part[0], "");
    assert!(table.prediction[90].is_some());

    let bytes = run.model_file.to_bytes().unwrap();
    let mut model = SeriesModel::from_bytes(&bytes, Path::new("in-memory.recur")).unwrap();
    assert_eq!(model.data, cfg.data);
    let request = ForecastRequest {
        horizon: 5,
        interval: None,
        future: None,
    };
    let f = forecast::series::forecast(&mut model, &request).unwrap();
    assert_eq!(f.values.len(), 5);
    assert!(f.values.iter().all(|v| v.is_finite()));
    assert_eq!(f.index, 120);
    // The first forecast value is the run's next value: the same model on the same tail.
    assert_eq!(f.values[0], run.figures.next_value);

    let p = forecast::series::predict(&mut model, &PredictRequest::default()).unwrap();
    assert_eq!(p.next_value, run.figures.next_value);

    // Scoring and backtesting read the series again: from the text, never from the path.
    model.csv_text = cfg.csv_text.clone();
    let e = forecast::series::evaluate(&mut model).unwrap();
    assert_eq!(e.observed, run.figures.observed);
    let b = forecast::series::backtest(
        &mut model,
        &BacktestConfig {
            horizon: 3,
            folds: 2,
            stride: None,
            refit: None,
        },
    )
    .unwrap();
    assert_eq!(b.summary.folds.len(), 2);
    assert_eq!(b.columns.model.len(), 6);
}

#[test]
fn bytes_round_trip_and_a_missing_text_reads_the_path() {
    let cfg = config(80);
    let run = forecast::series::prepare(&cfg)
        .unwrap()
        .fit(&mut go_on)
        .unwrap();
    let bytes = run.model_file.to_bytes().unwrap();
    let model = SeriesModel::from_bytes(&bytes, Path::new("m.recur")).unwrap();
    assert_eq!(model.file.to_bytes().unwrap(), bytes);
    let mut model = model;
    let e = forecast::series::evaluate(&mut model).unwrap_err();
    assert!(
        matches!(&e, ForecastError::Usage(m) if m.contains(NAME)),
        "{e}"
    );
}

#[test]
fn an_observer_stops_fit() {
    let prepared = forecast::series::prepare(&config(80)).unwrap();
    let e = prepared.fit(&mut |_| ControlFlow::Break(())).unwrap_err();
    assert!(matches!(e, ForecastError::Runtime(_)), "{e}");
}

#[test]
fn bytes_that_are_no_model_are_refused_naming_the_path() {
    let e = SeriesModel::from_bytes(b"not a model", Path::new("x.recur")).unwrap_err();
    assert!(
        matches!(&e, ForecastError::Usage(m) if m.contains("x.recur")),
        "{e}"
    );
}
