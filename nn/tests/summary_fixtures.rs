//! The summary renderer against Keras's own `model.summary()` text in `model_training.json`,
//! character for character, before and after training, in both tutorial layouts.

mod common;

use common::load;
use nn::summary::{
    ParamSize, SUMMARY_LINE_LENGTH, SummaryRow, SummaryTotals, format_shape, readable_memory_size,
    render_summary, thousands,
};

fn rows(rnn_params: u64) -> Vec<SummaryRow> {
    let row = |name: &str, class: &str, units: usize, params: u64| SummaryRow {
        name: name.to_string(),
        class_name: class.to_string(),
        output_shape: Some(format_shape(&[None, Some(units)])),
        params: Some(params),
    };
    vec![
        row("simple_rnn", "SimpleRNN", 32, rnn_params),
        row("dense", "Dense", 8, 264),
        row("dense_1", "Dense", 1, 9),
    ]
}

#[test]
fn tutorial_summaries_match_keras_exactly() {
    let fx = load("model_training");
    for (case, rnn) in [
        ("tutorial_time_major_1x4", 1184),
        ("tutorial_sequence_4x1", 1088),
    ] {
        let c = &fx["cases"][case];
        let count = c["count_params"].as_u64().unwrap();
        assert_eq!(rnn + 264 + 9, count);
        let mut totals = SummaryTotals {
            trainable: ParamSize::f32s(count),
            ..SummaryTotals::default()
        };
        let before =
            render_summary("sequential", &rows(rnn), &totals, SUMMARY_LINE_LENGTH).unwrap();
        assert_eq!(
            before,
            c["summary_before_fit"].as_str().unwrap(),
            "{case} before fit"
        );
        // RMSprop after fit: one velocity per weight, plus iteration and learning rate.
        totals.optimizer = Some(ParamSize::optimizer(count));
        let after = render_summary("sequential", &rows(rnn), &totals, SUMMARY_LINE_LENGTH).unwrap();
        assert_eq!(
            after,
            c["summary_after_fit"].as_str().unwrap(),
            "{case} after fit"
        );
    }
}

#[test]
fn helpers_format_like_python() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1457), "1,457");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(readable_memory_size(0), "0.00 B");
    assert_eq!(readable_memory_size(1023), "1023.00 B");
    assert_eq!(readable_memory_size(5828), "5.69 KB");
    assert_eq!(readable_memory_size(3 * 1024 * 1024), "3.00 MB");
    assert_eq!(format_shape(&[None, Some(4), Some(1)]), "(None, 4, 1)");
    assert_eq!(format_shape(&[None]), "(None,)");
}

#[test]
fn unbuilt_rows_long_names_and_narrow_lines() {
    let rows = vec![SummaryRow {
        name: "a_very_long_layer_name_that_does_not_fit_in_its_column".to_string(),
        class_name: "SimpleRNN".to_string(),
        output_shape: None,
        params: None,
    }];
    let text = render_summary("m", &rows, &SummaryTotals::default(), 88).unwrap();
    assert!(text.contains("│ ?"), "{text}");
    assert!(text.contains("0 (unbuilt) │"), "{text}");
    // Every table line has the same width (wrapped cells keep the grid).
    let widths: Vec<usize> = text
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with(' '))
        .map(|l| l.chars().count())
        .collect();
    assert!(widths.iter().all(|&w| w == 88), "{widths:?}\n{text}");
    assert!(widths.len() > 5, "the long name wraps onto a second line");
    assert!(render_summary("m", &rows, &SummaryTotals::default(), 10).is_err());
    let narrow = render_summary("m", &[], &SummaryTotals::default(), 60).unwrap();
    assert!(
        narrow.lines().nth(1).unwrap().chars().count() <= 60,
        "{narrow}"
    );
}
