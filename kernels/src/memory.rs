//! Memory hints for the large buffers of a training step.
//!
//! A recurrent op's buffers are `[batch, time, features]` and its steps touch one time slice of
//! every sample: at (128, 64, 32, 256) an LSTM's gate buffer is 32 MiB and a step's slice is 128
//! rows 256 KiB apart, each on a page of its own, so with 4 KiB pages every row of every step
//! misses the TLB (8192 pages, beyond the second-level TLB). With transparent huge pages the same
//! buffer is 16 pages. Linux backs memory with huge pages only where asked when THP is in its
//! common `madvise` mode; measured on the Xeon VM (`cells-report --threads 1 --shapes
//! 128x64x32x256 --samples 5`, three alternating runs each, THP in `madvise` mode), medians
//! without -> with the advice: LSTM 128.9-133.1 -> 123.8-128.8 ms, GRU 102.2-105.9 -> 99.4-101.9
//! ms, SimpleRNN unchanged within noise (its buffers are 8 MiB).

/// Bytes in a transparent huge page on x86-64 (and the unit of the advice).
const HUGE_PAGE: usize = 2 << 20;

/// Asks the OS to back the 2 MiB-aligned part of `buf`'s allocation (its whole capacity, not just
/// its length) with transparent huge pages. Only a hint: contents are unchanged, and where the OS
/// or its settings do not allow it (THP `never`, another OS, a buffer under 2 MiB) nothing
/// happens. Call it right after growing the buffer, before its new part is first written, so
/// those pages are faulted in huge.
#[allow(clippy::ptr_arg)] // the capacity, which a slice does not carry, is the region advised
pub fn advise_huge_pages(buf: &Vec<f32>) {
    let start = buf.as_ptr() as usize;
    let end = start + buf.capacity() * std::mem::size_of::<f32>();
    let first = start.next_multiple_of(HUGE_PAGE);
    let last = end / HUGE_PAGE * HUGE_PAGE;
    if last > first {
        advise(first, last - first);
    }
}

/// Resizes `buf` to `len` floats (new ones zero), first growing its allocation (amortized) and
/// advising huge pages for it ([`advise_huge_pages`]) when it has to grow, so the new part is
/// faulted in with huge pages where the OS allows.
pub fn resize_with_huge_pages(buf: &mut Vec<f32>, len: usize) {
    if buf.capacity() < len {
        buf.reserve(len - buf.len());
        advise_huge_pages(buf);
    }
    buf.resize(len, 0.0);
}

/// Bytes of a cache line as the prefetch hints step through memory (every x86-64 CPU's).
const LINE: usize = 64;

/// Asks the CPU to bring `data` into its L2 cache ahead of use (`prefetcht1`, one hint per
/// 64-byte line). Only a hint: nothing is read into the program, it cannot fault, and on other
/// architectures it does nothing.
///
/// For rows a later step will read that the hardware prefetchers cannot foresee: a recurrent
/// op's backward pass reads, at every step, one 1 KiB row per sample of buffers written long
/// before (at (128, 64, 32, 256) a SimpleRNN's states are 8 MiB, out of L2), each row a stream
/// of its own that the prefetchers pick up only after its first misses.
pub fn prefetch_l2(data: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        let start = data.as_ptr() as usize;
        let end = start + std::mem::size_of_val(data);
        let mut line = start / LINE * LINE;
        while line < end {
            // SAFETY: a prefetch never faults and reads nothing into the program; the address
            // lies in (or on the line that starts) the caller's live slice.
            unsafe { _mm_prefetch::<_MM_HINT_T1>(line as *const i8) };
            line += LINE;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

#[cfg(target_os = "linux")]
fn advise(addr: usize, len: usize) {
    // SAFETY: madvise(MADV_HUGEPAGE) reads and writes no memory of ours: it only changes how the
    // kernel backs the range, which lies inside a live allocation (the caller's Vec) and is
    // page aligned. An error (EINVAL with THP disabled) leaves everything as it was.
    let _ = unsafe { libc::madvise(addr as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
}

#[cfg(not(target_os = "linux"))]
fn advise(_addr: usize, _len: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_keeps_contents_and_accepts_any_size() {
        for n in [0usize, 1, 1000, (4 << 20) / 4 + 3] {
            let mut v: Vec<f32> = (0..n).map(|i| i as f32).collect();
            v.reserve(3 << 20);
            advise_huge_pages(&v);
            assert!(v.iter().enumerate().all(|(i, &x)| x == i as f32));
            v.resize(v.len() + (1 << 20), 1.5);
            assert_eq!(v[n], 1.5);
        }
    }

    #[test]
    fn prefetching_changes_nothing() {
        let v: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        prefetch_l2(&v);
        prefetch_l2(&v[3..17]);
        prefetch_l2(&v[..0]);
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as f32));
    }

    #[test]
    fn resizing_keeps_the_prefix_and_zeroes_the_rest() {
        let mut v = vec![2.0f32; 10];
        resize_with_huge_pages(&mut v, 3 << 20);
        assert_eq!(v.len(), 3 << 20);
        assert!(v[..10].iter().all(|&x| x == 2.0) && v[10..].iter().all(|&x| x == 0.0));
        resize_with_huge_pages(&mut v, 5);
        assert_eq!(v, vec![2.0; 5]);
    }
}
