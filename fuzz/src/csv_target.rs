//! The CSV reader target.

use std::io::{self, Read};

use data::{Column, CsvLimits, CsvOptions, DataError, Series, read_csv_reader};

/// Reads `bytes` as CSV with several option sets (default, columns by name and by index, time
/// column, forced header or none, `;` and tab delimiters, tiny size caps) and checks, for each:
/// no panic; a series read has at least 2 values, all finite, and as many time labels as
/// values; an error's message is one non-empty line; and reading the same bytes one byte per
/// `read` call gives the same result (the size caps count bytes across calls).
pub fn csv_reader(bytes: &[u8]) {
    for options in option_sets() {
        let whole = read_csv_reader(bytes, "fuzz", &options);
        check(&whole);
        // The caps' counters live across `read` calls: a reader giving one byte at a time must
        // see the same file. Only with the default caps, which fuzz inputs (at most 1 MB) never
        // reach: with tiny caps, which error comes first legitimately depends on how far the
        // parser had read.
        if options.limits == CsvLimits::default() {
            let trickled = read_csv_reader(OneByte(bytes), "fuzz", &options);
            assert_eq!(
                format!("{whole:?}"),
                format!("{trickled:?}"),
                "reading one byte per call changed the result (options {options:?})"
            );
        }
    }
}

/// The option sets each input is read with.
fn option_sets() -> Vec<CsvOptions> {
    let base = CsvOptions::default();
    let with = |f: &dyn Fn(&mut CsvOptions)| {
        let mut o = base.clone();
        f(&mut o);
        o
    };
    vec![
        base.clone(),
        with(&|o| o.column = Some(Column::Name("value".into()))),
        with(&|o| o.column = Some(Column::Index(1))),
        with(&|o| o.time_column = Some(Column::Index(0))),
        with(&|o| {
            o.time_column = Some(Column::Name("date".into()));
            o.header = Some(true);
        }),
        with(&|o| o.header = Some(false)),
        with(&|o| o.delimiter = b';'),
        with(&|o| o.delimiter = b'\t'),
        with(&|o| {
            o.delimiter = b';';
            o.decimal = b',';
            o.missing = data::MissingPolicy::Interpolate;
            o.time_column = Some(Column::Index(0));
        }),
        with(&|o| o.missing = data::MissingPolicy::Ffill),
        with(&|o| o.missing = data::MissingPolicy::Drop),
        // The time column on its regular step: missing rows through each policy.
        with(&|o| {
            o.time_column = Some(Column::Index(0));
            o.time_grid = Some(data::TimeGridOptions::default());
            o.missing = data::MissingPolicy::Interpolate;
            // A bounded grid: a gap of centuries in a daily column stops at the cap.
            o.limits.max_rows = 1000;
        }),
        with(&|o| {
            o.time_column = Some(Column::Index(0));
            o.time_grid = Some(data::TimeGridOptions::default());
            o.missing = data::MissingPolicy::Drop;
            o.limits.max_rows = 1000;
        }),
        with(&|o| {
            o.limits = CsvLimits {
                max_bytes: 64,
                max_line_bytes: 16,
                max_rows: 4,
                max_cells: 8,
            }
        }),
    ]
}

fn check(result: &Result<Series, DataError>) {
    match result {
        Ok(s) => {
            assert!(s.len() >= 2, "a series of {} values was read", s.len());
            assert!(
                s.values().iter().all(|v| v.is_finite()),
                "a non-finite value was read: {:?}",
                s.values()
            );
            if let Some(axis) = s.axis() {
                // A series on its axis: every row has a time, and the counts add up.
                assert!(axis.at(s.len() - 1).is_ok(), "a row past the calendar");
                let m = s.missing();
                assert!(
                    m.missing_rows <= m.filled + m.dropped,
                    "inserted rows not counted"
                );
            }
            if let Some(t) = s.times() {
                assert_eq!(t.len(), s.len(), "time labels and values differ in number");
                // Reading the labels as times never panics; a read axis gives every label.
                match data::time::TimeAxis::read(t, None, None) {
                    Ok((axis, values, gaps)) => {
                        assert!(
                            gaps.iter()
                                .all(|g| g.missing > 0 && g.after + 1 < values.len())
                        );
                        assert_eq!(
                            axis.at(0).ok(),
                            values.first().copied(),
                            "an axis that does not start at the first time"
                        );
                    }
                    Err(e) => assert!(!e.to_string().contains('\n'), "multi-line: {e}"),
                }
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty(), "empty error message for {e:?}");
            assert!(
                !msg.contains('\n'),
                "error message of several lines: {msg:?}"
            );
        }
    }
}

/// A reader that returns one byte per call.
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
