//! CSV input: header detection, column choice, time labels, and every bad-row error.

use data::{Column, CsvOptions, DataError, read_csv_path, read_csv_reader, read_csv_str};

fn read(text: &str) -> Result<data::Series, DataError> {
    read_csv_str(text, &CsvOptions::default())
}

fn with_column(text: &str, column: Column) -> Result<data::Series, DataError> {
    read_csv_str(
        text,
        &CsvOptions {
            column: Some(column),
            ..CsvOptions::default()
        },
    )
}

/// The error's message, after checking it mentions every given piece.
fn message(err: DataError, pieces: &[&str]) -> String {
    let msg = err.to_string();
    for p in pieces {
        assert!(msg.contains(p), "message {msg:?} lacks {p:?}");
    }
    msg
}

#[test]
fn header_detected_from_value_column() {
    let s = read("value\n1\n2.5\n-3e2\n").unwrap();
    assert_eq!(s.values(), &[1.0, 2.5, -300.0]);
    assert_eq!(s.name(), Some("value"));
    let s = read("1\n2\n3").unwrap();
    assert_eq!(s.values(), &[1.0, 2.0, 3.0]);
    assert_eq!(s.name(), None);
    assert!(s.times().is_none());
}

#[test]
fn header_can_be_forced() {
    let forced = |header| CsvOptions {
        header: Some(header),
        ..CsvOptions::default()
    };
    let s = read_csv_str("2020\n1\n2\n", &forced(true)).unwrap();
    assert_eq!((s.values(), s.name()), (&[1.0, 2.0][..], Some("2020")));
    let err = read_csv_str("value\n1\n2\n", &forced(false)).unwrap_err();
    message(err, &["line 1", "\"value\""]);
    let by_name = CsvOptions {
        column: Some(Column::Name("v".into())),
        ..forced(false)
    };
    message(
        read_csv_str("v\n1\n2\n", &by_name).unwrap_err(),
        &["header = false"],
    );
}

#[test]
fn spaces_bom_crlf_and_blank_lines_are_tolerated() {
    let s = read("\u{feff}value\r\n 1.5 \r\n\r\n+2\r\n").unwrap();
    assert_eq!(s.values(), &[1.5, 2.0]);
    assert_eq!(s.name(), Some("value"));
}

#[test]
fn default_column_is_the_only_or_last_numeric_one() {
    let text = "date,value,note\n2020-01-01,1.5,ok\n2020-01-02,2.5,fine\n2020-01-03,3.5,x\n";
    assert_eq!(read(text).unwrap().values(), &[1.5, 2.5, 3.5]);
    let text = "id,date,a,b\n0,d0,1,10\n1,d1,2,20\n2,d2,3,30\n";
    let s = read(text).unwrap();
    assert_eq!((s.values(), s.name()), (&[10.0, 20.0, 30.0][..], Some("b")));
    // pandas' to_csv writes an unnamed index column first.
    let s = read(",value\n0,0.5\n1,0.25\n").unwrap();
    assert_eq!(s.values(), &[0.5, 0.25]);
}

#[test]
fn column_by_name_and_index() {
    let text = "id,date,a,b\n0,d0,1,10\n1,d1,2,20\n2,d2,3,30\n";
    let s = with_column(text, Column::Name("a".into())).unwrap();
    assert_eq!((s.values(), s.name()), (&[1.0, 2.0, 3.0][..], Some("a")));
    let s = with_column(text, Column::Index(0)).unwrap();
    assert_eq!((s.values(), s.name()), (&[0.0, 1.0, 2.0][..], Some("id")));
    let s = with_column("1,10\n2,20\n", Column::Index(0)).unwrap();
    assert_eq!((s.values(), s.name()), (&[1.0, 2.0][..], None));
    assert_eq!("2".parse::<Column>().unwrap(), Column::Index(2));
    assert_eq!(
        "price".parse::<Column>().unwrap(),
        Column::Name("price".into())
    );
    assert!("  ".parse::<Column>().is_err());
}

#[test]
fn time_column_is_kept_as_text() {
    let opts = CsvOptions {
        time_column: Some(Column::Name("date".into())),
        ..CsvOptions::default()
    };
    let s = read_csv_str("date,value\n2020-01-01,1\n2020-01-02 10:00,2\n", &opts).unwrap();
    assert_eq!(s.values(), &[1.0, 2.0]);
    assert_eq!(s.times().unwrap(), &["2020-01-01", "2020-01-02 10:00"]);
    let opts = CsvOptions {
        column: Some(Column::Index(1)),
        time_column: Some(Column::Index(0)),
        ..CsvOptions::default()
    };
    let s = read_csv_str("t0,1\nt1,2\nt2,3\n", &opts).unwrap();
    assert_eq!(s.times().unwrap(), &["t0", "t1", "t2"]);
    let same = CsvOptions {
        column: Some(Column::Index(1)),
        time_column: Some(Column::Index(1)),
        ..CsvOptions::default()
    };
    let err = read_csv_str("t0,1\nt1,2\n", &same).unwrap_err();
    message(err, &["time_column", "index 1"]);
}

#[test]
fn other_delimiters() {
    let opts = CsvOptions {
        delimiter: b';',
        ..CsvOptions::default()
    };
    let s = read_csv_str("date;value\nd0;1\nd1;2\n", &opts).unwrap();
    assert_eq!(s.values(), &[1.0, 2.0]);
}

#[test]
fn non_numeric_cell_gives_line_and_text() {
    let err = read("value\n1\n2\nabc\n5\n").unwrap_err();
    assert!(
        matches!(err, DataError::NonNumeric { line: 4, .. }),
        "{err:?}"
    );
    message(err, &["line 4", "\"abc\"", "'value'"]);
    // Without a header the column is named by index, and blank lines still count.
    let err = read("1\n\n2\n1,5\n").unwrap_err();
    message(err, &["line 4", "field"]);
    let err = read("1\n\n2\nx\n").unwrap_err();
    message(err, &["line 4", "\"x\"", "index 0"]);
}

#[test]
fn empty_cell_gives_line_and_text() {
    let err = read("date,value\n2020,1\n2021,\n2022,3\n").unwrap_err();
    assert!(
        matches!(err, DataError::EmptyCell { line: 3, .. }),
        "{err:?}"
    );
    message(err, &["line 3", "empty", "2021,"]);
}

#[test]
fn nan_and_infinity_are_rejected() {
    for (text, line, cell) in [
        ("1\nNaN\n3\n", "line 2", "NaN"),
        ("v\n1\n2\ninf\n", "line 4", "inf"),
        ("v\n1\n-Infinity\n", "line 3", "-Infinity"),
        ("v\n1\n1e999\n", "line 3", "1e999"),
    ] {
        let err = read(text).unwrap_err();
        assert!(matches!(err, DataError::NotFinite { .. }), "{err:?}");
        message(err, &[line, cell, "not finite"]);
    }
}

#[test]
fn ragged_rows_are_rejected() {
    let err = read("a,b\n1,2\n3\n4,5\n").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::RaggedRow {
                line: 3,
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err:?}"
    );
    message(err, &["line 3", "1 field", "has 2", "\"3\""]);
    let err = read("a,b\n1,2\n3,4,5\n").unwrap_err();
    message(err, &["line 3", "3 field"]);
}

#[test]
fn binary_junk_is_rejected() {
    let bytes: &[u8] = b"v\n1\n\xff\xfe\x00junk\n2\n";
    let err = read_csv_reader(bytes, "junk.bin", &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(err, DataError::InvalidUtf8 { line: 3, .. }),
        "{err:?}"
    );
    message(err, &["line 3", "UTF-8", "junk"]);
    // Control characters that happen to be valid UTF-8 are non-numeric, shown replaced.
    let bytes: &[u8] = b"v\n1\n2\n\x00\x01\x02\n";
    let err = read_csv_reader(bytes, "junk.bin", &CsvOptions::default()).unwrap_err();
    let msg = message(err, &["line 4", "not a number"]);
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
}

#[test]
fn long_rows_are_shortened_in_messages() {
    let text = format!("v,w\n1,2\n3,{},5\n", "x".repeat(500));
    let msg = read(&text).unwrap_err().to_string();
    assert!(msg.len() < 300, "{msg}");
    assert!(msg.contains("..."));
}

#[test]
fn empty_and_one_value_series_are_rejected() {
    for (text, len) in [
        ("", 0),
        ("value\n", 0),
        ("value\n3\n", 1),
        ("3\n", 1),
        ("\n\n", 0),
        ("a,b\n", 0),
        ("a,b\n1,2\n", 1),
    ] {
        let err = read(text).unwrap_err();
        assert!(
            matches!(err, DataError::SeriesTooShort { .. }),
            "{text:?}: {err:?}"
        );
        message(err, &[&format!("{len} value"), "at least 2"]);
    }
}

#[test]
fn missing_column_lists_available_ones() {
    let text = "date,value\nd0,1\nd1,2\n";
    let err = with_column(text, Column::Name("price".into())).unwrap_err();
    assert!(matches!(err, DataError::ColumnNotFound { .. }));
    message(err, &["'price'", "0 'date'", "1 'value'"]);
    let err = with_column(text, Column::Index(2)).unwrap_err();
    message(err, &["index 2", "0 'date'", "1 'value'"]);
    let err = with_column("1,2\n3,4\n", Column::Index(5)).unwrap_err();
    message(err, &["index 5", "available columns: 0, 1"]);
    let err = with_column("1,2\n3,4\n", Column::Name("value".into())).unwrap_err();
    message(err, &["'value'", "0, 1"]);
    let err = read("a,b\nx,y\nz,w\n").unwrap_err();
    assert!(matches!(err, DataError::NoNumericColumn { .. }));
    message(err, &["no numeric column", "0 'a'", "1 'b'"]);
}

#[test]
fn reads_files_and_reports_missing_ones() {
    let dir = std::env::temp_dir().join(format!("recur-data-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("series.csv");
    std::fs::write(&path, "t,v\n0,1\n1,2\n2,4\n").unwrap();
    let s = read_csv_path(&path, &CsvOptions::default()).unwrap();
    assert_eq!(s.values(), &[1.0, 2.0, 4.0]);
    let missing = dir.join("missing.csv");
    let err = read_csv_path(&missing, &CsvOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }));
    message(err, &["missing.csv"]);
    // A directory opens on Unix but cannot be read as a file.
    let err = read_csv_path(&dir, &CsvOptions::default()).unwrap_err();
    message(err, &["recur-data-csv"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_name_matching_several_columns_is_an_error_naming_their_indices() {
    let err = with_column("v,t,v\n1,2,3\n4,5,6\n", Column::Name("v".into())).unwrap_err();
    message(err, &["'v'", "0, 2"]);
    let opts = CsvOptions {
        time_column: Some(Column::Name("t".into())),
        column: Some(Column::Index(0)),
        ..CsvOptions::default()
    };
    let err = read_csv_str("v,t,t\n1,2,3\n4,5,6\n", &opts).unwrap_err();
    message(err, &["'t'", "1, 2"]);
}

fn limited(limits: data::CsvLimits) -> CsvOptions {
    CsvOptions {
        limits,
        ..CsvOptions::default()
    }
}

#[test]
fn inputs_over_the_caps_are_refused() {
    let d = data::CsvLimits::default();
    assert_eq!(d.max_bytes, data::MAX_CSV_BYTES);
    let text = "1\n2\n3\n4\n5\n";
    let small = |l| read_csv_str(text, &limited(l));
    message(
        small(data::CsvLimits { max_bytes: 5, ..d }).unwrap_err(),
        &["more than 5 bytes"],
    );
    message(
        small(data::CsvLimits { max_rows: 4, ..d }).unwrap_err(),
        &["more than 4 rows"],
    );
    message(
        small(data::CsvLimits { max_cells: 3, ..d }).unwrap_err(),
        &["more than 3 cells"],
    );
    let long = format!("{}\n1\n", "9".repeat(100));
    message(
        read_csv_str(
            &long,
            &limited(data::CsvLimits {
                max_line_bytes: 50,
                ..d
            }),
        )
        .unwrap_err(),
        &["more than 50 bytes in a line"],
    );
    assert_eq!(small(d).unwrap().len(), 5);
    // An endless reader without line breaks stops at the line cap.
    let err = read_csv_reader(std::io::repeat(0), "zeros", &CsvOptions::default()).unwrap_err();
    message(err, &["zeros", "bytes in a line"]);
    // An endless reader of short lines stops at the byte cap.
    let err = read_csv_reader(
        std::io::repeat(b'\n'),
        "newlines",
        &limited(data::CsvLimits {
            max_bytes: 1 << 20,
            ..d
        }),
    )
    .unwrap_err();
    message(err, &["newlines", "bytes"]);
}
