//! Which micro-kernel family runs: detected once from the CPU, or forced with `RECUR_KERNEL`.

use std::fmt;
use std::sync::OnceLock;

use crate::error::KernelError;

/// The environment variable that forces a kernel path: `scalar`, `avx2` or `avx512` (or `auto`).
pub const KERNEL_ENV: &str = "RECUR_KERNEL";

/// A micro-kernel family. Every path computes the same products; they differ in speed and in
/// rounding (the portable path does not fuse multiply and add).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelPath {
    /// Portable Rust (SSE2 on x86-64), no FMA. Runs everywhere.
    Scalar,
    /// AVX2 + FMA, 256-bit vectors.
    Avx2,
    /// AVX-512F (+FMA), 512-bit vectors and lane masks.
    Avx512,
}

impl KernelPath {
    /// All paths, slowest first.
    pub const ALL: [KernelPath; 3] = [KernelPath::Scalar, KernelPath::Avx2, KernelPath::Avx512];

    /// The name `RECUR_KERNEL` accepts for this path.
    pub fn name(self) -> &'static str {
        match self {
            KernelPath::Scalar => "scalar",
            KernelPath::Avx2 => "avx2",
            KernelPath::Avx512 => "avx512",
        }
    }

    /// Whether this CPU can run the path.
    pub fn supported(self) -> bool {
        match self {
            KernelPath::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            KernelPath::Avx512 => {
                is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The path this CPU runs best: the widest it supports.
    ///
    /// AMD Zen 4 included, although it executes a 512-bit FMA as two 256-bit halves (the same
    /// 32 f32 FLOP per cycle as AVX2's two 256-bit FMAs): measured there (EPYC, family 0x19
    /// model 0x11, 2 vCPUs; `cells-report --samples 5`, ms per fwd+bwd, AVX2 / AVX-512), the
    /// AVX-512 family was as fast or faster in 11 of the 12 cells: SimpleRNN, LSTM, GRU at
    /// (32, 50, 8, 64) 0.561 / 0.505, 2.61 / 2.54, 2.03 / 2.04 on 1 thread and 0.453 / 0.367,
    /// 1.74 / 1.43, 1.43 / 1.18 on 2; at (128, 64, 32, 256) 39.4 / 40.5, 175 / 168, 136 / 130
    /// on 1 and 21.4 / 21.7, 99.0 / 90.9, 80.4 / 68.3 on 2. `gemm-report` on 1 thread: 94.2 /
    /// 96.4% of the FMA peak at n = 256, 93.3 / 97.6% at 512 (twice the registers: a 12 x 32
    /// tile, embedded broadcasts, fewer loop instructions per FMA).
    pub fn best_supported() -> KernelPath {
        KernelPath::ALL
            .into_iter()
            .rev()
            .find(|p| p.supported())
            .unwrap_or(KernelPath::Scalar)
    }

    /// The path [`crate::gemm`] uses: `RECUR_KERNEL` if set (and not `auto`), else
    /// [`KernelPath::best_supported`]. Decided once per process.
    ///
    /// An unknown `RECUR_KERNEL` value, or a path this CPU lacks, is an error (returned by every
    /// GEMM call) rather than a silent fallback: the variable exists to force a path.
    pub fn selected() -> Result<KernelPath, KernelError> {
        static SELECTED: OnceLock<Result<KernelPath, KernelError>> = OnceLock::new();
        SELECTED
            .get_or_init(|| select(std::env::var(KERNEL_ENV).ok().as_deref()))
            .clone()
    }

    /// `Ok(self)` if the CPU supports the path, else the error naming it.
    pub fn check(self) -> Result<KernelPath, KernelError> {
        if self.supported() {
            Ok(self)
        } else {
            Err(KernelError::KernelUnavailable {
                requested: self.name().to_string(),
                reason: "this CPU lacks the instruction set".to_string(),
            })
        }
    }
}

impl fmt::Display for KernelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The path for a `RECUR_KERNEL` value (`None`: unset).
fn select(value: Option<&str>) -> Result<KernelPath, KernelError> {
    let value = match value.map(str::trim) {
        None | Some("") | Some("auto") => return Ok(KernelPath::best_supported()),
        Some(v) => v,
    };
    let path = KernelPath::ALL
        .into_iter()
        .find(|p| p.name().eq_ignore_ascii_case(value))
        .ok_or_else(|| KernelError::KernelUnavailable {
            requested: value.to_string(),
            reason: format!("{KERNEL_ENV} must be one of auto, scalar, avx2, avx512"),
        })?;
    path.check().map_err(|_| KernelError::KernelUnavailable {
        requested: value.to_string(),
        reason: format!("{KERNEL_ENV} forces it but this CPU lacks the instruction set"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_parse() {
        assert_eq!(select(None), Ok(KernelPath::best_supported()));
        assert_eq!(select(Some("auto")), Ok(KernelPath::best_supported()));
        assert_eq!(select(Some("scalar")), Ok(KernelPath::Scalar));
        assert_eq!(select(Some("SCALAR")), Ok(KernelPath::Scalar));
        let err = select(Some("avx9")).unwrap_err();
        assert!(err.to_string().contains("avx9"), "{err}");
        for p in KernelPath::ALL {
            assert_eq!(select(Some(p.name())).is_ok(), p.supported());
        }
    }

    #[test]
    fn best_is_the_widest_supported() {
        let expected = if KernelPath::Avx512.supported() {
            KernelPath::Avx512
        } else if KernelPath::Avx2.supported() {
            KernelPath::Avx2
        } else {
            KernelPath::Scalar
        };
        assert_eq!(KernelPath::best_supported(), expected);
    }
}
