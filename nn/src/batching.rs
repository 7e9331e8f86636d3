//! Batching as Keras's array data adapter does it (docs/keras-semantics.md, A.7):
//! `ceil(N / batch_size)` steps, the last partial batch kept, a new full permutation every epoch
//! when shuffling, and `validation_split` taking the last samples before any shuffling.
//!
//! Keras's permutations come from NumPy's or TF's global RNG and cannot be reproduced; recur's
//! come from a seeded `ChaCha8Rng` whose state can be saved, so a resumed run shuffles exactly
//! as an uninterrupted one would.

use std::ops::Range;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{NnError, Result};

/// Number of batches per epoch: `ceil(n / batch_size)`.
pub fn steps_per_epoch(n: usize, batch_size: usize) -> Result<usize> {
    if batch_size == 0 {
        return Err(NnError::invalid("batch_size", 0, "a positive integer"));
    }
    Ok(n.div_ceil(batch_size))
}

/// Keras `train_validation_split`: `split_at = floor(n · (1 − split))`; training is
/// `0..split_at` and validation `split_at..n` (the last samples). `split` must be in (0, 1), and
/// a split leaving either part empty is an error, as in Keras.
pub fn validation_split(n: usize, split: f64) -> Result<(Range<usize>, Range<usize>)> {
    if !(split > 0.0 && split < 1.0) {
        return Err(NnError::invalid(
            "validation_split",
            split,
            "a number strictly between 0 and 1",
        ));
    }
    let split_at = (n as f64 * (1.0 - split)).floor() as usize;
    if split_at == 0 || split_at == n {
        return Err(NnError::invalid(
            "validation_split",
            split,
            &format!(
                "a value that leaves samples on both sides: the data contains {n} samples, \
                 which is not sufficient to split it into a validation and training set; \
                 provide more data or a different validation_split"
            ),
        ));
    }
    Ok((0..split_at, split_at..n))
}

/// Keras's `shuffle` argument of `fit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shuffle {
    /// `shuffle=False`: samples in order.
    Off,
    /// `shuffle=True` (Keras's default): a new full permutation every epoch.
    #[default]
    Full,
    /// `shuffle="batch"`: batches stay in order, samples are permuted within each batch.
    Batch,
}

/// The exact state of a `ChaCha8Rng`, exportable for save/resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RngState {
    /// The 32-byte key.
    pub seed: [u8; 32],
    /// Stream number.
    pub stream: u64,
    /// Position in the stream, in 32-bit words.
    pub word_pos: u128,
}

impl RngState {
    /// Captures `rng`'s state.
    pub fn of(rng: &ChaCha8Rng) -> Self {
        RngState {
            seed: rng.get_seed(),
            stream: rng.get_stream(),
            word_pos: rng.get_word_pos(),
        }
    }

    /// Rebuilds a generator in exactly this state.
    pub fn to_rng(&self) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(self.word_pos);
        rng
    }
}

/// Produces each epoch's sample order, reusing one buffer (no allocation once warm).
#[derive(Debug, Clone)]
pub struct EpochShuffler {
    rng: ChaCha8Rng,
    order: Vec<usize>,
}

impl EpochShuffler {
    /// A shuffler seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        EpochShuffler {
            rng: ChaCha8Rng::seed_from_u64(seed),
            order: Vec::new(),
        }
    }

    /// The order of the next epoch's `n` samples, to be cut into batches of `batch_size`:
    /// [`Shuffle::Full`] draws a fresh uniform permutation (Fisher–Yates on the ChaCha8 stream),
    /// [`Shuffle::Batch`] permutes within each consecutive batch (the last, partial one too),
    /// [`Shuffle::Off`] gives `0..n` without drawing anything.
    pub fn next_epoch(&mut self, n: usize, mode: Shuffle, batch_size: usize) -> Result<&[usize]> {
        if batch_size == 0 {
            return Err(NnError::invalid("batch_size", 0, "a positive integer"));
        }
        self.order.clear();
        self.order.extend(0..n);
        match mode {
            Shuffle::Off => {}
            Shuffle::Full => self.order.shuffle(&mut self.rng),
            Shuffle::Batch => {
                for chunk in self.order.chunks_mut(batch_size) {
                    chunk.shuffle(&mut self.rng);
                }
            }
        }
        Ok(&self.order)
    }

    /// The RNG state, to save with a model.
    pub fn state(&self) -> RngState {
        RngState::of(&self.rng)
    }

    /// Restores an RNG state saved by [`EpochShuffler::state`].
    pub fn set_state(&mut self, state: &RngState) {
        self.rng = state.to_rng();
    }
}

/// Splits an epoch order into consecutive batches of `batch_size`, the last one partial.
pub fn batches(order: &[usize], batch_size: usize) -> Result<std::slice::Chunks<'_, usize>> {
    if batch_size == 0 {
        return Err(NnError::invalid("batch_size", 0, "a positive integer"));
    }
    Ok(order.chunks(batch_size))
}
