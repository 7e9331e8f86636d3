//! Reused, 64-byte aligned scratch buffers for packed panels, one set per thread.
//!
//! A warm training loop calls GEMM thousands of times; taking the buffer out of a thread-local
//! slot and putting it back keeps those calls free of allocation. Taking (rather than borrowing)
//! makes re-entrant use safe: a nested call on the same thread (rayon work stealing can run
//! another GEMM's task while this one waits) finds the slot empty and allocates its own.

use std::cell::Cell;
use std::thread::LocalKey;

thread_local! {
    /// Packed A blocks (`MC x KC`), one per worker thread.
    pub(crate) static PACK_A: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
    /// Packed B blocks (`KC x NC`), on the thread that drives the call.
    pub(crate) static PACK_B: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
    /// The small path's contiguous copy of a B that has no unit stride.
    pub(crate) static SMALL_B: Cell<Vec<f32>> = const { Cell::new(Vec::new()) };
}

/// Alignment of the returned pointer, in f32 elements (64 bytes: one cache line, one zmm).
const ALIGN: usize = 16;

/// A scratch buffer of at least `len` f32, taken from a thread-local slot and given back on drop.
pub(crate) struct Scratch {
    vec: Vec<f32>,
    offset: usize,
    slot: &'static LocalKey<Cell<Vec<f32>>>,
}

impl Scratch {
    /// Takes the slot's buffer, growing it to hold `len` elements after 64-byte alignment.
    pub(crate) fn take(slot: &'static LocalKey<Cell<Vec<f32>>>, len: usize) -> Scratch {
        let mut vec = slot.try_with(Cell::take).unwrap_or_default();
        if vec.len() < len + ALIGN {
            vec.resize(len + ALIGN, 0.0);
        }
        let misalign = (vec.as_ptr() as usize / std::mem::size_of::<f32>()) % ALIGN;
        let offset = (ALIGN - misalign) % ALIGN;
        Scratch { vec, offset, slot }
    }

    /// The aligned buffer: at least the `len` given to [`Scratch::take`].
    pub(crate) fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.vec[self.offset..]
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let vec = std::mem::take(&mut self.vec);
        // During thread teardown the slot may be gone; then the buffer is simply freed.
        let _ = self.slot.try_with(|s| s.set(vec));
    }
}
