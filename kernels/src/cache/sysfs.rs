//! Linux sysfs: `/sys/devices/system/cpu/cpu0/cache/index*/`.

use super::{CacheDescription, CacheLevel, LevelCollector};

/// The directory whose `index0`, `index1`, ... describe CPU 0's caches.
const ROOT: &str = "/sys/devices/system/cpu/cpu0/cache";

/// CPU 0's data caches from sysfs, or `None` if it lacks L1d or L2 (or is not Linux).
pub(super) fn read() -> Option<CacheDescription> {
    describe(|index, file| std::fs::read_to_string(format!("{ROOT}/index{index}/{file}")).ok())
}

/// The description from `file(index, name)`, which returns the text of `index<index>/<name>`
/// (or `None` past the last index). Without an L3, L3 is L2 (the model then has no more room).
fn describe(file: impl Fn(usize, &str) -> Option<String>) -> Option<CacheDescription> {
    let mut levels = LevelCollector::default();
    // Sixteen indices is more than any CPU has; the loop stops at the first missing one.
    for index in 0..16 {
        let Some(kind) = file(index, "type") else {
            break;
        };
        let kind = kind.trim();
        if kind != "Data" && kind != "Unified" {
            continue;
        }
        let num = |name: &str| file(index, name).and_then(|s| s.trim().parse::<usize>().ok());
        let Some(level) = num("level") else { continue };
        let Some(size) = file(index, "size").and_then(|s| size(&s)) else {
            continue;
        };
        let line = num("coherency_line_size").unwrap_or(64);
        // Some hypervisors report 0 ways; take 8 (an average) rather than drop the level.
        let ways = num("ways_of_associativity").filter(|&w| w > 0).unwrap_or(8);
        let shared_by = file(index, "shared_cpu_list")
            .and_then(|s| cpu_count(&s))
            .unwrap_or(1);
        levels.record(
            level,
            CacheLevel {
                size,
                ways,
                line,
                shared_by,
            },
        );
    }
    levels.finish()
}

/// Bytes of a sysfs size such as `32K`, `1024K`, `32768K` or `4M`.
fn size(text: &str) -> Option<usize> {
    let t = text.trim();
    let (digits, shift) = match t.as_bytes().last()? {
        b'K' => (&t[..t.len() - 1], 10),
        b'M' => (&t[..t.len() - 1], 20),
        b'G' => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    digits.parse::<usize>().ok()?.checked_mul(1 << shift)
}

/// How many CPUs a list such as `0-3,8-11` or `0,64` names.
fn cpu_count(text: &str) -> Option<usize> {
    let mut n = 0;
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        n += match part.split_once('-') {
            Some((a, b)) => b.parse::<usize>().ok()?.checked_sub(a.parse().ok()?)? + 1,
            None => {
                part.parse::<usize>().ok()?;
                1
            }
        };
    }
    (n > 0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Zen 3 VM's tree as sysfs shows it (index1 is the instruction cache).
    fn zen3(index: usize, name: &str) -> Option<String> {
        let rows = [
            ["1", "Data", "32K", "8", "64", "0"],
            ["1", "Instruction", "32K", "8", "64", "0"],
            ["2", "Unified", "512K", "8", "64", "0"],
            ["3", "Unified", "32768K", "16", "64", "0-1"],
        ];
        let row = rows.get(index)?;
        let col = [
            "level",
            "type",
            "size",
            "ways_of_associativity",
            "coherency_line_size",
            "shared_cpu_list",
        ]
        .iter()
        .position(|c| *c == name)?;
        Some(format!("{}\n", row[col]))
    }

    #[test]
    fn reads_a_tree() {
        let d = describe(zen3).unwrap();
        assert_eq!(
            d.l1d,
            CacheLevel {
                size: 32 << 10,
                ways: 8,
                line: 64,
                shared_by: 1
            }
        );
        assert_eq!((d.l2.size, d.l2.ways), (512 << 10, 8));
        assert_eq!((d.l3.size, d.l3.ways, d.l3.shared_by), (32 << 20, 16, 2));
    }

    #[test]
    fn without_l3_the_l2_stands_in() {
        let d = describe(|i, n| if i < 3 { zen3(i, n) } else { None }).unwrap();
        assert_eq!(d.l3, d.l2);
        assert!(describe(|i, n| if i < 1 { zen3(i, n) } else { None }).is_none());
    }

    #[test]
    fn parses_sizes_and_cpu_lists() {
        assert_eq!(size("48K\n"), Some(48 << 10));
        assert_eq!(size("2M"), Some(2 << 20));
        assert_eq!(size("65536"), Some(65536));
        assert_eq!(size("x"), None);
        assert_eq!(cpu_count("0-3,8-11\n"), Some(8));
        assert_eq!(cpu_count("0,64"), Some(2));
        assert_eq!(cpu_count("5"), Some(1));
        assert_eq!(cpu_count("3-1"), None);
        assert_eq!(cpu_count(""), None);
    }
}
