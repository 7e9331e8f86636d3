//! The whole preparation the tutorial does: split, (scale,) pad, window, reshape.

use serde::{Deserialize, Serialize};

use crate::covariates::fit_covariate;
use crate::error::num;
use crate::frame::{conmat_frame, interleave, last_window, pad_rows_with_last};
use crate::windows::to_f32;
use crate::{Covariate, DataError, Frame, Layout, ScaleKind, Scaler, SplitAt, Windows};

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
    /// Inputs, `[N, 1, step]` or `[N, step, 1]` (`[N, 1, step * (1 + F)]` or
    /// `[N, step, 1 + F]` with `F` covariates).
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
        let local = i + self.x.timesteps();
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
    /// The scaling of each covariate, in order (empty without covariates).
    pub covariate_scalers: Vec<Scaler>,
    /// The scaled target and covariates as the rows of a [`Frame`] (row `j`: the target at
    /// `j`, then each covariate); empty without covariates, whose frame is `scaled` itself.
    pub channels: Vec<f64>,
}

impl Dataset {
    /// The model's input series: the scaled target and covariates, one row per position (see
    /// [`Frame`]); without covariates, `scaled` as a frame of one channel. Errors only if
    /// `channels` was changed so that it no longer holds `1 + F` values per row.
    pub fn frame(&self) -> Result<Frame<'_>, DataError> {
        if self.covariate_scalers.is_empty() {
            Ok(Frame::single(&self.scaled))
        } else {
            Frame::new(&self.channels, 1 + self.covariate_scalers.len())
        }
    }
}

/// Splits `values` at T, fits the scaling on `x[0..T]`, scales, pads each part (if asked) and
/// windows each part with [`conmat`](crate::conmat), as the tutorial does.
///
/// With the tutorial's n = 2000, T = 900, step = 4 and padding there are 900 training and 1100
/// test windows. Errors if `step == 0`, a fraction is outside `(0, 1)`, either part holds no more
/// than `step` values (T past the end included; the message gives the range of T that works),
/// the scaling cannot be fitted, or a scaled value does not fit in f32.
pub fn prepare(values: &[f64], config: &WindowConfig) -> Result<Dataset, DataError> {
    prepare_with_covariates(values, &[], config, ScaleKind::None)
}

/// [`prepare`] with covariates as extra input channels: the window predicting the target at
/// `t` holds, for each of its `step` positions `t - step..t`, the target and then every
/// covariate (time-major, see [`Frame`]), so windows are `[N, step, 1 + F]` in the sequence
/// layout and `[N, 1, step * (1 + F)]` in the tutorial layout; targets are the target's alone.
/// Each covariate gets its own scaling of kind `covariate_scale`, fitted on its training part
/// (see [`crate::covariate_scale`]); padding repeats the last row, every channel's last value.
///
/// Errors as [`prepare`] does, and (naming the covariate) if a covariate's length differs from
/// the target's, a value is not finite, or it is constant on the training part.
pub fn prepare_with_covariates(
    values: &[f64],
    covariates: &[Covariate],
    config: &WindowConfig,
    covariate_scale: ScaleKind,
) -> Result<Dataset, DataError> {
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
    for c in covariates {
        let bad = |reason: String| DataError::Covariate {
            column: format!("'{}'", c.name),
            reason,
        };
        if c.values.len() != n {
            return Err(bad(format!(
                "has {} values where the target has {n}",
                c.values.len()
            )));
        }
        if let Some((i, v)) = c.values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(bad(format!(
                "has {} at position {i}: expected finite values",
                num(*v)
            )));
        }
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
    let mut covariate_scalers = Vec::with_capacity(covariates.len());
    let mut scaled_covariates = Vec::with_capacity(covariates.len());
    for c in covariates {
        let s = fit_covariate(&c.name, covariate_scale, &c.values[..split])?;
        let v = s.transform_all(&c.values);
        to_f32(&v, "covariate").map_err(|e| DataError::Covariate {
            column: format!("'{}'", c.name),
            reason: format!("is out of range once scaled: {e}"),
        })?;
        covariate_scalers.push(s);
        scaled_covariates.push(v);
    }
    let channels = if covariates.is_empty() {
        Vec::new()
    } else {
        let refs: Vec<&[f64]> = scaled_covariates.iter().map(Vec::as_slice).collect();
        interleave(&scaled, &refs)?
    };
    let frame = if covariates.is_empty() {
        Frame::single(&scaled)
    } else {
        Frame::new(&channels, 1 + covariates.len())?
    };

    let pad = if config.pad { step } else { 0 };
    let part = |offset: usize, rows: Frame<'_>| -> Result<WindowedPart, DataError> {
        let padded = pad_rows_with_last(rows, pad);
        let (x, y) = conmat_frame(Frame::new(&padded, rows.width())?, step, config.layout)?;
        Ok(WindowedPart {
            x,
            y,
            offset,
            real_len: rows.rows(),
            padded: pad,
        })
    };
    let train = part(0, frame.slice(0..split)?)?;
    let test = part(split, frame.slice(split..n)?)?;
    let next_window = last_window(frame, step, config.layout)?;
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
        covariate_scalers,
        channels,
    })
}
