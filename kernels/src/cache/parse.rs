//! The `RECUR_CACHES` override's grammar.

use super::{CacheDescription, CacheLevel, Vendor};

/// The keys [`parse_override`] accepts, for its error messages.
const KEYS: &str = "l1d, l2, l3 (sizes), l1d_ways, l2_ways, l3_ways, line (bytes, every level), \
                    l3_shared (logical CPUs sharing L3), vendor (intel, amd or other)";

/// Applies an override such as `l1d=32K,l2=1M,l3=32M` to `base` (the detected description).
///
/// The text is comma-separated `key=value` pairs, each key at most once:
/// - `l1d`, `l2`, `l3`: sizes in bytes, with an optional `K`, `M` or `G` suffix (powers of 1024;
///   `KiB`, `MB` and lower case are accepted too), e.g. `48K`, `1M`, `1536K`;
/// - `l1d_ways`, `l2_ways`, `l3_ways`: associativity;
/// - `line`: line size in bytes, for every level;
/// - `l3_shared`: how many logical CPUs share L3 (the model gives each its share).
///
/// Keys not given keep `base`'s value, so `l2=1M` changes only L2's size. The result must pass
/// [`CacheDescription::validate`]. `Err` says which pair is wrong and why.
pub fn parse_override(text: &str, base: CacheDescription) -> Result<CacheDescription, String> {
    let mut d = base;
    let mut seen: Vec<&str> = Vec::new();
    for pair in text.split(',').map(str::trim) {
        if pair.is_empty() {
            return Err("an empty entry (two commas, or a trailing one)".to_string());
        }
        let (key, value) = pair
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .ok_or_else(|| format!("{pair:?} is not key=value (keys: {KEYS})"))?;
        let key_lc = key.to_ascii_lowercase();
        if seen.iter().any(|s| s.eq_ignore_ascii_case(key)) {
            return Err(format!("key {key:?} given twice"));
        }
        seen.push(key);
        match key_lc.as_str() {
            "l1d" => d.l1d.size = size(key, value)?,
            "l2" => d.l2.size = size(key, value)?,
            "l3" => d.l3.size = size(key, value)?,
            "l1d_ways" => d.l1d.ways = count(key, value)?,
            "l2_ways" => d.l2.ways = count(key, value)?,
            "l3_ways" => d.l3.ways = count(key, value)?,
            "l3_shared" => d.l3.shared_by = count(key, value)?,
            "vendor" => {
                d.vendor = match value.to_ascii_lowercase().as_str() {
                    "intel" => Vendor::Intel,
                    "amd" => Vendor::Amd,
                    "other" => Vendor::Other,
                    _ => return Err(format!("vendor {value:?} is not intel, amd or other")),
                }
            }
            "line" => {
                let line = count(key, value)?;
                for l in [&mut d.l1d, &mut d.l2, &mut d.l3] {
                    *l = CacheLevel { line, ..*l };
                }
            }
            _ => return Err(format!("unknown key {key:?} (keys: {KEYS})")),
        }
    }
    d.validate()?;
    Ok(d)
}

/// A size such as `32K`, `1M`, `1536k`, `2MiB` or `65536`, in bytes (non-zero).
fn size(key: &str, value: &str) -> Result<usize, String> {
    let lower = value.to_ascii_lowercase();
    let trimmed = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match trimmed.as_bytes().last() {
        Some(b'k') => (&trimmed[..trimmed.len() - 1], 10),
        Some(b'm') => (&trimmed[..trimmed.len() - 1], 20),
        Some(b'g') => (&trimmed[..trimmed.len() - 1], 30),
        _ => (trimmed, 0),
    };
    let n: usize = digits.trim().parse().map_err(|_| {
        format!("{key} size {value:?} is not a whole number of bytes with an optional K, M or G")
    })?;
    let bytes = n
        .checked_mul(1 << shift)
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("{key} size {value:?} is zero or too large"))?;
    Ok(bytes)
}

/// A positive whole number.
fn count(key: &str, value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{key} {value:?} is not a positive whole number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: CacheDescription = CacheDescription::CONSERVATIVE;

    #[test]
    fn good_values() {
        let d = parse_override("l1d=48K,l2=2M,l3=105M", BASE).unwrap();
        assert_eq!(
            (d.l1d.size, d.l2.size, d.l3.size),
            (48 << 10, 2 << 20, 105 << 20)
        );
        assert_eq!(d.l1d.ways, BASE.l1d.ways);
        let d = parse_override(
            " l2 = 1536k , L2_WAYS=12, l1d_ways=12, l3_ways=15, line=128, l3_shared=56, l3=2MiB",
            BASE,
        )
        .unwrap();
        assert_eq!(d.l2.size, 1536 << 10);
        assert_eq!((d.l1d.ways, d.l2.ways, d.l3.ways), (12, 12, 15));
        assert_eq!((d.l1d.line, d.l2.line, d.l3.line), (128, 128, 128));
        assert_eq!((d.l3.shared_by, d.l3.size), (56, 2 << 20));
        assert_eq!(parse_override("l1d=65536", BASE).unwrap().l1d.size, 65536);
        assert_eq!(parse_override("l3=1G", BASE).unwrap().l3.size, 1 << 30);
        assert_eq!(parse_override("l2=1MB", BASE).unwrap().l2.size, 1 << 20);
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        for (text, needle) in [
            ("l2", "not key=value"),
            ("l2=", "l2 size"),
            ("l2=abc", "\"abc\""),
            ("l2=-1M", "\"-1M\""),
            ("l2=1.5M", "\"1.5M\""),
            ("l2=0", "zero"),
            ("l2=99999999999999999999G", "l2 size"),
            ("l2=1M,l2=2M", "twice"),
            ("l4=1M", "unknown key \"l4\""),
            ("l1d_ways=0", "l1d_ways"),
            ("line=48", "power of two"),
            ("line=4096", "power of two"),
            ("l1d=32K,l1d_ways=1024", "smaller than one"),
            ("l3_shared=x", "l3_shared"),
            ("l2=1M,", "empty entry"),
        ] {
            let err = parse_override(text, BASE).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
