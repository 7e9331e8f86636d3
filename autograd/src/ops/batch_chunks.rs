//! Splitting a recurrent op's batch into chunks that run their whole recurrence independently.
//!
//! The samples of a batch never interact inside a recurrent cell, so the sequential part of a
//! fused SimpleRNN, LSTM or GRU (one small GEMM and the gate math per step) can run for several
//! groups of samples at once, with one synchronisation per forward or backward pass instead of
//! one per step. (Splitting each step's GEMM over threads instead costs a wake-up of the pool per
//! step: at (128, 64, 32, 256) that made a SimpleRNN's 2-thread step slower than 1 thread's.)
//!
//! Why the chunks depend only on the batch size: the chunk size is the GEMMs' `m`, which can
//! change their rounding; fixing it by batch size gives the same bits for every thread count.
//! One thread runs the chunks one after the other.

use kernels::GemmOptions;
use rayon::prelude::*;

use crate::error::Result;

/// At most this many chunks (enough for a few cores; each needs its own scratch).
pub(crate) const MAX_CHUNKS: usize = 4;

/// Fewer samples than this per chunk make the per-step GEMMs too thin to pay for the split.
const MIN_ROWS: usize = 16;

/// How a batch is split: `count` chunks of `rows` samples (the last one may be shorter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Chunking {
    /// Samples per chunk (the last chunk may have fewer).
    pub rows: usize,
    /// Number of chunks, `1..=MAX_CHUNKS`.
    pub count: usize,
    /// The batch size.
    pub batch: usize,
}

impl Chunking {
    /// The chunking of a batch of `batch >= 1` samples: up to [`MAX_CHUNKS`] chunks of at least
    /// [`MIN_ROWS`] samples, their size rounded up to a multiple of 8 (the GEMM tile height).
    pub(crate) fn of(batch: usize) -> Chunking {
        let rows = batch.div_ceil(MAX_CHUNKS).max(MIN_ROWS).next_multiple_of(8);
        let rows = rows.min(batch.max(1));
        Chunking {
            rows,
            count: batch.div_ceil(rows).max(1),
            batch,
        }
    }

    /// The first sample and the number of samples of chunk `i`.
    pub(crate) fn range(&self, i: usize) -> (usize, usize) {
        let start = (i * self.rows).min(self.batch);
        (start, self.rows.min(self.batch - start))
    }

    /// GEMM options inside a chunk: one thread when the chunks themselves run in parallel, the
    /// pool's threads when the batch is a single chunk.
    pub(crate) fn gemm_options(&self) -> GemmOptions {
        GemmOptions {
            threads: (self.count > 1).then_some(1),
        }
    }

    /// Chunk `i`'s samples of a `[batch, per_row]` buffer (`None` stays `None`).
    pub(crate) fn rows_of<'a>(
        &self,
        buf: Option<&'a [f32]>,
        i: usize,
        per_row: usize,
    ) -> Option<&'a [f32]> {
        buf.map(|b| self.rows(b, i, per_row))
    }

    /// Chunk `i`'s samples of a `[batch, per_row]` buffer (an empty buffer stays empty).
    pub(crate) fn rows<'a>(&self, buf: &'a [f32], i: usize, per_row: usize) -> &'a [f32] {
        if buf.is_empty() {
            return buf;
        }
        let (start, n) = self.range(i);
        &buf[start * per_row..(start + n) * per_row]
    }

    /// Splits a `[batch, per_row]` buffer into the chunks' pieces (pieces past `count` are
    /// empty; an empty buffer gives empty pieces).
    fn split<'a>(&self, buf: &'a mut [f32], per_row: usize) -> [&'a mut [f32]; MAX_CHUNKS] {
        let mut rest = buf;
        std::array::from_fn(|i| {
            let (_, n) = self.range(i);
            let take = (n * per_row).min(rest.len());
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(take);
            rest = tail;
            head
        })
    }

    /// Splits `buf` into `count` pieces of `len` floats each (per-chunk scratch).
    fn split_even<'a>(&self, buf: &'a mut [f32], len: usize) -> [&'a mut [f32]; MAX_CHUNKS] {
        let mut rest = buf;
        std::array::from_fn(|i| {
            let take = if i < self.count {
                len.min(rest.len())
            } else {
                0
            };
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(take);
            rest = tail;
            head
        })
    }
}

/// How [`Chunking::jobs`] cuts one buffer for the chunks.
pub(crate) enum Cut<'a> {
    /// A `[batch, per_row]` buffer: each chunk gets its samples' rows (an empty buffer gives
    /// empty pieces).
    Rows(&'a mut [f32], usize),
    /// Scratch: each chunk gets this many floats of its own.
    Each(&'a mut [f32], usize),
}

impl Chunking {
    /// Every chunk's pieces of the `N` buffers, in the order of `cuts`: `jobs[i][k]` is chunk
    /// `i`'s piece of buffer `k` (pieces past `count` are empty).
    pub(crate) fn jobs<'a, const N: usize>(
        &self,
        cuts: [Cut<'a>; N],
    ) -> [[&'a mut [f32]; N]; MAX_CHUNKS] {
        let mut parts = cuts.map(|cut| match cut {
            Cut::Rows(buf, per_row) => self.split(buf, per_row),
            Cut::Each(buf, len) => self.split_even(buf, len),
        });
        std::array::from_fn(|i| std::array::from_fn(|k| std::mem::take(&mut parts[k][i])))
    }
}

impl Chunking {
    /// Runs `job(i, pieces, options)` on every chunk `i`, with its pieces of the `N` buffers (as
    /// [`Chunking::jobs`] cuts them) and the GEMM options inside a chunk, the chunks in parallel
    /// (see [`run`]). Returns the first error.
    pub(crate) fn run_jobs<const N: usize>(
        &self,
        cuts: [Cut<'_>; N],
        job: impl Fn(usize, &mut [&mut [f32]; N], &GemmOptions) -> Result<()> + Sync,
    ) -> Result<()> {
        let mut jobs = self.jobs(cuts);
        let opts = self.gemm_options();
        run(&mut jobs[..self.count], |i, pieces| job(i, pieces, &opts))
    }
}

/// Runs `job` on every chunk's state, on rayon's current pool when there are several chunks
/// (in place otherwise). Returns the first error.
fn run<J: Send>(jobs: &mut [J], job: impl Fn(usize, &mut J) -> Result<()> + Sync) -> Result<()> {
    if jobs.len() == 1 {
        return job(0, &mut jobs[0]);
    }
    jobs.par_iter_mut()
        .enumerate()
        .try_for_each(|(i, j)| job(i, j))
}

/// Grows `scratch` to at least `need` floats (never shrinks, never re-zeroes: users write before
/// they read) and returns its first `need` floats.
pub(crate) fn scratch_of(scratch: &mut Vec<f32>, need: usize) -> &mut [f32] {
    if scratch.len() < need {
        // A backward's gate gradients are `[batch, time, gates]`: huge pages as for the tape's
        // arenas.
        kernels::memory::resize_with_huge_pages(scratch, need);
    }
    &mut scratch[..need]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_batch_once() {
        for batch in 1..=300 {
            let c = Chunking::of(batch);
            assert!((1..=MAX_CHUNKS).contains(&c.count), "{batch}: {c:?}");
            let total: usize = (0..c.count).map(|i| c.range(i).1).sum();
            assert_eq!(total, batch, "{c:?}");
            assert!((0..c.count).all(|i| c.range(i).1 > 0), "{c:?}");
        }
        assert_eq!(Chunking::of(16).count, 1);
        assert_eq!(Chunking::of(32).count, 2);
        assert_eq!(
            Chunking::of(128),
            Chunking {
                rows: 32,
                count: 4,
                batch: 128
            }
        );
    }

    #[test]
    fn split_gives_each_chunk_its_rows() {
        let c = Chunking::of(40);
        let mut buf: Vec<f32> = (0..40 * 3).map(|i| i as f32).collect();
        let parts = c.split(&mut buf, 3);
        for (i, part) in parts.iter().enumerate().take(c.count) {
            let (start, n) = c.range(i);
            assert_eq!(part.len(), n * 3);
            assert_eq!(part[0], (start * 3) as f32);
        }
        assert!(parts[c.count..].iter().all(|p| p.is_empty()));
    }
}
