//! The frame every plot shares: a caption, two value axes with a light mesh, tick labels and
//! axis titles, and the legend box. One place, so the plots keep one look and a change of
//! margins or fonts reaches them all.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::plot::{FAMILY, plot_err};
use crate::plot_axis::{XLabels, y_label_area, y_tick_label};

/// A chart over `f64` x and y, as [`chart`] builds it.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Text sizes and margins of a chart, in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    /// Caption text.
    pub caption: u32,
    /// Tick labels and legend text.
    pub label: u32,
    /// Axis titles.
    pub axis: u32,
    /// Margin on the top, bottom and left of the chart.
    pub margin: u32,
    /// Margin on the right, room for the half of the last x label that extends past the plot.
    pub margin_right: u32,
    /// Height of the x tick labels and the x axis title.
    pub x_label_area: u32,
    /// Most y tick labels of a chart over series indices.
    pub y_labels: usize,
}

/// A chart filling a whole canvas.
pub(crate) const FULL: Look = Look {
    caption: 28,
    label: 18,
    axis: 20,
    margin: 20,
    margin_right: 64,
    x_label_area: 56,
    y_labels: 11,
};

/// A chart sharing its canvas with others (the panels of the many-series plot).
pub(crate) const SMALL: Look = Look {
    caption: 20,
    label: 14,
    axis: 16,
    margin: 8,
    margin_right: 48,
    x_label_area: 44,
    y_labels: 5,
};

/// What the frame shows: the ranges, the tick labels and the axis titles.
pub(crate) struct Frame<'a> {
    /// Caption above the chart.
    pub caption: &'a str,
    /// The x range, in the chart's x units.
    pub x: Range<f64>,
    /// The y range, in the chart's y units.
    pub y: Range<f64>,
    /// Title of the x axis.
    pub x_desc: String,
    /// Most x tick labels to draw.
    pub x_labels: usize,
    /// The x tick label at a value.
    pub x_label: Box<dyn Fn(f64) -> String + 'a>,
    /// Title of the y axis.
    pub y_desc: &'a str,
    /// Most y tick labels to draw.
    pub y_labels: usize,
    /// The y tick label at a value.
    pub y_label: Box<dyn Fn(f64) -> String + 'a>,
    /// Sizes and margins.
    pub look: Look,
}

/// The frame of a chart over series indices `width` pixels wide: x labels from `xl` (times or
/// indices), y labels with the decimals the range needs, the series' name as the y title.
pub(crate) fn index_frame<'a>(
    caption: &'a str,
    x: Range<f64>,
    y: Range<f64>,
    xl: &'a XLabels,
    value_name: &'a str,
    look: Look,
    width: u32,
) -> Frame<'a> {
    let (y0, y1) = (y.start, y.end);
    Frame {
        caption,
        x,
        y,
        x_desc: xl.title(),
        x_labels: xl.count(width),
        x_label: Box::new(move |x| xl.label(x)),
        y_desc: value_name,
        y_labels: look.y_labels,
        y_label: Box::new(move |y| y_tick_label(y, y0, y1)),
        look,
    }
}

/// Builds the chart of `frame` on `root` and draws its mesh, labels and axis titles.
pub(crate) fn chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    frame: &Frame,
) -> Result<Chart<'a, DB>, String> {
    let look = frame.look;
    let (y0, y1) = (frame.y.start, frame.y.end);
    let mut chart = ChartBuilder::on(root)
        .caption(frame.caption, (FAMILY, look.caption))
        .margin(look.margin)
        .margin_right(look.margin_right)
        .x_label_area_size(look.x_label_area)
        .y_label_area_size(y_label_area(root, FAMILY, look.label, y0, y1))
        .build_cartesian_2d(frame.x.clone(), frame.y.clone())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(&frame.x_desc)
        .x_labels(frame.x_labels)
        .x_label_formatter(&|x| (frame.x_label)(*x))
        .y_labels(frame.y_labels)
        .y_label_formatter(&|y| (frame.y_label)(*y))
        .y_desc(frame.y_desc)
        .label_style((FAMILY, look.label))
        .axis_desc_style((FAMILY, look.axis))
        .light_line_style(WHITE)
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(plot_err)?;
    Ok(chart)
}

/// The legend's sample of a line in `color`.
pub(crate) fn legend_line(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
}

/// Draws the legend of the labelled series in the upper left corner, text at `size` pixels.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    size: u32,
) -> Result<(), String> {
    draw_legend_at(chart, size, SeriesLabelPosition::UpperLeft)
}

/// [`draw_legend`] in the corner `position` (a plot whose left part holds a label of its own).
pub(crate) fn draw_legend_at<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    size: u32,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FAMILY, size))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(plot_err)
}

/// Draws a dashed vertical line at `x` across the y range `y` (an origin or a split).
pub(crate) fn dashed_vline<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    x: f64,
    y: Range<f64>,
    style: ShapeStyle,
) -> Result<(), String> {
    chart
        .draw_series(DashedLineSeries::new(
            [(x, y.start), (x, y.end)],
            6,
            4,
            style,
        ))
        .map(|_| ())
        .map_err(plot_err)
}
