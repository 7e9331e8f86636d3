//! `model.summary()` text in Keras 3.15's exact format (docs/keras-semantics.md, A.8,
//! `keras/src/utils/summary_utils.py` rendered by `rich` with `show_lines=True`).
//!
//! The model calls [`render_summary`] with one [`SummaryRow`] per layer and the parameter
//! totals; this module knows nothing about layers.

use crate::error::{NnError, Result};

/// Keras's default line length (it uses `min(88, terminal columns − 4)`).
pub const SUMMARY_LINE_LENGTH: usize = 88;

/// Column boundaries of a Sequential summary, as fractions of the line length.
const POSITIONS: [f64; 3] = [0.45, 0.80, 1.0];

/// One table row: a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Layer name, e.g. `simple_rnn`.
    pub name: String,
    /// Class name, e.g. `SimpleRNN`.
    pub class_name: String,
    /// Output shape text, e.g. `(None, 32)` (see [`format_shape`]); `None` = unbuilt (`?`).
    pub output_shape: Option<String>,
    /// Parameter count; `None` = unbuilt (`0 (unbuilt)`).
    pub params: Option<u64>,
}

/// A parameter count and its memory size in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParamSize {
    /// Number of scalars.
    pub count: u64,
    /// Bytes they occupy.
    pub bytes: u64,
}

impl ParamSize {
    /// `count` f32 values (4 bytes each).
    pub fn f32s(count: u64) -> Self {
        ParamSize {
            count,
            bytes: 4 * count,
        }
    }

    /// Optimizer variables as Keras counts them: `slot_count` f32 slot values plus the int64
    /// iteration counter (8 bytes) and the f32 learning rate (4 bytes).
    pub fn optimizer(slot_count: u64) -> Self {
        ParamSize {
            count: slot_count + 2,
            bytes: 4 * slot_count + 8 + 4,
        }
    }
}

/// The footer figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryTotals {
    /// Trainable weights.
    pub trainable: ParamSize,
    /// Non-trainable weights.
    pub non_trainable: ParamSize,
    /// Optimizer variables, once the optimizer is built (after `fit`); adds a line and counts
    /// in `Total params`.
    pub optimizer: Option<ParamSize>,
}

/// Python's repr of a shape tuple with the batch as `None`: `(None, 32)`, `(None, 4, 1)`,
/// `(None,)`.
pub fn format_shape(dims: &[Option<usize>]) -> String {
    let parts: Vec<String> = dims
        .iter()
        .map(|d| d.map_or_else(|| "None".to_string(), |v| v.to_string()))
        .collect();
    if parts.len() == 1 {
        format!("({},)", parts[0])
    } else {
        format!("({})", parts.join(", "))
    }
}

/// `f"{n:,}"`: thousands separated by commas.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Keras `readable_memory_size`: bytes divided by 1024 until below 1024, `{:.2f} B|KB|MB|...`.
pub fn readable_memory_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut size = bytes as f64;
    for unit in UNITS {
        if size / 1024.0 < 1.0 {
            return format!("{size:.2} {unit}");
        }
        size /= 1024.0;
    }
    format!("{size:.2} {}", UNITS[UNITS.len() - 1])
}

/// Python's `round` (half to even) for the non-negative values `ratio_reduce` sees.
fn round_half_even(x: f64) -> i64 {
    let f = x.floor();
    let diff = x - f;
    let r = if diff > 0.5 || (diff == 0.5 && f % 2.0 != 0.0) {
        f + 1.0
    } else {
        f
    };
    r as i64
}

/// rich's `ratio_reduce`: takes `total` cells away from `values`, spread by `ratios`.
fn ratio_reduce(total: i64, ratios: &[i64], maximums: &[i64], values: &[i64]) -> Vec<i64> {
    let ratios: Vec<i64> = ratios
        .iter()
        .zip(maximums)
        .map(|(&r, &m)| if m != 0 { r } else { 0 })
        .collect();
    let mut total_ratio: i64 = ratios.iter().sum();
    if total_ratio == 0 {
        return values.to_vec();
    }
    let mut remaining = total;
    let mut out = Vec::with_capacity(values.len());
    for ((&r, &m), &v) in ratios.iter().zip(maximums).zip(values) {
        if r != 0 && total_ratio > 0 {
            let d = m.min(round_half_even(
                r as f64 * remaining as f64 / total_ratio as f64,
            ));
            out.push(v - d);
            remaining -= d;
            total_ratio -= r;
        } else {
            out.push(v);
        }
    }
    out
}

/// Cell widths (padding included) for a table of `line_length` characters, as rich computes
/// them for Keras's fixed-width columns in a fixed-width table.
fn column_widths(line_length: usize) -> Result<Vec<usize>> {
    let mut widths = Vec::with_capacity(3);
    let mut current = 0i64;
    for p in POSITIONS {
        let w = (p * line_length as f64) as i64 - current;
        if w < 4 {
            return Err(NnError::invalid(
                "line_length",
                line_length,
                "a line length of at least 20 characters (insufficient width for the summary)",
            ));
        }
        widths.push(w + 2); // rich adds the cell padding (one space each side)
        current += w;
    }
    let max_width = line_length as i64 - 4; // two outer edges and two column separators
    let sum: i64 = widths.iter().sum();
    if sum > max_width {
        widths = ratio_reduce(sum - max_width, &[1, 1, 1], &widths, &widths);
    }
    Ok(widths.into_iter().map(|w| w as usize).collect())
}

/// Wraps `text` into lines of at most `width` characters, at spaces when possible (rich's
/// folding), breaking words longer than a line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        let line_len = line.chars().count();
        if !line.is_empty() && line_len + 1 + word.len() <= width {
            line.push(' ');
            line.extend(word.iter());
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word[..width].iter().collect());
            word.drain(..width);
        }
        line.extend(word.iter());
    }
    lines.push(line);
    lines
}

fn pad(text: &str, width: usize, right: bool) -> String {
    let n = text.chars().count();
    let fill = " ".repeat(width.saturating_sub(n));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// Renders the cells of one logical row (possibly several lines) with `sep` between cells.
fn render_row(out: &mut String, cells: [&str; 3], widths: &[usize], sep: [char; 3]) {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| wrap(c, w - 2))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    for line in 0..height {
        out.push(sep[0]);
        for (i, w) in widths.iter().enumerate() {
            let text = wrapped[i].get(line).map_or("", String::as_str);
            out.push(' ');
            out.push_str(&pad(text, w - 2, i == 2));
            out.push(' ');
            out.push(if i == 2 { sep[2] } else { sep[1] });
        }
        out.push('\n');
    }
}

fn rule(out: &mut String, widths: &[usize], chars: [char; 4]) {
    out.push(chars[0]);
    for (i, w) in widths.iter().enumerate() {
        out.extend(std::iter::repeat_n(chars[1], *w));
        out.push(if i + 1 == widths.len() {
            chars[3]
        } else {
            chars[2]
        });
    }
    out.push('\n');
}

/// The complete `model.summary()` text (every line ends with `\n`), for a table of
/// `line_length` characters ([`SUMMARY_LINE_LENGTH`] for Keras's default).
pub fn render_summary(
    model_name: &str,
    rows: &[SummaryRow],
    totals: &SummaryTotals,
    line_length: usize,
) -> Result<String> {
    let widths = column_widths(line_length)?;
    let mut out = format!("Model: \"{model_name}\"\n");
    rule(&mut out, &widths, ['┏', '━', '┳', '┓']);
    render_row(
        &mut out,
        ["Layer (type)", "Output Shape", "Param #"],
        &widths,
        ['┃', '┃', '┃'],
    );
    rule(&mut out, &widths, ['┡', '━', '╇', '┩']);
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            rule(&mut out, &widths, ['├', '─', '┼', '┤']);
        }
        let name = format!("{} ({})", row.name, row.class_name);
        let shape = row.output_shape.as_deref().unwrap_or("?");
        let params = row
            .params
            .map_or_else(|| "0 (unbuilt)".to_string(), thousands);
        render_row(&mut out, [&name, shape, &params], &widths, ['│', '│', '│']);
    }
    rule(&mut out, &widths, ['└', '─', '┴', '┘']);
    let mut total = ParamSize {
        count: totals.trainable.count + totals.non_trainable.count,
        bytes: totals.trainable.bytes + totals.non_trainable.bytes,
    };
    if let Some(o) = totals.optimizer {
        total.count += o.count;
        total.bytes += o.bytes;
    }
    let line = |out: &mut String, label: &str, p: ParamSize| {
        out.push_str(&format!(
            " {label}: {} ({})\n",
            thousands(p.count),
            readable_memory_size(p.bytes)
        ));
    };
    line(&mut out, "Total params", total);
    line(&mut out, "Trainable params", totals.trainable);
    line(&mut out, "Non-trainable params", totals.non_trainable);
    if let Some(o) = totals.optimizer {
        line(&mut out, "Optimizer params", o);
    }
    Ok(out)
}
