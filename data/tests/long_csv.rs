//! Long-format CSV input: grouping by id, sorting by time, per-series axes and notes, missing
//! values, column choice, dialects, caps and every error.

use std::collections::BTreeMap;

use data::time::{TimeFormat, TimeStep, TimeValue};
use data::{
    Column, CsvLimits, DataError, LongCsvOptions, LongData, MissingPolicy, read_long_csv_path,
    read_long_csv_reader, read_long_csv_str,
};
use proptest::prelude::*;

/// Options with the id in column `id` and the time in column `time` (both by name).
fn opts(id: &str, time: Option<&str>) -> LongCsvOptions {
    LongCsvOptions {
        id: Column::Name(id.into()),
        time: time.map(|t| Column::Name(t.into())),
        ..LongCsvOptions::default()
    }
}

fn with_missing(missing: MissingPolicy) -> LongCsvOptions {
    LongCsvOptions {
        missing,
        ..opts("id", Some("t"))
    }
}

/// The error's message, after checking it mentions every given piece.
fn message(err: DataError, pieces: &[&str]) -> String {
    let msg = err.to_string();
    for p in pieces {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
    msg
}

fn values(d: &LongData, id: &str) -> Vec<f64> {
    d.get(id).unwrap().series.values().to_vec()
}

fn times(d: &LongData, id: &str) -> Vec<String> {
    d.get(id).unwrap().series.times().unwrap().to_vec()
}

#[test]
fn ids_are_sorted_by_bytes_and_kept_as_text() {
    let text = "id,t,v\n9,1,1\n10,1,2\na,1,3\nB,1,4\n01,1,5\n1,1,6\n 9 ,2,7\n";
    let d = read_long_csv_str(text, &opts("id", Some("t"))).unwrap();
    assert_eq!(
        d.ids().collect::<Vec<_>>(),
        vec!["01", "1", "10", "9", "B", "a"]
    );
    assert_eq!(values(&d, "9"), vec![1.0, 7.0]);
    assert_eq!(values(&d, "01"), vec![5.0]);
    assert_eq!(values(&d, "1"), vec![6.0]);
    assert!(d.get("x").is_none());
    assert_eq!(d.id_name.as_deref(), Some("id"));
    let s = &d.get("9").unwrap().series;
    assert_eq!((s.name(), s.time_name()), (Some("v"), Some("t")));
}

#[test]
fn each_series_is_sorted_by_its_times_with_its_own_axis() {
    let text = "\
store,date,sales
b,2021-03-02,20
a,2021-01-03,3
b,2021-03-01,10
a,2021-01-01,1
a,2021-01-02,2
b,2021-03-03,30
";
    let d = read_long_csv_str(text, &opts("store", Some("date"))).unwrap();
    assert_eq!(values(&d, "a"), vec![1.0, 2.0, 3.0]);
    assert_eq!(values(&d, "b"), vec![10.0, 20.0, 30.0]);
    assert_eq!(
        times(&d, "a"),
        vec!["2021-01-01", "2021-01-02", "2021-01-03"]
    );
    for (id, next) in [("a", "2021-01-04"), ("b", "2021-03-04")] {
        let one = d.get(id).unwrap();
        assert_eq!(one.axis_note, None);
        let axis = one.series.axis().unwrap();
        assert_eq!(axis.step, TimeStep::Days(1));
        assert_eq!(axis.label(3).unwrap(), next);
    }
}

#[test]
fn numeric_times_monthly_dates_and_date_times() {
    let text = "id,year,v\nx,1873,3\nx,1871,1\nx,1872,2\ny,2000,5\ny,1990,4\n";
    let d = read_long_csv_str(text, &opts("id", Some("year"))).unwrap();
    assert_eq!(values(&d, "x"), vec![1.0, 2.0, 3.0]);
    let x = d.get("x").unwrap().series.axis().unwrap();
    assert_eq!(
        (x.step, x.label(3).unwrap()),
        (TimeStep::Number(1.0), "1874".into())
    );
    // Each series infers its own step: y's is 10 years.
    let y = d.get("y").unwrap().series.axis().unwrap();
    assert_eq!(
        (y.step, y.label(2).unwrap()),
        (TimeStep::Number(10.0), "2010".into())
    );

    let text = "id;month;v\nm;2020-03;3\nm;2020-01;1\nm;2020-02;2\n";
    let o = LongCsvOptions {
        delimiter: b';',
        ..opts("id", Some("month"))
    };
    let d = read_long_csv_str(text, &o).unwrap();
    let axis = d.get("m").unwrap().series.axis().unwrap();
    assert_eq!(
        (axis.step, axis.label(3).unwrap()),
        (TimeStep::Months(1), "2020-04-01".into())
    );

    let text = "id,t,v\nq,2020-01-01T01:00,2\nq,2020-01-01T00:00,1\nq,2020-01-01T02:00,3\n";
    let d = read_long_csv_str(text, &opts("id", Some("t"))).unwrap();
    let axis = d.get("q").unwrap().series.axis().unwrap();
    assert_eq!(axis.step, TimeStep::Seconds(3600));
    assert_eq!(axis.label(3).unwrap(), "2020-01-01T03:00:00");
    assert_eq!(values(&d, "q"), vec![1.0, 2.0, 3.0]);
}

#[test]
fn a_given_format_and_step_apply_to_every_series() {
    let text = "id,t,v\na,03.01.2020,3\na,01.01.2020,1\nb,05.01.2020,9\n";
    let o = LongCsvOptions {
        time_format: Some(TimeFormat::custom("%d.%m.%Y").unwrap()),
        time_step: Some(TimeStep::Days(1)),
        missing: MissingPolicy::Interpolate,
        ..opts("id", Some("t"))
    };
    let d = read_long_csv_str(text, &o).unwrap();
    assert_eq!(values(&d, "a"), vec![1.0, 2.0, 3.0]);
    assert_eq!(d.get("a").unwrap().series.missing().missing_rows, 1);
    // One time is enough for an axis when the step is given.
    let b = d.get("b").unwrap();
    assert_eq!(b.axis_note, None);
    assert_eq!(b.series.axis().unwrap().label(1).unwrap(), "2020-01-06");
    // A step of the wrong kind is an error for the file, not a note per series.
    let o = LongCsvOptions {
        time_step: Some(TimeStep::Days(1)),
        ..opts("id", Some("t"))
    };
    let err = read_long_csv_str("id,t,v\na,1,1\na,2,2\n", &o).unwrap_err();
    message(err, &["time_step", "1d", "number"]);
}

#[test]
fn irregular_series_lose_their_axis_with_a_note_not_the_file() {
    let text = "\
id,t,v
reg,2020-01-01,1
gap,2020-01-01,1
off,1,1
reg,2020-01-02,2
gap,2020-01-02,2
off,2,2
gap,2020-01-04,4
off,3.5,3
one,7,1
";
    // Mixed kinds share no format: keep the numeric series apart.
    let dates: String = text
        .lines()
        .filter(|l| !l.starts_with("off") && !l.starts_with("one"))
        .map(|l| format!("{l}\n"))
        .collect();
    let d = read_long_csv_str(&dates, &opts("id", Some("t"))).unwrap();
    assert!(d.get("reg").unwrap().series.axis().is_some());
    let gap = d.get("gap").unwrap();
    assert!(gap.series.axis().is_none());
    assert_eq!(gap.series.values(), &[1.0, 2.0, 4.0]);
    assert_eq!(
        gap.series.times().unwrap(),
        &["2020-01-01", "2020-01-02", "2020-01-04"]
    );
    let note = gap.axis_note.as_deref().unwrap();
    assert!(
        note.contains("1 row(s) missing") && note.contains("2020-01-04"),
        "{note}"
    );

    let numbers: String = text
        .lines()
        .filter(|l| l.starts_with("id") || l.starts_with("off") || l.starts_with("one"))
        .map(|l| format!("{l}\n"))
        .collect();
    let d = read_long_csv_str(&numbers, &opts("id", Some("t"))).unwrap();
    let off = d.get("off").unwrap();
    assert!(off.series.axis().is_none());
    assert_eq!(off.series.values(), &[1.0, 2.0, 3.0]);
    let note = off.axis_note.as_deref().unwrap();
    assert!(note.contains("not on a regular step"), "{note}");
    let one = d.get("one").unwrap();
    assert_eq!(one.series.values(), &[1.0]);
    assert!(
        one.axis_note.as_deref().unwrap().contains("at least two"),
        "{:?}",
        one.axis_note
    );
}

#[test]
fn a_duplicated_time_names_the_series_the_time_and_both_lines() {
    let text = "id,t,v\na,2020-01-01,1\nb,2020-01-01,1\na,2020-01-02,2\na,2020-01-01,3\n";
    let err = read_long_csv_str(text, &opts("id", Some("t"))).unwrap_err();
    message(err, &["series 'a'", "'2020-01-01'", "lines 2 and 5"]);
    // One time written two ways is still one time.
    let err = read_long_csv_str("id,t,v\nz,1,1\nz,1.0,2\n", &opts("id", Some("t"))).unwrap_err();
    message(
        err,
        &["series 'z'", "'1' on CSV line 2", "'1.0' on CSV line 3"],
    );
}

#[test]
fn without_a_time_column_each_series_keeps_file_order() {
    let text = "id,v\nb,3\na,1\nb,2\na,5\nb,1\n";
    let d = read_long_csv_str(text, &opts("id", None)).unwrap();
    assert_eq!(values(&d, "a"), vec![1.0, 5.0]);
    assert_eq!(values(&d, "b"), vec![3.0, 2.0, 1.0]);
    let b = d.get("b").unwrap();
    assert!(b.series.times().is_none() && b.series.axis().is_none());
    assert_eq!(b.axis_note, None);
    // Ffill runs by row within each series, never across series.
    let o = LongCsvOptions {
        missing: MissingPolicy::Ffill,
        ..opts("id", None)
    };
    let d = read_long_csv_str("id,v\na,1\nb,7\na,\nb,NA\nb,8\n", &o).unwrap();
    assert_eq!(values(&d, "a"), vec![1.0, 1.0]);
    assert_eq!(values(&d, "b"), vec![7.0, 7.0, 8.0]);
    assert_eq!(d.get("b").unwrap().series.missing().filled, 1);
}

#[test]
fn missing_values_follow_the_policy_per_series() {
    let text = "id,t,v\na,2020-01-01,1\na,2020-01-02,\nb,2020-01-01,5\na,2020-01-04,4\n";
    let err = read_long_csv_str(text, &with_missing(MissingPolicy::Error)).unwrap_err();
    message(
        err,
        &[
            "line 3",
            "empty cell",
            "column 'v' of series 'a'",
            "a,2020-01-02,",
        ],
    );
    let err =
        read_long_csv_str("id,t,v\nq,1,x\n", &with_missing(MissingPolicy::Error)).unwrap_err();
    message(
        err,
        &["line 2", "\"x\"", "'v' of series 'q'", "not a number"],
    );

    // Interpolation fills the empty cell and the absent 2020-01-03 on a's own daily step.
    let d = read_long_csv_str(text, &with_missing(MissingPolicy::Interpolate)).unwrap();
    assert_eq!(values(&d, "a"), vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(times(&d, "a")[2], "2020-01-03");
    let c = d.get("a").unwrap().series.missing();
    assert_eq!((c.filled, c.dropped, c.missing_rows), (2, 0, 1));
    assert!(d.get("a").unwrap().series.axis().is_some());
    let d = read_long_csv_str(text, &with_missing(MissingPolicy::Ffill)).unwrap();
    assert_eq!(values(&d, "a"), vec![1.0, 1.0, 1.0, 4.0]);
    assert_eq!(values(&d, "b"), vec![5.0]);

    // Drop inside a regular series would close it up: dropped by row, without an axis.
    let d = read_long_csv_str(text, &with_missing(MissingPolicy::Drop)).unwrap();
    let a = d.get("a").unwrap();
    assert_eq!(a.series.values(), &[1.0, 4.0]);
    assert_eq!(a.series.times().unwrap(), &["2020-01-01", "2020-01-04"]);
    assert!(a.series.axis().is_none());
    assert!(
        a.axis_note.as_deref().unwrap().contains("policy drop"),
        "{:?}",
        a.axis_note
    );
    // A trailing drop keeps the axis.
    let text = "id,t,v\na,2020-01-01,1\na,2020-01-02,2\na,2020-01-03,NA\n";
    let d = read_long_csv_str(text, &with_missing(MissingPolicy::Drop)).unwrap();
    let a = d.get("a").unwrap();
    assert_eq!(a.series.values(), &[1.0, 2.0]);
    assert_eq!(a.series.missing().dropped, 1);
    assert_eq!(a.series.axis().unwrap().label(2).unwrap(), "2020-01-03");
    // Every value dropped: the series is still returned, empty.
    let text = "id,t,v\na,2020-01-01,1\na,2020-01-02,2\nz,2020-01-01,\nz,2020-01-02,\n";
    let d = read_long_csv_str(text, &with_missing(MissingPolicy::Drop)).unwrap();
    assert!(d.get("z").unwrap().series.is_empty());
}

#[test]
fn bad_columns_are_errors_naming_the_column_and_the_header() {
    let text = "id,t,v\na,1,1\n";
    let err = read_long_csv_str(text, &opts("key", Some("t"))).unwrap_err();
    message(err, &["'key'", "0 'id'", "1 't'", "2 'v'"]);
    let err = read_long_csv_str(text, &opts("id", Some("time"))).unwrap_err();
    message(err, &["'time'", "not found", "2 'v'"]);
    let o = LongCsvOptions {
        value: Some(Column::Index(3)),
        ..opts("id", Some("t"))
    };
    message(
        read_long_csv_str(text, &o).unwrap_err(),
        &["index 3", "0 'id'"],
    );
    let o = LongCsvOptions {
        value: Some(Column::Name("id".into())),
        ..opts("id", Some("t"))
    };
    message(
        read_long_csv_str(text, &o).unwrap_err(),
        &["invalid id = 'id'", "value column"],
    );
    message(
        read_long_csv_str(text, &opts("t", Some("t"))).unwrap_err(),
        &["invalid id = 't'", "time column"],
    );
    let o = LongCsvOptions {
        value: Some(Column::Index(1)),
        ..opts("id", Some("t"))
    };
    message(
        read_long_csv_str(text, &o).unwrap_err(),
        &["invalid time = 't'", "value column"],
    );
    // Only id and time columns: no value column is left to pick.
    let err = read_long_csv_str("id,t\na,1\n", &opts("id", Some("t"))).unwrap_err();
    message(err, &["no numeric column"]);
}

#[test]
fn the_default_value_column_skips_the_id_and_time_columns() {
    // The single-series rule alone would pick the numeric time column, the last one.
    let text = "id,v,t\na,10,1\na,20,2\n";
    let d = read_long_csv_str(text, &opts("id", Some("t"))).unwrap();
    assert_eq!(values(&d, "a"), vec![10.0, 20.0]);
    assert_eq!(d.get("a").unwrap().series.name(), Some("v"));
    // Numeric ids without a header, by index.
    let o = LongCsvOptions {
        id: Column::Index(2),
        time: Some(Column::Index(0)),
        ..LongCsvOptions::default()
    };
    let d = read_long_csv_str("1,0.5,7\n2,1.5,7\n1,2.5,8\n", &o).unwrap();
    assert_eq!(d.ids().collect::<Vec<_>>(), vec!["7", "8"]);
    assert_eq!(values(&d, "7"), vec![0.5, 1.5]);
    assert_eq!(d.id_name, None);
    assert_eq!(d.get("7").unwrap().series.name(), None);
}

#[test]
fn bad_cells_and_empty_inputs_are_errors_naming_the_line() {
    let err = read_long_csv_str("id,t,v\na,1,1\n ,2,2\n", &opts("id", Some("t"))).unwrap_err();
    message(err, &["line 3", "empty cell in column 'id'"]);
    let err = read_long_csv_str("id,t,v\na,1,1\nb,x,2\n", &opts("id", Some("t"))).unwrap_err();
    message(err, &["line 3", "series 'b'", "'x' is not a finite number"]);
    let err = read_long_csv_str("id,t,v\na,soon,1\n", &opts("id", Some("t"))).unwrap_err();
    message(err, &["line 2", "'soon' is not a time recur reads"]);
    let err = read_long_csv_str("id,t,v\na,1,1\nb,2\n", &opts("id", Some("t"))).unwrap_err();
    message(err, &["line 3", "2 field(s)"]);
    for empty in ["id,t,v\n", "", "\n\n", "\u{feff}id,t,v\r\n\r\n"] {
        let err = read_long_csv_str(empty, &opts("id", Some("t"))).unwrap_err();
        assert!(matches!(err, DataError::NoDataRows { .. }), "{err}");
        message(err, &["CSV input: no data rows"]);
    }
    let o = LongCsvOptions::default();
    message(read_long_csv_str("", &o).unwrap_err(), &["no data rows"]);
}

#[test]
fn decimal_commas_with_semicolons() {
    let text = "id;t;v\na;2;2,5\na;1;-1,25\nb;1;1e3\n";
    let o = LongCsvOptions {
        delimiter: b';',
        decimal: b',',
        ..opts("id", Some("t"))
    };
    let d = read_long_csv_str(text, &o).unwrap();
    assert_eq!(values(&d, "a"), vec![-1.25, 2.5]);
    assert_eq!(values(&d, "b"), vec![1000.0]);
    // A `.` is a thousands separator to recur with decimal commas: not a number.
    let err = read_long_csv_str("id;t;v\na;1;1.5\n", &o).unwrap_err();
    message(err, &["\"1.5\"", "not a number"]);
    let comma = LongCsvOptions {
        decimal: b',',
        ..opts("id", Some("t"))
    };
    message(read_long_csv_str(text, &comma).unwrap_err(), &["delimiter"]);
}

#[test]
fn caps_on_series_rows_and_filled_rows() {
    let text = "id,v\na,1\nb,2\nc,3\na,4\n";
    let o = LongCsvOptions {
        max_series: 2,
        ..opts("id", None)
    };
    let err = read_long_csv_str(text, &o).unwrap_err();
    message(err, &["more than 2 distinct series"]);
    let o = LongCsvOptions {
        max_series: 3,
        ..opts("id", None)
    };
    assert_eq!(read_long_csv_str(text, &o).unwrap().series.len(), 3);
    let small = |max_rows| LongCsvOptions {
        limits: CsvLimits {
            max_rows,
            ..CsvLimits::default()
        },
        missing: MissingPolicy::Ffill,
        ..opts("id", Some("t"))
    };
    message(
        read_long_csv_str(text, &small(3)).unwrap_err(),
        &["more than 3 rows"],
    );
    // The file's 7 rows (header included) fit a cap of 7, and so does each series once its
    // absent time 3 is filled (4 values), but both series together do not.
    let text = "id,t,v\na,1,1\na,2,2\na,4,4\nb,1,1\nb,2,2\nb,4,4\n";
    let d = read_long_csv_str(text, &small(8)).unwrap();
    assert_eq!(values(&d, "b"), vec![1.0, 2.0, 2.0, 4.0]);
    let err = read_long_csv_str(text, &small(7)).unwrap_err();
    message(err, &["more than 7 values once missing rows are inserted"]);
}

#[test]
fn path_and_reader_agree_with_text() {
    let text = "id,t,v\nb,2,2\na,1,1\nb,1,1\n";
    let dir = std::env::temp_dir().join(format!("recur-long-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("long.csv");
    std::fs::write(&path, text).unwrap();
    let o = opts("id", Some("t"));
    let from_path = read_long_csv_path(&path, &o).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(from_path, read_long_csv_str(text, &o).unwrap());
    assert_eq!(
        from_path,
        read_long_csv_reader(text.as_bytes(), "x", &o).unwrap()
    );
    let err = read_long_csv_path(dir.join("absent.csv"), &o).unwrap_err();
    message(err, &["cannot read", "absent.csv"]);
}

/// A few series: id -> (day offsets from 2020-01-01, increasing, and a value per day, `None`
/// for an empty cell).
type Generated = BTreeMap<String, Vec<(i64, Option<i32>)>>;

fn generated(missing: bool) -> impl Strategy<Value = Generated> {
    let ids = prop::sample::subsequence(vec!["a", "B", "s10", "s9", "01", "1", "x y"], 1..5);
    let one = prop::collection::vec((1i64..4, prop::option::weighted(0.85, -50i32..50)), 1..7);
    (ids, prop::collection::vec(one, 5)).prop_map(move |(ids, series)| {
        ids.into_iter()
            .zip(series)
            .map(|(id, steps)| {
                let mut day = 0;
                let rows = steps
                    .into_iter()
                    .map(|(gap, v)| {
                        day += gap;
                        (day, if missing { v } else { v.or(Some(0)) })
                    })
                    .collect();
                (id.to_string(), rows)
            })
            .collect()
    })
}

fn date(day: i64) -> String {
    let start = TimeValue::parse_canonical("2020-01-01").unwrap();
    TimeStep::Days(1)
        .advance(&start, day, false)
        .unwrap()
        .to_string()
}

/// The CSV rows of `g`, series after series, each in time order.
fn rows(g: &Generated) -> Vec<String> {
    g.iter()
        .flat_map(|(id, obs)| {
            obs.iter().map(move |(day, v)| {
                let v = v.map_or(String::new(), |v| v.to_string());
                format!("{id},{},{v}", date(*day))
            })
        })
        .collect()
}

fn csv(rows: &[String]) -> String {
    let mut text = String::from("id,t,v\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

proptest! {
    #[test]
    fn shuffled_rows_read_like_sorted_rows(
        (g, shuffled) in generated(true).prop_flat_map(|g| {
            let r = rows(&g);
            (Just(g), Just(r).prop_shuffle())
        }),
        policy in prop::sample::select(MissingPolicy::ALL.to_vec()),
    ) {
        let has_missing = g.values().flatten().any(|(_, v)| v.is_none());
        prop_assume!(policy != MissingPolicy::Error || !has_missing);
        let o = with_missing(policy);
        let sorted = read_long_csv_str(&csv(&rows(&g)), &o).unwrap();
        let mixed = read_long_csv_str(&csv(&shuffled), &o).unwrap();
        prop_assert_eq!(&sorted, &mixed);
        prop_assert_eq!(
            sorted.ids().collect::<Vec<_>>(),
            g.keys().map(String::as_str).collect::<Vec<_>>()
        );
        for (id, obs) in &g {
            let one = sorted.get(id).unwrap();
            let t = one.series.times().unwrap();
            prop_assert!(t.windows(2).all(|w| w[0] < w[1]), "{:?}", t);
            if policy == MissingPolicy::Error {
                let expected: Vec<f64> = obs.iter().map(|(_, v)| f64::from(v.unwrap())).collect();
                prop_assert_eq!(one.series.values(), &expected[..]);
                // The step inferred is the days between neighbours when they are all equal
                // (1, 3, 5 is a two-day step); otherwise some gap breaks it, and a single time
                // leaves no step to infer.
                let steps: std::collections::BTreeSet<i64> =
                    obs.windows(2).map(|w| w[1].0 - w[0].0).collect();
                let axis = one.series.axis().is_some();
                prop_assert_eq!(axis, steps.len() == 1);
                prop_assert_eq!(axis, one.axis_note.is_none());
            }
        }
    }
}
