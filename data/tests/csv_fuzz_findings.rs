//! Regression tests for what coverage-guided fuzzing (fuzz/, the `csv_reader` target) found in
//! the CSV reader: a byte order mark read in pieces, and error messages spread over several
//! lines by header cells holding line breaks.

use std::io::{self, Read};

use data::{Column, CsvOptions, DataError, Series, read_csv_reader};

/// A reader that returns one byte per call, as a pipe may.
struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&b, rest)), Some(slot)) => {
                *slot = b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// The file read whole and read one byte per call, as text to compare.
fn both(bytes: &[u8], options: &CsvOptions) -> (String, String) {
    let whole: Result<Series, DataError> = read_csv_reader(bytes, "t", options);
    let trickled = read_csv_reader(OneByte(bytes), "t", options);
    (format!("{whole:?}"), format!("{trickled:?}"))
}

#[test]
fn a_byte_order_mark_read_in_pieces_is_skipped_as_when_read_whole() {
    let options = CsvOptions::default();
    let (whole, trickled) = both(b"\xEF\xBB\xBFvalue\n1\n2\n", &options);
    assert_eq!(whole, trickled);
    let s = read_csv_reader(OneByte(b"\xEF\xBB\xBFvalue\n1\n2\n"), "t", &options).unwrap();
    assert_eq!(s.name(), Some("value"));
    assert_eq!(s.values(), &[1.0, 2.0]);
    // Found by the fuzzer: a BOM alone on the first line, then a ragged or undecodable row.
    for bytes in [
        &b"\xEF\xBB\xBF\n"[..],
        b"\xEF\xBB\xBF\n1,\n\xAA\xAA\n",
        b"\xEF\xBB\xBFtbb\xDF,bhgl\n\r0280,0091\n",
        b"\xEF\xBB\xBF\xEF\xBB\xBFvalue\n1\n2\n",
    ] {
        let (whole, trickled) = both(bytes, &options);
        assert_eq!(whole, trickled, "{bytes:?}");
    }
}

#[test]
fn header_cells_with_line_breaks_leave_error_messages_on_one_line() {
    let named = CsvOptions {
        column: Some(Column::Name("value".into())),
        ..CsvOptions::default()
    };
    let err = read_csv_reader(&b"\"\"\"Qe,vAlu~\n\x05UUUUUUU"[..], "t", &named).unwrap_err();
    assert!(matches!(err, DataError::ColumnNotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg:?}");
    assert!(msg.contains("Qe,vAlu~"), "{msg:?}");

    let err =
        read_csv_reader(&b"\"a\nb\",c\nx,y\nz,w\n"[..], "t", &CsvOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::NoNumericColumn { .. }), "{err:?}");
    assert!(!err.to_string().contains('\n'), "{err}");

    let by_index = CsvOptions {
        column: Some(Column::Index(0)),
        ..CsvOptions::default()
    };
    let err = read_csv_reader(&b"\"va\nl\"\n1\nx\n"[..], "t", &by_index).unwrap_err();
    assert!(matches!(err, DataError::NonNumeric { .. }), "{err:?}");
    assert!(!err.to_string().contains('\n'), "{err}");
}
