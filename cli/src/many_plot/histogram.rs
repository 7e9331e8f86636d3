//! The histogram of per-series skill under the many-series panels: bins from -1 (or the lowest
//! skill above it) to the highest skill, with skills below -1 counted in one bar at the left,
//! and a line at 0, where a series does as well as the best baseline.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::{DRAWN_LIMIT, FAMILY, NEXT_COLOR, TRAIN_COLOR, plot_err};
use crate::plot_axis::y_tick_label;
use crate::plot_frame::{Frame, SMALL, chart};

/// Lowest skill with a bin of its own: below it a model's test error is more than twice the
/// baseline's, and how much more would stretch the axis until the bins near 0 vanish.
const FLOOR: f64 = -1.0;

/// Skills counted into equal bins.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Bins {
    /// Left edge of the first bin (0, the lowest skill, or [`FLOOR`]).
    pub lo: f64,
    /// Right edge of the last bin (0 or the highest finite skill).
    pub hi: f64,
    /// Width of every bin, in skill units.
    pub width: f64,
    /// Series per bin, left to right; the last bin also holds its right edge.
    pub counts: Vec<usize>,
    /// Series with a skill below `lo` (below [`FLOOR`]).
    pub below: usize,
    /// Series counted (skills that are not NaN).
    pub total: usize,
}

/// Bins `skills` (NaN skipped): from `min(0, max(lowest, -1))` to `max(0, highest)`, so 0
/// is always on the axis; about `2 sqrt(N)` bins, 5 to 40. `None` when no skill is left.
pub(super) fn bin_skills(skills: &[f64]) -> Option<Bins> {
    let kept: Vec<f64> = skills.iter().copied().filter(|s| !s.is_nan()).collect();
    if kept.is_empty() {
        return None;
    }
    let lowest = kept.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = kept
        .iter()
        .copied()
        .filter(|s| s.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let lo = lowest.clamp(FLOOR, 0.0);
    // A skill is at most 1 when the errors are squares, but a caller's other skill need not
    // be: the bound keeps the width finite.
    let hi = highest.clamp(0.0, DRAWN_LIMIT);
    let (lo, hi) = if hi > lo { (lo, hi) } else { (-0.5, 0.5) };
    let n_bins = ((kept.len() as f64).sqrt() * 2.0).ceil().clamp(5.0, 40.0) as usize;
    let width = (hi - lo) / n_bins as f64;
    let mut counts = vec![0; n_bins];
    let mut below = 0;
    for s in &kept {
        if *s < lo {
            below += 1;
        } else {
            // `as usize` saturates, so +inf lands in the last bin too.
            let i = ((s - lo) / width).floor() as usize;
            counts[i.min(n_bins - 1)] += 1;
        }
    }
    Some(Bins {
        lo,
        hi,
        width,
        counts,
        below,
        total: kept.len(),
    })
}

/// Draws the histogram of `skills` on `area`, or a note when no skill is defined.
pub(super) fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    skills: &[f64],
) -> Result<(), String> {
    let Some(bins) = bin_skills(skills) else {
        return draw_note(area);
    };
    let caption = format!(
        "skill over the best baseline, {} series (> 0 beats it)",
        bins.total
    );
    let (lo, w, hi) = (bins.lo, bins.width, bins.hi);
    // The bar of skills below -1 stands one bin left of the first, a bin's gap between.
    let left = if bins.below > 0 { lo - 2.0 * w } else { lo };
    let x = left - 0.02 * (hi - left)..hi + 0.02 * (hi - left);
    let most = bins
        .counts
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(bins.below);
    // Whole-number room above the tallest bar for its count; as many y labels as counts
    // keeps plotters' ticks on whole numbers.
    let top = (most as f64 * 1.15).ceil().max(most as f64 + 1.0);
    let frame = Frame {
        caption: &caption,
        x,
        y: 0.0..top,
        x_desc:
            "skill = 1 - observed test mse / the best baseline's (persistence or seasonal naive)"
                .to_string(),
        x_labels: 12,
        // No ticks under the bar of skills below -1: their values are not on this axis.
        x_label: Box::new(move |x| {
            if x < lo - 1e-9 * w {
                String::new()
            } else {
                y_tick_label(x, lo, hi)
            }
        }),
        y_desc: "series",
        y_labels: (top as usize + 1).min(10),
        y_label: Box::new(|y| format!("{y:.0}")),
        look: SMALL,
    };
    let mut chart = chart(area, &frame)?;
    // A gap of a twentieth of a bin between bars keeps them apart.
    let gap = 0.05 * w;
    chart
        .draw_series(bins.counts.iter().enumerate().map(|(i, &c)| {
            let a = lo + w * i as f64;
            Rectangle::new(
                [(a + gap, 0.0), (a + w - gap, c as f64)],
                TRAIN_COLOR.mix(0.8).filled(),
            )
        }))
        .map_err(plot_err)?;
    if bins.below > 0 {
        let (a, b) = (lo - 2.0 * w, lo - w);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a + gap, 0.0), (b - gap, bins.below as f64)],
                NEXT_COLOR.mix(0.8).filled(),
            )))
            .map_err(plot_err)?;
        let style = TextStyle::from((FAMILY, SMALL.label).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(std::iter::once(Text::new(
                format!("< {FLOOR}: {}", bins.below),
                ((a + b) / 2.0, bins.below as f64 + 0.02 * top),
                style,
            )))
            .map_err(plot_err)?;
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, top)],
            BLACK.stroke_width(2),
        )))
        .map_err(plot_err)?;
    Ok(())
}

/// The histogram's place when no series has a defined skill: its caption and why it is empty.
fn draw_note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Result<(), String> {
    let inner = area
        .titled(
            "skill over the best baseline, 0 series",
            (FAMILY, SMALL.caption),
        )
        .map_err(plot_err)?;
    let (w, h) = inner.dim_in_pixel();
    let style = TextStyle::from((FAMILY, SMALL.axis).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    inner
        .draw_text(
            "no histogram: no trained series has a defined skill (a baseline with no test error, or no test targets)",
            &style,
            (w as i32 / 2, h as i32 / 2),
        )
        .map_err(plot_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_fall_in_bins_from_the_lowest_to_the_highest_with_zero_on_the_axis() {
        let b = bin_skills(&[0.1, 0.3, 0.5, 0.7, 0.9, 1.0]).unwrap();
        assert_eq!(
            (b.lo, b.hi, b.counts.len(), b.below, b.total),
            (0.0, 1.0, 5, 0, 6)
        );
        assert!((b.width - 0.2).abs() < 1e-12);
        // 1.0 is the last bin's right edge and belongs to it.
        assert_eq!(b.counts, vec![1, 1, 1, 1, 2]);
        let b = bin_skills(&[-0.5, 0.5]).unwrap();
        assert_eq!((b.lo, b.hi), (-0.5, 0.5));
        let b = bin_skills(&[-0.3, -0.1]).unwrap();
        assert_eq!((b.lo, b.hi), (-0.3, 0.0), "0 stays on the axis");
    }

    #[test]
    fn skills_below_minus_one_are_counted_apart_and_nan_is_skipped() {
        let b = bin_skills(&[-1e300, f64::NEG_INFINITY, -1.0, 0.5, f64::NAN]).unwrap();
        assert_eq!((b.lo, b.below, b.total), (-1.0, 2, 4));
        assert_eq!(b.counts.iter().sum::<usize>(), 1 + 1);
        assert_eq!(b.counts[0], 1, "-1 itself is in the first bin");
        let b = bin_skills(&[f64::INFINITY, 0.0]).unwrap();
        assert_eq!(*b.counts.last().unwrap(), 1, "+inf in the last bin");
        assert!(b.width.is_finite());
    }

    #[test]
    fn one_value_or_none_still_bins() {
        let b = bin_skills(&[0.0, 0.0]).unwrap();
        assert_eq!((b.lo, b.hi, b.counts.iter().sum::<usize>()), (-0.5, 0.5, 2));
        assert_eq!(bin_skills(&[]), None);
        assert_eq!(bin_skills(&[f64::NAN]), None);
        let many: Vec<f64> = (0..10_000).map(|i| i as f64 / 10_000.0).collect();
        assert_eq!(bin_skills(&many).unwrap().counts.len(), 40);
    }
}
