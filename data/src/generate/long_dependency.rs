//! Built-in long-dependency tasks: sequences whose target depends on an input seen `lag` steps
//! before the end, so that a plain RNN (whose gradients vanish over the lag) fails where the gated
//! cells (LSTM, GRU) succeed.
//!
//! Both tasks follow the layout of Hochreiter & Schmidhuber's (1997) adding problem, as it is
//! used in later benchmarks (Le, Jaitly & Hinton 2015; Arjovsky, Shah & Bengio 2016): each step
//! has two features, channel 0 a random value and channel 1 a marker (1 at the marked steps, 0
//! elsewhere), and there is one target per sequence, read after the last step.
//!
//! - [`LongDependencyKind::Recall`] (marked recall): one marker, exactly `lag` steps before the
//!   last step; the target is the marked value. The lag is exact, so the task measures the
//!   memory span alone, and every other value is a distractor the model must not keep.
//! - [`LongDependencyKind::Adding`] (the adding problem): two markers, the first at least `lag`
//!   steps before the last step, the second after it; the target is the sum of the two marked
//!   values. Holding the first value across the gap is the hard part.
//!
//! Why these: the target is independent of everything but the marked values, so a model that
//! cannot carry information across `lag` steps can do no better than predict the mean, whose
//! test MSE is reported as [`LongDependencyData::baseline_test_mse`]; a model that can is limited
//! only by its precision. A gated cell learns it quickly because the marker is a clean signal to
//! open its input gate once and close it afterwards (its forget gate near 1 keeps the value), while
//! in a SimpleRNN the gradient from the target to the marked input is a product of `lag`
//! Jacobians and vanishes (Bengio, Simard & Frasconi 1994). Values are zero-mean (uniform in
//! `[-1, 1)` or standard normal, unlike the classic `U[0, 1)`) so that a relu or tanh network needs
//! no bias to represent them.

use std::fmt;
use std::str::FromStr;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::{DataError, MAX_WINDOW_VALUES, SplitAt, Windows};

/// Longest sequence (`lag + 1 + extra` steps) a long-dependency task generates.
pub const MAX_SEQUENCE_LEN: usize = 100_000;

/// Features per time step: channel 0 the value, channel 1 the marker.
pub const LONG_DEPENDENCY_FEATURES: usize = 2;

/// Which long-dependency task to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LongDependencyKind {
    /// Marked recall: the target is the value `lag` steps before the last step.
    #[default]
    Recall,
    /// The adding problem: the target is the sum of two marked values, the first at least `lag`
    /// steps before the last step.
    Adding,
}

impl LongDependencyKind {
    /// All kinds, in the order their names are listed in messages.
    pub const ALL: [LongDependencyKind; 2] =
        [LongDependencyKind::Recall, LongDependencyKind::Adding];

    /// The lower-case name accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            LongDependencyKind::Recall => "recall",
            LongDependencyKind::Adding => "adding",
        }
    }
}

impl fmt::Display for LongDependencyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LongDependencyKind {
    type Err = DataError;

    /// Parses `recall` or `adding` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, DataError> {
        LongDependencyKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DataError::arg("task", format!("'{s}'"), "recall or adding"))
    }
}

/// Distribution of the values in channel 0 (the marked values and the distractors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueDistribution {
    /// Uniform in `[-1, 1)`: mean 0, variance 1/3.
    #[default]
    Uniform,
    /// Standard normal `N(0, 1)` (rand_distr's ziggurat, platform-independent).
    Gaussian,
}

impl ValueDistribution {
    /// All distributions, in the order their names are listed in messages.
    pub const ALL: [ValueDistribution; 2] =
        [ValueDistribution::Uniform, ValueDistribution::Gaussian];

    /// The lower-case name accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            ValueDistribution::Uniform => "uniform",
            ValueDistribution::Gaussian => "gaussian",
        }
    }

    /// One value drawn from `rng` in f32, the precision the model sees.
    fn draw(self, rng: &mut ChaCha8Rng) -> f32 {
        match self {
            // An f32 in [0, 1) is a multiple of 2^-24, so 2u - 1 is exact and stays below 1
            // (from an f64, rounding could give exactly 1).
            ValueDistribution::Uniform => 2.0 * rng.random::<f32>() - 1.0,
            ValueDistribution::Gaussian => rng.sample::<f64, _>(StandardNormal) as f32,
        }
    }
}

impl fmt::Display for ValueDistribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ValueDistribution {
    type Err = DataError;

    /// Parses `uniform` or `gaussian` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, DataError> {
        ValueDistribution::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DataError::arg("values", format!("'{s}'"), "uniform or gaussian"))
    }
}

/// Settings of a long-dependency task. [`Default`]: marked recall at lag 50, 4000 sequences of 51
/// steps, 80 % for training, uniform values, seed 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LongDependencyConfig {
    /// Which task (default recall).
    pub kind: LongDependencyKind,
    /// Steps between the (first) marked value and the last step, at least 1 (default 50).
    pub lag: usize,
    /// Extra steps before the lag window (default 0): a sequence has `lag + 1 + extra` steps.
    /// In recall they are distractors before the marker; in adding they are where the first
    /// marker may also fall, so its distance to the end varies from `lag` to `lag + extra`.
    pub extra: usize,
    /// Number of sequences, training and test together, at least 2 (default 4000).
    pub count: usize,
    /// How many of the sequences are for training: an index (the first `T` sequences) or a
    /// fraction in `(0, 1)` (default 0.8). Both parts must be non-empty.
    pub split: SplitAt,
    /// Distribution of the channel-0 values (default uniform in `[-1, 1)`).
    pub values: ValueDistribution,
    /// Seed of the ChaCha8 generator; the same config gives bit-identical data everywhere.
    pub seed: u64,
}

impl Default for LongDependencyConfig {
    fn default() -> Self {
        LongDependencyConfig {
            kind: LongDependencyKind::Recall,
            lag: 50,
            extra: 0,
            count: 4000,
            split: SplitAt::Fraction(0.8),
            values: ValueDistribution::Uniform,
            seed: 0,
        }
    }
}

impl LongDependencyConfig {
    /// Time steps per sequence, `lag + 1 + extra` (saturating; [`Self::validate`] bounds it).
    pub fn timesteps(&self) -> usize {
        self.lag.saturating_add(1).saturating_add(self.extra)
    }

    /// Checks every field, naming the first bad one and its value, and returns the number of
    /// training sequences.
    pub fn validate(&self) -> Result<usize, DataError> {
        if self.lag == 0 || self.lag >= MAX_SEQUENCE_LEN {
            return Err(DataError::arg(
                "lag",
                self.lag,
                &format!("a lag between 1 and {}", MAX_SEQUENCE_LEN - 1),
            ));
        }
        let t = self.timesteps();
        if t > MAX_SEQUENCE_LEN {
            return Err(DataError::arg(
                "extra",
                format!("{} (sequences of lag + 1 + extra = {t} steps)", self.extra),
                &format!(
                    "at most {} so that a sequence has at most {MAX_SEQUENCE_LEN} steps",
                    MAX_SEQUENCE_LEN - 1 - self.lag
                ),
            ));
        }
        let per_sequence = t * LONG_DEPENDENCY_FEATURES;
        let max_count = MAX_WINDOW_VALUES / per_sequence;
        if self.count < 2 || self.count > max_count {
            return Err(DataError::arg(
                "count",
                self.count,
                &format!(
                    "a number of sequences between 2 and {max_count} (sequences of {t} steps)"
                ),
            ));
        }
        self.split.resolve(self.count)
    }
}

/// Sequences of one part with their targets.
#[derive(Debug, Clone, PartialEq)]
pub struct SequencePart {
    /// Inputs `[N, T, 2]` (sequence layout): channel 0 the value, channel 1 the marker.
    pub x: Windows,
    /// One target per sequence.
    pub y: Vec<f32>,
}

impl SequencePart {
    /// Number of sequences.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there are no sequences (never true for a part built by [`long_dependency`]).
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// A generated long-dependency task: training and test sequences and the mean baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct LongDependencyData {
    /// The first sequences (as many as the split gives).
    pub train: SequencePart,
    /// The remaining sequences.
    pub test: SequencePart,
    /// Mean of the training targets (computed in f64): the best constant prediction.
    pub train_mean: f64,
    /// Test MSE of predicting [`Self::train_mean`] for every sequence: what a model that carries
    /// nothing across the lag achieves (about 1/3 for recall with uniform values, 2/3 for adding).
    pub baseline_test_mse: f64,
}

/// Generates the task of `config`: `count` sequences of `lag + 1 + extra` steps, two features per
/// step, split into training and test parts.
///
/// Sequences are drawn in order from `ChaCha8Rng::seed_from_u64(seed)`: for each, its `T` values
/// in step order, then (adding only) the first marker uniformly in `0..=T-1-lag` and the second
/// uniformly after it in `first+1..=T-1`. Recall's marker is at step `T-1-lag` (= `extra`).
/// Targets are computed from the f32 values the model sees (the adding sum in f64, then rounded).
/// Errors as [`LongDependencyConfig::validate`].
pub fn long_dependency(config: &LongDependencyConfig) -> Result<LongDependencyData, DataError> {
    let n_train = config.validate()?;
    let t = config.timesteps();
    let lag = config.lag;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut x = Vec::with_capacity(config.count * t * LONG_DEPENDENCY_FEATURES);
    let mut y = Vec::with_capacity(config.count);
    let mut values = vec![0f32; t];
    for _ in 0..config.count {
        for v in values.iter_mut() {
            *v = config.values.draw(&mut rng);
        }
        let (first, second) = match config.kind {
            LongDependencyKind::Recall => (t - 1 - lag, None),
            LongDependencyKind::Adding => {
                let first = rng.random_range(0..=t - 1 - lag);
                (first, Some(rng.random_range(first + 1..=t - 1)))
            }
        };
        let target = match second {
            None => values[first],
            Some(s) => (f64::from(values[first]) + f64::from(values[s])) as f32,
        };
        for (step, &v) in values.iter().enumerate() {
            let marked = step == first || Some(step) == second;
            x.push(v);
            x.push(if marked { 1.0 } else { 0.0 });
        }
        y.push(target);
    }
    let split_at = n_train * t * LONG_DEPENDENCY_FEATURES;
    let x_test = x.split_off(split_at);
    let y_test = y.split_off(n_train);
    let train = SequencePart {
        x: Windows::from_sequences(x, t, LONG_DEPENDENCY_FEATURES)?,
        y,
    };
    let test = SequencePart {
        x: Windows::from_sequences(x_test, t, LONG_DEPENDENCY_FEATURES)?,
        y: y_test,
    };
    let train_mean = train.y.iter().map(|&v| f64::from(v)).sum::<f64>() / train.len() as f64;
    let baseline_test_mse = test
        .y
        .iter()
        .map(|&v| (f64::from(v) - train_mean).powi(2))
        .sum::<f64>()
        / test.len() as f64;
    Ok(LongDependencyData {
        train,
        test,
        train_mean,
        baseline_test_mse,
    })
}
