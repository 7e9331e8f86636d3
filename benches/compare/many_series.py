"""The many-series generator of `many-report` (benches/src/many/generate.rs) in Python: the same
splitmix64 draws in the same order, so both sides train on the same values bit for bit (their
`checksum`s agree). Shared by many_keras.py and many_spark.py."""

import math
import struct

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SplitMix64:
    """Vigna's splitmix64, as generate.rs."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + GOLDEN) & MASK
        return mix(self.state)

    def next_f64(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next_f64()


def series(seed, index, points):
    """Series `index`: generate.rs's `series`, the same draws in the same order of operations."""
    rng = SplitMix64(mix((seed + ((index + 1) * GOLDEN)) & MASK))
    period = rng.uniform(10.0, 200.0)
    amplitude = rng.uniform(0.5, 2.0)
    phase = rng.uniform(0.0, math.tau)
    trend = rng.uniform(-2.0, 2.0)
    level = rng.uniform(-2.0, 2.0)
    noise = rng.uniform(0.1, 1.0)
    n = float(points)
    out = []
    for t in range(points):
        t = float(t)
        u = rng.next_f64()
        out.append(
            amplitude * math.sin(math.tau * t / period + phase) + trend * t / n + level + noise * u
        )
    return out


def series_id(index, count):
    """generate.rs's ids: `s` and the index in at least 4 digits."""
    digits = max(4, len(str(max(count - 1, 0))))
    return f"s{index:0{digits}d}"


def checksum(all_series):
    """FNV-1a over every value's little-endian bits, as generate.rs's `checksum`."""
    h = 0xCBF29CE484222325
    for values in all_series:
        for b in struct.pack(f"<{len(values)}d", *values):
            h = ((h ^ b) * 0x100000001B3) & MASK
    return h
