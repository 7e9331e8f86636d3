//! What the fused recurrent ops share (SimpleRNN is a cell of one gate block, GRU has 3, LSTM 4):
//! the node record, the dropout masks (shared or per gate block) and the masked input, the
//! previous-state views, the per-step products by the recurrent kernel (packed once or not),
//! the backward's carry products and the input-side gradients (one GEMM each over all timesteps).
//!
//! Layout conventions of the ops (why: every GEMM runs on plain strided views):
//! - gate buffers `[B, T, G·U]` are indexed by **input** time, so the input projection of all
//!   steps is one GEMM `[B·T, F] · [F, G·U]` and so are `dW` and `dx`;
//! - states `[B, T, U]` are in **processing** order (what Keras returns with `go_backwards`).

use kernels::{
    GemmOptions, MatMut, MatRef, PackedB, gemm, gemm_prepacked, gemm_with, uses_small_path,
};

use crate::activation::Activation;
use crate::error::Result;
use crate::op::NONE;
use crate::ops::batch_chunks::Chunking;
use crate::tape::Node;
use crate::tape_backward::BackCtx;

/// What a fused SimpleRNN, LSTM or GRU node keeps for its backward pass (node indices, options,
/// sizes).
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
    /// The gates' activation (SimpleRNN, which has none: linear).
    pub recurrent_activation: Activation,
    pub go_backwards: bool,
    /// GRU only.
    pub reset_after: bool,
    /// Whether the node's value holds only the last step's states (`[B, U]` per state; see
    /// [`crate::ops::cell_record::CellSpec::states`]): the whole state sequence then lives in
    /// the aux arena after the cell's regions, and the node's gradient is zero at every other
    /// step by construction, so the backward never reads a `[B, T, U]` gradient.
    pub last_only: bool,
    /// Offset of the op's saved data in the aux arena (its regions: the cell's
    /// [`crate::ops::cell_record::CellSpec::aux_lens`], then the state sequence if
    /// `last_only`).
    pub aux: usize,
    pub batch: usize,
    pub steps: usize,
    pub features: usize,
    pub units: usize,
}

impl GatedOp {
    /// The op's sizes.
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
    /// Offset in the aux arena of a last-only op's state sequence: after its `aux_lens` regions.
    pub(crate) fn seq_aux(&self, aux_lens: [usize; 3]) -> usize {
        self.aux + aux_lens.iter().sum::<usize>()
    }
}

/// What a fused cell's backward reads besides its output's gradient.
pub(crate) struct BackInputs<'a> {
    /// Every step's states, `[n_states, B, T, U]` in processing order: the node's value, or
    /// (last-only) its aux region.
    pub states: &'a [f32],
    pub rk: &'a [f32],
    pub h0: Option<&'a [f32]>,
    pub c0: Option<&'a [f32]>,
    pub mh: Option<GateMasks<'a>>,
    /// The aux regions the forward pass saved.
    pub aux: [&'a [f32]; 3],
    /// Whether `dU` gets anything: it needs a gradient and some step has a previous state (with
    /// one step and no initial state every previous state is zero).
    pub want_rk: bool,
    /// Whether there is an initial state that needs a gradient (the carry after step 0).
    pub want_h0: bool,
}

impl GatedOp {
    /// The backward's inputs for the op's `node` with `n_states` states; `aux_lens` are the
    /// sizes of the aux regions.
    pub(crate) fn back_inputs<'a>(
        &self,
        ctx: &BackCtx<'a>,
        node: &Node,
        aux_lens: [usize; 3],
        n_states: usize,
    ) -> BackInputs<'a> {
        let (values, nodes, d) = (ctx.values, ctx.nodes, self.dims());
        let val = |i: u32| (i != NONE).then(|| &values[nodes[i as usize].range()]);
        let wants = |i: u32| i != NONE && nodes[i as usize].requires_grad;
        let seq = self.seq_aux(aux_lens);
        let (a0, rest) = ctx.aux[self.aux..seq].split_at(aux_lens[0]);
        let (a1, a2) = rest.split_at(aux_lens[1]);
        let states = if self.last_only {
            &ctx.aux[seq..seq + n_states * d.b * d.t * d.u]
        } else {
            &values[node.range()]
        };
        let h0 = val(self.h0);
        BackInputs {
            states,
            rk: val(self.recurrent).unwrap_or(&[]),
            h0,
            c0: val(self.c0),
            mh: val(self.recurrent_mask).map(|m| GateMasks::new(m, d.b * d.u)),
            aux: [a0, a1, a2],
            want_rk: wants(self.recurrent) && (d.t > 1 || h0.is_some()),
            want_h0: wants(self.h0),
        }
    }
}

/// The gradient flowing into one state's sequence, in processing order: every step's rows
/// (`[B, T, U]`), or, for a last-only node, the last step's rows alone (`[B, U]`; every other
/// step's gradient is zero).
#[derive(Clone, Copy)]
pub(crate) struct StateGrad<'a> {
    data: &'a [f32],
    last_only: bool,
}

impl<'a> StateGrad<'a> {
    /// The gradients of the `n` states (1 or 2, stacked in `g`: the node's gradient) of op `r`;
    /// the second is empty for one state.
    pub(crate) fn split(r: &GatedOp, g: &'a [f32], n: usize) -> [StateGrad<'a>; 2] {
        let (first, second) = g.split_at(g.len() / n);
        let second = if n > 1 { second } else { &[] };
        [first, second].map(|data| StateGrad {
            data,
            last_only: r.last_only,
        })
    }

    /// Chunk `i`'s samples (`d`: the op's sizes).
    pub(crate) fn chunk(self, ch: &Chunking, i: usize, d: Dims) -> Self {
        let per_row = if self.last_only { d.u } else { d.t * d.u };
        StateGrad {
            data: ch.rows(self.data, i, per_row),
            ..self
        }
    }

    /// The row of sample `bi` at processing step `s` (`d`: the chunk's sizes), or `zeros` (`U`
    /// zeros) where the gradient is zero. Adding those zeros keeps the bits of the full
    /// gradient's zero rows (`0 + c` turns a `-0` carry into `+0`).
    #[inline]
    pub(crate) fn row<'b>(&self, d: Dims, bi: usize, s: usize, zeros: &'b [f32]) -> &'b [f32]
    where
        'a: 'b,
    {
        let o = match (self.last_only, s + 1 == d.t) {
            (false, _) => d.at(bi, s, d.u),
            (true, true) => bi * d.u,
            (true, false) => return zeros,
        };
        &self.data[o..o + d.u]
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

    /// The sizes of chunk `i` of the batch (its samples).
    pub(crate) fn chunk(self, ch: &Chunking, i: usize) -> Dims {
        Dims {
            b: ch.range(i).1,
            ..self
        }
    }
}

/// The aux regions of a gated cell with `G` gate blocks: the gate activations `[B, T, G·U]`,
/// one `[B, T, U]` buffer (LSTM's `a(c)`, GRU's `R_h` or `r ⊙ h'`) and, when an activation's
/// derivative needs its input, the gate pre-activations.
pub(crate) fn gate_aux_lens<const G: usize>(d: Dims, preacts: bool) -> [usize; 3] {
    let bt = d.b * d.t;
    [
        bt * G * d.u,
        bt * d.u,
        if preacts { bt * G * d.u } else { 0 },
    ]
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
            mask_row(&mut buf[o..o + d.f], &x[o..o + d.f], mr);
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
    if mh.is_none() {
        return Ok(Some(MatRef::new(src, d.b, d.u, stride, 1)?));
    }
    copy_prev_state(d, s, hseq, h0, mh, buf);
    Ok(Some(MatRef::row_major(buf, d.b, d.u)?))
}

/// The previous state `h'_{s-1}` of processing step `s` (masked, or copied as it is without a
/// mask) into `buf` `[B, U]`; false, writing nothing, when it is all zeros (step 0 without an
/// initial state).
pub(crate) fn copy_prev_state(
    d: Dims,
    s: usize,
    hseq: &[f32],
    h0: Option<&[f32]>,
    mh: Option<&[f32]>,
    buf: &mut [f32],
) -> bool {
    for bi in 0..d.b {
        let Some(src) = prev_row(d, s, bi, hseq, h0) else {
            return false;
        };
        let out = &mut buf[bi * d.u..(bi + 1) * d.u];
        match mh {
            None => out.copy_from_slice(src),
            Some(m) => mask_row(out, src, &m[bi * d.u..(bi + 1) * d.u]),
        }
    }
    true
}

/// `out = src ⊙ mask`, element by element.
pub(crate) fn mask_row(out: &mut [f32], src: &[f32], mask: &[f32]) {
    for ((o, &v), &m) in out.iter_mut().zip(src).zip(mask) {
        *o = v * m;
    }
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
                    Some(m) => mask_row(out, src, &m[bi * d.u..(bi + 1) * d.u]),
                },
            }
        }
    }
}

/// `dU += H'ᵀ · dZ_g` for the first `blocks` gate blocks of `dz` (`[B·T, gw]`, input-time rows;
/// GRU's `dR` too): one product over all the blocks, or one per block with `H'` under the
/// block's mask. `hp` holds the `B·T·U` masked previous states.
pub(crate) fn recurrent_grad(
    r: &GatedOp,
    ctx: &mut BackCtx<'_>,
    [hseq, dz]: [&[f32]; 2],
    h0: Option<&[f32]>,
    mh: Option<GateMasks<'_>>,
    (gw, blocks): (usize, usize),
    hp: &mut [f32],
) -> Result<()> {
    let d = r.dims();
    let (bt, u) = (d.b * d.t, d.u);
    for (c0, width, m) in gate_blocks(mh, blocks, u) {
        all_prev_states(r, hseq, h0, m, hp);
        if let Some(grk) = ctx.grad_mut(r.recurrent) {
            gemm(
                1.0,
                MatRef::row_major(hp, bt, u)?.t(),
                MatRef::new(&dz[c0..], bt, width, gw, 1)?,
                1.0,
                MatMut::new(&mut grk[c0..], u, width, gw, 1)?,
            )?;
        }
    }
    Ok(())
}

/// Whether [`recurrent_grad_in_place`] applies: no recurrent mask and no reversal, so every
/// previous state is the unmasked state row just before its gradient row.
pub(crate) fn prev_states_in_place(r: &GatedOp, mh: Option<GateMasks<'_>>) -> bool {
    !r.go_backwards && mh.is_none()
}

/// [`recurrent_grad`] without copying the previous states (only where
/// [`prev_states_in_place`]): `dU[:, ..blocks·U] += H'ᵀ dZ` over the first `blocks` gate blocks
/// of `dz` (`[B·T, gw]`).
///
/// Within a sample, `h'_{s-1}` is the row of `hseq` just before `dZ_s`'s, so the product reads
/// `hseq`'s rows `0..B·T-1` against `dz`'s rows `1..B·T`. Each sample's step-0 row of `dz` would
/// pair with the previous sample's last state: it waits in `stash` (`B·blocks·U` floats) with
/// zeros in its place, then pairs with `h0` (if any) in a second product, and goes back. Copying
/// the previous states instead writes and reads a `[B·T, U]` buffer (8 MiB at (128, 64, 256)):
/// 3-4% of a SimpleRNN(256) step.
pub(crate) fn recurrent_grad_in_place(
    r: &GatedOp,
    ctx: &mut BackCtx<'_>,
    hseq: &[f32],
    dz: &mut [f32],
    h0: Option<&[f32]>,
    (gw, blocks): (usize, usize),
    stash: &mut [f32],
) -> Result<()> {
    let d = r.dims();
    let (bt, u) = (d.b * d.t, d.u);
    let width = blocks * u;
    let stash = &mut stash[..d.b * width];
    for bi in 0..d.b {
        let r0 = d.at(bi, 0, gw);
        stash[bi * width..(bi + 1) * width].copy_from_slice(&dz[r0..r0 + width]);
        dz[r0..r0 + width].fill(0.0);
    }
    if let Some(gu) = ctx.grad_mut(r.recurrent) {
        if d.t > 1 {
            let prev = MatRef::row_major(&hseq[..(bt - 1) * u], bt - 1, u)?.t();
            let next = MatRef::new(&dz[gw..], bt - 1, width, gw, 1)?;
            gemm(1.0, prev, next, 1.0, MatMut::new(gu, u, width, gw, 1)?)?;
        }
        if let Some(h) = h0 {
            let first = MatRef::row_major(stash, d.b, width)?;
            let h0t = MatRef::row_major(h, d.b, u)?.t();
            gemm(1.0, h0t, first, 1.0, MatMut::new(gu, u, width, gw, 1)?)?;
        }
    }
    for bi in 0..d.b {
        let r0 = d.at(bi, 0, gw);
        dz[r0..r0 + width].copy_from_slice(&stash[bi * width..(bi + 1) * width]);
    }
    Ok(())
}

/// Adds `v` to the gradient of the initial state at node `i`, when there is one that needs it.
pub(crate) fn add_state_grad(ctx: &mut BackCtx<'_>, i: u32, v: &[f32]) {
    if i != NONE
        && let Some(g) = ctx.grad_mut(i)
    {
        g.iter_mut().zip(v).for_each(|(a, &c)| *a += c);
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
/// `buf` holds `B·T·F` floats (none are needed without an input mask).
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
    let mx = (r.input_mask != NONE)
        .then(|| GateMasks::new(&values[ctx.node(r.input_mask).range()], d.b * d.f));
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
                            add_masked(&mut gx[o..o + d.f], &buf[o..o + d.f], mr);
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

/// Elements of a recurrent kernel from which its per-step products run faster on its packing
/// than on the small path, even where [`kernels::gemm`] would take the small path for one product
/// of that shape: the small path reads B's rows in place, and once B outgrows the caches close to
/// the core its strided column panels miss, while a packing made once per pass is read
/// contiguously. Measured with `gemm-tune prepacked` (one thread, the 2-vCPU AMD EPYC Zen 3 of
/// the README, L1d 32 KiB, L2 512 KiB; fastest of 15): prepacked / small = 0.68 at 32x256x256
/// (a SimpleRNN(256) step), 0.81 at 16x256x256, 0.61 at 16x128x384, 0.80 at 32x128x512, but
/// 1.03 at 32x64x256 and 1.11-1.21 at 16-32 x 128 x 128 and 16 x 64 x 64..256 (64 KiB kernels).
const PREPACK_MIN_ELEMS: usize = 128 * 256;

/// Whether the per-step products of `rows`-row chunks by a `k x n` recurrent kernel run on its
/// packing (see [`PREPACK_MIN_ELEMS`]). Depends on the shapes only, never on the thread count.
pub(crate) fn prepack_pays(rows: usize, k: usize, n: usize) -> bool {
    !uses_small_path(rows, k, n) || k * n >= PREPACK_MIN_ELEMS
}

/// Packs a recurrent kernel `b` (`k x n`, the whole of every gate block) once for the per-step
/// products of `rows`-row chunks, when there are steps with a previous state (`needed`), one
/// product covers all gate blocks (no per-gate masks) and packing pays ([`prepack_pays`]: the
/// product takes the packed path, or the kernel is too large for the small path to read it
/// well). None: multiply by `b` itself.
pub(crate) fn pack_recurrent<'p>(
    packed: &'p mut PackedB,
    b: MatRef<'_>,
    rows: usize,
    masks: Option<GateMasks<'_>>,
    needed: bool,
) -> Result<Option<&'p PackedB>> {
    let one_block = masks.is_none_or(|m| !m.per_gate());
    if !needed || !one_block || !prepack_pays(rows, b.rows(), b.cols()) {
        return Ok(None);
    }
    packed.pack(b, rows)?;
    Ok(Some(packed))
}

/// One per-step product `C = A · B + beta·C` by a recurrent kernel (or its transpose): by the
/// packing of `B` when [`pack_recurrent`] made one, else by `plain`, the view of `B` itself.
pub(crate) fn step_product(
    opts: &GemmOptions,
    a: MatRef<'_>,
    packed: Option<&PackedB>,
    plain: MatRef<'_>,
    beta: f32,
    c: MatMut<'_>,
) -> Result<()> {
    match packed {
        Some(p) => gemm_prepacked(opts, 1.0, a, p, beta, c)?,
        None => gemm_with(opts, 1.0, a, plain, beta, c)?,
    }
    Ok(())
}

/// One backward step's carry products over the first `blocks` gate blocks of the step's gradient
/// rows, `Σ_g (rows_g · U_gᵀ) ⊙ m_g`: one product over all the blocks without per-gate masks,
/// else one per block under its own mask.
pub(crate) struct CarryStep<'a> {
    /// The chunk's sizes.
    pub d: Dims,
    pub opts: &'a GemmOptions,
    /// The step's gradient rows (`dZ`, or GRU's `dR`) from the step's first column.
    pub rows: &'a [f32],
    /// Width of a gradient row, `G·U` (the rows' stride is `T·G·U`).
    pub gw: usize,
    pub blocks: usize,
    /// `Uᵀ`, `[G·U, U]` row-major.
    pub rkt: &'a [f32],
    pub masks: Option<GateMasks<'a>>,
}

impl CarryStep<'_> {
    /// Block `c0..c0 + width` of the step's rows, `[B, width]`.
    fn block(&self, c0: usize, width: usize) -> Result<MatRef<'_>> {
        let d = self.d;
        Ok(MatRef::new(&self.rows[c0..], d.b, width, d.t * self.gw, 1)?)
    }

    /// Block `c0..c0 + width` of `U`'s columns transposed, `[width, U]`.
    fn kernel(&self, c0: usize, width: usize) -> Result<MatRef<'_>> {
        Ok(MatRef::row_major(
            &self.rkt[c0 * self.d.u..],
            width,
            self.d.u,
        )?)
    }

    /// `carry = Σ_g (rows_g · U_gᵀ) ⊙ m_g`, or `carry += Σ_g ...` with `add`. `tmp`, `[B, U]`,
    /// holds a product that goes in under its mask (never needed without per-gate masks: it may
    /// then be empty). `packed` is `Uᵀ`'s rows for these blocks packed once, or None.
    pub(crate) fn products(
        &self,
        packed: Option<&PackedB>,
        add: bool,
        carry: &mut [f32],
        tmp: &mut [f32],
    ) -> Result<()> {
        let (b, u) = (self.d.b, self.d.u);
        for (k, (c0, width, m)) in gate_blocks(self.masks, self.blocks, u).enumerate() {
            // Straight into carry: an unmasked product when adding, the first one when setting
            // (its mask then applied in place); any other into tmp, added under its mask.
            let into_carry = if add { m.is_none() } else { k == 0 };
            let beta = if add && m.is_none() { 1.0 } else { 0.0 };
            let dst: &mut [f32] = if into_carry { &mut *carry } else { &mut *tmp };
            let (src, plain) = (self.block(c0, width)?, self.kernel(c0, width)?);
            step_product(
                self.opts,
                src,
                packed,
                plain,
                beta,
                MatMut::row_major(dst, b, u)?,
            )?;
            match (m, into_carry) {
                (None, _) => {}
                (Some(m), true) => carry.iter_mut().zip(m).for_each(|(c, &mv)| *c *= mv),
                (Some(m), false) => add_masked(carry, tmp, m),
            }
        }
        Ok(())
    }
}
