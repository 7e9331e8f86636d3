//! The whole preparation the tutorial does: split, (scale,) pad, window, reshape.

use serde::{Deserialize, Serialize};

use crate::error::num;
use crate::windows::to_f32;
use crate::{DataError, Layout, ScaleKind, Scaler, SplitAt, Windows, conmat, pad_with_last};

/// How to turn a series into training and test windows. [`Default`] is the tutorial:
/// T = 900, step 4, padding on, tutorial layout, no scaling.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowConfig {
    /// The split point T (training `x[0..T]`, test `x[T..n]`).
    pub split: SplitAt,
    /// Window length: each input holds `step` consecutive values, the target is the next one.
    pub step: usize,
    /// Pad each part with `step` copies of its last value before windowing, as the tutorial
    /// does, so a part of `m` values gives `m` windows (the last `step` with artificial targets);
    /// without padding it gives `m - step` windows, all with real targets.
    pub pad: bool,
    /// Layout of the windows: `(N, 1, step)` or `(N, step, 1)`.
    pub layout: Layout,
    /// Scaling fitted on the training part `x[0..T]` and applied to the whole series.
    pub scale: ScaleKind,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            split: SplitAt::Index(900),
            step: 4,
            pad: true,
            layout: Layout::Tutorial,
            scale: ScaleKind::None,
        }
    }
}

/// The windows of one part of the split, with where each target sits in the series.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowedPart {
    /// Inputs, `[N, 1, step]` or `[N, step, 1]`.
    pub x: Windows,
    /// Targets, one per window: `y[i]` follows window `i`.
    pub y: Vec<f32>,
    /// Position of the part's first value in the series (0 for training, T for test).
    pub offset: usize,
    /// Number of real series values in the part.
    pub real_len: usize,
    /// Number of padding copies appended (`step` or 0).
    pub padded: usize,
}

impl WindowedPart {
    /// Number of windows.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether the part has no windows (never true for a part built by [`prepare`]).
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// The series position of target `i`, or `None` if that target is a padding copy (or `i` is
    /// past the end): target `i` is value `offset + i + step` when that lies inside the part.
    pub fn target_index(&self, i: usize) -> Option<usize> {
        let local = i + self.x.step();
        (i < self.len() && local < self.real_len).then_some(self.offset + local)
    }
}

/// Training and test windows of a series, with the fitted scaler.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Windows of `x[0..T]`.
    pub train: WindowedPart,
    /// Windows of `x[T..n]`.
    pub test: WindowedPart,
    /// The split index T.
    pub split: usize,
    /// Window length.
    pub step: usize,
    /// The scaling applied to every value (identity without scaling); invert model outputs
    /// with it.
    pub scaler: Scaler,
    /// The whole series after scaling (equal to the input without scaling).
    pub scaled: Vec<f64>,
    /// The last `step` real values of the series (scaled) as a batch of one window: the input
    /// that predicts the true next value after the series.
    pub next_window: Windows,
    /// The tutorial's `testX[-1]`, the last test window, as a batch of one. With padding it is
    /// `step` copies of the last value; without, the `step` values before the last one.
    pub tutorial_next_window: Windows,
}

/// Splits `values` at T, fits the scaling on `x[0..T]`, scales, pads each part (if asked) and
/// windows each part with [`conmat`], as the tutorial does.
///
/// With the tutorial's n = 2000, T = 900, step = 4 and padding there are 900 training and 1100
/// test windows. Errors if `step == 0`, a fraction is outside `(0, 1)`, either part holds no more
/// than `step` values (T past the end included; the message gives the range of T that works),
/// the scaling cannot be fitted, or a scaled value does not fit in f32.
pub fn prepare(values: &[f64], config: &WindowConfig) -> Result<Dataset, DataError> {
    let step = config.step;
    if step == 0 {
        return Err(DataError::arg("step", 0, "a window length of at least 1"));
    }
    let n = values.len();
    if n < 2 {
        return Err(DataError::SeriesTooShort {
            source: "series".to_string(),
            len: n,
        });
    }
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(DataError::arg(
            "series",
            format!("{} at position {i}", num(*v)),
            "finite values",
        ));
    }
    // The range of T is checked together with the step, so the message can give the T that work.
    let split = config.split.index_unchecked(n)?;
    for (part, len) in [
        ("training", split.min(n)),
        ("test", n.saturating_sub(split)),
    ] {
        if len <= step {
            return Err(DataError::PartTooShort {
                part,
                len,
                step,
                split,
                n,
            });
        }
    }
    let scaler = Scaler::fit(config.scale, &values[..split])?;
    let scaled = scaler.transform_all(values);
    to_f32(&scaled, "series")?;

    let pad = if config.pad { step } else { 0 };
    let part = |offset: usize, real: &[f64]| -> Result<WindowedPart, DataError> {
        let (x, y) = conmat(&pad_with_last(real, pad), step, config.layout)?;
        Ok(WindowedPart {
            x,
            y,
            offset,
            real_len: real.len(),
            padded: pad,
        })
    };
    let train = part(0, &scaled[..split])?;
    let test = part(split, &scaled[split..])?;
    let next_window = Windows::single(&scaled[n - step..], config.layout)?;
    let tutorial_next_window = test.x.last().ok_or(DataError::PartTooShort {
        part: "test",
        len: n - split,
        step,
        split,
        n,
    })?;
    Ok(Dataset {
        train,
        test,
        split,
        step,
        scaler,
        scaled,
        next_window,
        tutorial_next_window,
    })
}
