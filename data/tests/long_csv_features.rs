//! Covariate columns of a long-format CSV (`LongCsvOptions::features`): sorted with their
//! series, each missing-value policy exactly as the single-series reader applies it to that
//! series alone, and every column error.

use data::{
    Column, CsvOptions, DataError, LongCsvOptions, MissingPolicy, Series, TimeGridOptions,
    read_csv_str, read_long_csv_str,
};

fn name(s: &str) -> Column {
    Column::Name(s.into())
}

/// Options for an `id,t,y,...` file with the given covariates and policy.
fn opts(features: &[&str], missing: MissingPolicy) -> LongCsvOptions {
    LongCsvOptions {
        id: name("id"),
        time: Some(name("t")),
        value: Some(name("y")),
        features: features.iter().map(|f| name(f)).collect(),
        missing,
        ..LongCsvOptions::default()
    }
}

fn err(text: &str, options: &LongCsvOptions, pieces: &[&str]) -> String {
    let e: DataError = read_long_csv_str(text, options).unwrap_err();
    let msg = e.to_string();
    for p in pieces {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
    msg
}

fn covariate(s: &Series, k: usize) -> (&str, &[f64]) {
    let c = &s.covariates()[k];
    (c.name.as_str(), &c.values[..])
}

#[test]
fn covariates_are_sorted_with_their_series_in_the_given_order() {
    let text = "id,t,y,p,q\nb,3,30,0.3,3\na,2,2,0.2,20\nb,1,10,0.1,1\na,1,1,0.1,10\nb,2,20,0.2,2\n";
    let d = read_long_csv_str(text, &opts(&["q", "p"], MissingPolicy::Error)).unwrap();
    let b = &d.get("b").unwrap().series;
    assert_eq!(b.values(), [10.0, 20.0, 30.0]);
    assert_eq!(covariate(b, 0), ("q", &[1.0, 2.0, 3.0][..]));
    assert_eq!(covariate(b, 1), ("p", &[0.1, 0.2, 0.3][..]));
    assert!(b.axis().is_some());
    let a = &d.get("a").unwrap().series;
    assert_eq!(a.values(), [1.0, 2.0]);
    assert_eq!(covariate(a, 0), ("q", &[10.0, 20.0][..]));
    assert_eq!(covariate(a, 1), ("p", &[0.1, 0.2][..]));
}

#[test]
fn without_features_there_are_no_covariates_and_without_a_header_names_are_indices() {
    let text = "id,t,y,p\nb,2,20,2\nb,1,10,1\n";
    let d = read_long_csv_str(text, &opts(&[], MissingPolicy::Error)).unwrap();
    assert!(d.get("b").unwrap().series.covariates().is_empty());
    let headless = "b,2,20,2\nb,1,10,1\n";
    let o = LongCsvOptions {
        id: Column::Index(0),
        time: Some(Column::Index(1)),
        value: Some(Column::Index(2)),
        features: vec![Column::Index(3)],
        ..LongCsvOptions::default()
    };
    let d = read_long_csv_str(headless, &o).unwrap();
    let b = &d.get("b").unwrap().series;
    assert_eq!(covariate(b, 0), ("3", &[1.0, 2.0][..]));
    // Without a time column the file's order stays.
    let o = LongCsvOptions { time: None, ..o };
    let d = read_long_csv_str(headless, &o).unwrap();
    assert_eq!(covariate(&d.get("b").unwrap().series, 0).1, [2.0, 1.0]);
}

/// Series `a` has a missing row on its step (t = 4) and missing cells in every column; `b`
/// starts with a missing covariate and `c` has a missing value at its end.
const GAPPY: [(&str, &str); 3] = [
    ("a", "1,1,10,1\n2,2,NA,2\n3,,30,3\n5,5,50,5\n6,6,60,\n"),
    ("b", "1,1,,5\n2,2,2,6\n3,3,3,7\n4,4,4,8\n"),
    ("c", "1,1,1,1\n2,2,2,2\n3,3,3,3\n4,,4,4\n"),
];

/// The series `rows` (lines of `t,y,p,q`) read alone by the single-series reader.
fn alone(rows: &str, missing: MissingPolicy, grid: bool) -> Result<Series, DataError> {
    let options = CsvOptions {
        column: Some(name("y")),
        time_column: Some(name("t")),
        covariates: vec![name("p"), name("q")],
        time_grid: grid.then(TimeGridOptions::default),
        missing,
        ..CsvOptions::default()
    };
    read_csv_str(&format!("t,y,p,q\n{rows}"), &options)
}

/// The long file of `series`, its rows interleaved and reversed so that sorting matters.
fn long_text(series: &[(&str, &str)]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for (id, rows) in series {
        for row in rows.lines() {
            lines.push(format!("{id},{row}"));
        }
    }
    lines.reverse();
    format!("id,t,y,p,q\n{}\n", lines.join("\n"))
}

#[test]
fn every_policy_treats_each_series_as_the_single_series_reader_treats_it_alone() {
    for missing in [
        MissingPolicy::Drop,
        MissingPolicy::Ffill,
        MissingPolicy::Interpolate,
    ] {
        let d = read_long_csv_str(&long_text(&GAPPY), &opts(&["p", "q"], missing)).unwrap();
        // b and c lose only edge rows, so they keep their axis; a's missing row is inserted
        // on its step and filled, except under drop, whose dropped inner rows cost a its axis.
        let on_axis = |id: &str| d.get(id).unwrap().axis_note.is_none();
        assert!(on_axis("b") && on_axis("c"), "{missing}");
        assert_eq!(on_axis("a"), missing != MissingPolicy::Drop, "{missing}");
        for (id, rows) in GAPPY {
            let long = &d.get(id).unwrap();
            // The single reader with a time grid is what a series with an axis went through;
            // one without an axis went through the policy by row.
            let grid = long.axis_note.is_none();
            let single = alone(rows, missing, grid).unwrap();
            let got = &long.series;
            assert_eq!(got.values(), single.values(), "{missing} {id}");
            assert_eq!(got.covariates(), single.covariates(), "{missing} {id}");
            assert_eq!(got.times(), single.times(), "{missing} {id}");
            assert_eq!(got.missing(), single.missing(), "{missing} {id}");
            assert_eq!(got.axis(), single.axis(), "{missing} {id}");
        }
    }
}

#[test]
fn ffill_carries_within_a_series_and_column_only() {
    // b's first q is missing: a's q must not carry into it, so b's first row goes.
    let text = "id,t,y,q\na,1,1,7\na,2,2,8\nb,1,1,\nb,2,2,5\nb,3,3,\n";
    let d = read_long_csv_str(text, &opts(&["q"], MissingPolicy::Ffill)).unwrap();
    let b = &d.get("b").unwrap().series;
    assert_eq!(b.values(), [2.0, 3.0]);
    assert_eq!(covariate(b, 0).1, [5.0, 5.0]);
}

#[test]
fn drop_drops_the_whole_row() {
    let text = "id,y,q\na,1,7\na,2,\na,3,9\n";
    let o = LongCsvOptions {
        time: None,
        ..opts(&["q"], MissingPolicy::Drop)
    };
    let d = read_long_csv_str(text, &o).unwrap();
    let a = &d.get("a").unwrap().series;
    assert_eq!(a.values(), [1.0, 3.0]);
    assert_eq!(covariate(a, 0).1, [7.0, 9.0]);
    assert_eq!(a.missing().dropped, 1);
}

#[test]
fn a_missing_covariate_under_error_names_line_column_and_series() {
    let text = "id,t,y,q\na,1,1,7\nb,1,1,\n";
    err(
        text,
        &opts(&["q"], MissingPolicy::Error),
        &["line 3", "'q'", "series 'b'"],
    );
}

#[test]
fn a_non_numeric_covariate_cell_is_named() {
    let text = "id,t,y,q\na,1,1,7\na,2,2,lots\n";
    err(
        text,
        &opts(&["q"], MissingPolicy::Ffill),
        &["line 3", "'q'", "series 'a'", "lots"],
    );
}

#[test]
fn a_covariate_that_is_another_role_or_unknown_or_twice_is_an_error_naming_it() {
    let text = "id,t,y,q\na,1,1,7\na,2,2,8\n";
    let e = MissingPolicy::Error;
    err(text, &opts(&["id"], e), &["id", "id column"]);
    err(text, &opts(&["t"], e), &["t", "time column"]);
    err(text, &opts(&["y"], e), &["y", "value column"]);
    err(text, &opts(&["nope"], e), &["nope", "not found"]);
    err(text, &opts(&["q", "q"], e), &["q", "twice"]);
    let o = LongCsvOptions {
        features: vec![Column::Index(0)],
        ..opts(&[], e)
    };
    err(text, &o, &["id column"]);
}
