//! Register-allocated-by-hand AVX-512 micro-kernels for the two full-width tiles the AVX-512
//! family computes most: `12 x 32` and `8 x 32` (two zmm columns).
//!
//! Why assembly: the generic kernel in `tile.rs` is the same arithmetic, but LLVM's register
//! allocation of it keeps spilling: with A read in place it needs twelve row offsets beside the
//! pointers and counters, and it ended up storing accumulators to the stack inside the k loop.
//! On a Sapphire-Rapids-class Xeon that ran the packed path at 84-110 GFLOP/s of a 229 peak.
//! Here every accumulator stays in a zmm register for the whole loop (24 or 16 of them, two for
//! B's row, two for alternating broadcasts of A) and A's rows are addressed from two base
//! pointers with `row_stride`, `3 * row_stride` and `5 * row_stride` as index registers, so the
//! loop is loads and FMAs only.
//!
//! Bits: each accumulator lane is `fma(a[r][p], b[p][j], acc)` for `p = 0, 1, ..., k - 1` from
//! zero, exactly the generic kernel's order, so both give identical results (tested below and by
//! the crate's reference tests).

use std::arch::asm;

use super::tile::{TileA, TileC};

/// One tile row's update: broadcast A's element into `$bc`, two FMAs into the row's accumulators
/// with B's two vectors (zmm28, zmm29).
macro_rules! fma_row {
    ($bc:literal, $addr:literal, $acc0:literal, $acc1:literal) => {
        concat!(
            "vbroadcastss ",
            $bc,
            ", dword ptr ",
            $addr,
            "\n",
            "vfmadd231ps ",
            $acc0,
            ", ",
            $bc,
            ", zmm28\n",
            "vfmadd231ps ",
            $acc1,
            ", ",
            $bc,
            ", zmm29\n",
        )
    };
}

/// The first eight rows of a step with A packed eight or twelve tall (`{a}` is the step's first
/// element; the caller advances it by the panel height).
macro_rules! rows_packed_8 {
    () => {
        concat!(
            fma_row!("zmm30", "[{a}]", "zmm0", "zmm1"),
            fma_row!("zmm31", "[{a} + 4]", "zmm2", "zmm3"),
            fma_row!("zmm30", "[{a} + 8]", "zmm4", "zmm5"),
            fma_row!("zmm31", "[{a} + 12]", "zmm6", "zmm7"),
            fma_row!("zmm30", "[{a} + 16]", "zmm8", "zmm9"),
            fma_row!("zmm31", "[{a} + 20]", "zmm10", "zmm11"),
            fma_row!("zmm30", "[{a} + 24]", "zmm12", "zmm13"),
            fma_row!("zmm31", "[{a} + 28]", "zmm14", "zmm15"),
        )
    };
}

/// Rows 8-11 of a step with A packed twelve tall.
macro_rules! rows_packed_8_to_12 {
    () => {
        concat!(
            fma_row!("zmm30", "[{a} + 32]", "zmm16", "zmm17"),
            fma_row!("zmm31", "[{a} + 36]", "zmm18", "zmm19"),
            fma_row!("zmm30", "[{a} + 40]", "zmm20", "zmm21"),
            fma_row!("zmm31", "[{a} + 44]", "zmm22", "zmm23"),
        )
    };
}

/// Rows 0-5 of a step with A in place: `{a0}` is row 0's element, `{l1}`, `{l3}`, `{l5}` one,
/// three and five row strides in bytes.
macro_rules! rows_strided_0_to_6 {
    () => {
        concat!(
            fma_row!("zmm30", "[{a0}]", "zmm0", "zmm1"),
            fma_row!("zmm31", "[{a0} + {l1}]", "zmm2", "zmm3"),
            fma_row!("zmm30", "[{a0} + 2 * {l1}]", "zmm4", "zmm5"),
            fma_row!("zmm31", "[{a0} + {l3}]", "zmm6", "zmm7"),
            fma_row!("zmm30", "[{a0} + 4 * {l1}]", "zmm8", "zmm9"),
            fma_row!("zmm31", "[{a0} + {l5}]", "zmm10", "zmm11"),
        )
    };
}

/// Rows 6 and 7 of a step with A in place: `{a1}` is row 6's element.
macro_rules! rows_strided_6_to_8 {
    () => {
        concat!(
            fma_row!("zmm30", "[{a1}]", "zmm12", "zmm13"),
            fma_row!("zmm31", "[{a1} + {l1}]", "zmm14", "zmm15"),
        )
    };
}

/// Rows 8-11 of a step with A in place (`{a1}` is row 6's element).
macro_rules! rows_strided_8_to_12 {
    () => {
        concat!(
            fma_row!("zmm30", "[{a1} + 2 * {l1}]", "zmm16", "zmm17"),
            fma_row!("zmm31", "[{a1} + {l3}]", "zmm18", "zmm19"),
            fma_row!("zmm30", "[{a1} + 4 * {l1}]", "zmm20", "zmm21"),
            fma_row!("zmm31", "[{a1} + {l5}]", "zmm22", "zmm23"),
        )
    };
}

/// Loads B's row (two vectors); `prefetch` also hints the row `{pf}` bytes ahead into
/// L1, and `pack` also stores the row to `{pk}` (the packed panel being written) and advances it.
macro_rules! load_b {
    (plain) => {
        concat!(
            "vmovups zmm28, zmmword ptr [{b}]\n",
            "vmovups zmm29, zmmword ptr [{b} + 64]\n",
        )
    };
    (prefetch) => {
        concat!(
            load_b!(plain),
            "prefetcht0 byte ptr [{b} + {pf}]\n",
            "prefetcht0 byte ptr [{b} + {pf} + 64]\n",
        )
    };
    (pack) => {
        concat!(
            load_b!(prefetch),
            "vmovups zmmword ptr [{pk}], zmm28\n",
            "vmovups zmmword ptr [{pk} + 64], zmm29\n",
            "add {pk}, 128\n",
        )
    };
}

/// Zeroes the first 16 accumulators.
macro_rules! zero_16 {
    () => {
        concat!(
            "vxorps xmm0, xmm0, xmm0\n",
            "vxorps xmm1, xmm1, xmm1\n",
            "vxorps xmm2, xmm2, xmm2\n",
            "vxorps xmm3, xmm3, xmm3\n",
            "vxorps xmm4, xmm4, xmm4\n",
            "vxorps xmm5, xmm5, xmm5\n",
            "vxorps xmm6, xmm6, xmm6\n",
            "vxorps xmm7, xmm7, xmm7\n",
            "vxorps xmm8, xmm8, xmm8\n",
            "vxorps xmm9, xmm9, xmm9\n",
            "vxorps xmm10, xmm10, xmm10\n",
            "vxorps xmm11, xmm11, xmm11\n",
            "vxorps xmm12, xmm12, xmm12\n",
            "vxorps xmm13, xmm13, xmm13\n",
            "vxorps xmm14, xmm14, xmm14\n",
            "vxorps xmm15, xmm15, xmm15\n",
        )
    };
}

/// Zeroes accumulators 16-23 (zmm16 and up need the EVEX form).
macro_rules! zero_16_to_24 {
    () => {
        concat!(
            "vpxord zmm16, zmm16, zmm16\n",
            "vpxord zmm17, zmm17, zmm17\n",
            "vpxord zmm18, zmm18, zmm18\n",
            "vpxord zmm19, zmm19, zmm19\n",
            "vpxord zmm20, zmm20, zmm20\n",
            "vpxord zmm21, zmm21, zmm21\n",
            "vpxord zmm22, zmm22, zmm22\n",
            "vpxord zmm23, zmm23, zmm23\n",
        )
    };
}

/// Writes rows 0-7 of the tile to C at `{c}` (row stride `{ldc}` bytes), advancing `{c}`.
macro_rules! write_8 {
    () => {
        concat!(
            "vmovups zmmword ptr [{c}], zmm0\n",
            "vmovups zmmword ptr [{c} + 64], zmm1\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm2\n",
            "vmovups zmmword ptr [{c} + 64], zmm3\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm4\n",
            "vmovups zmmword ptr [{c} + 64], zmm5\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm6\n",
            "vmovups zmmword ptr [{c} + 64], zmm7\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm8\n",
            "vmovups zmmword ptr [{c} + 64], zmm9\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm10\n",
            "vmovups zmmword ptr [{c} + 64], zmm11\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm12\n",
            "vmovups zmmword ptr [{c} + 64], zmm13\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm14\n",
            "vmovups zmmword ptr [{c} + 64], zmm15\n",
            "add {c}, {ldc}\n",
        )
    };
}

/// Writes rows 8-11 of the tile, after [`write_8`].
macro_rules! write_8_to_12 {
    () => {
        concat!(
            "vmovups zmmword ptr [{c}], zmm16\n",
            "vmovups zmmword ptr [{c} + 64], zmm17\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm18\n",
            "vmovups zmmword ptr [{c} + 64], zmm19\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm20\n",
            "vmovups zmmword ptr [{c} + 64], zmm21\n",
            "add {c}, {ldc}\n",
            "vmovups zmmword ptr [{c}], zmm22\n",
            "vmovups zmmword ptr [{c} + 64], zmm23\n",
            "add {c}, {ldc}\n",
        )
    };
}

/// Adds C's rows 0-7 to the tile and writes them back (`C + acc`, one rounding).
macro_rules! add_write_8 {
    () => {
        concat!(
            "vaddps zmm0, zmm0, zmmword ptr [{c}]\n",
            "vaddps zmm1, zmm1, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm0\n",
            "vmovups zmmword ptr [{c} + 64], zmm1\n",
            "add {c}, {ldc}\n",
            "vaddps zmm2, zmm2, zmmword ptr [{c}]\n",
            "vaddps zmm3, zmm3, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm2\n",
            "vmovups zmmword ptr [{c} + 64], zmm3\n",
            "add {c}, {ldc}\n",
            "vaddps zmm4, zmm4, zmmword ptr [{c}]\n",
            "vaddps zmm5, zmm5, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm4\n",
            "vmovups zmmword ptr [{c} + 64], zmm5\n",
            "add {c}, {ldc}\n",
            "vaddps zmm6, zmm6, zmmword ptr [{c}]\n",
            "vaddps zmm7, zmm7, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm6\n",
            "vmovups zmmword ptr [{c} + 64], zmm7\n",
            "add {c}, {ldc}\n",
            "vaddps zmm8, zmm8, zmmword ptr [{c}]\n",
            "vaddps zmm9, zmm9, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm8\n",
            "vmovups zmmword ptr [{c} + 64], zmm9\n",
            "add {c}, {ldc}\n",
            "vaddps zmm10, zmm10, zmmword ptr [{c}]\n",
            "vaddps zmm11, zmm11, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm10\n",
            "vmovups zmmword ptr [{c} + 64], zmm11\n",
            "add {c}, {ldc}\n",
            "vaddps zmm12, zmm12, zmmword ptr [{c}]\n",
            "vaddps zmm13, zmm13, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm12\n",
            "vmovups zmmword ptr [{c} + 64], zmm13\n",
            "add {c}, {ldc}\n",
            "vaddps zmm14, zmm14, zmmword ptr [{c}]\n",
            "vaddps zmm15, zmm15, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm14\n",
            "vmovups zmmword ptr [{c} + 64], zmm15\n",
            "add {c}, {ldc}\n",
        )
    };
}

/// Rows 8-11 of [`add_write_8`].
macro_rules! add_write_8_to_12 {
    () => {
        concat!(
            "vaddps zmm16, zmm16, zmmword ptr [{c}]\n",
            "vaddps zmm17, zmm17, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm16\n",
            "vmovups zmmword ptr [{c} + 64], zmm17\n",
            "add {c}, {ldc}\n",
            "vaddps zmm18, zmm18, zmmword ptr [{c}]\n",
            "vaddps zmm19, zmm19, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm18\n",
            "vmovups zmmword ptr [{c} + 64], zmm19\n",
            "add {c}, {ldc}\n",
            "vaddps zmm20, zmm20, zmmword ptr [{c}]\n",
            "vaddps zmm21, zmm21, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm20\n",
            "vmovups zmmword ptr [{c} + 64], zmm21\n",
            "add {c}, {ldc}\n",
            "vaddps zmm22, zmm22, zmmword ptr [{c}]\n",
            "vaddps zmm23, zmm23, zmmword ptr [{c} + 64]\n",
            "vmovups zmmword ptr [{c}], zmm22\n",
            "vmovups zmmword ptr [{c} + 64], zmm23\n",
            "add {c}, {ldc}\n",
        )
    };
}

/// The k loop around one step's template: zero, `k` steps (`{k}` counts down; B advances by
/// `{bs}` bytes, A as `$advance` says), store. Every vector register is declared clobbered.
macro_rules! tile_loop {
    (
        zero: [$($zero:expr),*],
        step: [$($step:expr),*],
        advance: [$($advance:expr),*],
        store: [$($store:expr),*],
        add_store: [$($add_store:expr),*],
        k: $k:expr, b: $b:expr, bs: $bs:expr, c: $c:expr, ldc: $ldc:expr, add_c: $add_c:expr,
        a: [$($a_ops:tt)*],
        b_ops: [$($b_ops:tt)*]
    ) => {
        asm!(
            $($zero,)*
            "test {k}, {k}",
            "jz 3f",
            ".p2align 5",
            "2:",
            $($step,)*
            $($advance,)*
            "add {b}, {bs}",
            "dec {k}",
            "jnz 2b",
            "3:",
            "test {add_c}, {add_c}",
            "jz 5f",
            $($add_store,)*
            "jmp 6f",
            "5:",
            $($store,)*
            "6:",
            k = inout(reg) $k => _,
            b = inout(reg) $b => _,
            bs = in(reg) $bs,
            c = inout(reg) $c => _,
            ldc = in(reg) $ldc,
            add_c = in(reg) $add_c,
            $($a_ops)*
            $($b_ops)*
            out("zmm0") _, out("zmm1") _, out("zmm2") _, out("zmm3") _,
            out("zmm4") _, out("zmm5") _, out("zmm6") _, out("zmm7") _,
            out("zmm8") _, out("zmm9") _, out("zmm10") _, out("zmm11") _,
            out("zmm12") _, out("zmm13") _, out("zmm14") _, out("zmm15") _,
            out("zmm16") _, out("zmm17") _, out("zmm18") _, out("zmm19") _,
            out("zmm20") _, out("zmm21") _, out("zmm22") _, out("zmm23") _,
            out("zmm28") _, out("zmm29") _, out("zmm30") _, out("zmm31") _,
            options(nostack),
        )
    };
}

/// The three ways a kernel reads B, for one tile height and A layout: `$mode` is `plain`,
/// `prefetch` or `pack` (see [`load_b`]).
macro_rules! tile_modes {
    (
        $mode:expr, $pf:expr, $pk:expr,
        zero: [$($zero:expr),*], rows: [$($rows:expr),*], advance: [$($advance:expr),*],
        store: [$($store:expr),*], add_store: [$($add_store:expr),*],
        k: $k:expr, b: $b:expr, bs: $bs:expr, c: $c:expr, ldc: $ldc:expr, add_c: $add_c:expr,
        a: [$($a_ops:tt)*]
    ) => {
        match $mode {
            BMode::Plain => tile_loop!(
                zero: [$($zero),*], step: [load_b!(plain), $($rows),*], advance: [$($advance),*],
                store: [$($store),*], add_store: [$($add_store),*], k: $k, b: $b, bs: $bs, c: $c,
                ldc: $ldc, add_c: $add_c, a: [$($a_ops)*], b_ops: []
            ),
            BMode::Prefetch => tile_loop!(
                zero: [$($zero),*], step: [load_b!(prefetch), $($rows),*],
                advance: [$($advance),*], store: [$($store),*], add_store: [$($add_store),*], k: $k, b: $b, bs: $bs, c: $c,
                ldc: $ldc, add_c: $add_c,
                a: [$($a_ops)*], b_ops: [pf = in(reg) $pf,]
            ),
            BMode::Pack => tile_loop!(
                zero: [$($zero),*], step: [load_b!(pack), $($rows),*], advance: [$($advance),*],
                store: [$($store),*], add_store: [$($add_store),*], k: $k, b: $b, bs: $bs, c: $c,
                ldc: $ldc, add_c: $add_c, a: [$($a_ops)*],
                b_ops: [pf = in(reg) $pf, pk = inout(reg) $pk => _,]
            ),
        }
    };
}

/// How a kernel reads B's rows.
#[derive(Clone, Copy)]
enum BMode {
    /// Loads only (B in L1, or in place on the small path).
    Plain,
    /// Loads and a prefetch some rows ahead (B streaming from L2).
    Prefetch,
    /// As `Prefetch`, and each row is also stored to the packed panel being written.
    Pack,
}

/// Accumulates one `MR x 32` tile (`MR` = 12 or 8) over depth `k` and writes it to `c`: row `r`
/// at `c.ptr + r * c.row_stride`, as `acc` or, with `c.add`, as `C + acc` (one rounding, which is
/// what the generic write-back's `fma(1, C, 1 * acc)` gives). B's row `p` is the 32 floats at
/// `b + p * b_row_stride`. With `prefetch_rows > 0` the kernel hints B's row that many steps
/// ahead (B streams from L2); a non-null `pack_to` (only with a prefetch) also receives each row
/// as loaded, row `p` at `pack_to + 32 * p` (the packed panel the tile writes while it computes
/// with B in place).
///
/// # Safety
/// The CPU has AVX-512F; `a` addresses `MR` rows by `k` columns of readable floats as its variant
/// describes; `b` holds `k` readable rows of 32 floats at the stride; `c` addresses `MR` rows of
/// 32 writable (and, with `c.add`, readable) floats, `pack_to` (if not null) `32 * k` writable
/// ones, and neither overlaps A, B or the other. `MR` is 8 or 12, and `pack_to` is null unless
/// `prefetch_rows > 0` (else nothing is computed and the function returns false).
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn tile_x32<const MR: usize>(
    k: usize,
    a: TileA,
    b: *const f32,
    b_row_stride: usize,
    prefetch_rows: usize,
    pack_to: *mut f32,
    c: TileC,
) -> bool {
    let bs = b_row_stride * 4;
    let pf = prefetch_rows * bs;
    let mode = match (prefetch_rows > 0, pack_to.is_null()) {
        (false, true) => BMode::Plain,
        (true, true) => BMode::Prefetch,
        (true, false) => BMode::Pack,
        (false, false) => return false,
    };
    let (ldc, add_c) = (c.row_stride * 4, usize::from(c.add));
    let c = c.ptr;
    // SAFETY (every block): AVX-512F is available (caller contract); the loop reads k steps of
    // A (MR rows, addressed exactly as `TileA` describes: packed steps of 4 * MR bytes, or rows
    // 0..MR at `row_stride` and steps of `col_stride`) and k rows of B's 32 floats at `bs`
    // bytes apart, prefetches (which never fault), writes k rows of 32 floats to `pack_to` in
    // `Pack` mode and MR rows of 32 floats at `ldc` bytes apart to `c` (reading them first when
    // adding); it uses no stack and declares every register it changes.
    unsafe {
        match (MR, a) {
            (12, TileA::Packed(a)) => tile_modes!(
                mode, pf, pack_to,
                zero: [zero_16!(), zero_16_to_24!()],
                rows: [rows_packed_8!(), rows_packed_8_to_12!()],
                advance: ["add {a}, 48"],
                store: [write_8!(), write_8_to_12!()],
                add_store: [add_write_8!(), add_write_8_to_12!()],
                k: k, b: b, bs: bs, c: c, ldc: ldc, add_c: add_c,
                a: [a = inout(reg) a => _,]
            ),
            (8, TileA::Packed(a)) => tile_modes!(
                mode, pf, pack_to,
                zero: [zero_16!()],
                rows: [rows_packed_8!()],
                advance: ["add {a}, 32"],
                store: [write_8!()],
                add_store: [add_write_8!()],
                k: k, b: b, bs: bs, c: c, ldc: ldc, add_c: add_c,
                a: [a = inout(reg) a => _,]
            ),
            (
                12,
                TileA::Strided {
                    ptr,
                    row_stride,
                    col_stride,
                },
            ) => {
                let l1 = row_stride * 4;
                let a1 = ptr.wrapping_add(6 * row_stride);
                tile_modes!(
                    mode, pf, pack_to,
                    zero: [zero_16!(), zero_16_to_24!()],
                    rows: [rows_strided_0_to_6!(), rows_strided_6_to_8!(), rows_strided_8_to_12!()],
                    advance: ["add {a0}, {cs}", "add {a1}, {cs}"],
                    store: [write_8!(), write_8_to_12!()],
                    add_store: [add_write_8!(), add_write_8_to_12!()],
                    k: k, b: b, bs: bs, c: c, ldc: ldc, add_c: add_c,
                    a: [a0 = inout(reg) ptr => _, a1 = inout(reg) a1 => _,
                        cs = in(reg) col_stride * 4, l1 = in(reg) l1, l3 = in(reg) 3 * l1,
                        l5 = in(reg) 5 * l1,]
                )
            }
            (
                8,
                TileA::Strided {
                    ptr,
                    row_stride,
                    col_stride,
                },
            ) => {
                let l1 = row_stride * 4;
                let a1 = ptr.wrapping_add(6 * row_stride);
                tile_modes!(
                    mode, pf, pack_to,
                    zero: [zero_16!()],
                    rows: [rows_strided_0_to_6!(), rows_strided_6_to_8!()],
                    advance: ["add {a0}, {cs}", "add {a1}, {cs}"],
                    store: [write_8!()],
                    add_store: [add_write_8!()],
                    k: k, b: b, bs: bs, c: c, ldc: ldc, add_c: add_c,
                    a: [a0 = inout(reg) ptr => _, a1 = inout(reg) a1 => _,
                        cs = in(reg) col_stride * 4, l1 = in(reg) l1, l3 = in(reg) 3 * l1,
                        l5 = in(reg) 5 * l1,]
                )
            }
            _ => return false,
        }
    }
    true
}
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Deterministic values in [-1, 1) from a seed (xorshift), so a case is its few integers.
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    proptest! {
        /// The hand-written kernels give, bit for bit, the sequential FMA chain from zero that the
        /// generic kernel computes, for both tile heights, packed and in-place A (row-major,
        /// column-major, padded strides), any B row stride, with and without prefetch, written
        /// over C or added to it (`C + acc`, one rounding) at any row stride, touching nothing
        /// between C's rows; the packing form writes B's rows to the panel exactly.
        #[test]
        fn hand_kernels_match_the_sequential_fma_chain(
            k in 0usize..160,
            twelve in any::<bool>(),
            layout in 0usize..3,
            pad in 0usize..5,
            b_pad in 0usize..9,
            b_mode in 0usize..3,
            add in any::<bool>(),
            c_pad in 0usize..20,
            seed in any::<u64>(),
        ) {
            if !(is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma")) {
                return Ok(());
            }
            let mr = if twelve { 12 } else { 8 };
            // (row stride, column stride) of A in elements; layout 0 is packed.
            let (rs, cs) = match layout {
                0 => (1, mr),
                1 => (k + pad, 1),
                _ => (1, mr + pad),
            };
            let a = values((mr - 1) * rs + k.max(1) * cs, seed);
            let bs = 32 + b_pad;
            let b = values(k.max(1) * bs, seed.wrapping_add(1));
            let ldc = 32 + c_pad;
            let c0 = values(mr * ldc, seed.wrapping_add(2));
            let mut want = c0.clone();
            for r in 0..mr {
                for j in 0..32 {
                    let mut acc = 0.0f32;
                    for p in 0..k {
                        acc = a[r * rs + p * cs].mul_add(b[p * bs + j], acc);
                    }
                    let c = &mut want[r * ldc + j];
                    *c = if add { 1.0f32.mul_add(*c, acc) } else { acc };
                }
            }
            let tile_a = if layout == 0 {
                TileA::Packed(a.as_ptr())
            } else {
                TileA::Strided { ptr: a.as_ptr(), row_stride: rs, col_stride: cs }
            };
            let mut got = c0.clone();
            let tile_c = TileC { ptr: got.as_mut_ptr(), row_stride: ldc, add };
            let mut packed = vec![f32::NAN; k * 32];
            let prefetch = if b_mode > 0 { 16 } else { 0 };
            let pack_to = if b_mode == 2 { packed.as_mut_ptr() } else { std::ptr::null_mut() };
            // SAFETY: AVX-512F was detected; A holds mr rows by k columns at (rs, cs), B k rows
            // of 32 at stride bs, `got` mr rows of ldc >= 32 floats.
            let done = unsafe {
                if twelve {
                    tile_x32::<12>(k, tile_a, b.as_ptr(), bs, prefetch, pack_to, tile_c)
                } else {
                    tile_x32::<8>(k, tile_a, b.as_ptr(), bs, prefetch, pack_to, tile_c)
                }
            };
            prop_assert!(done);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&got), bits(&want));
            if b_mode == 2 {
                let rows: Vec<f32> = (0..k).flat_map(|p| b[p * bs..p * bs + 32].to_vec()).collect();
                prop_assert_eq!(bits(&packed), bits(&rows));
            }
        }
    }

    #[test]
    fn other_tile_heights_are_declined() {
        if !is_x86_feature_detected!("avx512f") {
            return;
        }
        let a = [0.0f32; 6];
        let b = [0.0f32; 32];
        let mut acc = [0.0f32; 6 * 32];
        // SAFETY: AVX-512F was detected; an unsupported height touches no memory.
        let done = unsafe {
            tile_x32::<6>(
                1,
                TileA::Packed(a.as_ptr()),
                b.as_ptr(),
                32,
                0,
                std::ptr::null_mut(),
                TileC {
                    ptr: acc.as_mut_ptr(),
                    row_stride: 32,
                    add: false,
                },
            )
        };
        assert!(!done);
    }
}
