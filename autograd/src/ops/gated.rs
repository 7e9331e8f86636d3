//! What the fused LSTM and GRU ops share: the node record, argument checks, the dropout masks
//! (shared or per gate block) and the masked input,
//! the previous-state views and the input-side gradients (one GEMM each over all timesteps).
//!
//! Layout conventions of both ops (why: every GEMM runs on plain strided views):
//! - gate buffers `[B, T, G·U]` (G = 4 for LSTM, 3 for GRU) are indexed by **input** time, so the
//!   input projection of all steps is one GEMM `[B·T, F] · [F, G·U]` and so are `dW` and `dx`;
//! - states `[B, T, U]` are in **processing** order (what Keras returns with `go_backwards`).

use kernels::{MatMut, MatRef, PackedB, gemm, uses_small_path};

use crate::activation::Activation;
use crate::error::{AutogradError, Result};
use crate::op::NONE;
use crate::tape::{Tape, Var};
use crate::tape_backward::BackCtx;

/// What a fused LSTM or GRU node keeps for its backward pass (node indices, options, sizes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GatedOp {
    pub x: u32,
    pub kernel: u32,
    pub recurrent: u32,
    pub bias: u32,
    pub h0: u32,
    /// LSTM only (NONE for GRU).
    pub c0: u32,
    pub input_mask: u32,
    pub recurrent_mask: u32,
    pub activation: Activation,
    pub recurrent_activation: Activation,
    pub go_backwards: bool,
    /// GRU only.
    pub reset_after: bool,
    /// Offset of the op's saved data in the aux arena.
    pub aux: usize,
    pub batch: usize,
    pub steps: usize,
    pub features: usize,
    pub units: usize,
}

impl GatedOp {
    pub(crate) fn dims(&self) -> Dims {
        Dims {
            b: self.batch,
            t: self.steps,
            f: self.features,
            u: self.units,
        }
    }
    /// Input time of processing step `s`.
    #[inline]
    pub(crate) fn input_time(&self, s: usize) -> usize {
        if self.go_backwards {
            self.steps - 1 - s
        } else {
            s
        }
    }
    /// Whether the gate pre-activations must be saved (an activation's derivative needs its
    /// input rather than its output).
    pub(crate) fn saves_preacts(&self) -> bool {
        self.activation.derivative_needs_input()
            || self.recurrent_activation.derivative_needs_input()
    }
}

/// Batch, timesteps, features, units.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dims {
    pub b: usize,
    pub t: usize,
    pub f: usize,
    pub u: usize,
}

impl Dims {
    /// Offset of row `(bi, ti)` in a `[B, T, width]` buffer.
    #[inline]
    pub(crate) fn at(&self, bi: usize, ti: usize, width: usize) -> usize {
        (bi * self.t + ti) * width
    }
}

/// A gated op's dropout mask on one operand (`W` columns: features or units): one `[B, W]` mask
/// shared by the gate blocks (Keras's `implementation=2`), or one per gate block, `[G, B, W]`
/// (`implementation=1`, which Keras 3 switches to whenever `recurrent_dropout` is set). A view
/// may cover a chunk of the batch's rows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GateMasks<'a> {
    data: &'a [f32],
    /// Elements of one gate's mask over the whole batch (`B·W`); 0 when the mask is shared.
    gate_stride: usize,
    /// The view's rows: elements `first..first + len` of each gate's mask.
    first: usize,
    len: usize,
}

impl<'a> GateMasks<'a> {
    /// The masks in `data`: shared when it holds `batch_len` (`B·W`) elements, else per gate.
    pub(crate) fn new(data: &'a [f32], batch_len: usize) -> Self {
        GateMasks {
            data,
            gate_stride: if data.len() == batch_len {
                0
            } else {
                batch_len
            },
            first: 0,
            len: batch_len,
        }
    }

    /// Whether each gate block has a mask of its own.
    pub(crate) fn per_gate(&self) -> bool {
        self.gate_stride != 0
    }

    /// Gate block `g`'s mask (the shared one when not per gate), `[rows, W]`.
    pub(crate) fn gate(&self, g: usize) -> &'a [f32] {
        let o = g * self.gate_stride + self.first;
        &self.data[o..o + self.len]
    }

    /// The view of rows `start..start + rows` (`width` = W).
    pub(crate) fn rows(self, (start, rows): (usize, usize), width: usize) -> Self {
        GateMasks {
            first: self.first + start * width,
            len: rows * width,
            ..self
        }
    }
}

/// The gate masks of a mask operand whose value is `values[range]` (`batch_len` = `B·W`
/// elements per gate); None when the op has no such mask (`range` None).
pub(crate) fn gate_masks<'a>(
    values: &'a [f32],
    range: Option<std::ops::Range<usize>>,
    batch_len: usize,
) -> Option<GateMasks<'a>> {
    range.map(|r| GateMasks::new(&values[r], batch_len))
}

/// How a product into `gates` gate blocks of `u` columns is cut: `(first column, width, mask)`
/// per GEMM. Without masks or with a shared one it is a single product over all `gates·u`
/// columns; per-gate masks need one product per block, each with its own masked operand.
pub(crate) fn gate_blocks<'a>(
    masks: Option<GateMasks<'a>>,
    gates: usize,
    u: usize,
) -> impl Iterator<Item = (usize, usize, Option<&'a [f32]>)> {
    let split = masks.is_some_and(|m| m.per_gate());
    let (blocks, width) = if split { (gates, u) } else { (1, gates * u) };
    (0..blocks).map(move |g| (g * width, width, masks.map(|m| m.gate(g))))
}

/// The node indices of a gated op's arguments (NONE when absent).
pub(crate) struct Indices {
    pub x: u32,
    pub kernel: u32,
    pub recurrent: u32,
    pub bias: u32,
    pub h0: u32,
    pub c0: u32,
    pub input_mask: u32,
    pub recurrent_mask: u32,
}

/// Optional var -> node index or NONE.
pub(crate) fn opt_index(t: &Tape, op: &'static str, v: Option<Var>) -> Result<u32> {
    v.map_or(Ok(NONE), |v| t.index(op, v))
}

/// Checks every shape of a gated op with `gates` gate blocks; returns the sizes. The bias shape
/// is checked by the caller (it differs between LSTM and the two GRU variants).
pub(crate) fn check_shapes(
    tape: &Tape,
    op: &'static str,
    ix: &Indices,
    gates: usize,
    kernel_expect: &'static str,
    recurrent_expect: &'static str,
) -> Result<Dims> {
    let shape_of = |i: u32| tape.nodes[i as usize].shape;
    let xs = shape_of(ix.x);
    if xs.rank() != 3 {
        return Err(AutogradError::BadShape {
            op,
            arg: "x",
            shape: xs,
            expected: "rank 3: [batch, timesteps, features]",
        });
    }
    let (b, t, f) = (xs.dim(0), xs.dim(1), xs.dim(2));
    if b == 0 || t == 0 {
        return Err(AutogradError::BadShape {
            op,
            arg: "x",
            shape: xs,
            expected: "at least one sample and one timestep",
        });
    }
    let ws = shape_of(ix.kernel);
    if ws.rank() != 2 || ws.dim(0) != f || ws.dim(1) % gates != 0 || ws.dim(1) == 0 {
        return Err(AutogradError::ShapeMismatch {
            op,
            lhs: xs,
            rhs: ws,
            expected: kernel_expect,
        });
    }
    let u = ws.dim(1) / gates;
    // Node i, when present, must have one of the `allowed` shapes.
    let expect = |i: u32, allowed: &[&[usize]], arg: &'static str, e: &'static str| {
        if i != NONE && !allowed.contains(&shape_of(i).dims()) {
            return Err(AutogradError::BadShape {
                op,
                arg,
                shape: shape_of(i),
                expected: e,
            });
        }
        Ok(())
    };
    expect(
        ix.recurrent,
        &[&[u, gates * u]],
        "recurrent_kernel",
        recurrent_expect,
    )?;
    // The field names of LstmInputs (initial_h) and GruInputs (initial_state).
    let h0_arg = if gates == 4 {
        "initial_h"
    } else {
        "initial_state"
    };
    expect(ix.h0, &[&[b, u]], h0_arg, "[batch, units]")?;
    expect(ix.c0, &[&[b, u]], "initial_c", "[batch, units]")?;
    // A mask is shared by the gate blocks ([batch, width]) or one per block ([gates, batch, width]).
    expect(
        ix.input_mask,
        &[&[b, f], &[gates, b, f]],
        "input_mask",
        "[batch, features], or [gates, batch, features] (one mask per gate block)",
    )?;
    expect(
        ix.recurrent_mask,
        &[&[b, u], &[gates, b, u]],
        "recurrent_mask",
        "[batch, units], or [gates, batch, units] (one mask per gate block)",
    )?;
    if [ix.input_mask, ix.recurrent_mask]
        .iter()
        .any(|&i| i != NONE && tape.nodes[i as usize].requires_grad)
    {
        return Err(AutogradError::Unsupported {
            op,
            what: "dropout masks that need a gradient (masks are constants)",
        });
    }
    Ok(Dims { b, t, f, u })
}

/// Whether any differentiable argument needs a gradient.
pub(crate) fn any_requires_grad(tape: &Tape, ix: &Indices) -> bool {
    [ix.x, ix.kernel, ix.recurrent, ix.bias, ix.h0, ix.c0]
        .iter()
        .any(|&i| i != NONE && tape.nodes[i as usize].requires_grad)
}

/// `x ⊙ m_x` (the `[B, F]` mask repeated over time) into `buf`, or `x` itself without a mask.
pub(crate) fn masked_input<'a>(
    d: Dims,
    x: &'a [f32],
    mx: Option<&[f32]>,
    buf: &'a mut [f32],
) -> &'a [f32] {
    let Some(m) = mx else { return x };
    for bi in 0..d.b {
        let mr = &m[bi * d.f..(bi + 1) * d.f];
        for ti in 0..d.t {
            let o = d.at(bi, ti, d.f);
            for ((o, &v), &mv) in buf[o..o + d.f].iter_mut().zip(&x[o..o + d.f]).zip(mr) {
                *o = v * mv;
            }
        }
    }
    buf
}

/// The (masked) previous state `h'_{s-1}` of processing step `s` as a `[B, U]` view: a strided
/// view of the state sequence (no copy) or of the initial state, or the masked copy in `buf`.
/// `None` when it is all zeros (step 0 without an initial state).
pub(crate) fn prev_state<'a>(
    d: Dims,
    s: usize,
    hseq: &'a [f32],
    h0: Option<&'a [f32]>,
    mh: Option<&[f32]>,
    buf: &'a mut [f32],
) -> Result<Option<MatRef<'a>>> {
    let (src, stride): (&[f32], usize) = if s > 0 {
        (&hseq[(s - 1) * d.u..], d.t * d.u)
    } else {
        match h0 {
            Some(h) => (h, d.u),
            None => return Ok(None),
        }
    };
    let Some(m) = mh else {
        return Ok(Some(MatRef::new(src, d.b, d.u, stride, 1)?));
    };
    for bi in 0..d.b {
        let sr = &src[bi * stride..bi * stride + d.u];
        let mr = &m[bi * d.u..(bi + 1) * d.u];
        for ((o, &v), &mv) in buf[bi * d.u..(bi + 1) * d.u].iter_mut().zip(sr).zip(mr) {
            *o = v * mv;
        }
    }
    Ok(Some(MatRef::row_major(buf, d.b, d.u)?))
}

/// Row `bi` of the unmasked previous state of step `s` (None: zeros).
#[inline]
pub(crate) fn prev_row<'a>(
    d: Dims,
    s: usize,
    bi: usize,
    hseq: &'a [f32],
    h0: Option<&'a [f32]>,
) -> Option<&'a [f32]> {
    if s > 0 {
        let o = d.at(bi, s - 1, d.u);
        Some(&hseq[o..o + d.u])
    } else {
        h0.map(|h| &h[bi * d.u..(bi + 1) * d.u])
    }
}

/// Every step's masked previous state, `[B, T, U]` with rows at input time (matching the gate
/// gradient rows), so `dU = H'ᵀ · dZ` is one GEMM over all steps.
pub(crate) fn all_prev_states(
    r: &GatedOp,
    hseq: &[f32],
    h0: Option<&[f32]>,
    mh: Option<&[f32]>,
    dst: &mut [f32],
) {
    let d = r.dims();
    for bi in 0..d.b {
        for s in 0..d.t {
            let o = d.at(bi, r.input_time(s), d.u);
            let out = &mut dst[o..o + d.u];
            match prev_row(d, s, bi, hseq, h0) {
                None => out.fill(0.0),
                Some(src) => match mh {
                    None => out.copy_from_slice(src),
                    Some(m) => {
                        let mr = &m[bi * d.u..(bi + 1) * d.u];
                        for ((o, &v), &mv) in out.iter_mut().zip(src).zip(mr) {
                            *o = v * mv;
                        }
                    }
                },
            }
        }
    }
}

/// `dst += src ⊙ mask`, element by element (a masked carry term).
pub(crate) fn add_masked(dst: &mut [f32], src: &[f32], mask: &[f32]) {
    for ((d, &s), &m) in dst.iter_mut().zip(src).zip(mask) {
        *d += s * m;
    }
}

/// `dst += Σ_rows rows` for a row-major buffer of `dst.len()`-wide rows.
pub(crate) fn add_column_sums(dst: &mut [f32], rows: &[f32]) {
    for r in rows.chunks_exact(dst.len()) {
        dst.iter_mut().zip(r).for_each(|(a, &v)| *a += v);
    }
}

/// The input-side gradients from the gate gradients `dz` `[B·T, G·U]` (input-time rows):
/// `dW += x'ᵀ dZ`, `db_in += Σ dZ` (the first `G·U` bias entries), `dx += (dZ Wᵀ) ⊙ m_x`;
/// with per-gate masks, block by block (`dW_g += x'_gᵀ dZ_g`, `dx += Σ_g (dZ_g W_gᵀ) ⊙ m_g`).
/// `buf` holds `B·T·F` floats.
pub(crate) fn input_side_grads(
    r: &GatedOp,
    gw: usize,
    dz: &[f32],
    ctx: &mut BackCtx<'_>,
    buf: &mut [f32],
) -> Result<()> {
    let d = r.dims();
    let bt = d.b * d.t;
    let values = ctx.values;
    let x = &values[ctx.node(r.x).range()];
    let w = &values[ctx.node(r.kernel).range()];
    let mx = gate_masks(
        values,
        (r.input_mask != NONE).then(|| ctx.node(r.input_mask).range()),
        d.b * d.f,
    );
    let gates = gw / d.u;
    if ctx.wants(r.kernel) {
        for (c0, width, m) in gate_blocks(mx, gates, d.u) {
            let xin = masked_input(d, x, m, buf);
            if let Some(gk) = ctx.grad_mut(r.kernel) {
                let xt = MatRef::row_major(xin, bt, d.f)?.t();
                let dzb = MatRef::new(&dz[c0..], bt, width, gw, 1)?;
                gemm(
                    1.0,
                    xt,
                    dzb,
                    1.0,
                    MatMut::new(&mut gk[c0..], d.f, width, gw, 1)?,
                )?;
            }
        }
    }
    if r.bias != NONE
        && let Some(gb) = ctx.grad_mut(r.bias)
    {
        add_column_sums(&mut gb[..gw], dz);
    }
    if let Some(gx) = ctx.grad_mut(r.x) {
        for (c0, width, m) in gate_blocks(mx, gates, d.u) {
            let dzb = MatRef::new(&dz[c0..], bt, width, gw, 1)?;
            let wt = MatRef::new(&w[c0..], d.f, width, gw, 1)?.t();
            match m {
                None => gemm(1.0, dzb, wt, 1.0, MatMut::row_major(gx, bt, d.f)?)?,
                Some(m) => {
                    gemm(1.0, dzb, wt, 0.0, MatMut::row_major(buf, bt, d.f)?)?;
                    for bi in 0..d.b {
                        let mr = &m[bi * d.f..(bi + 1) * d.f];
                        for ti in 0..d.t {
                            let o = d.at(bi, ti, d.f);
                            for ((a, &v), &mv) in
                                gx[o..o + d.f].iter_mut().zip(&buf[o..o + d.f]).zip(mr)
                            {
                                *a += v * mv;
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// `U^T` of a `[rows, cols]` row-major matrix into `dst` (`[cols, rows]` row-major).
///
/// The backward's per-step carry product `dZ_s · Uᵀ` would otherwise hand the GEMM a `Uᵀ` view
/// whose rows are strided; its small-product path then copies `U` into contiguous form on every
/// step. One copy per backward serves all `T` steps.
pub(crate) fn transpose_into(src: &[f32], rows: usize, cols: usize, dst: &mut [f32]) {
    for (i, r) in src.chunks_exact(cols).take(rows).enumerate() {
        for (j, &v) in r.iter().enumerate() {
            dst[j * rows + i] = v;
        }
    }
}

/// Packs a recurrent kernel `b` (`k x n`, the whole of every gate block) once for the per-step
/// products of `rows`-row chunks, when there are steps with a previous state (`needed`), one
/// product covers all gate blocks (no per-gate masks) and the product is large enough for the
/// packed path (where [`kernels::gemm`] would take the small path, a packing saves nothing; this
/// keeps the bits of those calls too). None: multiply by `b` itself.
pub(crate) fn pack_recurrent<'p>(
    packed: &'p mut PackedB,
    b: MatRef<'_>,
    rows: usize,
    masks: Option<GateMasks<'_>>,
    needed: bool,
) -> Result<Option<&'p PackedB>> {
    let one_block = masks.is_none_or(|m| !m.per_gate());
    if !needed || !one_block || uses_small_path(rows, b.rows(), b.cols()) {
        return Ok(None);
    }
    packed.pack(b, rows)?;
    Ok(Some(packed))
}
