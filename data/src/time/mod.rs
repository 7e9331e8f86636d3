//! Time columns: parsing dates, date-times and numbers ([`TimeFormat`], [`parse_times`]), an
//! ordered time value ([`TimeValue`]), the regular step ([`TimeStep`], [`infer_step`]), missing
//! rows ([`missing_rows`], [`gap_error`]) and a regular axis that gives future times
//! ([`TimeAxis`]).
//!
//! Dates and calendar arithmetic are jiff's (civil dates and date-times, no time zones):
//!
//! ```
//! use data::time::{TimeAxis, TimeStep};
//!
//! let labels: Vec<String> = ["2020-01-31", "2020-02-29", "2020-03-31"].map(String::from).into();
//! let (axis, _, gaps) = TimeAxis::read(&labels, None, None)?;
//! assert_eq!(axis.step, TimeStep::Months(1)); // month ends, a calendar step
//! assert!(gaps.is_empty());
//! assert_eq!(axis.label(3)?, "2020-04-30");
//! # Ok::<(), data::DataError>(())
//! ```

mod format;
mod grid;
mod step;
mod value;

pub use format::{DETECTED_FORMATS, TimeFormat, parse_times};
pub use grid::{Gap, TimeAxis, gap_error, missing_rows};
pub use step::{STEP_FORMS, TimeStep, all_month_ends, infer_step};
pub use value::TimeValue;
