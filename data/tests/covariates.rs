//! Covariates: read beside the value column, windowed as extra channels, scaled on their own.

use data::{
    Column, Covariate, CsvOptions, Layout, MissingPolicy, ScaleKind, Scaler, SplitAt,
    TimeGridOptions, WindowConfig, prepare, prepare_with_covariates, read_csv_str,
};

fn with(covariates: &[&str]) -> CsvOptions {
    CsvOptions {
        column: Some(Column::Name("y".into())),
        covariates: covariates.iter().map(|c| c.parse().unwrap()).collect(),
        ..CsvOptions::default()
    }
}

const CSV: &str = "ds,y,x,z\n1,10,100,7\n2,11,200,8\n3,12,300,9\n";

#[test]
fn covariates_are_read_by_name_or_index_in_the_order_asked() {
    let s = read_csv_str(CSV, &with(&["z", "2"])).unwrap();
    assert_eq!(s.values(), &[10.0, 11.0, 12.0]);
    let c = s.covariates();
    assert_eq!((c[0].name.as_str(), c[1].name.as_str()), ("z", "x"));
    assert_eq!(c[0].values, vec![7.0, 8.0, 9.0]);
    assert_eq!(c[1].values, vec![100.0, 200.0, 300.0]);
    // Without a header they are named by index.
    let o = CsvOptions {
        column: Some(Column::Index(0)),
        covariates: vec![Column::Index(1)],
        ..CsvOptions::default()
    };
    let s = read_csv_str("1,5\n2,6\n", &o).unwrap();
    assert_eq!(s.covariates()[0].name, "1");
    // None asked: none read, the series as before.
    assert!(
        read_csv_str(CSV, &with(&[]))
            .unwrap()
            .covariates()
            .is_empty()
    );
}

#[test]
fn bad_covariate_columns_are_named() {
    let msg = |c: &[&str]| {
        let mut o = with(c);
        o.time_column = Some(Column::Name("ds".into()));
        read_csv_str(CSV, &o).unwrap_err().to_string()
    };
    let e = msg(&["q"]);
    assert!(
        e.contains("covariate column 'q' not found") && e.contains("0 'ds', 1 'y', 2 'x', 3 'z'"),
        "{e}"
    );
    assert!(
        msg(&["y"]).contains("'y' is the value column"),
        "{}",
        msg(&["y"])
    );
    assert!(
        msg(&["ds"]).contains("is the time column"),
        "{}",
        msg(&["ds"])
    );
    assert!(
        msg(&["x", "x"]).contains("listed twice"),
        "{}",
        msg(&["x", "x"])
    );
    assert!(
        msg(&["x", "2"]).contains("listed before as 'x'"),
        "{}",
        msg(&["x", "2"])
    );
    assert!(msg(&["9"]).contains("index 9 not found"), "{}", msg(&["9"]));
}

#[test]
fn covariate_cells_follow_the_missing_policy_row_by_row() {
    let text = "y,x\n1,\n2,20\n3,NA\n4,40\n,50\n";
    let e = read_csv_str(text, &with(&["x"])).unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("column 'x'"), "{e}");
    let mut o = with(&["x"]);
    o.missing = MissingPolicy::Interpolate;
    let s = read_csv_str(text, &o).unwrap();
    // The first row has no x to interpolate from, the last no y: both dropped.
    assert_eq!(s.values(), &[2.0, 3.0, 4.0]);
    assert_eq!(s.covariates()[0].values, vec![20.0, 30.0, 40.0]);
    assert_eq!((s.missing().filled, s.missing().dropped), (1, 2));
    o.missing = MissingPolicy::Drop;
    let s = read_csv_str(text, &o).unwrap();
    assert_eq!(s.values(), &[2.0, 4.0]);
}

#[test]
fn missing_rows_of_a_time_column_are_missing_in_every_column() {
    let text = "ds,y,x\n2022-01-01,0,10\n2022-01-02,1,\n2022-01-04,3,40\n";
    let o = CsvOptions {
        column: Some(Column::Name("y".into())),
        covariates: vec![Column::Name("x".into())],
        time_column: Some(Column::Name("ds".into())),
        time_grid: Some(TimeGridOptions::default()),
        missing: MissingPolicy::Interpolate,
        ..CsvOptions::default()
    };
    let s = read_csv_str(text, &o).unwrap();
    assert_eq!(s.values(), &[0.0, 1.0, 2.0, 3.0]);
    assert_eq!(s.covariates()[0].values, vec![10.0, 20.0, 30.0, 40.0]);
    assert_eq!(s.missing().missing_rows, 1);
    // Drop may not take out the row whose x is missing: it is inside the series.
    let e = read_csv_str(
        text,
        &CsvOptions {
            missing: MissingPolicy::Drop,
            ..o
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("2022-01-02"), "{e}");
}

fn covariate(name: &str, values: Vec<f64>) -> Covariate {
    Covariate {
        name: name.into(),
        values,
    }
}

#[test]
fn windows_hold_target_then_covariates_at_each_step() {
    let y: Vec<f64> = (0..12).map(f64::from).collect();
    let x: Vec<f64> = (0..12).map(|v| 100.0 + f64::from(v)).collect();
    let cfg = WindowConfig {
        split: SplitAt::Index(8),
        step: 3,
        pad: false,
        layout: Layout::Sequence,
        scale: ScaleKind::None,
    };
    let cov = [covariate("x", x.clone())];
    let ds = prepare_with_covariates(&y, &cov, &cfg, ScaleKind::None).unwrap();
    assert_eq!(ds.train.x.shape(), [5, 3, 2]);
    assert_eq!(
        ds.train.x.row(0).unwrap(),
        &[0.0, 100.0, 1.0, 101.0, 2.0, 102.0]
    );
    assert_eq!(ds.train.y, vec![3.0, 4.0, 5.0, 6.0, 7.0]);
    assert_eq!(ds.test.x.shape(), [1, 3, 2]);
    assert_eq!(ds.test.target_index(0), Some(11));
    assert_eq!(
        ds.next_window.data(),
        &[9.0, 109.0, 10.0, 110.0, 11.0, 111.0]
    );
    // The same values, flattened time-major, in the tutorial layout.
    let tut = WindowConfig {
        layout: Layout::Tutorial,
        ..cfg
    };
    let t = prepare_with_covariates(&y, &cov, &tut, ScaleKind::None).unwrap();
    assert_eq!(t.train.x.shape(), [5, 1, 6]);
    assert_eq!(t.train.x.data(), ds.train.x.data());
    // The target's windows and figures are the single series'.
    let single = prepare(&y, &cfg).unwrap();
    assert_eq!(ds.train.y, single.train.y);
    assert_eq!(ds.scaled, single.scaled);
    assert_eq!(
        data::baseline_mse(&ds.test.x, &ds.test.y).unwrap(),
        data::baseline_mse(&single.test.x, &single.test.y).unwrap()
    );
}

#[test]
fn padding_repeats_the_last_row_of_every_channel() {
    let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let x = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0];
    let cfg = WindowConfig {
        split: SplitAt::Index(3),
        step: 2,
        pad: true,
        layout: Layout::Sequence,
        scale: ScaleKind::None,
    };
    let ds =
        prepare_with_covariates(&y, &[covariate("x", x.to_vec())], &cfg, ScaleKind::None).unwrap();
    // Training part (1,10),(2,20),(3,30) padded with two (3,30): 3 windows.
    assert_eq!(ds.train.x.count(), 3);
    assert_eq!(ds.train.x.row(2).unwrap(), &[3.0, 30.0, 3.0, 30.0]);
    assert_eq!(ds.train.y, vec![3.0, 3.0, 3.0]);
    assert_eq!(ds.tutorial_next_window.data(), &[6.0, 60.0, 6.0, 60.0]);
}

#[test]
fn each_covariate_is_scaled_on_its_training_part() {
    let y: Vec<f64> = (0..10).map(f64::from).collect();
    let x: Vec<f64> = (0..10).map(|v| 1e5 * f64::from(v)).collect();
    let cfg = WindowConfig {
        split: SplitAt::Index(5),
        step: 2,
        pad: false,
        layout: Layout::Sequence,
        scale: ScaleKind::None,
    };
    let cov = [covariate("x", x.clone())];
    let ds = prepare_with_covariates(&y, &cov, &cfg, ScaleKind::Standard).unwrap();
    let fitted = Scaler::fit(ScaleKind::Standard, &x[..5]).unwrap();
    assert_eq!(ds.covariate_scalers, vec![fitted]);
    assert_eq!(ds.scaler, Scaler::Identity);
    let frame = ds.frame().unwrap();
    assert_eq!(frame.width(), 2);
    assert_eq!(frame.row(7).unwrap(), &[7.0, fitted.transform(x[7])]);
    // A covariate constant on the training part is refused by name.
    let flat = [covariate("promo", [vec![1.0; 5], vec![2.0; 5]].concat())];
    let e = prepare_with_covariates(&y, &flat, &cfg, ScaleKind::Standard)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'promo' is constant on the training part"),
        "{e}"
    );
    let short = [covariate("x", vec![1.0; 3])];
    assert!(prepare_with_covariates(&y, &short, &cfg, ScaleKind::Standard).is_err());
}
