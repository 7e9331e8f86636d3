//! Command-line flags (clap derive). Every value is parsed once, here, into the type the
//! library uses ([`crate::parsers`]); relations between flags are clap's `requires` and
//! `conflicts_with`, so a conflict is one line naming both flags, with exit status 2.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use data::time::{TimeFormat, TimeStep};
use data::{Column, Layout, LongDependencyKind, MissingPolicy, NoiseKind, ScaleKind, SplitAt};
use nn::{Activation, Loss, OptimizerConfig};

use crate::parsers::{
    DenseSizes, FeatureColumns, WindowValues, activation, decimal, delimiter, dense_sizes,
    diff_order, feature_columns, finite, fraction, horizon, loss, optimizer, positive, rate,
    season, step, threads, time_format, time_step, units, whole_at_least_one, whole_at_least_two,
    window_values,
};
use crate::run_config::PlotFormat;
use forecast::spec::Cell;

/// Where recur deliberately differs from Keras (shown in `--help`).
pub const DIFFERENCES: &str = "\
Deliberate differences from Keras:
  - Out-of-range dropout rates (below 0 or above 1) are rejected instead of silently clamped,
    and so is a rate of exactly 1 on LSTM or GRU (Keras's gated cells silently ignore it).
  - A NaN/inf loss stops fit with an error naming the epoch and step, exit status 1 (try a
    lower --learning-rate, --clipnorm or --activation tanh: relu recurrent layers explode easily).
  - 'train score' is model.evaluate on the training windows after fit; the epoch 'loss' is fit's
    running mean of batch losses, as Keras prints it. They are different numbers.
Exit status: 0 success, 1 failure while running, 2 bad input (nothing is written).";

/// recur: small recurrent networks on time series, Keras-faithful.
#[derive(Parser, Debug)]
#[command(name = "recur", version, allow_negative_numbers = true, after_help = DIFFERENCES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a model; with no flags, reproduces the tutorial (SimpleRNN(32, relu) -> Dense(8,
    /// relu) -> Dense(1) on a noisy sine, T = 900, step 4, 50 epochs).
    #[command(allow_negative_numbers = true, after_help = DIFFERENCES)]
    Train(Box<TrainArgs>),
    /// Evaluate a saved model on the train and test windows of its series (or of --csv).
    #[command(allow_negative_numbers = true)]
    Evaluate(EvaluateArgs),
    /// Predict the next value after the series (or after --window v1,v2,...).
    #[command(allow_negative_numbers = true)]
    Predict(PredictArgs),
    /// Multi-step forecast of --horizon values after the end of the series: recursive for a
    /// one-step model, by blocks of H for a model trained with --horizon H.
    #[command(allow_negative_numbers = true)]
    Forecast(ForecastArgs),
    /// Rolling-origin backtest of a saved model: from K origins at the end of the series
    /// (expanding history; the saved weights, or --refit per fold) forecast the next H values, beside persistence, the
    /// seasonal naive forecast (--season) and the mean of the last window; per-fold, per-step
    /// and overall MSEs in series units, backtest.csv and a plot of the folds. A many-series
    /// model backtests every series of its long --csv file (--refit: local models only),
    /// pooled over the series: backtest.csv, backtest_series.csv, no plot.
    #[command(allow_negative_numbers = true)]
    Backtest(BacktestArgs),
    /// Print the Keras summary table of a saved model.
    #[command(allow_negative_numbers = true)]
    Summary(SummaryArgs),
    /// Rewrite a model file of an older recur in the current format (a checksum over every
    /// byte), in place; a current file is left as it is.
    Upgrade(UpgradeArgs),
}

/// The flags that only a series has (not a `--task`): its file and its windows. clap names
/// this group `SeriesArgs`, which `--task` conflicts with. (clap leaves the group of a struct
/// with a flattened field empty, so the sine's flags are a sibling group, not nested here.)
#[derive(Args, Debug, Clone, Default)]
pub struct SeriesArgs {
    /// Read the series from this CSV file instead of generating the tutorial's sine.
    #[arg(long, conflicts_with = "SineArgs", value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// CSV value column by header name or 0-based index [default: the only or last numeric one].
    #[arg(
        long,
        requires = "csv",
        allow_hyphen_values = true,
        value_name = "NAME|INDEX"
    )]
    pub column: Option<Column>,
    /// CSV column of times (dates, date-times or numbers): parsed, its regular step inferred or
    /// given with --time-step; plots get a time axis, predictions.csv the time of each row,
    /// predict and forecast the future times.
    #[arg(
        long,
        requires = "csv",
        allow_hyphen_values = true,
        value_name = "NAME|INDEX"
    )]
    pub time_column: Option<Column>,
    /// Covariates: CSV columns (header names or 0-based indices, comma-separated) fed to the
    /// model beside the value column as extra input channels. Each window holds their values
    /// at its own time steps (past covariates), so windows are (N, step, 1 + F) in the
    /// sequence layout, (N, 1, step * (1 + F)) time-major in the tutorial layout. Each is
    /// scaled on the training part (--scale's kind; standardised with --scale none).
    /// evaluate, predict and forecast use the model's own; forecasting more values than the
    /// model outputs at once needs their future values (forecast --future-csv).
    #[arg(
        long,
        requires = "csv",
        allow_hyphen_values = true,
        value_parser = feature_columns,
        value_name = "COL,COL..."
    )]
    pub features: Option<FeatureColumns>,
    /// Format of the time column, strftime-style (for example %d.%m.%Y or %m/%d/%Y %H:%M)
    /// [default: detected from its first cell: a number, YYYY-MM-DD, YYYY/MM/DD, YYYY-MM,
    /// YYYYQn or an ISO 8601 date-time].
    #[arg(long, requires = "time_column", allow_hyphen_values = true, value_parser = time_format, value_name = "FORMAT")]
    pub time_format: Option<TimeFormat>,
    /// Regular step of the time column: 1d, 7d, 2w, 1mo, 3mo, 1q, 1y, 1h, 15min, 30s, or a
    /// number for numeric times [default: inferred, the most common difference]. Months and
    /// years are calendar steps. Missing rows on the step go through --missing.
    #[arg(long, requires = "time_column", allow_hyphen_values = true, value_parser = time_step, value_name = "STEP")]
    pub time_step: Option<TimeStep>,
    /// CSV field delimiter: comma, semicolon, tab, pipe, space, or one ASCII character (not a
    /// letter, digit, '.', '+', '-' or '"') [default: comma]; must differ from --decimal.
    #[arg(long, requires = "csv", value_parser = delimiter, value_name = "CHAR|NAME")]
    pub delimiter: Option<u8>,
    /// Decimal separator of the CSV's numbers: '.' or ',' [default: '.']. With ',' pass
    /// another --delimiter (semicolon, tab...); a number holding a '.' is then refused.
    #[arg(long, requires = "csv", value_parser = decimal, value_name = ".|,")]
    pub decimal: Option<u8>,
    /// Missing values in the value column (an empty cell, NA, N/A, NaN, null or None) and,
    /// with --time-column, missing rows on its regular step: error (refuse, naming the line or
    /// the first gap), drop (leave the row out; with --time-column only at the start and end,
    /// since rows dropped inside would leave windows spanning unequal times), ffill (carry the
    /// last value forward; a leading gap is dropped) or interpolate (a straight line between
    /// the values either side, by time with --time-column, else by row; leading and trailing
    /// gaps are dropped) [default: error]. Missing rows are inserted with their times. The
    /// counts filled, dropped and inserted are reported.
    #[arg(long, requires = "csv", value_name = "error|drop|ffill|interpolate")]
    pub missing: Option<MissingPolicy>,
    /// Train on differences of the series: 1 (`y[t] - y[t-1]`, removes a linear trend) or 2.
    /// Predictions, forecasts, plots and the observed scores are turned back into series
    /// units; evaluate, predict and forecast take the model's own (another value is an error).
    #[arg(long, value_parser = diff_order, value_name = "1|2")]
    pub diff: Option<usize>,
    /// Train on seasonal differences `y[t] - y[t-M]` (after --diff, if given), inverted like
    /// --diff; evaluate, predict and forecast take the model's own.
    #[arg(long, value_parser = season, value_name = "M")]
    pub seasonal_diff: Option<usize>,
    /// Season length M of the seasonal naive baseline (`y[t-M]`), scored beside persistence on
    /// the observed test targets by train and evaluate (an error with predict and forecast,
    /// which score nothing) [default: none; the baseline is then not computed].
    #[arg(long, value_parser = season, value_name = "M")]
    pub season: Option<usize>,
    /// Window length (values per input), at most 100000 [default: 4]. evaluate, predict and
    /// forecast take the model's own; another value is an error.
    #[arg(long, value_parser = step, value_name = "STEP")]
    pub step: Option<usize>,
    /// Window layout: tutorial (N, 1, step) or sequence (N, step, 1) [default: tutorial];
    /// evaluate, predict and forecast take the model's own (another is an error).
    #[arg(long, value_name = "tutorial|sequence")]
    pub layout: Option<Layout>,
    /// Scaling fitted on the training part: none, minmax or standard [default: none];
    /// evaluate, predict and forecast use the model's saved scaling (another is an error).
    #[arg(long, value_name = "none|minmax|standard")]
    pub scale: Option<ScaleKind>,
    /// Do not pad each part with `step` copies of its last value (the tutorial pads). Allowed
    /// with a saved model: it only changes which windows are scored, not the model's numbers.
    #[arg(long)]
    pub no_pad: bool,
}

/// The generated sine's flags (none of them with `--csv`). A field is `None` exactly when its
/// flag was not given, so `SineArgs::default()` means "no generator flag".
#[derive(Args, Debug, Clone, Default, PartialEq)]
pub struct SineArgs {
    /// Number of points generated [default: 2000].
    #[arg(long, value_parser = whole_at_least_one, value_name = "N")]
    pub n: Option<usize>,
    /// Angular frequency of the generated sine, radians per step [default: 0.02].
    #[arg(long, allow_hyphen_values = true, value_parser = finite, value_name = "F")]
    pub freq: Option<f64>,
    /// Amplitude of the generated sine [default: 1].
    #[arg(long, allow_hyphen_values = true, value_parser = finite, value_name = "A")]
    pub amplitude: Option<f64>,
    /// Noise of the generated series: uniform (a*U[0,1)), gaussian (sd a) or none [default: uniform].
    #[arg(long, value_name = "KIND")]
    pub noise: Option<NoiseKind>,
    /// Noise amplitude a [default: 1].
    #[arg(long, allow_hyphen_values = true, value_parser = finite, value_name = "A")]
    pub noise_amplitude: Option<f64>,
}

/// Where the series comes from and how it becomes windows. Unset flags take the value saved with
/// the model (for evaluate/predict/forecast) or the tutorial's.
#[derive(Args, Debug, Clone, Default)]
pub struct DataArgs {
    /// Source and window flags.
    #[command(flatten)]
    pub series: SeriesArgs,
    /// Flags of the generated sine.
    #[command(flatten)]
    pub sine: SineArgs,
    /// Seed of the generated noise [default: 0]; with --task, of the sequences [default: --seed].
    #[arg(long, conflicts_with = "csv", value_name = "SEED")]
    pub data_seed: Option<u64>,
    /// Split point T: an index, or a fraction below 1 [default: 900; with --task 0.8].
    #[arg(long, allow_hyphen_values = true, value_name = "T")]
    pub split: Option<SplitAt>,
}

/// Flags shared by every subcommand.
#[derive(Args, Debug, Clone, Default)]
pub struct CommonArgs {
    /// Worker threads, at most 4 per available core [default: RAYON_NUM_THREADS if set, else
    /// all cores].
    #[arg(long, value_parser = threads, value_name = "N")]
    pub threads: Option<usize>,
    /// Print one JSON object on stdout instead of the human text.
    #[arg(long)]
    pub json: bool,
}

/// Where outputs go.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output folder (reused if it exists; its files are replaced atomically).
    #[arg(long, value_name = "DIR", default_value = "recur-out")]
    pub out: PathBuf,
    /// Plot image format.
    #[arg(long, value_enum, ignore_case = true, default_value_t = PlotFormat::Png)]
    pub plot_format: PlotFormat,
}

/// `recur train`.
#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// Series and window flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Train on a built-in long-dependency task instead of a series: sequences of lag + 1 steps
    /// of 2 features (a value in [-1, 1) and a marker); `recall`: the target is the value marked
    /// `lag` steps before the end; `adding`: the sum of two marked values, the first `lag` steps
    /// before the end. Reports the test mse and the predict-the-mean baseline; writes the model
    /// and predictions.csv (no plot). Not with --csv, the generator or window flags; --split
    /// is the training share [default: 0.8]; --data-seed seeds the data [default: --seed].
    #[arg(
        long,
        conflicts_with_all = ["SeriesArgs", "SineArgs", "plot_format"],
        value_name = "recall|adding"
    )]
    pub task: Option<LongDependencyKind>,
    /// Lag of --task, in steps [default: 50].
    #[arg(long, requires = "task", value_parser = whole_at_least_one, value_name = "L")]
    pub lag: Option<usize>,
    /// Number of sequences of --task, training and test together [default: 4000].
    #[arg(long, requires = "task", value_parser = whole_at_least_two, value_name = "N")]
    pub count: Option<usize>,
    /// Long format: the CSV column of series ids (name or 0-based index). Each id is one
    /// series, sorted by --time-column; the split applies within each series [default split
    /// with it: 0.8]. One model per series (local, in parallel), or one for all with --global.
    /// --diff, --seasonal-diff, --season, --horizon and --interval apply to each series (a
    /// series whose training part is not longer than the season, too short after
    /// differencing or for --horizon's targets, or too short to give --interval's residuals,
    /// is skipped). --features reads covariates beside each series' values, scaled on each
    /// series' own training part (forecast then needs their future values as a long-format
    /// --future-csv).
    #[arg(
        long,
        requires = "csv",
        conflicts_with = "task",
        allow_hyphen_values = true,
        value_name = "NAME|INDEX"
    )]
    pub id_column: Option<Column>,
    /// With --id-column: one global model trained on the windows of every series, each scaled
    /// on its own training part (--scale standard by default), instead of one model per series.
    #[arg(long, requires = "id_column")]
    pub global: bool,
    /// Recurrent cell: simple (SimpleRNN), lstm (LSTM) or gru (GRU, Keras 3's reset_after form).
    #[arg(long, value_enum, ignore_case = true, default_value_t = Cell::Simple)]
    pub cell: Cell,
    /// Units of the recurrent layer, at most 65536 (and the model must fit in memory).
    #[arg(long, value_parser = units, default_value = "32")]
    pub units: usize,
    /// Activation of the recurrent layer (a Keras activation name); relu is the tutorial's for
    /// every cell, tanh is Keras's default.
    #[arg(long, value_parser = activation, default_value = "relu", value_name = "NAME")]
    pub activation: Activation,
    /// Activation of the gates of LSTM and GRU [default: sigmoid, Keras's]; not for --cell simple.
    #[arg(long, value_parser = activation, value_name = "NAME")]
    pub recurrent_activation: Option<Activation>,
    /// Input dropout rate of the recurrent layer, in [0, 1] (Keras's `dropout`: one mask per
    /// batch, reused at every step; training only) [default: 0].
    #[arg(long, allow_hyphen_values = true, value_parser = rate, value_name = "RATE")]
    pub dropout: Option<f32>,
    /// Recurrent dropout rate of the recurrent layer, in [0, 1] (Keras's `recurrent_dropout`, on
    /// the state in the recurrent product; LSTM and GRU then draw one mask per gate, as Keras 3
    /// does) [default: 0].
    #[arg(long, allow_hyphen_values = true, value_parser = rate, value_name = "RATE")]
    pub recurrent_dropout: Option<f32>,
    /// Hidden Dense sizes (relu) as a comma list, or `none`; the final Dense(1) (Dense(H) with
    /// --horizon H) is always added (at most 64 layers of at most 65536 units).
    #[arg(long, value_parser = dense_sizes, default_value = "8", value_name = "SIZES")]
    pub dense: DenseSizes,
    /// Direct multi-step model: the final Dense layer outputs the next H values at once, and
    /// `forecast` uses one forward pass per H steps (no feeding back within a block). Trains
    /// on the windows whose next H values all exist, so it needs --no-pad (the tutorial's
    /// padding makes up targets); not with --task [default: 1, a one-step model].
    #[arg(long, value_parser = horizon, conflicts_with = "task", value_name = "H")]
    pub horizon: Option<usize>,
    /// Calibrate split-conformal prediction intervals: hold out the last 20% of the training
    /// windows' targets (fit uses only the windows before them), roll the model over them for
    /// horizon steps 1 to --interval-horizon and store the absolute residuals in the model
    /// file; reports the coverage of the P interval on the test targets. predict and forecast
    /// then take --interval (any P the residuals allow). A fraction in (0, 1); not with --task.
    #[arg(long, value_parser = fraction, conflicts_with = "task", value_name = "P")]
    pub interval: Option<f64>,
    /// Horizon steps --interval calibrates (forecast --interval goes no further) [default: 24].
    #[arg(long, value_parser = horizon, requires = "interval", value_name = "K")]
    pub interval_horizon: Option<usize>,
    /// Loss (a Keras loss name): mse (mean_squared_error), mae, huber, msle or log_cosh.
    #[arg(long, value_parser = loss, default_value = "mse", value_name = "NAME")]
    pub loss: Loss,
    /// Optimizer (a Keras optimizer name): sgd, rmsprop, adam, adamw, nadam, adagrad, adamax,
    /// adadelta or lion, with Keras's defaults.
    #[arg(long, value_parser = optimizer, default_value = "rmsprop", value_name = "NAME")]
    pub optimizer: OptimizerConfig,
    /// Learning rate [default: the optimizer's Keras default: 0.01 for sgd, else 0.001].
    #[arg(long, visible_alias = "lr", allow_hyphen_values = true, value_parser = positive, value_name = "LR")]
    pub learning_rate: Option<f64>,
    /// Clip each gradient to this L2 norm (Keras's clipnorm) [default: no clipping].
    #[arg(long, allow_hyphen_values = true, value_parser = positive, value_name = "NORM")]
    pub clipnorm: Option<f64>,
    /// Rescale all gradients together to at most this global L2 norm (Keras's global_clipnorm;
    /// not with --clipnorm, as Keras) [default: no clipping].
    #[arg(long, conflicts_with = "clipnorm", allow_hyphen_values = true, value_parser = positive, value_name = "NORM")]
    pub global_clipnorm: Option<f64>,
    /// Epochs.
    #[arg(long, value_parser = whole_at_least_one, default_value = "50")]
    pub epochs: usize,
    /// Batch size (training must fit in memory: units, Dense sizes, step and batch size are
    /// checked together against the memory available).
    #[arg(long, value_parser = whole_at_least_one, default_value = "16")]
    pub batch_size: usize,
    /// Fraction of the training windows held out (the last ones, as Keras) for val_loss.
    #[arg(long, allow_hyphen_values = true, value_parser = fraction, value_name = "FRACTION")]
    pub validation_split: Option<f64>,
    /// Stop when val_loss (or loss without validation) has not improved for PATIENCE epochs.
    #[arg(long, value_parser = whole_at_least_one, value_name = "PATIENCE")]
    pub early_stopping: Option<usize>,
    /// The one seed of the model: initial weights, shuffling and dropout (results are
    /// bit-identical for any --threads).
    #[arg(long, default_value = "0")]
    pub seed: u64,
    /// 0 silent, 1 progress bar (on a terminal; else one line per epoch), 2 one line per epoch.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=2), default_value = "2")]
    pub verbose: u8,
    /// Output folder flags.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The saved model to load.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// Model file written by `recur train` (it holds the data settings it was trained with).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
}

/// `recur evaluate`.
#[derive(Args, Debug, Clone)]
pub struct EvaluateArgs {
    /// The model file.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Series and window flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `recur predict`.
#[derive(Args, Debug, Clone)]
pub struct PredictArgs {
    /// The model file.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Predict after this window (raw values, `step` of them) instead of after the series.
    #[arg(long, allow_hyphen_values = true, value_parser = window_values, value_name = "v1,v2,...")]
    pub window: Option<WindowValues>,
    /// Split-conformal interval of coverage P around the value (`lo`, `hi`), from the residuals
    /// `train --interval` stored in the model file.
    #[arg(long, allow_hyphen_values = true, value_parser = fraction, value_name = "P")]
    pub interval: Option<f64>,
    /// Series and window flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `recur forecast`.
#[derive(Args, Debug, Clone)]
pub struct ForecastArgs {
    /// The model file.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Number of values to forecast, at most 1000000.
    #[arg(long, value_parser = horizon, value_name = "H")]
    pub horizon: usize,
    /// Split-conformal intervals of coverage P for each forecast step (`lo`, `hi` columns, a
    /// band in the plot), from the residuals `train --interval` stored in the model file; the
    /// horizon may not exceed the model's --interval-horizon.
    #[arg(long, allow_hyphen_values = true, value_parser = fraction, value_name = "P")]
    pub interval: Option<f64>,
    /// Future values of a model's covariates (train --features): a CSV with the covariates'
    /// columns (by their header names; by the same indices for a CSV without a header) and,
    /// when the model has a time column, that column, whose rows must continue the series'
    /// time axis one step at a time. The first row holds the covariates at the first time
    /// after the series' end, the next one step later; a forecast of H values from a one-step
    /// model reads the first H - 1 rows (each value fed back enters the next window with the
    /// covariates at its time), a model trained with --horizon M reads (ceil(H / M) - 1) * M
    /// rows; further rows are ignored. For a many-series model (train --id-column
    /// --features): a long-format CSV with the id column, the time column (when the series
    /// had one) and the covariates' columns, by the training file's header names and with its
    /// delimiter and decimal separator; each series' rows, sorted by time, must start at the
    /// time after its end.
    #[arg(long, value_name = "FILE")]
    pub future_csv: Option<PathBuf>,
    /// Series and window flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Output folder flags.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `recur backtest`.
#[derive(Args, Debug, Clone)]
pub struct BacktestArgs {
    /// The model file: its weights forecast every fold (its architecture and seed with --refit).
    #[command(flatten)]
    pub model: ModelArgs,
    /// Number of folds K: origins n - H - (K - k) * S for k = 1..K.
    #[arg(long, value_parser = horizon, value_name = "K")]
    pub folds: usize,
    /// Values H forecast from each origin.
    #[arg(long, value_parser = horizon, value_name = "H")]
    pub horizon: usize,
    /// Positions S between consecutive origins [default: H, consecutive test blocks].
    #[arg(long, value_parser = horizon, value_name = "S")]
    pub stride: Option<usize>,
    /// Retrain the saved model's architecture on each fold's history (scaling fitted on it),
    /// seeded by the saved seed and the fold number, instead of reusing the saved weights.
    #[arg(long)]
    pub refit: bool,
    /// Epochs of each refit [default: 50].
    #[arg(long, requires = "refit", value_parser = whole_at_least_one, value_name = "E")]
    pub epochs: Option<usize>,
    /// Batch size of each refit [default: 16].
    #[arg(long, requires = "refit", value_parser = whole_at_least_one, value_name = "B")]
    pub batch_size: Option<usize>,
    /// A many-series model: the --csv long file's column of series ids (name or 0-based
    /// index) [default: the model's; --column and --time-column likewise].
    #[arg(
        long,
        requires = "csv",
        allow_hyphen_values = true,
        value_name = "NAME|INDEX"
    )]
    pub id_column: Option<Column>,
    /// Series and window flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Output folder flags.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `recur summary`.
#[derive(Args, Debug, Clone)]
pub struct SummaryArgs {
    /// The model file.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `recur upgrade`.
#[derive(Args, Debug, Clone)]
pub struct UpgradeArgs {
    /// The model file, rewritten in place.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}
