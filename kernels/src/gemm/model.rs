//! The analytical blocking model: KC, MC and NC of the packed path from the cache description
//! and the micro-kernel's tile, in the spirit of BLIS's (Low, Igual, Smith and Quintana-Orti,
//! "Analytical modeling is enough for high-performance BLIS", ACM TOMS 43(2), 2016), but for the
//! loop order the families use: [`LoopOrder::APanelInL1`] with A read in place (or, for an A
//! whose rows are not contiguous, packed one strip at a time: [`packs_a`]). There the roles
//! of BLIS's classic order are swapped: an `MR x KC` strip of A's rows is what the micro-kernel
//! reuses from L1 (once per B micro-panel), the packed `KC x NC` B block is what it reuses from
//! L2 (once per A strip), and B's micro-panels stream from L2 through L1.
//!
//! The rules (sizes in bytes, f32 elements of 4 bytes):
//! - **B block in L2** (for KC; NC may go past it into L3, below): `KC * NC * 4 <= L2 / 2`.
//!   The other half holds the A strips and C tiles
//!   streaming past and the next block's first lines. On the reference machine (2 MiB L2) a
//!   1 MiB block measured best and a 2 MiB one lost 3-7%; on a Zen 4 (1 MiB L2) a 1 MiB block
//!   fell from 95% to 84% of peak at n >= 1024 (issue 15).
//! - **A strip in L1**: `MR * KC * 4 <= L1d`. B's panels need not stay in L1 in this order (a
//!   tile loads `NR * 4` bytes of B per `MR * NR / W` FMAs, well within L2's bandwidth), so L1
//!   only has to keep the strip between its reuses; the reference machine measured the deepest
//!   strip that fits its whole 48 KiB L1 (12 x 1024) best.
//! - **A strip reused often enough**: `NC >= 8 NR`, so the first pass of a strip (from L3 or
//!   memory, A being in place) is shared by at least eight tiles. With the L2 rule this bounds
//!   KC: `KC <= (L2 / 2) / (8 NR * 4)`. Deeper passes mean fewer passes over C (each reads and
//!   writes all of C), so KC takes the least of the two bounds, rounded down to 16 (a line).
//! - **NC** is the wider of two budgets at the KC in use. In L2: the B block in half of L2,
//!   between one panel and `16 NR` (wider measured no better on the reference machine). In
//!   L3, as in BLIS: the B block in a quarter of the L3 share per logical CPU (`L3 / sharers`),
//!   at most `64 NR`; the rest of the share holds A's `m x KC` slice, which is re-read from L3
//!   once per NC block, and C streaming past. Where the L3 share is large the wider block wins
//!   because A in place costs an L3 pass per strip per block: on this project's Zen 3 VM (L2
//!   512 KiB, 16 MiB of L3 per vCPU; `gemm-tune blocking`, KC 512, fastest of 15, three
//!   rounds, quiet machine), NC 128 / 256 / 512 / 1024 gave 85-87 / 79-91 / 87-92 / 88-93
//!   GFLOP/s at n = 2048 and 91.7-92.2 / 91-92 / 91.6-92 / 92.7-93.0 at n = 1024. Where it is
//!   small (Sapphire Rapids: about 1 MiB per logical CPU, a slow mesh) the L2 budget rules, as
//!   measured there (a 2 MiB block lost 3-7% to a 1 MiB one). **The L3 budget applies on AMD
//!   only** (Zen's L3, a victim cache of its core complex, fed the wide blocks above). On
//!   Intel a B block past half of L2 lost wherever it was measured: on Sapphire Rapids (above),
//!   and on a 2-vCPU Xeon guest (family 6 model 0xa7, AVX-512, 48 KiB L1d, 2 MiB L2, whose
//!   hypervisor reports 480 MiB of L3 shared by the 2 vCPUs, so the L3 budget gave NC 2048 at
//!   KC 1024, an 8 MiB block): `gemm-report`, 1 thread, n = 1024 / 2048, 146 / 148 GFLOP/s (61%
//!   of the 239 GFLOP/s peak, 0.91-0.97x matrixmultiply) with the L3 budget against 177-193 /
//!   168-184 (1.08-1.18x matrixmultiply) with the L3 share forced down to 2-8 MiB
//!   (`RECUR_CACHES=l3=4M`, `8M`, `16M`: NC 256-512), the L2 budget's 1 MiB blocks doing best.
//!   An unknown vendor takes the L2 budget, which never put a block past its cache.
//! - **MC** sizes an A block that would take the same L2 budget at the deepest KC (rounded up
//!   to MR; 264 on the reference machine, where 256-264 measured 7% above 192). A is read in
//!   place, so MC only bounds a worker's row chunk when the workers split rows.
//! - **m-dependent depth** (kept from the measured rule of `blocking_for`): k is cut into equal
//!   passes of at most `4 m` (at least 256, at most KC). A B block is reused by `m / MR` A
//!   strips; with many, deep passes pay (fewer passes over C); with few, B streams from L2 and
//!   shallow panels stream better (reference machine, `gemm-tune blocking`, 1 thread, fastest
//!   of 15: KC 256 / 512 / 1024 gave 162 / 156 / 143 GFLOP/s at 32 x 1024 x 256, 171 / 170 /
//!   161 at 64 x 1024 x 256, 176 / 177 / 174 at 128, 177 / 180 / 182 at 256, 178 / 183 / 187
//!   at 512; 128 / 125 / 90 at 32 x 2048 x 512).
//!
//! KC depends on the shape, the tile and the cache description only, never on the thread count,
//! so every thread count sums in the same order. Two descriptions with different KC round
//! differently (as two machines with different caches do); see [`super::blocking_for`].
//!
//! ## Measurements behind the rules
//!
//! On this project's build machine (AMD EPYC Zen 3 VM, 2 vCPUs, L1d 32 KiB, L2 512 KiB, L3
//! 32 MiB shared by the 2 vCPUs; AVX2 family; `gemm-report`, medians, two runs each in quiet
//! windows, FMA peak 102-103 GFLOP/s per core), 1 thread at n = 256 / 512 / 1024 / 2048:
//! - before the model (a 1 MiB B block, KC x NC = 512 x 512): 92.5-92.8 / 92.3-92.4 /
//!   89.5-90.1 / 89.0-90.9 GFLOP/s, 1.05-1.12x matrixmultiply;
//! - the L2 budget alone (512 x 128): 90.6-92.8 / 91.2-92.7 / 86.5-87.7 / 84.2-85.7;
//! - the model (512 x 1024 from the L3 share): 93.7-94.0 / 94.6-94.7 / 92.1-92.2 / 92.1-93.3
//!   (90-92.7% of peak, 1.08-1.12x matrixmultiply); 2 threads 1.78-1.82x / 1.90x / 1.87-1.88x
//!   of 1 at n = 512 / 1024 / 2048 (before: 1.39-1.80x / 1.23-1.50x / 1.88-2.00x).
//!
//! The AVX-512 family's blocks before this model (now the model's output on that machine's
//! caches; a test checks it):
//! Measured with `gemm-tune blocking N` on the reference machine (Xeon with AVX-512, L1d
//! 48 KiB, L2 2 MiB per core; 1 thread; fastest of 15 runs, repeated, the machine being
//! shared):
//! - Loop order: an A strip in L1 with the `KC x NC` B block in L2 beat the classic order (a
//!   `KC x 32` B panel in L1, which crowds the 48 KiB L1) by 3-6% at n = 1024.
//! - A in place instead of packed: 164-169 against 155 GFLOP/s at n = 1024, 171 against 154
//!   at n = 256, 160 against 147 at 2048. Packing row-major A is a transpose of scalar loads
//!   and stores; broadcasting A's elements from their rows needs no layout change, and the
//!   12 rows' strips stay in L1 just as a packed panel does.
//! - KC x NC = 512 x 512 (a 24 KiB A strip in L1, a 1 MiB B block in L2) against 256 x 1024
//!   (12 KiB, 1 MiB): 178 vs 174 GFLOP/s at n = 512, 174 vs 168 at 1024, 168 vs 161 at 2048
//!   (fewer write-back passes over C), equal at 256. KC 384 sat between; NC 1024 with KC 512
//!   (a 2 MiB B block, all of L2) lost 5%.
//! - MC sizes a thread's work item when A is not packed. 256 (rounded up to 264, 22 tiles of
//!   12 rows) against 192: 174 vs 163 GFLOP/s at n = 1024 (one pair of runs), a tie at 512.
//! - Deeper passes with the B block kept at 1 MiB (measured later, once B was packed by the
//!   first A strip's tiles; `gemm-tune blocking`, fastest of 15, three alternating runs): KC x NC = 1024 x 256
//!   against 512 x 512 gave 182-184 vs 179 GFLOP/s at n = 1024 and 175 vs 171 at 2048 (one
//!   pass over C, or half as many); 2048 x 128 gave 176 at 2048 but lost 4% at
//!   256 x 8192 x 256 (a B block reused by few A strips), where 1024 x 256 tied with 512 x 512
//!   (177 GFLOP/s). A 2 MiB block (1024 x 512) lost 3-7%.

use crate::cache::{CacheDescription, CacheLevel, Vendor};

use super::isa::{Blocking, LoopOrder};
use super::problem::View;

/// Bytes of one f32.
const F32: usize = 4;

/// The shallowest default pass over k (the `4 m` rule's floor).
pub(crate) const MIN_KC: usize = 256;

/// Tiles an A strip must serve per B block: `NC >= MIN_TILES_PER_STRIP * NR`.
const MIN_TILES_PER_STRIP: usize = 8;

/// Widest worker block within the L2 budget, in panels: `NC <= MAX_PANELS * NR`.
const MAX_PANELS: usize = 16;

/// Widest worker block within the L3 budget, in panels.
const MAX_L3_PANELS: usize = 64;

/// The fraction of a CPU's L3 share a worker's B block may take (1 / this).
const L3_SHARE_DIVISOR: usize = 4;

/// The model's shape-independent limits for one tile on one cache description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest pass over k (elements).
    pub kc: usize,
    /// Rows of one A block (a multiple of MR).
    pub mc: usize,
    /// Widest worker block (a multiple of NR).
    pub nc_max: usize,
    /// Elements one worker's packed B block may hold in L2 (half of it).
    pub b_block: usize,
    /// Elements one worker's packed B block may hold in its L3 share (a quarter of it).
    pub l3_block: usize,
}

/// The limits for an `mr x nr` tile on `caches`.
pub fn limits(caches: &CacheDescription, mr: usize, nr: usize) -> Limits {
    let (mr, nr) = (mr.max(1), nr.max(1));
    let b_block = (caches.l2.size / 2 / F32).max(nr);
    let kc_l1 = caches.l1d.size / (mr * F32);
    let kc_l2 = b_block / (MIN_TILES_PER_STRIP * nr);
    let kc = (kc_l1.min(kc_l2) / 16 * 16).max(16);
    let nc_max = MAX_L3_PANELS * nr;
    let mc = (b_block / kc).div_ceil(mr).max(1) * mr;
    // The L3 budget on AMD only; see the module docs for the measurements.
    let l3_block = match caches.vendor {
        Vendor::Amd => caches.l3.share() / L3_SHARE_DIVISOR / F32,
        Vendor::Intel | Vendor::Other => 0,
    };
    Limits {
        kc,
        mc,
        nc_max,
        b_block,
        l3_block,
    }
}

/// The blocking for an `m x k` by `k x n` product: k in equal passes of at most
/// `clamp(4 m, min(256, KC), KC)`, NC from the B block budget at that depth.
pub fn blocking_for(l: &Limits, nr: usize, m: usize, k: usize) -> Blocking {
    let kc_max = (4 * m).clamp(MIN_KC.min(l.kc), l.kc);
    let passes = k.div_ceil(kc_max.max(1)).max(1);
    blocking_with_kc(l, nr, k.div_ceil(passes).max(1))
}

/// The blocking with passes of depth `kc` (NC as in [`blocking_for`]).
pub fn blocking_with_kc(l: &Limits, nr: usize, kc: usize) -> Blocking {
    let nr = nr.max(1);
    let kc = kc.max(1);
    let in_l2 = (l.b_block / kc / nr * nr).clamp(nr, MAX_PANELS * nr);
    let in_l3 = (l.l3_block / kc / nr * nr).min(l.nc_max);
    let nc = in_l2.max(in_l3);
    Blocking {
        kc,
        mc: l.mc,
        nc,
        order: LoopOrder::APanelInL1,
        pack_a: false,
        short_tiles: false,
        pack_b_first: false,
    }
}

/// Times L2 a row-major B must exceed for [`packs_b_first`].
const B_FIRST_L2_MULTIPLE: usize = 4;

/// Whether the packed path should pack each block of a row-major B (`k x n`) in a pass of its
/// own, reading B's rows front to back, rather than by the first A strip's tiles as they
/// compute ([`Blocking::pack_b_first`]): when all of B is more than four times L2, so that it
/// comes from L3 or memory at every pass.
///
/// The fused packing reads a block one micro-panel at a time: each tile `NR` floats from each of
/// `KC` rows, a row stride apart (1-4 KiB for the recurrent ops' `dU = H'ᵀ dZ`). From L2 that
/// costs nothing, and it saves the copy's own pass (5% of a 256 cube, and 101.6 against 89.3
/// GFLOP/s at 32 x 256 x 1024 with B warm, `gemm-tune shape`). From memory the short strided
/// reads starve the first strip: on an AMD EPYC Zen 4 (1 MiB L2), `gemm-tune tn 256 8191 256`
/// (B 8 MiB) timed the first strip of each pass at 4.5 times the others (231-257 against
/// 52 thousand TSC ticks), and the products ran at 95.7-97.3 GFLOP/s fused against 98.3-100.3
/// packed first; at 256 x 8191 x 1024 (B 32 MiB) 100.2 against 105.4. Where B stays in cache
/// the two are even (cubes of 256 to 2048, B 0.25-16 MiB but reused by 32-256 strips:
/// 109-115 GFLOP/s either way; 128 x 1024 x 1024 99.5 / 98.5).
pub(crate) fn packs_b_first(l2: &CacheLevel, b: View, k: usize, n: usize) -> bool {
    b.col_stride == 1 && k.saturating_mul(n).saturating_mul(F32) > B_FIRST_L2_MULTIPLE * l2.size
}

/// Whether the packed path should pack A (one `MR x KC` strip at a time, see
/// `MacroA::Strips`) rather than read it in place, for an A whose column stride is
/// `a_col_stride` (after [`super::problem::Problem`]'s normalisation: 1 whenever k == 1), for a
/// product `n` columns wide on a family whose tile is `nr` wide.
///
/// Only the layout and n decide, never the thread count; packing does not change any
/// tile's arithmetic, so results are bit-identical either way. In place, a tile broadcasts
/// A's elements from its `MR` rows: for row-major A those rows are contiguous (a 6 x 512
/// strip is 12 KiB in 6 streams, as cheap to keep in L1 as a packed panel, and packing costs
/// a transpose; see the measurements above). When A's rows are not contiguous (a transposed
/// operand, such as `H'ᵀ` in a recurrent op's `dU = H'ᵀ dZ`) a strip spans `KC` lines of
/// which it uses `MR` floats each, and with a row stride of 256 floats (1 KiB) those lines
/// fall into 4 of L1's 64 sets: the strip cannot stay in L1. Packed, it is `MR * KC`
/// contiguous floats.
///
/// Measured (`gemm-tune tn 256 8192 256`, the SimpleRNN(256) weight gradient at batch 128 and
/// 64 steps, AVX2 family, 1 thread, KC 512, Zen 3 build machine, fastest of 15, two runs, the
/// machine shared, load 1.5-3.5): A in place 62.2-64.1 GFLOP/s; the `MC x KC` block packed
/// first 71.8-72.5 (the 270 KiB packed block crowds the 512 KiB B block out of the 512 KiB L2);
/// one strip at a time 78.2-80.8 (five runs), against matrixmultiply's 81.1-82.3 on the same
/// layout and 80.5-83.4 for our row-major `256 x 8192 x 256`. In the cells (`cells-report
/// --shapes 128x64x32x256 --threads 1`, CPU ms per fwd+bwd, two runs each, load about 5):
/// SimpleRNN 57.2-58.3 -> 52.6-52.9, LSTM 232-235 -> 208-213, GRU 176-178 -> 166-167 (their
/// `dU` products are 768 and 1024 columns wide).
///
/// A packed strip serves the `ceil(n / NR)` tiles of its row; with few of them the copy is not
/// repaid (same command and machine, AVX2, NR 16, two runs each, in place / packed, GFLOP/s):
/// 256 x 8192 x 32 (2 panels) 71.5-73.5 / 63.9-65.3, 64 x 1024 x 64 (4) 84.5-85.5 / 79.2-79.3,
/// 256 x 8192 x 64 (4) 66.1-74.7 / 71.4-72.0, 256 x 8192 x 128 (8) 60.2-60.6 / 75.6-78.4,
/// 128 x 1024 x 128 (8) 73.6-74.0 / 79.9-80.1. Hence more than [`MIN_PANELS_TO_PACK_A`].
///
/// A row-major A is packed too when its strip cannot stay in L1 in place because its rows
/// fall into too few of L1's sets ([`strip_conflicts_in_l1`]): a row stride of a multiple of
/// 4 KiB (k = 1024, 2048, ...) puts all `MR` rows of a strip into one set of a 64-set L1.
pub(crate) fn packs_a(l1d: &CacheLevel, a: View, n: usize, mr: usize, nr: usize) -> bool {
    let panels = n.div_ceil(nr.max(1));
    if panels <= MIN_PANELS_TO_PACK_A {
        return false;
    }
    a.col_stride != 1 || strip_conflicts_in_l1(l1d, a.row_stride, mr)
}

/// How the packed path reads A: `(pack_a, short_tiles)` of [`Blocking`]. Where [`packs_a`]
/// would pack A for tiles `tile_rows` high only because a strip of that height read in place
/// shares too few of L1's sets, and the family's shorter tile (`short_rows` high) does fit,
/// the shorter tile reads A in place instead: no packing, and its strips stay in L1.
///
/// Measured on an AMD EPYC Zen 4 (L1d 32 KiB 8-way; AVX-512, whose 12-row strips of a row
/// stride of 4 KiB or 8 KiB fill one set one and a half times, and whose 8-row strips fit it;
/// `gemm-tune blocking N 1 512 MCs 2048 default`, 1 thread, GFLOP/s of a 116 peak, three
/// rounds): n = 1024, 12-row tiles in place 96.0-100.4, 12-row strips packed 102-108 (the
/// previous choice), 8-row tiles in place 108.9-110.1; n = 2048, 97.8-98.8 / 104-107 /
/// 109.1-109.9.
pub(crate) fn reads_a(
    l1d: &CacheLevel,
    a: View,
    n: usize,
    [tile_rows, short_rows]: [usize; 2],
    nr: usize,
) -> (bool, bool) {
    if !packs_a(l1d, a, n, tile_rows, nr) {
        return (false, false);
    }
    let short_fits = a.col_stride == 1
        && short_rows < tile_rows
        && !strip_conflicts_in_l1(l1d, a.row_stride, short_rows);
    if short_fits {
        (false, true)
    } else {
        (true, false)
    }
}

/// Whether an `mr`-row strip of a row-major A with row stride `row_stride` (elements) read in
/// place evicts itself from L1: whether more of its rows map to one L1 set than the set has
/// ways. The rows advance through their lines in lockstep, so the rows that share a set at the
/// strip's start share one at every column.
///
/// Measured on an AMD EPYC Zen 4 (L1d 32 KiB 8-way, 64 sets; AVX-512 family; fastest of 15,
/// GFLOP/s of a 116 peak). 12-row tiles, `gemm-tune blocking N 1 512 264 1024,2048 all`, three
/// rounds, A in place / A packed one strip at a time: n = 1024 (row stride 4 KiB: all 12 rows
/// in one set) 102.9-103.3 / 106.9-108.6; n = 2048 (8 KiB) 97.7-99.0 / 103.8-106.8; n = 512
/// (2 KiB: 6 rows per set) 112.1-114.8 / 108.8-109.7; n = 1040 (rows spread over the sets)
/// 103.5-105.2 / 97.6-101.7. 8-row tiles whose 8 rows share a set exactly fill it and still
/// do best in place (`gemm-tune prepacked 128 256 N 16384 16384`, a recurrent step's rows 64
/// KiB apart, in place / packed: n = 256 112.9 / 103.5, n = 1024 112.6 / 110.3).
pub(crate) fn strip_conflicts_in_l1(l1d: &CacheLevel, row_stride: usize, mr: usize) -> bool {
    let line = l1d.line.max(1);
    let sets = (l1d.size / (l1d.ways.max(1) * line)).max(1);
    let set = |r: usize| (r * row_stride * F32 / line) % sets;
    // Quadratic in mr (at most a few hundred steps) but allocation-free: gemm calls it per call.
    let worst = (0..mr)
        .map(|r| (0..mr).filter(|&q| set(q) == set(r)).count())
        .max()
        .unwrap_or(0);
    worst > l1d.ways
}

/// B panels (tiles per A strip) up to which a strided A is read in place ([`packs_a`]).
pub(crate) const MIN_PANELS_TO_PACK_A: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{CacheDescription, CacheLevel};

    /// A description from the vendor, sizes in KiB, ways, and the L3's sharers.
    // One argument per column of the tables below, which read as the CPUs' spec sheets.
    #[allow(clippy::too_many_arguments)]
    fn cpu(
        vendor: Vendor,
        l1: usize,
        l1w: usize,
        l2: usize,
        l2w: usize,
        l3: usize,
        l3w: usize,
        sh: usize,
    ) -> CacheDescription {
        let level = |kib: usize, ways, shared_by| CacheLevel {
            size: kib << 10,
            ways,
            line: 64,
            shared_by,
        };
        CacheDescription {
            l1d: level(l1, l1w, 2),
            l2: level(l2, l2w, 2),
            l3: level(l3, l3w, sh),
            vendor,
        }
    }

    /// The derivation for a table of real CPUs, with the families that run there:
    /// (name, caches, MR, NR, KC, MC, NC at KC).
    #[test]
    fn real_cpus() {
        let table = [
            // Zen 4 (EPYC 9004 / Ryzen 7000): 32K 8-way, 1M 8-way, 32M 16-way per 8-core CCD.
            (
                "zen4 avx2",
                cpu(Vendor::Amd, 32, 8, 1024, 8, 32 << 10, 16, 16),
                6,
                16,
                1024,
                132,
                128,
            ),
            (
                "zen4 avx512",
                cpu(Vendor::Amd, 32, 8, 1024, 8, 32 << 10, 16, 16),
                12,
                32,
                512,
                264,
                256,
            ),
            // Zen 3 (EPYC 7003, this project's build machine): 32K, 512K, 32M per CCD.
            (
                "zen3 avx2",
                cpu(Vendor::Amd, 32, 8, 512, 8, 32 << 10, 16, 16),
                6,
                16,
                512,
                132,
                256,
            ),
            // This project's Zen 3 VM: sysfs says the 32M L3 is shared by its 2 vCPUs, so the
            // L3 budget widens the block (measured best there).
            (
                "zen3 vm avx2",
                cpu(Vendor::Amd, 32, 8, 512, 8, 32 << 10, 16, 2),
                6,
                16,
                512,
                132,
                1024,
            ),
            // The Xeon guest of issue 15's second Intel measurement (family 6 model 0xa7): its
            // hypervisor reports 480M of L3 for 2 vCPUs; on Intel the L2 budget rules.
            (
                "xeon vm avx512",
                cpu(Vendor::Intel, 48, 12, 2048, 16, 480 << 10, 16, 2),
                12,
                32,
                1024,
                264,
                256,
            ),
            // The same caches on an AMD part would take the L3 budget (the widest block).
            (
                "xeon caches as amd",
                cpu(Vendor::Amd, 48, 12, 2048, 16, 480 << 10, 16, 2),
                12,
                32,
                1024,
                264,
                2048,
            ),
            // Sapphire Rapids (the reference machine): 48K 12-way, 2M 16-way, 105M / 56 cores.
            (
                "spr avx512",
                cpu(Vendor::Intel, 48, 12, 2048, 16, 105 << 10, 15, 112),
                12,
                32,
                1024,
                264,
                256,
            ),
            (
                "spr avx2",
                cpu(Vendor::Intel, 48, 12, 2048, 16, 105 << 10, 15, 112),
                6,
                16,
                2048,
                132,
                128,
            ),
            // Skylake-SP: 32K 8-way, 1M 16-way, 1.375M of non-inclusive L3 per core.
            (
                "skx avx512",
                cpu(Vendor::Intel, 32, 8, 1024, 16, 38_912, 11, 56),
                12,
                32,
                512,
                264,
                256,
            ),
            // Skylake client (AVX2 only): 32K 8-way, 256K 4-way, 8M 16-way for 8 threads; an
            // Intel part, so the L2 budget (half of its 256K: NC 128 at KC 256).
            (
                "skl avx2",
                cpu(Vendor::Intel, 32, 8, 256, 4, 8 << 10, 16, 8),
                6,
                16,
                256,
                132,
                128,
            ),
        ];
        for (name, caches, mr, nr, kc, mc, nc) in table {
            let l = limits(&caches, mr, nr);
            assert_eq!((l.kc, l.mc), (kc, mc), "{name}: {l:?}");
            assert_eq!(blocking_with_kc(&l, nr, l.kc).nc, nc, "{name}: {l:?}");
            // The rules the model states.
            assert!(mr * l.kc * F32 <= caches.l1d.size, "{name}: A strip in L1");
            assert!(
                l.kc * nc * F32 <= (caches.l2.size / 2).max(caches.l3.share() / 4),
                "{name}: B block in half of L2 or a quarter of the L3 share"
            );
            assert!(nc >= MIN_TILES_PER_STRIP * nr, "{name}: strip reuse");
        }
    }

    /// A view of a matrix with the given strides (the pointer is never read).
    fn view(row_stride: usize, col_stride: usize) -> View {
        View {
            ptr: std::ptr::null(),
            row_stride,
            col_stride,
        }
    }

    /// B is packed before its tiles only when it is row-major and all of it exceeds 4x L2:
    /// a recurrent op's dU (dZ of 8 MiB) on a Zen 4's 1 MiB L2, not a 1024 cube (4 MiB), and
    /// not on a Sapphire Rapids' 2 MiB L2 until B passes 8 MiB.
    #[test]
    fn packs_b_first_only_for_a_b_far_past_l2() {
        let l2 = |mib: usize| CacheLevel {
            size: mib << 20,
            ways: 8,
            line: 64,
            shared_by: 1,
        };
        assert!(packs_b_first(&l2(1), view(256, 1), 8191, 256));
        assert!(!packs_b_first(&l2(1), view(1024, 1), 1024, 1024));
        assert!(!packs_b_first(&l2(1), view(1, 8191), 8191, 256));
        assert!(!packs_b_first(&l2(2), view(256, 1), 8191, 256));
        assert!(packs_b_first(&l2(2), view(1024, 1), 8191, 1024));
    }

    /// A is packed when its rows are not contiguous, or when a strip read in place would fall
    /// into too few L1 sets; and only when n spans more than 4 tiles.
    #[test]
    fn packs_a_by_layout_and_width() {
        let l1 = |kib: usize, ways| CacheLevel {
            size: kib << 10,
            ways,
            line: 64,
            shared_by: 1,
        };
        let zen4 = l1(32, 8);
        // The SimpleRNN(256) weight gradient: A = H'ᵀ, column stride 256, n = 256.
        assert!(packs_a(&zen4, view(1, 256), 256, 6, 16));
        assert!(packs_a(&zen4, view(1, 256), 80, 6, 16));
        assert!(!packs_a(&zen4, view(1, 256), 64, 6, 16));
        assert!(!packs_a(&zen4, view(1, 256), 32, 6, 16));
        // Row-major rows spread over L1's sets: in place whatever the width.
        assert!(!packs_a(&zen4, view(1040, 1), 4096, 12, 32));
        assert!(!packs_a(&zen4, view(256, 1), 4096, 12, 32));
        // 2 KiB apart: 12 rows in 2 sets, 6 each, 2 of 8 ways to spare.
        assert!(!packs_a(&zen4, view(512, 1), 4096, 12, 32));
        // 4 KiB apart: 12 rows in one 8-way set; packed once n spans 5 tiles.
        assert!(packs_a(&zen4, view(1024, 1), 1024, 12, 32));
        assert!(packs_a(&zen4, view(2048, 1), 1024, 12, 32));
        assert!(!packs_a(&zen4, view(1024, 1), 128, 12, 32));
        // 8 or 6 rows fit an 8-way set; 12 rows fit a 12-way one, 16 do not.
        assert!(!packs_a(&zen4, view(16384, 1), 1024, 8, 32));
        assert!(!packs_a(&zen4, view(1024, 1), 1024, 6, 16));
        assert!(!packs_a(&l1(48, 12), view(1024, 1), 1024, 12, 32));
        assert!(packs_a(&l1(48, 12), view(1024, 1), 1024, 16, 32));
        // A degenerate description (nothing read) does not panic.
        assert!(packs_a(&CacheLevel::default(), view(1024, 1), 1024, 12, 32));
    }

    /// A strip that conflicts in L1 at the full tile height but not at the shorter one is read
    /// in place by the shorter tile; otherwise `packs_a` decides alone.
    #[test]
    fn shorter_tiles_read_in_place_where_they_fit_l1() {
        let l1 = |kib: usize, ways| CacheLevel {
            size: kib << 10,
            ways,
            line: 64,
            shared_by: 1,
        };
        let (zen4, spr) = (l1(32, 8), l1(48, 12));
        let avx512 = [12, 8];
        // (L1, A's strides, n, tile heights, NR) -> (pack_a, short_tiles).
        let cases = [
            // Row strides of 4 and 8 KiB: 8 rows fill an 8-way set, 12 overflow it.
            (zen4, [1024, 1], 1024, avx512, 32, (false, true)),
            (zen4, [2048, 1], 2048, avx512, 32, (false, true)),
            // A block already run at its shorter height, or a family with one height.
            (zen4, [1024, 1], 1024, [8, 8], 32, (false, false)),
            (zen4, [1024, 1], 1024, [6, 6], 16, (false, false)),
            (zen4, [16384, 1], 1024, [16, 16], 32, (true, false)),
            // Rows spread over the sets, a 12-way L1, a narrow product: full height in place.
            (zen4, [512, 1], 4096, avx512, 32, (false, false)),
            (spr, [1024, 1], 1024, avx512, 32, (false, false)),
            (zen4, [1024, 1], 128, avx512, 32, (false, false)),
            // A transposed A is packed whatever the height.
            (zen4, [1, 256], 256, avx512, 32, (true, false)),
        ];
        for (cache, [rs, cs], n, heights, nr, want) in cases {
            let got = reads_a(&cache, view(rs, cs), n, heights, nr);
            assert_eq!(got, want, "strides {rs}, {cs}, n {n}, heights {heights:?}");
        }
    }

    /// The reference machine's measured blocks come out of the model unchanged.
    #[test]
    fn reference_machine_points() {
        let spr = limits(
            &cpu(Vendor::Intel, 48, 12, 2048, 16, 105 << 10, 15, 112),
            12,
            32,
        );
        let kc_nc = |m, k| {
            let b = blocking_for(&spr, 32, m, k);
            (b.kc, b.nc)
        };
        assert_eq!(kc_nc(512, 512), (512, 512));
        assert_eq!(kc_nc(1024, 1024), (1024, 256));
        assert_eq!(kc_nc(2048, 2048), (1024, 256));
        assert_eq!(kc_nc(32, 1024), (256, 512));
        assert_eq!(kc_nc(32, 256), (256, 512));
    }

    /// Invariants over a spread of shapes and descriptions: equal passes covering k, no deeper
    /// than the limits, NC a whole number of panels within the budget.
    #[test]
    fn invariants() {
        let descs = [
            cpu(Vendor::Amd, 32, 8, 512, 8, 32 << 10, 16, 16),
            cpu(Vendor::Intel, 48, 12, 2048, 16, 105 << 10, 15, 112),
            cpu(Vendor::Other, 16, 4, 128, 4, 512, 8, 4),
            CacheDescription::CONSERVATIVE,
        ];
        for caches in descs {
            for (mr, nr) in [(4, 8), (6, 16), (12, 32)] {
                let l = limits(&caches, mr, nr);
                assert!(
                    l.kc >= 16 && l.mc.is_multiple_of(mr) && l.nc_max.is_multiple_of(nr),
                    "{l:?}"
                );
                for m in [1, 7, 32, 64, 100, 256, 1024, 5000] {
                    for k in [1, 5, 255, 256, 257, 1000, 1024, 1025, 3000, 8192] {
                        let b = blocking_for(&l, nr, m, k);
                        let passes = k.div_ceil(b.kc);
                        assert!(b.kc >= 1 && b.kc <= k.max(1) && b.kc <= l.kc, "{b:?}");
                        assert!(passes * b.kc - k < passes, "m {m} k {k}: {b:?}");
                        assert!(b.kc <= (4 * m).max(MIN_KC.min(l.kc)), "m {m} k {k}: {b:?}");
                        assert_eq!(b.nc % nr, 0);
                        assert!(b.nc >= nr && b.nc <= l.nc_max);
                        assert!(
                            b.nc == nr || b.kc * b.nc <= l.b_block.max(l.l3_block),
                            "{b:?}"
                        );
                    }
                }
            }
        }
    }
}
