use proptest::prelude::*;

use super::*;

/// A noisy sine of `n` values, predictions a little off it, split at 3/4.
struct Run {
    values: Vec<f64>,
    train: Vec<(usize, f64)>,
    test: Vec<(usize, f64)>,
    split: usize,
}

fn run(n: usize, off: f64) -> Run {
    let values: Vec<f64> = (0..n)
        .map(|i| (i as f64 * 0.2).sin() + 0.1 * ((i * 7919) % 13) as f64 / 13.0)
        .collect();
    let split = n * 3 / 4;
    let pred = |i: usize| (i, (i as f64 * 0.2).sin() + off);
    Run {
        train: (1..split).map(pred).collect(),
        test: (split..n).map(pred).collect(),
        values,
        split,
    }
}

fn panel<'a>(
    r: &'a Run,
    id: &'a str,
    rank: &'a str,
    time: Option<&'a SeriesTime>,
) -> ManyPanel<'a> {
    ManyPanel {
        id,
        rank,
        values: &r.values,
        train: &r.train,
        test: &r.test,
        split: r.split,
        skill: Some(0.123),
        test_mse: 0.0456,
        time,
    }
}

fn daily(n: usize) -> SeriesTime {
    let days: Vec<String> = (0..n)
        .map(|i| {
            let d = jiff::civil::date(2020, 1, 1)
                .checked_add(jiff::Span::new().days(i as i64))
                .unwrap();
            d.to_string()
        })
        .collect();
    SeriesTime {
        name: "date".into(),
        axis: data::time::TimeAxis::read(&days, None, None).unwrap().0,
    }
}

/// Draws `p` in `format` and returns the file's bytes.
fn drawn_bytes(p: &ManyPlot, format: PlotFormat) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("many.{}", format.extension()));
    many_plot(&path, format, p).unwrap();
    std::fs::read(&path).unwrap()
}

fn assert_png(bytes: &[u8]) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR's width and height, big-endian, right after the signature and the chunk header.
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), MANY_SIZE);
}

fn assert_svg(bytes: &[u8], texts: &[&str]) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..40.min(text.len())]);
    for t in texts {
        assert!(text.contains(t), "'{t}' missing from the SVG");
    }
}

#[test]
fn one_two_and_three_panels_draw_to_png_and_svg() {
    let runs = [run(120, 0.05), run(80, 0.3), run(200, 1.5)];
    let ranks = ["best", "median", "worst"];
    let ids = ["A", "B", "C"];
    let skills = [0.9, 0.5, 0.123, -0.4, -3.0, 0.7];
    for k in 1..=3 {
        let p = ManyPlot {
            title: format!("{k} of 6 series"),
            panels: (0..k)
                .map(|i| panel(&runs[i], ids[i], ranks[i], None))
                .collect(),
            skills: &skills,
            value_name: "load",
        };
        assert_png(&drawn_bytes(&p, PlotFormat::Png));
        let last = format!(
            "{}: {} (skill 0.123, test mse 0.0456)",
            ranks[k - 1],
            ids[k - 1]
        );
        assert_svg(
            &drawn_bytes(&p, PlotFormat::Svg),
            &[
                &last,
                "skill over the best baseline, 6 series (&gt; 0 beats it)",
                "&lt; -1: 1",
            ],
        );
    }
}

#[test]
fn no_skill_draws_a_note_instead_of_bars() {
    let r = run(50, 0.1);
    let mut one = panel(&r, "only", "best", None);
    one.skill = None;
    let p = ManyPlot {
        title: "one series".into(),
        panels: vec![one],
        skills: &[],
        value_name: "y",
    };
    assert_png(&drawn_bytes(&p, PlotFormat::Png));
    assert_svg(
        &drawn_bytes(&p, PlotFormat::Svg),
        &[
            "best: only (skill undefined, test mse 0.0456)",
            "skill over the best baseline, 0 series",
            "no histogram",
        ],
    );
}

#[test]
fn time_axes_label_the_panels_with_dates() {
    let r = run(90, 0.1);
    let time = daily(90);
    let p = ManyPlot {
        title: "dated".into(),
        panels: vec![panel(&r, "A", "best", Some(&time))],
        skills: &[0.2],
        value_name: "y",
    };
    assert_png(&drawn_bytes(&p, PlotFormat::Png));
    // Split at 67: 2020-01-01 plus 67 days.
    assert_svg(
        &drawn_bytes(&p, PlotFormat::Svg),
        &["split at 2020-03-08", "date", "2020-02"],
    );
}

#[test]
fn extreme_values_still_draw() {
    let mut r = run(60, 0.0);
    r.values[3] = 1e300;
    r.values[4] = -1e300;
    r.test[2].1 = f64::MAX;
    r.train[5].1 = -f64::MAX;
    let mut flat = run(40, 0.0);
    flat.values.iter_mut().for_each(|v| *v = 1e200);
    flat.train.iter_mut().for_each(|(_, v)| *v = 1e200);
    flat.test.clear();
    let mut worst = panel(&r, "wild", "worst", None);
    worst.skill = Some(-1e300);
    worst.test_mse = 1e301;
    let p = ManyPlot {
        title: "extremes".into(),
        panels: vec![panel(&flat, "flat", "best", None), worst],
        skills: &[1.0, -1e300, f64::MIN, 0.0, 1e-300],
        value_name: "y",
    };
    assert_png(&drawn_bytes(&p, PlotFormat::Png));
    assert_svg(
        &drawn_bytes(&p, PlotFormat::Svg),
        &[
            "worst: wild (skill -1.00e300, test mse 1.00e301)",
            "&lt; -1: 2",
        ],
    );
}

#[test]
fn bad_panels_are_refused_with_the_panel_and_the_value() {
    let r = run(30, 0.0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.png");
    let plot = |panels: Vec<ManyPanel>| {
        let p = ManyPlot {
            title: "bad".into(),
            panels,
            skills: &[],
            value_name: "y",
        };
        match many_plot(&path, PlotFormat::Png, &p) {
            Err(CliError::Runtime(m)) => m,
            other => panic!("expected a runtime error, got {other:?}"),
        }
    };
    assert!(plot(vec![]).contains("panels has 0 series, expected 1 to 3"));
    let four = (0..4).map(|_| panel(&r, "A", "best", None)).collect();
    assert!(plot(four).contains("panels has 4 series"));
    let mut late = panel(&r, "late", "best", None);
    late.split = 31;
    assert!(plot(vec![late]).contains("panel 'late' has split 31 past its 30 values"));
    let past = [(30, 0.0)];
    let mut beyond = panel(&r, "beyond", "best", None);
    beyond.test = &past;
    assert!(plot(vec![beyond]).contains("panel 'beyond' has a prediction at index 30"));
    let mut empty = panel(&r, "empty", "best", None);
    empty.values = &[];
    assert!(plot(vec![empty]).contains("panel 'empty' has an empty series"));
    assert!(!path.exists(), "nothing is drawn for a bad plot");
}

#[test]
fn panels_are_the_best_median_and_worst() {
    assert!(pick_panels(&[]).is_empty());
    assert_eq!(pick_panels(&[None]), vec![(0, "best")]);
    assert_eq!(
        pick_panels(&[Some(0.1), Some(0.9)]),
        vec![(1, "best"), (0, "worst")]
    );
    assert_eq!(
        pick_panels(&[Some(0.3), None, Some(0.9), Some(-2.0)]),
        vec![(2, "best"), (0, "median"), (1, "worst")],
        "an undefined skill sorts last"
    );
    assert_eq!(
        pick_panels(&[Some(0.5); 5]),
        vec![(0, "best"), (2, "median"), (4, "worst")],
        "ties by position"
    );
    assert_eq!(
        pick_panels(&[Some(f64::NAN), Some(0.0), Some(-1.0)]),
        vec![(1, "best"), (2, "median"), (0, "worst")],
        "NaN sorts as undefined"
    );
}

#[test]
fn numbers_in_captions_have_three_significant_digits() {
    let cases = [
        (0.123, "0.123"),
        (0.0456, "0.0456"),
        (123.4, "123"),
        (-2.5, "-2.50"),
        (1.5e6, "1.50e6"),
        (3e-7, "3.00e-7"),
        (0.0, "0"),
    ];
    for (v, text) in cases {
        assert_eq!(significant(v), text, "{v}");
    }
}

fn skill() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        1 => Just(None),
        6 => (-5.0f64..1.0).prop_map(Some),
        // Few distinct values, so ties are common.
        2 => (-2i32..=1).prop_map(|s| Some(s as f64 / 2.0)),
    ]
}

proptest! {
    #[test]
    fn picked_panels_are_distinct_and_ranked(skills in prop::collection::vec(skill(), 0..40)) {
        let picked = pick_panels(&skills);
        prop_assert_eq!(picked.len(), skills.len().min(3));
        let mut seen: Vec<usize> = picked.iter().map(|&(i, _)| i).collect();
        seen.sort_unstable();
        seen.dedup();
        prop_assert_eq!(seen.len(), picked.len());
        prop_assert!(seen.iter().all(|&i| i < skills.len()));
        let defined: Vec<f64> = skills.iter().flatten().copied().collect();
        let max = defined.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = defined.iter().copied().fold(f64::INFINITY, f64::min);
        if let Some(&(best, name)) = picked.first() {
            prop_assert_eq!(name, "best");
            if !defined.is_empty() {
                prop_assert_eq!(skills[best], Some(max));
            }
        }
        if skills.len() >= 2 {
            let &(worst, name) = picked.last().unwrap();
            prop_assert_eq!(name, "worst");
            if defined.len() == skills.len() {
                prop_assert_eq!(skills[worst], Some(min));
            } else {
                prop_assert_eq!(skills[worst], None);
            }
        }
        if skills.len() >= 3 && defined.len() == skills.len() {
            let (median, name) = picked[1];
            prop_assert_eq!(name, "median");
            let m = skills[median].unwrap();
            let above = defined.iter().filter(|&&s| s > m).count();
            let below = defined.iter().filter(|&&s| s < m).count();
            prop_assert!(above <= (skills.len() - 1) / 2 && below <= skills.len() / 2);
        }
    }
}
