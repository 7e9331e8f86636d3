//! The time module: formats, steps (calendar months as calendar steps), gaps and future times.

use data::time::{
    Gap, TimeAxis, TimeFormat, TimeStep, TimeValue, gap_error, infer_step, missing_rows,
    parse_times,
};
use proptest::prelude::*;

fn labels(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn read(xs: &[&str]) -> (TimeAxis, Vec<TimeValue>, Vec<Gap>) {
    TimeAxis::read(&labels(xs), None, None).unwrap()
}

#[test]
fn detects_each_documented_format() {
    let cases = [
        ("1871", TimeFormat::Number),
        ("0.5", TimeFormat::Number),
        ("1959Q1", TimeFormat::Quarter),
        ("1959-Q3", TimeFormat::Quarter),
        ("2020-03", TimeFormat::Month),
        ("2020-03-31", TimeFormat::Date),
        ("2020/03/31", TimeFormat::SlashDate),
        ("2020-03-31T12:00", TimeFormat::DateTime { offset: None }),
        (
            "2020-03-31 12:00:05.5",
            TimeFormat::DateTime { offset: None },
        ),
        (
            "2020-03-31T12:00Z",
            TimeFormat::DateTime {
                offset: Some("Z".into()),
            },
        ),
        (
            "2020-03-31T12:00:00-05:00",
            TimeFormat::DateTime {
                offset: Some("-05:00".into()),
            },
        ),
    ];
    for (cell, want) in cases {
        assert_eq!(TimeFormat::detect(cell), Some(want), "{cell}");
    }
    for bad in [
        "t0",
        "2020-13-01",
        "2020-02-30",
        "1959Q5",
        "March",
        "",
        "2020-3",
    ] {
        assert_eq!(TimeFormat::detect(bad), None, "{bad}");
    }
}

#[test]
fn quarters_and_months_read_as_first_days_and_write_as_iso_dates() {
    let (axis, values, gaps) = read(&["1959Q1", "1959Q2", "1959Q3"]);
    assert_eq!(axis.step, TimeStep::Months(3));
    assert_eq!(axis.step.to_string(), "3mo");
    assert!(gaps.is_empty());
    assert_eq!(values[1].to_string(), "1959-04-01");
    assert_eq!(axis.label(3).unwrap(), "1959-10-01");
    assert_eq!(axis.label(4).unwrap(), "1960-01-01");
    let (axis, _, _) = read(&["2020-11", "2020-12"]);
    assert_eq!(axis.future(2, 2).unwrap()[1].to_string(), "2021-02-01");
}

#[test]
fn infers_days_weeks_years_hours_and_numbers() {
    let cases: [(&[&str], &str); 6] = [
        (&["2020-01-01", "2020-01-02", "2020-01-03"], "1d"),
        (&["2020-01-01", "2020-01-08", "2020-01-15"], "7d"),
        (&["2019-06-30", "2020-06-30", "2021-06-30"], "1y"),
        (
            &["2020-01-01T00:00", "2020-01-01T01:00", "2020-01-01T02:00"],
            "1h",
        ),
        (
            &["2020-01-01 23:00", "2020-01-02 23:00", "2020-01-04 23:00"],
            "1d",
        ),
        (&["1871", "1872", "1874"], "1"),
    ];
    for (xs, want) in cases {
        assert_eq!(read(xs).0.step.to_string(), want, "{xs:?}");
    }
}

#[test]
fn month_ends_stay_month_ends() {
    let (axis, _, gaps) = read(&["2019-11-30", "2019-12-31", "2020-01-31", "2020-02-29"]);
    assert_eq!(axis.step, TimeStep::Months(1));
    assert!(axis.month_end && gaps.is_empty());
    let f: Vec<String> = axis
        .future(4, 3)
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    assert_eq!(f, ["2020-03-31", "2020-04-30", "2020-05-31"]);
}

#[test]
fn a_month_step_is_calendar_months_not_fixed_days() {
    // 31, 29, 31, 30 days apart: one calendar month each.
    let (axis, _, gaps) = read(&["2020-01-15", "2020-02-15", "2020-03-15", "2020-04-15"]);
    assert_eq!(axis.step, TimeStep::Months(1));
    assert!(gaps.is_empty());
    assert_eq!(axis.label(12).unwrap(), "2021-01-15");
}

#[test]
fn gaps_are_found_with_their_position_and_size() {
    let xs = [
        "2020-01-01",
        "2020-01-02",
        "2020-01-05",
        "2020-01-06",
        "2020-01-08",
    ];
    let (axis, values, gaps) = read(&xs);
    assert_eq!(axis.step, TimeStep::Days(1));
    assert_eq!(
        gaps,
        [
            Gap {
                after: 1,
                missing: 2
            },
            Gap {
                after: 3,
                missing: 1
            }
        ]
    );
    let msg = gap_error(&values, axis.step, &gaps).unwrap().to_string();
    assert!(msg.contains("3 row(s) missing"), "{msg}");
    assert!(
        msg.contains("2 row(s) between 2020-01-02 (data row 2) and 2020-01-05 (data row 3)"),
        "{msg}"
    );
    assert!(gap_error(&values, axis.step, &[]).is_none());
}

#[test]
fn a_given_step_is_checked_against_the_times() {
    let v = parse_times(&labels(&["2020-01-01", "2020-01-03"]), None)
        .unwrap()
        .1;
    assert_eq!(missing_rows(&v, TimeStep::Days(1)).unwrap().len(), 1);
    assert!(missing_rows(&v, TimeStep::Days(2)).unwrap().is_empty());
    let off = missing_rows(&v, TimeStep::Days(3)).unwrap_err().to_string();
    assert!(off.contains("not on a regular step"), "{off}");
    let kind = missing_rows(&v, TimeStep::Seconds(3600))
        .unwrap_err()
        .to_string();
    assert!(kind.contains("does not fit"), "{kind}");
    let num = missing_rows(&v, TimeStep::Number(1.0))
        .unwrap_err()
        .to_string();
    assert!(num.contains("does not fit"), "{num}");
}

#[test]
fn disorder_duplicates_and_mixed_formats_are_errors_naming_the_row() {
    let e = TimeAxis::read(&labels(&["2020-01-02", "2020-01-01"]), None, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("data row 2 (2020-01-01) is not after data row 1"),
        "{e}"
    );
    let e = TimeAxis::read(&labels(&["1", "1"]), None, None).unwrap_err();
    assert!(e.to_string().contains("must increase"), "{e}");
    let e = parse_times(&labels(&["2020-01-01", "2020/01/02"]), None).unwrap_err();
    assert!(
        e.to_string()
            .contains("data row 2: '2020/01/02' is not a date YYYY-MM-DD"),
        "{e}"
    );
    let e = parse_times(&labels(&["t0", "t1"]), None).unwrap_err();
    assert!(
        e.to_string()
            .contains("data row 1: 't0' is not a time recur reads"),
        "{e}"
    );
    let e = parse_times(
        &labels(&["2020-01-01T00:00Z", "2020-01-01T01:00+01:00"]),
        None,
    );
    assert!(e.unwrap_err().to_string().contains("offset (Z)"));
}

#[test]
fn custom_formats_read_dates_and_date_times() {
    let f = TimeFormat::custom("%d.%m.%Y").unwrap();
    let (fmt, v) = parse_times(&labels(&["31.01.2020", "01.02.2020"]), Some(&f)).unwrap();
    assert_eq!(fmt, f);
    assert_eq!(v[0].to_string(), "2020-01-31");
    assert_eq!(infer_step(&v).unwrap(), TimeStep::Days(1));
    let f = TimeFormat::custom("%m/%d/%Y %H:%M").unwrap();
    let v = parse_times(&labels(&["01/31/2020 10:30"]), Some(&f))
        .unwrap()
        .1;
    assert_eq!(v[0].to_string(), "2020-01-31T10:30:00");
    for bad in ["", "%Y", "%H:%M", "no directive", "%d.%m.%Y %z", "%Q"] {
        assert!(TimeFormat::custom(bad).is_err(), "{bad}");
    }
}

#[test]
fn step_texts_read_and_write_back() {
    for (text, step) in [
        ("1d", TimeStep::Days(1)),
        ("2w", TimeStep::Days(14)),
        ("1mo", TimeStep::Months(1)),
        ("1q", TimeStep::Months(3)),
        ("2y", TimeStep::Months(24)),
        ("1h", TimeStep::Seconds(3600)),
        ("15min", TimeStep::Seconds(900)),
        ("30s", TimeStep::Seconds(30)),
        ("0.25", TimeStep::Number(0.25)),
    ] {
        let parsed: TimeStep = text.parse().unwrap();
        assert_eq!(parsed, step, "{text}");
        assert_eq!(parsed.to_string().parse::<TimeStep>().unwrap(), step);
    }
    for bad in [
        "",
        "d",
        "0d",
        "-1d",
        "1x",
        "1.5d",
        "nan",
        "0",
        "-2",
        "inf",
        "1 d",
        "99999999d",
    ] {
        assert!(bad.parse::<TimeStep>().is_err(), "{bad}");
    }
}

#[test]
fn offsets_are_kept_in_written_times_and_values_order() {
    let (axis, _, _) = read(&["2020-01-01T00:00:00Z", "2020-01-01T06:00:00Z"]);
    assert_eq!(axis.label(2).unwrap(), "2020-01-01T12:00:00Z");
    let a = TimeValue::parse_canonical("2020-01-01").unwrap();
    let b = TimeValue::parse_canonical("2020-01-02").unwrap();
    assert!(a < b);
    assert!(TimeValue::Number(1e9) < a);
    let json = serde_json::to_string(&axis).unwrap();
    assert_eq!(serde_json::from_str::<TimeAxis>(&json).unwrap(), axis);
}

#[test]
fn decimal_number_steps_write_clean_future_times() {
    let (axis, _, gaps) = read(&["0.1", "0.2", "0.3", "0.5"]);
    assert_eq!(axis.step, TimeStep::Number(0.1));
    assert_eq!(
        gaps,
        [Gap {
            after: 2,
            missing: 1
        }]
    );
    assert_eq!(axis.label(2).unwrap(), "0.3");
    assert_eq!(axis.label(10).unwrap(), "1.1");
}

#[test]
fn future_times_out_of_the_calendar_are_errors() {
    let (axis, _, _) = read(&["9999-12-30", "9999-12-31"]);
    assert!(axis.future(2, 1).is_err());
}

fn step_strategy() -> impl Strategy<Value = TimeStep> {
    prop_oneof![
        (1i64..40).prop_map(TimeStep::Days),
        (1i64..25).prop_map(TimeStep::Months),
    ]
}

proptest! {
    /// Times written from an axis read back as the same axis; dropping rows gives gaps of the
    /// right size at the right places.
    #[test]
    fn written_axes_read_back_and_dropped_rows_are_gaps(
        y in 1900i16..2100, m in 1i8..=12, d in 1i8..=28,
        step in step_strategy(),
        n in 3usize..40,
        drop in proptest::collection::vec(any::<bool>(), 40),
    ) {
        let start = TimeValue::Date(jiff::civil::Date::new(y, m, d).unwrap());
        let axis = TimeAxis { format: TimeFormat::Date, start, step, month_end: false };
        let all: Vec<String> = (0..n).map(|i| axis.label(i).unwrap()).collect();
        let (back, _, gaps) = TimeAxis::read(&all, None, Some(step)).unwrap();
        prop_assert_eq!(&back, &axis);
        prop_assert!(gaps.is_empty());
        // Keep the first two and the last row so the step and the span stay known.
        let kept: Vec<usize> = (0..n).filter(|&i| i < 2 || i == n - 1 || !drop[i]).collect();
        let some: Vec<String> = kept.iter().map(|&i| all[i].clone()).collect();
        let (_, _, gaps) = TimeAxis::read(&some, None, None).unwrap();
        let want: Vec<Gap> = kept.windows(2).enumerate()
            .filter(|(_, w)| w[1] - w[0] > 1)
            .map(|(j, w)| Gap { after: j, missing: w[1] - w[0] - 1 })
            .collect();
        prop_assert_eq!(gaps, want);
    }
}
