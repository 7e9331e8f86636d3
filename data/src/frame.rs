//! The target and its covariates side by side, and the windows cut from them.
//!
//! A [`Frame`] is row-major: row `j` holds the target's model value at position `j` (channel 0)
//! followed by each covariate's value at `j` (channels `1..=F`). A window of `step` rows is then
//! one contiguous slice laid out time-major, `[y, x1, .., xF]` for each of its `step`
//! positions: the sequence layout `(step, 1 + F)` and, read flat, the tutorial layout
//! `(1, step * (1 + F))`. With one channel a frame is a plain series, and each function here
//! gives exactly what its single-series counterpart gives ([`crate::conmat`],
//! [`crate::observed_windows`], [`crate::direct_windows`]); those are these functions on
//! [`Frame::single`].

use std::ops::Range;

use crate::windows::to_f32;
use crate::{DataError, Layout, Windows};

/// Model values of one or more channels, row-major (see the module's description). Borrowed:
/// a view of a series (one channel) or of an interleaved buffer ([`interleave`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame<'a> {
    data: &'a [f64],
    width: usize,
}

impl<'a> Frame<'a> {
    /// `data` read as rows of `width` channels. Errors if `width` is 0 or `data`'s length is
    /// not a multiple of it.
    pub fn new(data: &'a [f64], width: usize) -> Result<Self, DataError> {
        if width == 0 {
            return Err(DataError::arg("width", 0, "at least one channel"));
        }
        if !data.len().is_multiple_of(width) {
            return Err(DataError::arg(
                "frame",
                format!("{} values", data.len()),
                &format!("a multiple of the {width} channels per row"),
            ));
        }
        Ok(Frame { data, width })
    }

    /// A single series as a frame of one channel.
    pub fn single(values: &'a [f64]) -> Self {
        Frame {
            data: values,
            width: 1,
        }
    }

    /// The values, row-major.
    pub fn data(&self) -> &'a [f64] {
        self.data
    }

    /// Channels per row: 1 + the number of covariates.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of rows (positions).
    pub fn rows(&self) -> usize {
        self.data.len() / self.width
    }

    /// Row `j` (its `width` channels), or `None` past the end.
    pub fn row(&self, j: usize) -> Option<&'a [f64]> {
        self.data.get(j * self.width..(j + 1) * self.width)
    }

    /// The target channel (channel 0) of every row.
    pub fn target(&self) -> Vec<f64> {
        self.data.iter().step_by(self.width).copied().collect()
    }

    /// The rows in `rows` as a frame of their own. Errors if the range is past the end.
    pub fn slice(&self, rows: Range<usize>) -> Result<Frame<'a>, DataError> {
        if rows.start > rows.end || rows.end > self.rows() {
            return Err(DataError::arg(
                "rows",
                format!("{}..{}", rows.start, rows.end),
                &format!("a range of the frame's {} rows", self.rows()),
            ));
        }
        Ok(Frame {
            data: &self.data[rows.start * self.width..rows.end * self.width],
            width: self.width,
        })
    }
}

/// The row-major buffer of a [`Frame`] from the target's values and each covariate's (all of
/// the same length). Errors naming the covariate's 0-based number if a length differs.
pub fn interleave(target: &[f64], covariates: &[&[f64]]) -> Result<Vec<f64>, DataError> {
    if let Some((k, c)) = covariates
        .iter()
        .enumerate()
        .find(|(_, c)| c.len() != target.len())
    {
        return Err(DataError::arg(
            "covariates",
            format!("{} values in covariate {k}", c.len()),
            &format!("as many values as the target's {}", target.len()),
        ));
    }
    let width = 1 + covariates.len();
    let mut out = Vec::with_capacity(target.len() * width);
    for (j, &y) in target.iter().enumerate() {
        out.push(y);
        out.extend(covariates.iter().map(|c| c[j]));
    }
    Ok(out)
}

/// The tutorial's padding for a frame: its rows followed by `copies` repeats of its last row
/// (every channel padded with its own last value). An empty frame stays empty.
pub fn pad_rows_with_last(frame: Frame<'_>, copies: usize) -> Vec<f64> {
    if frame.width == 1 {
        return crate::pad_with_last(frame.data, copies);
    }
    let mut out = Vec::with_capacity(frame.data.len() + copies * frame.width);
    out.extend_from_slice(frame.data);
    if let Some(last) = frame.row(frame.rows().wrapping_sub(1)) {
        for _ in 0..copies {
            out.extend_from_slice(last);
        }
    }
    out
}

/// Refuses windows that would hold more than [`crate::MAX_WINDOW_VALUES`] values in all.
fn check_total(count: usize, per_window: usize, step: usize) -> Result<(), DataError> {
    if count
        .checked_mul(per_window)
        .is_none_or(|total| total > crate::MAX_WINDOW_VALUES)
    {
        return Err(DataError::arg(
            "step",
            step,
            &format!(
                "a window length whose {count} windows hold at most {} values in all",
                crate::MAX_WINDOW_VALUES
            ),
        ));
    }
    Ok(())
}

fn check_step(step: usize) -> Result<(), DataError> {
    if step == 0 {
        return Err(DataError::arg("step", 0, "a window length of at least 1"));
    }
    Ok(())
}

/// [`crate::conmat`] on a frame: window `i` is rows `i..i+step` (all channels), its target the
/// target channel of row `i + step`, for `i in 0..rows - step`. Errors as `conmat` does.
pub fn conmat_frame(
    frame: Frame<'_>,
    step: usize,
    layout: Layout,
) -> Result<(Windows, Vec<f32>), DataError> {
    check_step(step)?;
    let (n, w) = (frame.rows(), frame.width);
    if n <= step {
        return Err(DataError::arg(
            "step",
            step,
            &format!("less than the {n} value(s) to window (a window needs step + 1 values)"),
        ));
    }
    let count = n - step;
    check_total(count, step * w, step)?;
    let values = to_f32(frame.data, "series")?;
    let mut x = Vec::with_capacity(count * step * w);
    for i in 0..count {
        x.extend_from_slice(&values[i * w..(i + step) * w]);
    }
    // One channel: a plain copy, as the single-series conmat always made.
    let y = if w == 1 {
        values[step..].to_vec()
    } else {
        values[step * w..].iter().step_by(w).copied().collect()
    };
    Ok((Windows::from_steps(x, step, w, layout)?, y))
}

/// [`crate::observed_windows`] on a frame: the window of target position `t` is the `step`
/// rows before it, `rows t - lost - step..t - lost` (row `j` is series position `j + lost`).
/// Errors as `observed_windows` does.
pub fn observed_windows_frame(
    frame: Frame<'_>,
    lost: usize,
    targets: Range<usize>,
    step: usize,
    layout: Layout,
) -> Result<Windows, DataError> {
    check_step(step)?;
    let w = frame.width;
    crate::baselines::check_targets(frame.rows() + lost, &targets)?;
    if targets.start < lost + step {
        return Err(DataError::arg(
            "targets",
            format!("{}..{}", targets.start, targets.end),
            &format!(
                "targets from position {} on (step {step} after the {lost} value(s) differencing consumes)",
                lost + step
            ),
        ));
    }
    let mut rows = Vec::with_capacity(targets.len() * step * w);
    for t in targets {
        let j = t - lost;
        rows.extend(frame.data[(j - step) * w..j * w].iter().map(|&v| v as f32));
    }
    Windows::from_steps(rows, step, w, layout)
}

/// [`crate::direct_windows`] on a frame: window `i` is rows `i..i+step`, its targets the target
/// channel of rows `i+step..i+step+horizon`. Errors as `direct_windows` does.
pub fn direct_windows_frame(
    frame: Frame<'_>,
    step: usize,
    horizon: usize,
    layout: Layout,
) -> Result<(Windows, Vec<f32>), DataError> {
    check_step(step)?;
    if horizon == 0 {
        return Err(DataError::arg(
            "horizon",
            0,
            "a number of steps of at least 1",
        ));
    }
    let (n, w) = (frame.rows(), frame.width);
    let need = step.saturating_add(horizon);
    if n < need {
        return Err(DataError::arg(
            "values",
            format!("{n} value(s)"),
            &format!(
                "at least step + horizon = {step} + {horizon} values (one window and all of its targets)"
            ),
        ));
    }
    let count = n - need + 1;
    check_total(count, (step * w).max(horizon), step)?;
    let v = to_f32(frame.data, "series")?;
    let mut x = Vec::with_capacity(count * step * w);
    let mut y = Vec::with_capacity(count * horizon);
    for i in 0..count {
        x.extend_from_slice(&v[i * w..(i + step) * w]);
        y.extend((i + step..i + step + horizon).map(|r| v[r * w]));
    }
    Ok((Windows::from_steps(x, step, w, layout)?, y))
}

/// The last `step` rows of `frame` as a batch of one window (the input that predicts the
/// value after it). Errors if the frame has fewer rows or a value is not finite in f32.
pub fn last_window(frame: Frame<'_>, step: usize, layout: Layout) -> Result<Windows, DataError> {
    check_step(step)?;
    let n = frame.rows();
    if n < step {
        return Err(DataError::arg(
            "history",
            format!("{n} value(s)"),
            &format!("at least step = {step} values"),
        ));
    }
    let data = to_f32(&frame.data[(n - step) * frame.width..], "window")?;
    Windows::from_steps(data, step, frame.width, layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn windows_hold_every_channel_time_major() {
        // y = 0..6, x = 10..16: row j is (j, 10 + j).
        let y: Vec<f64> = (0..6).map(f64::from).collect();
        let x: Vec<f64> = (10..16).map(f64::from).collect();
        let data = interleave(&y, &[&x]).unwrap();
        let f = Frame::new(&data, 2).unwrap();
        let (w, t) = conmat_frame(f, 2, Layout::Sequence).unwrap();
        assert_eq!(w.shape(), [4, 2, 2]);
        assert_eq!(w.row(0).unwrap(), &[0.0, 10.0, 1.0, 11.0]);
        assert_eq!(t, vec![2.0, 3.0, 4.0, 5.0]);
        let (w, _) = conmat_frame(f, 2, Layout::Tutorial).unwrap();
        assert_eq!(w.shape(), [4, 1, 4]);
        assert_eq!(w.timesteps(), 2);
        let (w, t) = direct_windows_frame(f, 2, 3, Layout::Sequence).unwrap();
        assert_eq!(w.count(), 2);
        assert_eq!(w.row(1).unwrap(), &[1.0, 11.0, 2.0, 12.0]);
        assert_eq!(t, vec![2.0, 3.0, 4.0, 3.0, 4.0, 5.0]);
        // Target 4 with one value lost to differencing: rows 1 and 2.
        let o = observed_windows_frame(f, 1, 4..5, 2, Layout::Sequence).unwrap();
        assert_eq!(o.data(), &[1.0, 11.0, 2.0, 12.0]);
        let last = last_window(f, 2, Layout::Tutorial).unwrap();
        assert_eq!(
            (last.shape(), last.data()),
            ([1, 1, 4], &[4.0, 14.0, 5.0, 15.0][..])
        );
        assert_eq!(
            pad_rows_with_last(f.slice(4..6).unwrap(), 2),
            vec![4.0, 14.0, 5.0, 15.0, 5.0, 15.0, 5.0, 15.0]
        );
        assert_eq!(f.target(), y);
    }

    #[test]
    fn refusals_name_the_problem() {
        assert!(Frame::new(&[1.0, 2.0, 3.0], 2).is_err());
        assert!(Frame::new(&[1.0], 0).is_err());
        assert!(interleave(&[1.0, 2.0], &[&[1.0]]).is_err());
        let data = [1.0, 2.0, 3.0, 4.0];
        let f = Frame::new(&data, 2).unwrap();
        assert!(conmat_frame(f, 2, Layout::Tutorial).is_err());
        assert!(f.slice(1..3).is_err());
        assert!(last_window(f, 3, Layout::Tutorial).is_err());
    }

    proptest! {
        /// One channel: the frame functions are the single-series ones.
        #[test]
        fn one_channel_is_the_plain_series(
            v in prop::collection::vec(-1e3f64..1e3, 3..40),
            step in 1usize..4,
            sequence in any::<bool>(),
        ) {
            prop_assume!(v.len() > step + 1);
            let layout = if sequence { Layout::Sequence } else { Layout::Tutorial };
            let f = Frame::single(&v);
            let (a, ay) = conmat_frame(f, step, layout).unwrap();
            let (b, by) = crate::conmat(&v, step, layout).unwrap();
            prop_assert_eq!((a.shape(), a.data(), ay), (b.shape(), b.data(), by));
            let (a, ay) = direct_windows_frame(f, step, 2, layout).unwrap();
            let (b, by) = crate::direct_windows(&v, step, 2, layout).unwrap();
            prop_assert_eq!((a.shape(), a.data(), ay), (b.shape(), b.data(), by));
            prop_assert_eq!(pad_rows_with_last(f, step), crate::pad_with_last(&v, step));
        }

        /// A covariate rides along: channel 0 of every window and every target is the
        /// single-series window's, the covariate sits beside it at the same position.
        #[test]
        fn channel_zero_is_the_target(
            v in prop::collection::vec(-1e3f64..1e3, 3..40),
            step in 1usize..4,
        ) {
            prop_assume!(v.len() > step + 1);
            let x: Vec<f64> = v.iter().map(|a| a * 2.0 + 1.0).collect();
            let data = interleave(&v, &[&x]).unwrap();
            let (w, y) = conmat_frame(Frame::new(&data, 2).unwrap(), step, Layout::Sequence).unwrap();
            let (s, sy) = crate::conmat(&v, step, Layout::Sequence).unwrap();
            prop_assert_eq!(y, sy);
            for (row, single) in w.rows().zip(s.rows()) {
                let target: Vec<f32> = row.iter().step_by(2).copied().collect();
                let cov: Vec<f32> = row.iter().skip(1).step_by(2).copied().collect();
                prop_assert_eq!(&target[..], single);
                let expect: Vec<f32> = single.iter().map(|&a| (f64::from(a) * 2.0 + 1.0) as f32).collect();
                for (c, e) in cov.iter().zip(&expect) {
                    prop_assert!((c - e).abs() <= 1e-3 * e.abs().max(1.0));
                }
            }
        }
    }
}
