//! The CSV reader with a time column read on its regular step: missing rows through the
//! missing-value policy, like empty cells.

use data::time::TimeStep;
use data::{Column, CsvOptions, MissingPolicy, TimeGridOptions, read_csv_str};

fn options(missing: MissingPolicy) -> CsvOptions {
    CsvOptions {
        time_column: Some(Column::Name("month".into())),
        time_grid: Some(TimeGridOptions::default()),
        missing,
        ..CsvOptions::default()
    }
}

/// Months 2020-01 to 2020-08 with 2020-04 and 2020-05 absent and 2020-07's cell empty.
const CSV: &str = "month,v\n2020-01,1\n2020-02,2\n2020-03,3\n2020-06,6\n2020-07,\n2020-08,8\n";

#[test]
fn missing_rows_are_inserted_and_filled_by_time() {
    let s = read_csv_str(CSV, &options(MissingPolicy::Interpolate)).unwrap();
    assert_eq!(s.values(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    let m = s.missing();
    assert_eq!((m.filled, m.dropped, m.missing_rows), (3, 0, 2));
    let axis = s.axis().unwrap();
    assert_eq!(axis.step, TimeStep::Months(1));
    assert_eq!(axis.label(3).unwrap(), "2020-04-01");
    let times = s.times().unwrap();
    assert_eq!(
        (times[2].as_str(), times[3].as_str()),
        ("2020-03", "2020-04-01")
    );
    let s = read_csv_str(CSV, &options(MissingPolicy::Ffill)).unwrap();
    assert_eq!(s.values(), [1.0, 2.0, 3.0, 3.0, 3.0, 6.0, 6.0, 8.0]);
}

#[test]
fn error_names_the_first_gap_and_drop_refuses_rows_inside() {
    let full = CSV.replace("2020-07,\n", "2020-07,7\n");
    let e = read_csv_str(&full, &options(MissingPolicy::Error)).unwrap_err();
    assert!(
        e.to_string()
            .contains("2 row(s) missing on the regular step 1mo"),
        "{e}"
    );
    // The empty cell is refused first, at its line, as without a time column.
    let e = read_csv_str(CSV, &options(MissingPolicy::Error)).unwrap_err();
    assert!(e.to_string().contains("line 6"), "{e}");
    let e = read_csv_str(CSV, &options(MissingPolicy::Drop)).unwrap_err();
    assert!(
        e.to_string().contains("policy drop would take 3 row(s)"),
        "{e}"
    );
    // Without a grid the labels are text: drop closes the series up as before.
    let text = CsvOptions {
        time_grid: None,
        ..options(MissingPolicy::Drop)
    };
    let s = read_csv_str(CSV, &text).unwrap();
    assert_eq!(s.values(), [1.0, 2.0, 3.0, 6.0, 8.0]);
    assert!(s.axis().is_none());
}

#[test]
fn a_numeric_time_column_without_header_and_a_given_step() {
    let o = CsvOptions {
        time_column: Some(Column::Index(0)),
        time_grid: Some(TimeGridOptions {
            format: None,
            step: Some(TimeStep::Number(0.5)),
        }),
        missing: MissingPolicy::Interpolate,
        ..CsvOptions::default()
    };
    let s = read_csv_str("0,0\n0.5,1\n2,4\n", &o).unwrap();
    assert_eq!(s.values(), [0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(s.missing().missing_rows, 2);
    assert_eq!(s.axis().unwrap().label(4).unwrap(), "2");
}
