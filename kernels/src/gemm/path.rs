//! Which micro-kernel family runs: detected once from the CPU, or forced with `RECUR_KERNEL`.

use std::fmt;
use std::sync::OnceLock;

use crate::cache::CpuId;
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

    /// The path this CPU runs best: the widest it supports, except that AVX2 is preferred to
    /// AVX-512 where [`KernelPath::avx2_preferred_on`] says so (AMD Zen 4).
    pub fn best_supported() -> KernelPath {
        let widest = KernelPath::ALL
            .into_iter()
            .rev()
            .find(|p| p.supported())
            .unwrap_or(KernelPath::Scalar);
        if widest == KernelPath::Avx512 && KernelPath::avx2_preferred_on(&CpuId::current()) {
            KernelPath::Avx2
        } else {
            widest
        }
    }

    /// Whether the AVX2 family is preferred to the AVX-512 one on `cpu` (both supported): true
    /// on AMD Zen 4, false elsewhere.
    ///
    /// The rule, from published figures (not measured here: the build machine is a Zen 3 without
    /// AVX-512). Zen 4 executes a 512-bit FMA as two 256-bit halves on its two 256-bit FMA
    /// pipes: `vfmadd231ps zmm` has a reciprocal throughput of 1 cycle against 0.5 for `ymm`
    /// (uops.info; Agner Fog's tables), so both families peak at 32 f32 FLOP per cycle and the
    /// wider registers buy nothing at the FMA ports. What the AVX-512 family does add is a
    /// 12-row A strip read in place: when A's row stride is a multiple of 4 KiB (k = 1024,
    /// 2048, ...) its 12 rows map to the same L1d set, and Zen 4's L1d has 8 ways, so the strip
    /// evicts itself on every tile and is read from L2 (the AVX2 family's 6 rows fit, with ways
    /// to spare). That would explain the shape of the drop issue 15 measured there with the
    /// AVX-512 family (95-97% of peak at n = 256 and 512, 83-85% at 1024 and 2048), though the
    /// 1 MiB B block of the old constants is another cause; neither is confirmed. Intel's AVX-512 cores with two 512-bit FMA
    /// units (Skylake-SP and later Xeons) double the peak, and Zen 5 runs 512-bit FMAs at full
    /// width on its desktop and server parts, so they keep AVX-512. `RECUR_KERNEL=avx512` still
    /// forces it; `gemm-report` under both values is the measurement that should replace this
    /// rule on a Zen 4.
    pub fn avx2_preferred_on(cpu: &CpuId) -> bool {
        cpu.is_zen4()
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
    fn zen4_prefers_avx2() {
        use crate::cache::Vendor;
        let cpu = |vendor, family, model| CpuId {
            vendor,
            family,
            model,
        };
        assert!(KernelPath::avx2_preferred_on(&cpu(Vendor::Amd, 0x19, 0x11)));
        assert!(KernelPath::avx2_preferred_on(&cpu(Vendor::Amd, 0x19, 0x61)));
        // Zen 5 (family 0x1A), Zen 3 (no AVX-512 anyway) and Intel keep the widest path.
        assert!(!KernelPath::avx2_preferred_on(&cpu(
            Vendor::Amd,
            0x1A,
            0x44
        )));
        assert!(!KernelPath::avx2_preferred_on(&cpu(
            Vendor::Amd,
            0x19,
            0x01
        )));
        assert!(!KernelPath::avx2_preferred_on(&cpu(Vendor::Intel, 6, 0x8F)));
        assert!(KernelPath::best_supported().supported());
    }
}
