//! rayon thread pools for an explicit `GemmOptions::threads`, built once per count and reused.

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
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("recur-gemm-{threads}-{i}"))
        .build()
        .map_err(|e| KernelError::ThreadPool {
            threads,
            reason: e.to_string(),
        })?;
    let p = Arc::new(p);
    pools.push((threads, Arc::clone(&p)));
    Ok(p)
}
