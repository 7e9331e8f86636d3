//! Command-line flags (clap derive). Numbers are taken as text and checked in [`crate::config`],
//! so a negative or malformed value gets a message that names the flag and the value.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Where recur deliberately differs from Keras (shown in `--help`).
pub const DIFFERENCES: &str = "\
Deliberate differences from Keras:
  - Out-of-range dropout rates (below 0 or above 1) are rejected instead of silently clamped,
    and so is a rate of exactly 1 on LSTM or GRU (Keras's gated cells silently ignore it).
  - The string \"l1_l2\" means L1L2(0.01, 0.01), as Keras documents (Keras 3.15 raises on it).
  - The model has reset_states(); stateful layers with shuffling warn; a batch whose size differs
    from a stateful layer's is an error saying how to fix it.
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
    /// Recursive multi-step forecast of --horizon values after the end of the series.
    #[command(allow_negative_numbers = true)]
    Forecast(ForecastArgs),
    /// Print the Keras summary table of a saved model.
    #[command(allow_negative_numbers = true)]
    Summary(SummaryArgs),
}

/// Where the series comes from and how it becomes windows. Unset flags take the value saved with
/// the model (for evaluate/predict/forecast) or the tutorial's.
#[derive(Args, Debug, Clone, Default)]
pub struct DataArgs {
    /// Read the series from this CSV file instead of generating the tutorial's sine.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// CSV value column by header name or 0-based index [default: the only or last numeric one].
    #[arg(long, allow_hyphen_values = true, value_name = "NAME|INDEX")]
    pub column: Option<String>,
    /// CSV column of time labels (dates...) kept for plots and the predictions file.
    #[arg(long, allow_hyphen_values = true, value_name = "NAME|INDEX")]
    pub time_column: Option<String>,
    /// Number of points generated [default: 2000].
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub n: Option<String>,
    /// Angular frequency of the generated sine, radians per step [default: 0.02].
    #[arg(long, allow_hyphen_values = true, value_name = "F")]
    pub freq: Option<String>,
    /// Amplitude of the generated sine [default: 1].
    #[arg(long, allow_hyphen_values = true, value_name = "A")]
    pub amplitude: Option<String>,
    /// Noise of the generated series: uniform (a*U[0,1)), gaussian (sd a) or none [default: uniform].
    #[arg(long, allow_hyphen_values = true, value_name = "KIND")]
    pub noise: Option<String>,
    /// Noise amplitude a [default: 1].
    #[arg(long, allow_hyphen_values = true, value_name = "A")]
    pub noise_amplitude: Option<String>,
    /// Seed of the generated noise [default: 0]; with --task, of the sequences [default: --seed].
    #[arg(long, allow_hyphen_values = true, value_name = "SEED")]
    pub data_seed: Option<String>,
    /// Split point T: an index, or a fraction below 1 [default: 900].
    #[arg(long, allow_hyphen_values = true, value_name = "T")]
    pub split: Option<String>,
    /// Window length (values per input) [default: 4].
    #[arg(long, allow_hyphen_values = true, value_name = "STEP")]
    pub step: Option<String>,
    /// Window layout: tutorial (N, 1, step) or sequence (N, step, 1) [default: tutorial].
    #[arg(long, allow_hyphen_values = true, value_name = "tutorial|sequence")]
    pub layout: Option<String>,
    /// Scaling fitted on the training part: none, minmax or standard [default: none].
    #[arg(long, allow_hyphen_values = true, value_name = "none|minmax|standard")]
    pub scale: Option<String>,
    /// Do not pad each part with `step` copies of its last value (the tutorial pads).
    #[arg(long)]
    pub no_pad: bool,
}

/// Flags shared by every subcommand.
#[derive(Args, Debug, Clone, Default)]
pub struct CommonArgs {
    /// Worker threads [default: RAYON_NUM_THREADS if set, else all cores].
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub threads: Option<String>,
    /// Print one JSON object on stdout instead of the human text.
    #[arg(long)]
    pub json: bool,
}

/// Where outputs go.
#[derive(Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Output folder (reused if it exists; its files are replaced atomically).
    #[arg(long, value_name = "DIR", default_value = "recur-out")]
    pub out: PathBuf,
    /// Plot image format: png or svg.
    #[arg(
        long,
        allow_hyphen_values = true,
        value_name = "png|svg",
        default_value = "png"
    )]
    pub plot_format: String,
}

/// `recur train`.
#[derive(Args, Debug, Clone, Default)]
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
    #[arg(long, allow_hyphen_values = true, value_name = "recall|adding")]
    pub task: Option<String>,
    /// Lag of --task, in steps [default: 50].
    #[arg(long, allow_hyphen_values = true, value_name = "L")]
    pub lag: Option<String>,
    /// Number of sequences of --task, training and test together [default: 4000].
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub count: Option<String>,
    /// Recurrent cell: simple (SimpleRNN), lstm (LSTM) or gru (GRU, Keras 3's reset_after form).
    #[arg(
        long,
        allow_hyphen_values = true,
        default_value = "simple",
        value_name = "simple|lstm|gru"
    )]
    pub cell: String,
    /// Units of the recurrent layer.
    #[arg(long, allow_hyphen_values = true, default_value = "32")]
    pub units: String,
    /// Activation of the recurrent layer (a Keras activation name); relu is the tutorial's for
    /// every cell, tanh is Keras's default.
    #[arg(long, allow_hyphen_values = true, default_value = "relu")]
    pub activation: String,
    /// Activation of the gates of LSTM and GRU [default: sigmoid, Keras's]; not for --cell simple.
    #[arg(long, allow_hyphen_values = true, value_name = "NAME")]
    pub recurrent_activation: Option<String>,
    /// Input dropout rate of the recurrent layer, in [0, 1] (Keras's `dropout`: one mask per
    /// batch, reused at every step; training only) [default: 0].
    #[arg(long, allow_hyphen_values = true, value_name = "RATE")]
    pub dropout: Option<String>,
    /// Recurrent dropout rate of the recurrent layer, in [0, 1] (Keras's `recurrent_dropout`, on
    /// the state in the recurrent product; LSTM and GRU then draw one mask per gate, as Keras 3
    /// does) [default: 0].
    #[arg(long, allow_hyphen_values = true, value_name = "RATE")]
    pub recurrent_dropout: Option<String>,
    /// Hidden Dense sizes (relu) as a comma list, or `none`; the final Dense(1) is always added.
    #[arg(long, allow_hyphen_values = true, default_value = "8")]
    pub dense: String,
    /// Loss: mse (mean_squared_error), mae, huber or msle.
    #[arg(long, allow_hyphen_values = true, default_value = "mse")]
    pub loss: String,
    /// Optimizer: sgd, rmsprop, adam or adamw.
    #[arg(long, allow_hyphen_values = true, default_value = "rmsprop")]
    pub optimizer: String,
    /// Learning rate [default: the optimizer's Keras default: 0.01 for sgd, else 0.001].
    #[arg(
        long,
        allow_hyphen_values = true,
        visible_alias = "lr",
        value_name = "LR"
    )]
    pub learning_rate: Option<String>,
    /// Clip each gradient to this L2 norm (Keras's clipnorm) [default: no clipping].
    #[arg(long, allow_hyphen_values = true, value_name = "NORM")]
    pub clipnorm: Option<String>,
    /// Rescale all gradients together to at most this global L2 norm (Keras's global_clipnorm)
    /// [default: no clipping].
    #[arg(long, allow_hyphen_values = true, value_name = "NORM")]
    pub global_clipnorm: Option<String>,
    /// Epochs.
    #[arg(long, allow_hyphen_values = true, default_value = "50")]
    pub epochs: String,
    /// Batch size.
    #[arg(long, allow_hyphen_values = true, default_value = "16")]
    pub batch_size: String,
    /// Fraction of the training windows held out (the last ones, as Keras) for val_loss.
    #[arg(long, allow_hyphen_values = true, value_name = "FRACTION")]
    pub validation_split: Option<String>,
    /// Stop when val_loss (or loss without validation) has not improved for PATIENCE epochs.
    #[arg(long, allow_hyphen_values = true, value_name = "PATIENCE")]
    pub early_stopping: Option<String>,
    /// The one seed of the model: initial weights, shuffling and dropout (results are
    /// bit-identical for any --threads).
    #[arg(long, allow_hyphen_values = true, default_value = "0")]
    pub seed: String,
    /// 0 silent, 1 progress bar (on a terminal; else one line per epoch), 2 one line per epoch.
    #[arg(
        long,
        allow_hyphen_values = true,
        default_value = "2",
        value_name = "0|1|2"
    )]
    pub verbose: String,
    /// Output folder flags.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The saved model to load.
#[derive(Args, Debug, Clone, Default)]
pub struct ModelArgs {
    /// Model file written by `recur train` (it holds the data settings it was trained with).
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
}

/// `recur evaluate`.
#[derive(Args, Debug, Clone, Default)]
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
#[derive(Args, Debug, Clone, Default)]
pub struct PredictArgs {
    /// The model file.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Predict after this window (raw values, `step` of them) instead of after the series.
    #[arg(long, allow_hyphen_values = true, value_name = "v1,v2,...")]
    pub window: Option<String>,
    /// Series and window flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `recur forecast`.
#[derive(Args, Debug, Clone, Default)]
pub struct ForecastArgs {
    /// The model file.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Number of values to forecast.
    #[arg(long, allow_hyphen_values = true, value_name = "H")]
    pub horizon: String,
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
#[derive(Args, Debug, Clone, Default)]
pub struct SummaryArgs {
    /// The model file.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Threads and --json.
    #[command(flatten)]
    pub common: CommonArgs,
}
