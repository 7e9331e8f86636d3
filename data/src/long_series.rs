//! One series of a long file from its rows: sorted by time, duplicate times refused, put on its
//! regular step when it has one (through [`fill_on_axis`](crate::fill_on_axis)) and otherwise
//! kept by row with a note saying why it has no axis.

use crate::covariates::split_rows;
use crate::csv_rows::excerpt;
use crate::long::LongSeries;
use crate::missing::{Filled, MissingPolicy, fill_missing, fill_missing_rows};
use crate::time::{TimeFormat, TimeStep, TimeValue};
use crate::time_gaps::{TimeGridOptions, fill_on_axis_rows};
use crate::{DataError, Series};

/// One row of a series: its line, its time (with a time column) and the time cell's trimmed
/// text, its value and its covariates' values (`None` for a missing value the policy will
/// handle).
pub(crate) struct Observation {
    pub(crate) line: u64,
    pub(crate) time: Option<TimeValue>,
    pub(crate) label: String,
    pub(crate) value: Option<f64>,
    /// One cell per [`SeriesContext::features`] (empty without covariates, so no allocation).
    pub(crate) features: Vec<Option<f64>>,
}

/// What every series of a file shares.
pub(crate) struct SeriesContext {
    /// The time column's format; `None` without a time column.
    pub(crate) format: Option<TimeFormat>,
    /// The given step, or `None` to infer each series' own.
    pub(crate) step: Option<TimeStep>,
    pub(crate) missing: MissingPolicy,
    /// Most rows of one series once its missing rows are inserted.
    pub(crate) max_rows: usize,
    /// The value column's header, for [`Series::name`].
    pub(crate) value_name: Option<String>,
    /// The time column's header, for [`Series::time_name`].
    pub(crate) time_name: Option<String>,
    /// The covariates' names, in the order of [`Observation::features`].
    pub(crate) features: Vec<String>,
}

impl SeriesContext {
    /// Cells per row: the value and each covariate.
    fn width(&self) -> usize {
        1 + self.features.len()
    }
}

/// Builds the series `id` from its rows (in file order).
pub(crate) fn assemble(
    id: String,
    mut rows: Vec<Observation>,
    context: &SeriesContext,
) -> Result<LongSeries, DataError> {
    let Some(format) = &context.format else {
        let f = by_row(&row_cells(&rows), None, context)?;
        let series = named(build(f.values, context)?.with_missing(f.counts), context);
        return Ok(LongSeries {
            id,
            series,
            axis_note: None,
        });
    };
    // Stable on equal times, so a duplicate reports its lines in file order.
    rows.sort_by(|a, b| a.time.cmp(&b.time).then(a.line.cmp(&b.line)));
    if let Some(pair) = rows.windows(2).find(|w| w[0].time == w[1].time) {
        return Err(duplicate(&id, &pair[0], &pair[1]));
    }
    let cells = row_cells(&rows);
    let labels: Vec<String> = rows.into_iter().map(|r| r.label).collect();
    let grid = TimeGridOptions {
        format: Some(format.clone()),
        step: context.step,
    };
    let (series, axis_note) = match fill_on_axis_rows(
        &cells,
        context.width(),
        &labels,
        &grid,
        context.missing,
        context.max_rows,
    ) {
        Ok(on) => {
            let series = build(on.values, context)?
                .with_missing(on.counts)
                .with_times(on.times)?
                .with_axis(on.axis);
            (series, None)
        }
        // Every time error of a series whose cells all parsed in the column's format says
        // why its times are not one regular step (or cannot be put on it): that series
        // loses its axis, not the file.
        Err(DataError::Time { message }) => {
            let Filled {
                values,
                times,
                counts,
            } = by_row(&cells, Some(&labels), context)?;
            let series = build(values, context)?
                .with_missing(counts)
                .with_times(times.unwrap_or_default())?;
            (series, Some(message))
        }
        Err(other) => return Err(other),
    };
    let mut series = named(series, context);
    if let Some(name) = &context.time_name {
        series = series.with_time_name(name.clone());
    }
    Ok(LongSeries {
        id,
        series,
        axis_note,
    })
}

/// The rows' cells, row-major: each row's value, then its covariates.
fn row_cells(rows: &[Observation]) -> Vec<Option<f64>> {
    rows.iter()
        .flat_map(|r| std::iter::once(r.value).chain(r.features.iter().copied()))
        .collect()
}

/// The policy by row (no axis) over row-major `cells`: [`fill_missing`] for the value alone,
/// [`fill_missing_rows`] with covariates, as the single-series reader does.
fn by_row(
    cells: &[Option<f64>],
    labels: Option<&[String]>,
    context: &SeriesContext,
) -> Result<Filled, DataError> {
    if context.features.is_empty() {
        return fill_missing(cells, labels, context.missing);
    }
    let f = fill_missing_rows(cells, context.width(), labels, context.missing)?;
    Ok(Filled {
        values: f.values,
        times: f.times,
        counts: f.counts,
    })
}

/// The series of kept rows (row-major: the value, then each covariate).
fn build(rows: Vec<f64>, context: &SeriesContext) -> Result<Series, DataError> {
    if context.features.is_empty() {
        return Ok(Series::new(rows));
    }
    let (values, covariates) = split_rows(&rows, context.features.clone());
    Series::new(values).with_covariates(covariates)
}

fn named(series: Series, context: &SeriesContext) -> Series {
    match &context.value_name {
        Some(name) => series.with_name(name.clone()),
        None => series,
    }
}

/// The error for two rows of series `id` at the same time.
fn duplicate(id: &str, a: &Observation, b: &Observation) -> DataError {
    let id = excerpt(id);
    let (ta, tb) = (excerpt(&a.label), excerpt(&b.label));
    let message = if ta == tb {
        format!(
            "series '{id}' has time '{ta}' twice, on CSV lines {} and {}",
            a.line, b.line
        )
    } else {
        format!(
            "series '{id}' has one time twice: '{ta}' on CSV line {} and '{tb}' on CSV line {}",
            a.line, b.line
        )
    };
    DataError::Time { message }
}
