//! rayon thread pools for an explicit `GemmOptions::threads`, built once per count and reused.
//!
//! On Linux each worker is pinned to its own CPU of the process's affinity set when there are
//! enough CPUs. Unpinned, the scheduler of a (virtual) machine often wakes both workers of a
//! 2-thread pool on the CPU that woke them after an idle spell (the other vCPU looked busy or
//! was descheduled by the host), and then time-slices them there for milliseconds: the blocks
//! are shared out evenly, so one stacked worker makes the whole call run at 1-thread speed.
//! Measured with `gemm-report` on the 2-vCPU machine (which runs single-threaded matrixmultiply
//! between our samples): 2-thread speed-up over 1 thread 0.92-0.93x at n = 512 and 0.98-1.01x
//! at n = 1024 unpinned, 1.74-1.78x and 1.82-1.85x pinned. Back-to-back calls (`gemm-tune`)
//! scaled either way, as the workers never went idle.

use std::sync::{Arc, Mutex};

use rayon::ThreadPool;

use crate::error::KernelError;

/// The cached pool with `threads` workers (built on first use).
pub(crate) fn pool(threads: usize) -> Result<Arc<ThreadPool>, KernelError> {
    static POOLS: Mutex<Vec<(usize, Arc<ThreadPool>)>> = Mutex::new(Vec::new());
    // A poisoned lock only means another thread panicked while holding it; the list itself is
    // always in a consistent state (a push is the only mutation).
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = pools.iter().find(|(t, _)| *t == threads) {
        return Ok(Arc::clone(p));
    }
    let cpus = affinity::allowed_cpus();
    let pin = cpus.len() >= threads;
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("recur-gemm-{threads}-{i}"))
        .start_handler(move |i| {
            if pin {
                affinity::pin_current_thread(cpus[i]);
            }
        })
        .build()
        .map_err(|e| KernelError::ThreadPool {
            threads,
            reason: e.to_string(),
        })?;
    let p = Arc::new(p);
    pools.push((threads, Arc::clone(&p)));
    Ok(p)
}

#[cfg(target_os = "linux")]
mod affinity {
    /// The CPUs the calling thread may run on, in increasing order (empty if unknown).
    pub(super) fn allowed_cpus() -> Vec<usize> {
        // SAFETY: cpu_set_t is plain data (all-zero is the empty set); sched_getaffinity writes
        // at most size_of::<cpu_set_t>() bytes into it; CPU_ISSET reads it for c < CPU_SETSIZE.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return Vec::new();
            }
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect()
        }
    }

    /// Restricts the calling thread to `cpu`. A failure (e.g. a cpuset that changed meanwhile)
    /// leaves the thread unpinned, which is only slower.
    pub(super) fn pin_current_thread(cpu: usize) {
        // SAFETY: as above; CPU_SET writes bit `cpu` < CPU_SETSIZE (it came from
        // allowed_cpus) and sched_setaffinity only reads the set.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            let _ = libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod affinity {
    /// Affinity is not set on this OS: no CPUs to pin to.
    pub(super) fn allowed_cpus() -> Vec<usize> {
        Vec::new()
    }

    /// Never called (no CPUs listed).
    pub(super) fn pin_current_thread(_cpu: usize) {}
}
