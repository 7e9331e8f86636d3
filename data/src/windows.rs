//! Sliding windows (`conmat`), their two layouts, and the tutorial's padding.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DataError;
use crate::error::num;

/// How a window of `step` values is laid out as a recurrent input `[batch, time, features]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// `(N, 1, step)`, as the tutorial's `np.reshape(X, (N, 1, step))`: one time step with `step`
    /// features, so the recurrent weights never see a second step.
    #[default]
    Tutorial,
    /// `(N, step, 1)`: `step` time steps of one feature each, the usual sequence layout.
    Sequence,
}

impl Layout {
    /// Both layouts, in the order their names are listed in messages.
    pub const ALL: [Layout; 2] = [Layout::Tutorial, Layout::Sequence];

    /// The lower-case name accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Layout::Tutorial => "tutorial",
            Layout::Sequence => "sequence",
        }
    }

    /// The 3-D shape of `count` windows of `step` values in this layout.
    pub fn shape(self, count: usize, step: usize) -> [usize; 3] {
        match self {
            Layout::Tutorial => [count, 1, step],
            Layout::Sequence => [count, step, 1],
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Layout {
    type Err = DataError;

    /// Parses `tutorial` or `sequence` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, DataError> {
        Layout::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DataError::arg("layout", format!("'{s}'"), "tutorial or sequence"))
    }
}

/// `N` windows of `step` values as one row-major f32 buffer with a 3-D shape `[N, a, b]`
/// (`[N, 1, step]` or `[N, step, 1]` by [`Layout`]; both have the same memory order, row `i`
/// being `data[i*step..(i+1)*step]`).
///
/// Windows built by [`Windows::from_sequences`] have `F > 1` features per time step: a window is
/// `T` steps of `F` values (`step = T * F`, step-major), shaped `[N, T, F]` in the sequence
/// layout and `[N, 1, T * F]` in the tutorial layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    data: Vec<f32>,
    shape: [usize; 3],
    layout: Layout,
    /// Values per time step in the sequence layout (1 for series windows).
    features: usize,
}

/// The shape of `count` windows of `step` values, `features` per time step, in `layout`.
fn shape_for(layout: Layout, count: usize, step: usize, features: usize) -> [usize; 3] {
    match layout {
        Layout::Tutorial => [count, 1, step],
        Layout::Sequence => [count, step / features, features],
    }
}

impl Windows {
    /// Windows from a flat buffer of rows of `step` values; errors if `step == 0` or the buffer
    /// length is not a multiple of `step`.
    pub fn from_rows(data: Vec<f32>, step: usize, layout: Layout) -> Result<Self, DataError> {
        check_step(step)?;
        if !data.len().is_multiple_of(step) {
            return Err(DataError::arg(
                "windows",
                format!("{} values", data.len()),
                &format!("a multiple of step = {step}"),
            ));
        }
        let count = data.len() / step;
        Ok(Windows {
            data,
            shape: layout.shape(count, step),
            layout,
            features: 1,
        })
    }

    /// Sequences of `timesteps` steps with `features` values each, in the sequence layout
    /// `[N, timesteps, features]`, from a flat row-major buffer (sequence `i` is
    /// `data[i*T*F..(i+1)*T*F]`, step `t` of it the `F` values at `t*F`). Errors if `timesteps`
    /// or `features` is 0 or the buffer length is not a multiple of `timesteps * features`.
    pub fn from_sequences(
        data: Vec<f32>,
        timesteps: usize,
        features: usize,
    ) -> Result<Self, DataError> {
        if timesteps == 0 {
            return Err(DataError::arg("timesteps", 0, "at least 1 time step"));
        }
        if features == 0 {
            return Err(DataError::arg("features", 0, "at least 1 feature per step"));
        }
        let step = timesteps.checked_mul(features).ok_or_else(|| {
            DataError::arg(
                "timesteps",
                format!("{timesteps} (with {features} features)"),
                "a sequence size that fits in memory",
            )
        })?;
        if !data.len().is_multiple_of(step) {
            return Err(DataError::arg(
                "sequences",
                format!("{} values", data.len()),
                &format!("a multiple of timesteps * features = {timesteps} * {features}"),
            ));
        }
        let count = data.len() / step;
        Ok(Windows {
            data,
            shape: [count, timesteps, features],
            layout: Layout::Sequence,
            features,
        })
    }

    /// Windows of `step` time steps of `features` values each, from a flat time-major buffer
    /// (window `i` is `data[i*step*features..(i+1)*step*features]`, time step `t` of it the
    /// `features` values at `t*features`), shaped `[N, step, features]` in the sequence layout
    /// and `[N, 1, step * features]` in the tutorial layout. With one feature this is
    /// [`Windows::from_rows`]. Errors if `step` or `features` is 0 or the buffer length is not
    /// a multiple of `step * features`.
    pub fn from_steps(
        data: Vec<f32>,
        step: usize,
        features: usize,
        layout: Layout,
    ) -> Result<Self, DataError> {
        Ok(Windows::from_sequences(data, step, features)?.with_layout(layout))
    }

    /// A batch of one window holding `values` (for example the last `step` values of a series,
    /// to predict the value after it). Errors if `values` is empty or a value is not finite in f32.
    pub fn single(values: &[f64], layout: Layout) -> Result<Self, DataError> {
        if values.is_empty() {
            return Err(DataError::arg("window", "[]", "at least one value"));
        }
        let data = to_f32(values, "window")?;
        let step = data.len();
        Windows::from_rows(data, step, layout)
    }

    /// The values, row-major: row `i` is `data()[i*step..(i+1)*step]`.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// The values, consuming the windows.
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// `[N, 1, step]` (tutorial) or `[N, step, 1]` (sequence); `[N, T, F]` in the sequence
    /// layout for windows of [`Windows::from_sequences`].
    pub fn shape(&self) -> [usize; 3] {
        self.shape
    }

    /// `[N, step]`, the 2-D matrix shape before the layout's reshape.
    pub fn matrix_shape(&self) -> [usize; 2] {
        [self.count(), self.step()]
    }

    /// The layout of [`Windows::shape`].
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The same windows in another layout (only the shape changes, not the data).
    pub fn with_layout(self, layout: Layout) -> Self {
        let (count, step) = (self.count(), self.step());
        Windows {
            data: self.data,
            shape: shape_for(layout, count, step, self.features),
            layout,
            features: self.features,
        }
    }

    /// Values per time step in the sequence layout: 1 for series windows, `F` for
    /// [`Windows::from_sequences`].
    pub fn features(&self) -> usize {
        self.features
    }

    /// Time steps per window in the sequence layout (`step / features`).
    pub fn timesteps(&self) -> usize {
        self.step() / self.features
    }

    /// Number of windows `N`.
    pub fn count(&self) -> usize {
        self.shape[0]
    }

    /// Whether there are no windows.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Values per window.
    pub fn step(&self) -> usize {
        self.shape[1] * self.shape[2]
    }

    /// Window `i` as a slice of `step` values, or `None` past the end.
    pub fn row(&self, i: usize) -> Option<&[f32]> {
        let step = self.step();
        self.data.get(i * step..(i + 1) * step)
    }

    /// The windows in order, each a slice of `step` values.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.data.chunks_exact(self.step())
    }

    /// Window `i` alone as a batch of one, in the same layout (`testX[-1]` is
    /// `last()`), or `None` past the end.
    pub fn window(&self, i: usize) -> Option<Windows> {
        let row = self.row(i)?.to_vec();
        let step = row.len();
        Some(Windows {
            data: row,
            shape: shape_for(self.layout, 1, step, self.features),
            layout: self.layout,
            features: self.features,
        })
    }

    /// The first `count` windows (all of them if there are fewer), in the same shape.
    pub fn head(&self, count: usize) -> Windows {
        let count = count.min(self.count());
        let step = self.step();
        Windows {
            data: self.data[..count * step].to_vec(),
            shape: shape_for(self.layout, count, step, self.features),
            layout: self.layout,
            features: self.features,
        }
    }

    /// The last window as a batch of one (the tutorial's `testX[-1]`), or `None` if empty.
    pub fn last(&self) -> Option<Windows> {
        self.window(self.count().checked_sub(1)?)
    }
}

/// Most values [`conmat`] builds in one call (2^30 f32, 4 GiB): windows copy each value `step`
/// times, so a large step on a long series is refused instead of exhausting memory.
pub const MAX_WINDOW_VALUES: usize = 1 << 30;

/// The tutorial's `convertToMatrix`: for `i in 0..len - step`, window `i` is
/// `data[i..i+step]` and target `i` is `data[i+step]`.
///
/// Returns the windows `[N, step]` in `layout` and the `N` targets, `N = data.len() - step`.
/// Errors if `step == 0`, if `data` has no more than `step` values (no window), or if a value is
/// not finite once converted to f32.
pub fn conmat(data: &[f64], step: usize, layout: Layout) -> Result<(Windows, Vec<f32>), DataError> {
    crate::frame::conmat_frame(crate::Frame::single(data), step, layout)
}

/// The tutorial's padding: `values` followed by `copies` repeats of its last value
/// (`np.append(part, np.repeat(part[-1], step))`). Empty input stays empty.
pub fn pad_with_last(values: &[f64], copies: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len() + copies);
    out.extend_from_slice(values);
    if let Some(&last) = values.last() {
        out.extend(std::iter::repeat_n(last, copies));
    }
    out
}

fn check_step(step: usize) -> Result<(), DataError> {
    if step == 0 {
        return Err(DataError::arg("step", 0, "a window length of at least 1"));
    }
    Ok(())
}

/// Converts to f32, rejecting values that are not finite there (f64 beyond ~3.4e38 overflows).
pub(crate) fn to_f32(values: &[f64], what: &'static str) -> Result<Vec<f32>, DataError> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let f = v as f32;
            if f.is_finite() {
                Ok(f)
            } else {
                Err(DataError::arg(
                    what,
                    format!("{} at position {i}", num(v)),
                    "values that are finite in f32 (|x| < 3.4e38); scale the series (minmax or standard)",
                ))
            }
        })
        .collect()
}
