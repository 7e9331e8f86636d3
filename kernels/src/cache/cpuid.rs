//! The CPUID instruction: vendor, family and model, and the cache leaves (4 on Intel,
//! `0x8000001D` on AMD), which share one register layout.

use super::{CacheDescription, CacheLevel, LevelCollector};

/// A CPU vendor, as CPUID leaf 0 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// `GenuineIntel`.
    Intel,
    /// `AuthenticAMD` (or Hygon's `HygonGenuine`, a Zen 1 licensee with the same leaves).
    Amd,
    /// Anything else, or not x86-64.
    Other,
}

impl Vendor {
    /// `intel`, `amd` or `other`, as `RECUR_CACHES`'s `vendor` key takes it.
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Intel => "intel",
            Vendor::Amd => "amd",
            Vendor::Other => "other",
        }
    }
}

/// The running CPU's identity, for per-microarchitecture choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuId {
    /// Who made it.
    pub vendor: Vendor,
    /// Display family (base family plus extended family when the base is 15), e.g. 25 for
    /// Zen 3 and Zen 4, 26 for Zen 5, 6 for most Intel cores.
    pub family: u32,
    /// Display model (extended model in the high nibble when the family is 6 or 15 and above),
    /// e.g. 0x01 or 0x11 within AMD family 25.
    pub model: u32,
}

impl CpuId {
    /// The running CPU (vendor [`Vendor::Other`], family and model 0 off x86-64).
    pub fn current() -> CpuId {
        #[cfg(target_arch = "x86_64")]
        {
            let (max, vendor) = vendor();
            if max >= 1 {
                let (family, model) = family_model(cpuid(1, 0)[0]);
                return CpuId {
                    vendor,
                    family,
                    model,
                };
            }
            CpuId {
                vendor,
                family: 0,
                model: 0,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        CpuId {
            vendor: Vendor::Other,
            family: 0,
            model: 0,
        }
    }

    /// Whether this is an AMD Zen 4 core (family 25 with model 0x10-0x1F, 0x60-0x7F or 0xA0-0xAF: Genoa,
    /// Raphael, Phoenix, Bergamo), the first Zen to run AVX-512 (on 256-bit halves).
    pub fn is_zen4(&self) -> bool {
        self.vendor == Vendor::Amd
            && self.family == 0x19
            && matches!(self.model, 0x10..=0x1F | 0x60..=0x7F | 0xA0..=0xAF)
    }
}

/// Family and model from leaf 1's EAX.
fn family_model(eax: u32) -> (u32, u32) {
    let base_family = (eax >> 8) & 0xF;
    let family = if base_family == 0xF {
        base_family + ((eax >> 20) & 0xFF)
    } else {
        base_family
    };
    let base_model = (eax >> 4) & 0xF;
    let model = if base_family == 0x6 || base_family == 0xF {
        base_model | (((eax >> 16) & 0xF) << 4)
    } else {
        base_model
    };
    (family, model)
}

/// `[eax, ebx, ecx, edx]` of CPUID `leaf`, sub-leaf `sub`.
#[cfg(target_arch = "x86_64")]
fn cpuid(leaf: u32, sub: u32) -> [u32; 4] {
    // CPUID exists on every x86-64 CPU; it only reads identification registers.
    let r = std::arch::x86_64::__cpuid_count(leaf, sub);
    [r.eax, r.ebx, r.ecx, r.edx]
}

/// The highest standard leaf and the vendor.
#[cfg(target_arch = "x86_64")]
fn vendor() -> (u32, Vendor) {
    let [max, b, c, d] = cpuid(0, 0);
    let mut name = [0u8; 12];
    name[..4].copy_from_slice(&b.to_le_bytes());
    name[4..8].copy_from_slice(&d.to_le_bytes());
    name[8..].copy_from_slice(&c.to_le_bytes());
    let vendor = match &name {
        b"GenuineIntel" => Vendor::Intel,
        b"AuthenticAMD" | b"HygonGenuine" => Vendor::Amd,
        _ => Vendor::Other,
    };
    (max, vendor)
}

/// The caches from CPUID, or `None` when the vendor's cache leaf is missing or lacks L1d/L2.
pub(super) fn caches() -> Option<CacheDescription> {
    #[cfg(target_arch = "x86_64")]
    {
        let (max, vendor) = vendor();
        let leaf = match vendor {
            Vendor::Intel if max >= 4 => 4,
            Vendor::Amd => {
                // Leaf 0x8000001D exists when the topology extensions bit (0x80000001 ECX 22)
                // is set.
                let max_ext = cpuid(0x8000_0000, 0)[0];
                if max_ext < 0x8000_001D || cpuid(0x8000_0001, 0)[2] & (1 << 22) == 0 {
                    return None;
                }
                0x8000_001D
            }
            _ => return None,
        };
        describe(|sub| cpuid(leaf, sub))
    }
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// The description from the deterministic cache parameters leaf, `regs(sub)` being its
/// `[eax, ebx, ecx, edx]` for sub-leaf `sub` (a cache type of 0 ends the list).
fn describe(regs: impl Fn(u32) -> [u32; 4]) -> Option<CacheDescription> {
    let mut levels = LevelCollector::default();
    for sub in 0..16 {
        let [a, b, c, _] = regs(sub);
        let kind = a & 0x1F;
        if kind == 0 {
            break;
        }
        // 1: data, 3: unified (2 is the instruction cache).
        if kind != 1 && kind != 3 {
            continue;
        }
        let level = (a >> 5) & 0x7;
        let shared_by = ((a >> 14) & 0xFFF) as usize + 1;
        let line = (b & 0xFFF) as usize + 1;
        let partitions = ((b >> 12) & 0x3FF) as usize + 1;
        let ways = ((b >> 22) & 0x3FF) as usize + 1;
        let sets = c as usize + 1;
        levels.record(
            level as usize,
            CacheLevel {
                size: ways * partitions * line * sets,
                ways,
                line,
                shared_by,
            },
        );
    }
    levels.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One sub-leaf's registers for a cache of `kind` at `level`.
    fn leaf(kind: u32, level: u32, sharing: u32, ways: u32, line: u32, sets: u32) -> [u32; 4] {
        [
            kind | (level << 5) | ((sharing - 1) << 14),
            (line - 1) | ((ways - 1) << 22),
            sets - 1,
            0,
        ]
    }

    #[test]
    fn decodes_the_cache_leaf() {
        // Zen 3: 32K 8-way L1d, 32K L1i, 512K 8-way L2, 32M 16-way L3 shared by 16.
        let subs = [
            leaf(1, 1, 2, 8, 64, 64),
            leaf(2, 1, 2, 8, 64, 64),
            leaf(3, 2, 2, 8, 64, 1024),
            leaf(3, 3, 16, 16, 64, 32768),
            [0; 4],
        ];
        let d = describe(|s| subs.get(s as usize).copied().unwrap_or([0; 4])).unwrap();
        assert_eq!((d.l1d.size, d.l1d.ways, d.l1d.line), (32 << 10, 8, 64));
        assert_eq!((d.l2.size, d.l2.ways), (512 << 10, 8));
        assert_eq!((d.l3.size, d.l3.ways, d.l3.shared_by), (32 << 20, 16, 16));
        assert!(describe(|_| [0; 4]).is_none());
    }

    #[test]
    fn family_and_model() {
        // EPYC 7xx3 (Zen 3): family 0x19 model 0x01; Genoa (Zen 4): 0x19 / 0x11; Sapphire
        // Rapids: 6 / 0x8F.
        assert_eq!(family_model(0x00A0_0F11), (0x19, 0x01));
        assert_eq!(family_model(0x00A1_0F11), (0x19, 0x11));
        assert_eq!(family_model(0x0008_06F8), (6, 0x8F));
        let zen = |model| CpuId {
            vendor: Vendor::Amd,
            family: 0x19,
            model,
        };
        assert!(zen(0x11).is_zen4() && zen(0x61).is_zen4());
        assert!(!zen(0x01).is_zen4() && !zen(0x21).is_zen4());
    }

    #[test]
    fn current_cpu_reads() {
        let id = CpuId::current();
        #[cfg(target_arch = "x86_64")]
        if id.vendor != Vendor::Other {
            assert!(id.family > 0, "{id:?}");
        }
        // Linux fills sysfs from these same leaves on x86, so where both answer they agree.
        if let (Some(c), Some(s)) = (caches(), super::super::sysfs::read()) {
            assert_eq!(
                (c.l1d.size, c.l2.size),
                (s.l1d.size, s.l2.size),
                "{c} vs {s}"
            );
        }
    }
}
