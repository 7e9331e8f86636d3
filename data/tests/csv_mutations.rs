//! Bounded fuzzing of the CSV reader in the ordinary test suite: a valid file with random byte
//! flips, insertions and deletions, read with random column choices, must give a series or a
//! clear error, never a panic; a series it gives holds only finite values.

use std::str::FromStr;

use data::{Column, CsvOptions, read_csv_reader};
use proptest::prelude::*;

/// A valid CSV with a date column and two value columns.
fn valid() -> Vec<u8> {
    let mut s = String::from("date,close,volume\n");
    for i in 0..40 {
        s.push_str(&format!(
            "2020-01-{:02},{:.3},{}\n",
            i % 28 + 1,
            (f64::from(i) * 0.3).sin() * 10.0 + 50.0,
            1000 + i * 7
        ));
    }
    s.into_bytes()
}

/// One edit of the file: flip bits of a byte, insert a byte, or delete one.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, m)| Edit::Flip(i, m)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match *e {
        Edit::Flip(i, m) => {
            let i = i % bytes.len();
            bytes[i] ^= m;
        }
        Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
        Edit::Delete(i) => {
            bytes.remove(i % bytes.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_csv_files_never_panic(
        edits in prop::collection::vec(edit(), 1..6),
        column in prop::option::of(prop_oneof![
            Just("close".to_string()),
            Just("volume".to_string()),
            Just("1".to_string()),
            Just("7".to_string()),
            Just("date".to_string()),
        ]),
        time_column in prop::option::of(Just("date".to_string())),
    ) {
        let mut bytes = valid();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let options = CsvOptions {
            column: column.as_deref().map(Column::from_str).transpose().unwrap(),
            time_column: time_column.as_deref().map(Column::from_str).transpose().unwrap(),
            ..CsvOptions::default()
        };
        if let Ok(series) = read_csv_reader(bytes.as_slice(), "mutated CSV", &options) {
            prop_assert!(series.values().iter().all(|v| v.is_finite()));
            if let Some(t) = series.times() {
                prop_assert_eq!(t.len(), series.len());
            }
        }
    }
}
