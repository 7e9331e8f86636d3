//! The running CPU's data caches, as the GEMM blocking model needs them: sizes, associativity,
//! line size and how many logical CPUs share each level.
//!
//! Detected once per process ([`detected`]), in this order:
//! 1. the [`CACHES_ENV`] override (`RECUR_CACHES`, see [`parse_override`]), whose keys replace
//!    the detected values;
//! 2. Linux sysfs (`/sys/devices/system/cpu/cpu0/cache/index*/`);
//! 3. CPUID: leaf 4 on Intel, leaf `0x8000001D` on AMD;
//! 4. [`CacheDescription::CONSERVATIVE`], a small AVX2-era client part, so a machine that
//!    reports nothing gets blocks that fit everywhere rather than blocks tuned for a large core.
//!
//! A bad `RECUR_CACHES` value is an error returned by every GEMM call (as a bad `RECUR_KERNEL`
//! is), never a panic and never ignored: the variable exists to force a description, and a
//! silent fallback would measure something other than what was asked for.

mod cpuid;
mod parse;
mod sysfs;

use std::fmt;
use std::sync::OnceLock;

use crate::error::KernelError;

pub use cpuid::{CpuId, Vendor};
pub use parse::parse_override;

/// The environment variable that overrides the detected caches, e.g.
/// `RECUR_CACHES="l1d=32K,l2=1M,l3=32M"` (see [`parse_override`] for every key).
pub const CACHES_ENV: &str = "RECUR_CACHES";

/// One cache level (the default: all zero, a level nothing was read for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheLevel {
    /// Capacity in bytes.
    pub size: usize,
    /// Ways of associativity (a fully associative cache reports its line count).
    pub ways: usize,
    /// Line size in bytes.
    pub line: usize,
    /// Logical CPUs sharing this cache (1: private to one hardware thread).
    pub shared_by: usize,
}

impl CacheLevel {
    /// Bytes of one way (`size / ways`): how much data maps to each set's single line.
    pub fn way_bytes(&self) -> usize {
        self.size / self.ways.max(1)
    }

    /// Bytes of this level one of the CPUs sharing it may count on (`size / shared_by`).
    pub fn share(&self) -> usize {
        self.size / self.shared_by.max(1)
    }
}

/// The data caches the blocking model reads: L1d, L2 and L3 (a CPU without an L3 is described
/// with an L3 equal to its L2 share).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheDescription {
    /// The level-1 data cache.
    pub l1d: CacheLevel,
    /// The level-2 (unified) cache.
    pub l2: CacheLevel,
    /// The last-level (unified) cache.
    pub l3: CacheLevel,
    /// Who made the CPU: the blocking model lets B blocks grow into L3 on AMD only (see
    /// `gemm/model.rs`). The readers leave it [`Vendor::Other`]; detection fills it from CPUID.
    pub vendor: Vendor,
}

/// Gathers the data and unified cache levels a reader (sysfs or CPUID) finds, in any order, into
/// a [`CacheDescription`].
#[derive(Default)]
pub(super) struct LevelCollector {
    l1d: Option<CacheLevel>,
    l2: Option<CacheLevel>,
    l3: Option<CacheLevel>,
}

impl LevelCollector {
    /// Records the cache of `level` (1, 2 or 3; deeper levels are not used by the model).
    pub(super) fn record(&mut self, level: usize, cache: CacheLevel) {
        match level {
            1 => self.l1d = Some(cache),
            2 => self.l2 = Some(cache),
            3 => self.l3 = Some(cache),
            _ => {}
        }
    }

    /// The description, if an L1d and an L2 were found (a missing L3 is the L2 share).
    pub(super) fn finish(self) -> Option<CacheDescription> {
        let (l1d, l2) = (self.l1d?, self.l2?);
        Some(CacheDescription {
            l1d,
            l2,
            l3: self.l3.unwrap_or(l2),
            vendor: Vendor::Other,
        })
    }
}

impl CacheDescription {
    /// The fallback when nothing can be read: 32 KiB 8-way L1d, 256 KiB 4-way L2, 8 MiB 16-way
    /// L3 shared by 8 logical CPUs, 64-byte lines (an Intel Skylake client part, the smallest
    /// caches an AVX2 machine is likely to have, so the blocks fit on any larger one).
    pub const CONSERVATIVE: CacheDescription = CacheDescription {
        l1d: CacheLevel {
            size: 32 << 10,
            ways: 8,
            line: 64,
            shared_by: 2,
        },
        l2: CacheLevel {
            size: 256 << 10,
            ways: 4,
            line: 64,
            shared_by: 2,
        },
        l3: CacheLevel {
            size: 8 << 20,
            ways: 16,
            line: 64,
            shared_by: 8,
        },
        vendor: Vendor::Other,
    };

    /// Whether every level has a non-zero size, at least one way, a power-of-two line of 16 to
    /// 1024 bytes no bigger than a way, and at least one sharer; `Err` names the first fault.
    pub fn validate(&self) -> Result<(), String> {
        for (name, l) in [("l1d", &self.l1d), ("l2", &self.l2), ("l3", &self.l3)] {
            if l.size == 0 {
                return Err(format!("{name} size is 0"));
            }
            if l.ways == 0 {
                return Err(format!("{name} has 0 ways"));
            }
            if !l.line.is_power_of_two() || !(16..=1024).contains(&l.line) {
                return Err(format!(
                    "{name} line of {} bytes is not a power of two in 16..=1024",
                    l.line
                ));
            }
            if l.way_bytes() < l.line {
                return Err(format!(
                    "{name}: {} bytes in {} ways leaves a way smaller than one {}-byte line",
                    l.size, l.ways, l.line
                ));
            }
            if l.shared_by == 0 {
                return Err(format!("{name} is shared by 0 CPUs"));
            }
        }
        Ok(())
    }
}

impl fmt::Display for CacheLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}-way, {} B lines, shared by {}",
            human_bytes(self.size),
            self.ways,
            self.line,
            self.shared_by
        )
    }
}

impl fmt::Display for CacheDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "L1d {}; L2 {}; L3 {}; vendor {}",
            self.l1d,
            self.l2,
            self.l3,
            self.vendor.name()
        )
    }
}

/// `n` bytes as `32K`, `1M`, `1536K` (the largest unit that divides it), as the override takes.
pub fn human_bytes(n: usize) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{}G", n >> 30)
    } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{}M", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{}K", n >> 10)
    } else {
        n.to_string()
    }
}

/// Where the description in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheSource {
    /// Linux sysfs.
    Sysfs,
    /// The CPUID instruction.
    Cpuid,
    /// Nothing could be read: [`CacheDescription::CONSERVATIVE`].
    Default,
}

impl fmt::Display for CacheSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CacheSource::Sysfs => "sysfs",
            CacheSource::Cpuid => "cpuid",
            CacheSource::Default => "conservative default",
        })
    }
}

/// The caches in use and how they were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectedCaches {
    /// The description the blocking model reads (after the override).
    pub description: CacheDescription,
    /// What the hardware reported (before the override).
    pub hardware: CacheDescription,
    /// Where `hardware` came from.
    pub source: CacheSource,
    /// The override's text when [`CACHES_ENV`] was set (and not `auto` or empty).
    pub overridden: Option<String>,
}

/// The caches the GEMM blocking uses: detected once per process, with [`CACHES_ENV`] applied.
/// Every later call returns the same value, or the same error for a bad override.
pub fn detected() -> Result<&'static DetectedCaches, KernelError> {
    static DETECTED: OnceLock<Result<DetectedCaches, KernelError>> = OnceLock::new();
    DETECTED
        .get_or_init(|| {
            let (hardware, source) = from_hardware();
            with_override(hardware, source, std::env::var(CACHES_ENV).ok().as_deref())
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The hardware's description: sysfs, then CPUID, then the conservative default.
fn from_hardware() -> (CacheDescription, CacheSource) {
    let vendor = CpuId::current().vendor;
    let (d, source) = if let Some(d) = sysfs::read().filter(|d| d.validate().is_ok()) {
        (d, CacheSource::Sysfs)
    } else if let Some(d) = cpuid::caches().filter(|d| d.validate().is_ok()) {
        (d, CacheSource::Cpuid)
    } else {
        (CacheDescription::CONSERVATIVE, CacheSource::Default)
    };
    (CacheDescription { vendor, ..d }, source)
}

/// `hardware` with the override `value` (the variable's text, `None` when unset) applied.
fn with_override(
    hardware: CacheDescription,
    source: CacheSource,
    value: Option<&str>,
) -> Result<DetectedCaches, KernelError> {
    let text = value
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "auto");
    let description = match text {
        None => hardware,
        Some(v) => parse_override(v, hardware).map_err(|reason| KernelError::CacheOverride {
            value: v.to_string(),
            reason,
        })?,
    };
    Ok(DetectedCaches {
        description,
        hardware,
        source,
        overridden: text.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_gives_a_valid_description() {
        let (d, source) = from_hardware();
        assert!(d.validate().is_ok(), "{source}: {d}");
        // The share of L2 a thread counts on is never below the share of L1d.
        assert!(d.l2.size >= d.l1d.size, "{d}");
    }

    #[test]
    fn override_applies_or_names_the_variable_and_value() {
        let hw = CacheDescription::CONSERVATIVE;
        let ok = with_override(hw, CacheSource::Default, Some("l2=1M")).unwrap();
        assert_eq!(ok.description.l2.size, 1 << 20);
        assert_eq!(ok.description.l1d, hw.l1d);
        assert_eq!(ok.overridden.as_deref(), Some("l2=1M"));
        for unset in [None, Some(""), Some("  "), Some("auto")] {
            let d = with_override(hw, CacheSource::Default, unset).unwrap();
            assert_eq!((d.description, d.overridden), (hw, None));
        }
        let err = with_override(hw, CacheSource::Default, Some("l2=lots")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(CACHES_ENV) && msg.contains("l2=lots"), "{msg}");
    }

    #[test]
    fn human_bytes_round_trips_units() {
        assert_eq!(human_bytes(32 << 10), "32K");
        assert_eq!(human_bytes(1536 << 10), "1536K");
        assert_eq!(human_bytes(2 << 20), "2M");
        assert_eq!(human_bytes(100), "100");
    }
}
