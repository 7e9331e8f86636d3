//! The data settings from the flags: the `forecast` crate's [`DataConfig`] built from `--csv`,
//! the generator's flags and the window flags, over the settings a model was trained with (for
//! evaluate, predict and forecast).

use data::SineConfig;
use forecast::series::{CsvDialect, DataConfig, Source};

use crate::args::{DataArgs, SeriesArgs, SineArgs};
use crate::error::CliError;

/// [`DataConfig`] from the flags: the clap side of the `forecast` crate's settings.
pub trait DataConfigArgs: Sized {
    /// Settings from the flags; flags not given take their value from `saved` (the settings a
    /// model was trained with) or else the tutorial's. clap has already checked each value and
    /// the relations between the flags (`--csv` against the generator flags).
    fn from_args(args: &DataArgs, saved: Option<&DataConfig>) -> Result<Self, CliError>;
}

impl DataConfigArgs for DataConfig {
    fn from_args(args: &DataArgs, saved: Option<&DataConfig>) -> Result<Self, CliError> {
        let base = saved.cloned().unwrap_or_default();
        let s = &args.series;
        // A saved model keeps its covariates on another CSV too: it takes no other input.
        let features = match &s.features {
            Some(f) => f.0.clone(),
            None => base.features().to_vec(),
        };
        let source = match (&s.csv, base.source) {
            (Some(path), _) => Source::Csv {
                path: path.clone(),
                column: s.column.clone(),
                time_column: s.time_column.clone(),
                time_format: s.time_format.clone(),
                time_step: s.time_step,
                dialect: dialect_from_args(s, CsvDialect::default())?,
                features,
            },
            (None, Source::Generated(mut g)) => {
                apply_generator_flags(args, &mut g)?;
                Source::Generated(g)
            }
            // A saved CSV source stays unless a generator flag asks for the sine instead.
            (None, csv @ Source::Csv { .. }) if !generator_flag_given(args) => csv,
            (None, Source::Csv { .. }) => {
                let mut g = SineConfig::default();
                apply_generator_flags(args, &mut g)?;
                Source::Generated(g)
            }
        };
        let mut windows = base.windows;
        let split_given = base.split_given || args.split.is_some();
        windows.split = args.split.unwrap_or(windows.split);
        windows.step = s.step.unwrap_or(windows.step);
        windows.layout = s.layout.unwrap_or(windows.layout);
        windows.scale = s.scale.unwrap_or(windows.scale);
        windows.pad &= !s.no_pad;
        let mut differencing = base.differencing;
        differencing.order = s.diff.unwrap_or(differencing.order);
        differencing.seasonal = s.seasonal_diff.or(differencing.seasonal);
        Ok(DataConfig {
            source,
            windows,
            split_given,
            differencing,
            season: s.season.or(base.season),
        })
    }
}

/// The dialect the flags give over `base`; a delimiter equal to the decimal separator is an
/// error naming both flags.
pub fn dialect_from_args(args: &SeriesArgs, base: CsvDialect) -> Result<CsvDialect, CliError> {
    let d = CsvDialect {
        delimiter: args.delimiter.unwrap_or(base.delimiter),
        decimal: args.decimal.unwrap_or(base.decimal),
        missing: args.missing.unwrap_or(base.missing),
    };
    if d.delimiter == d.decimal {
        let c = char::from(d.decimal);
        return Err(CliError::Usage(format!(
            "--decimal '{c}' is also the field delimiter (--delimiter '{c}'{}): pass \
             --delimiter semicolon (or tab) with decimal commas",
            if args.delimiter.is_none() {
                ", the default"
            } else {
                ""
            }
        )));
    }
    Ok(d)
}

/// Whether a flag of the generated sine was given (they cannot be combined with `--csv`).
fn generator_flag_given(args: &DataArgs) -> bool {
    args.sine != SineArgs::default() || args.data_seed.is_some()
}

/// Sets the generator's fields that were given and checks the whole generator config.
fn apply_generator_flags(args: &DataArgs, g: &mut SineConfig) -> Result<(), CliError> {
    let s = &args.sine;
    g.n = s.n.unwrap_or(g.n);
    g.freq = s.freq.unwrap_or(g.freq);
    g.amplitude = s.amplitude.unwrap_or(g.amplitude);
    g.noise = s.noise.unwrap_or(g.noise);
    g.noise_amplitude = s.noise_amplitude.unwrap_or(g.noise_amplitude);
    g.seed = args.data_seed.unwrap_or(g.seed);
    g.validate().map_err(|e| CliError::Usage(e.to_string()))
}
