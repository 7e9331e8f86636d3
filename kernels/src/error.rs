//! Errors returned by the kernels' safe API.

use std::fmt;

/// Why a GEMM call (or the construction of one of its operands) was rejected.
///
/// Every variant names the operand and the offending values, so a caller can print it as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The slice backing an operand is too short for its shape and strides.
    SliceTooShort {
        /// Operand name ("A", "B", "C" or a caller-supplied label).
        operand: &'static str,
        /// `[rows, cols]` of the operand.
        shape: [usize; 2],
        /// `[row_stride, col_stride]` in elements.
        strides: [usize; 2],
        /// Elements the shape and strides need.
        needed: usize,
        /// Elements the slice has.
        len: usize,
    },
    /// A stride computation overflows `usize`.
    StrideOverflow {
        /// Operand name.
        operand: &'static str,
        /// `[rows, cols]` of the operand.
        shape: [usize; 2],
        /// `[row_stride, col_stride]` in elements.
        strides: [usize; 2],
    },
    /// The output's strides make two different elements share one memory location.
    AliasingOutput {
        /// `[rows, cols]` of the output.
        shape: [usize; 2],
        /// `[row_stride, col_stride]` in elements.
        strides: [usize; 2],
    },
    /// The operand shapes do not fit `C[m,n] = A[m,k] * B[k,n]`.
    ShapeMismatch {
        /// `[rows, cols]` of A.
        a: [usize; 2],
        /// `[rows, cols]` of B.
        b: [usize; 2],
        /// `[rows, cols]` of C.
        c: [usize; 2],
    },
    /// A thread count of zero was requested.
    ZeroThreads,
    /// The kernel path forced by `RECUR_KERNEL` (or asked for directly) cannot run here.
    KernelUnavailable {
        /// The path that was asked for, as written.
        requested: String,
        /// Why it cannot run (unknown name, or the CPU lacks the instruction set).
        reason: String,
    },
    /// The `RECUR_CACHES` override of the cache description is malformed.
    CacheOverride {
        /// The variable's value, as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A worker pool for the requested thread count could not be started.
    ThreadPool {
        /// The requested thread count.
        threads: usize,
        /// The operating system's or rayon's reason.
        reason: String,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::SliceTooShort {
                operand,
                shape,
                strides,
                needed,
                len,
            } => write!(
                f,
                "gemm: operand {operand} of shape {shape:?} with strides {strides:?} needs {needed} elements, but its slice has {len}"
            ),
            KernelError::StrideOverflow {
                operand,
                shape,
                strides,
            } => write!(
                f,
                "gemm: operand {operand} of shape {shape:?} with strides {strides:?} overflows the address range"
            ),
            KernelError::AliasingOutput { shape, strides } => write!(
                f,
                "gemm: output C of shape {shape:?} with strides {strides:?} maps two elements to one location"
            ),
            KernelError::ShapeMismatch { a, b, c } => write!(
                f,
                "gemm: shapes do not fit C[m,n] = A[m,k] * B[k,n]: A is {a:?}, B is {b:?}, C is {c:?}"
            ),
            KernelError::ZeroThreads => write!(f, "gemm: threads must be at least 1, got 0"),
            KernelError::KernelUnavailable { requested, reason } => {
                write!(
                    f,
                    "gemm: kernel path {requested:?} is not available: {reason}"
                )
            }
            KernelError::CacheOverride { value, reason } => write!(
                f,
                "gemm: {}={value:?} is not a valid cache description: {reason}",
                crate::cache::CACHES_ENV
            ),
            KernelError::ThreadPool { threads, reason } => {
                write!(
                    f,
                    "gemm: cannot start a pool of {threads} threads: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for KernelError {}
