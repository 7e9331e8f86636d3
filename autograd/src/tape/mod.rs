//! `Tape` and `Var`: the append-only record of a computation and handles to its nodes.
//!
//! Memory layout (why it is fast): every node's value lives in one arena `Vec<f32>` at a fixed
//! offset, and after `backward` every gradient lives in a second arena at the same offset. Ops
//! are a `Copy` enum (no boxes, no closures); variable-length input lists (stack, concat) live in
//! a side `Vec<u32>`. [`Tape::clear`] truncates these vectors without freeing them (the value
//! and aux arenas keep even their lengths: see [`Tape::clear`]), so a training loop that rebuilds
//! the same graph every step stops allocating after the first step.

pub(crate) mod backward;

use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{AutogradError, Result};
use crate::op::{Op, OpKind};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// Source of unique tape ids, so a `Var` used on the wrong tape is caught.
static NEXT_TAPE_ID: AtomicU32 = AtomicU32::new(1);

/// A handle to one node of one [`Tape`]: small and `Copy`. Using it on another tape, or after
/// the tape was cleared, is an error ([`AutogradError::ForeignVar`], [`AutogradError::StaleVar`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var {
    tape: u32,
    generation: u32,
    index: u32,
}

/// One recorded value: shape, offset of its data in the value arena, op and gradient need.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub shape: Shape,
    pub offset: usize,
    pub op: Op,
    pub requires_grad: bool,
}

impl Node {
    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.shape.numel()
    }
}

/// An append-only list of nodes with reverse-mode differentiation.
///
/// Intended use (one training step):
/// 1. feed parameters with [`Tape::param`] (copies the slice into the tape; gradients wanted)
///    and data with [`Tape::constant`] (no gradient);
/// 2. record the forward pass with the op methods (`matmul`, `add`, `activation`, `simple_rnn`,
///    `loss`, ...), each returning a [`Var`];
/// 3. [`Tape::backward`] on the scalar loss;
/// 4. read each parameter's gradient as a slice with [`Tape::grad`] (and values with
///    [`Tape::value`]) and update the parameters outside the tape;
/// 5. [`Tape::clear`], which keeps every allocation for the next step.
#[derive(Debug)]
pub struct Tape {
    id: u32,
    generation: u32,
    pub(crate) nodes: Vec<Node>,
    /// Every node's value at its offset; only its first `values_used` elements belong to the
    /// current generation.
    pub(crate) values: Vec<f32>,
    /// Elements of `values` in use since the last clear.
    values_used: usize,
    pub(crate) grads: Vec<f32>,
    pub(crate) touched: Vec<bool>,
    pub(crate) links: Vec<u32>,
    /// Data that ops save for backward beyond their inputs and output (RNN pre-activations),
    /// handed out by [`Tape::aux_alloc`]; only its first `aux_used` elements belong to the
    /// current generation.
    pub(crate) aux: Vec<f32>,
    /// Elements of `aux` in use since the last clear.
    aux_used: usize,
    /// Temporary space of one op's forward or backward; its contents never outlive the call.
    pub(crate) scratch: Vec<f32>,
    /// Recurrent kernels packed once per forward or backward pass for the per-step products
    /// (two: GRU's reset_before has two products per step); like `scratch`, reused.
    pub(crate) packed: [kernels::PackedB; 2],
    /// True once `backward` has run on the current generation.
    has_grads: bool,
}

impl Default for Tape {
    fn default() -> Self {
        Self::new()
    }
}

impl Tape {
    /// An empty tape with a fresh id.
    pub fn new() -> Tape {
        Tape {
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            generation: 0,
            nodes: Vec::new(),
            values: Vec::new(),
            values_used: 0,
            grads: Vec::new(),
            touched: Vec::new(),
            links: Vec::new(),
            aux: Vec::new(),
            aux_used: 0,
            scratch: Vec::new(),
            packed: Default::default(),
            has_grads: false,
        }
    }

    /// Forget every node (old [`Var`]s become errors) but keep all allocations.
    pub fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.nodes.clear();
        self.grads.clear();
        self.touched.clear();
        self.links.clear();
        // `values`, `aux` and `scratch` keep their lengths: their users write before they read
        // (values are zeroed per node unless its op writes every element), so they need no
        // zeroing here (40 MB of aux per forward of the large LSTM).
        self.values_used = 0;
        self.aux_used = 0;
        self.has_grads = false;
    }

    /// Reserves `len` elements of the aux arena for one op and returns their offset. The region
    /// may hold data of an earlier generation: the op's forward must write all of it before its
    /// backward reads it.
    pub(crate) fn aux_alloc(&mut self, len: usize) -> usize {
        arena_alloc(&mut self.aux, &mut self.aux_used, len)
    }

    /// Number of nodes recorded since the last clear.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True if no node is recorded.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Bytes of heap memory the tape holds (capacities, not lengths): constant once a training
    /// loop is warm.
    pub fn held_bytes(&self) -> usize {
        use std::mem::size_of;
        self.nodes.capacity() * size_of::<Node>()
            + (self.values.capacity()
                + self.grads.capacity()
                + self.aux.capacity()
                + self.scratch.capacity())
                * size_of::<f32>()
            + self.touched.capacity()
            + self.links.capacity() * size_of::<u32>()
            + self
                .packed
                .iter()
                .map(kernels::PackedB::held_bytes)
                .sum::<usize>()
    }

    // ----- leaves -------------------------------------------------------------------------

    /// A parameter leaf (gradient wanted): copies `data` (row-major, `dims`) into the tape.
    pub fn param(&mut self, data: &[f32], dims: &[usize]) -> Result<Var> {
        self.leaf("param", data, dims, true)
    }

    /// A constant leaf (no gradient): copies `data` (row-major, `dims`) into the tape.
    pub fn constant(&mut self, data: &[f32], dims: &[usize]) -> Result<Var> {
        self.leaf("constant", data, dims, false)
    }

    /// [`Tape::param`] from a tensor.
    pub fn param_tensor(&mut self, t: &Tensor) -> Result<Var> {
        self.leaf("param", t.data(), t.dims(), true)
    }

    /// [`Tape::constant`] from a tensor.
    pub fn constant_tensor(&mut self, t: &Tensor) -> Result<Var> {
        self.leaf("constant", t.data(), t.dims(), false)
    }

    /// A constant scalar leaf.
    pub fn scalar(&mut self, value: f32) -> Var {
        let off = self.push(Shape::scalar(), Op::Leaf, false);
        self.values[off] = value;
        self.var(self.nodes.len() - 1)
    }

    fn leaf(&mut self, op: &'static str, data: &[f32], dims: &[usize], grad: bool) -> Result<Var> {
        let shape = Shape::checked(op, dims)?;
        if data.len() != shape.numel() {
            return Err(AutogradError::DataLength {
                op,
                dims: dims.to_vec(),
                expected: shape.numel(),
                got: data.len(),
            });
        }
        let off = arena_alloc(&mut self.values, &mut self.values_used, data.len());
        self.values[off..off + data.len()].copy_from_slice(data);
        self.nodes.push(Node {
            shape,
            offset: off,
            op: Op::Leaf,
            requires_grad: grad,
        });
        Ok(self.var(self.nodes.len() - 1))
    }

    // ----- accessors ----------------------------------------------------------------------

    /// The value of `v`, row-major.
    pub fn value(&self, v: Var) -> Result<&[f32]> {
        let n = self.node("value", v)?;
        Ok(&self.values[n.range()])
    }

    /// The shape of `v`.
    pub fn shape(&self, v: Var) -> Result<Shape> {
        Ok(self.node("shape", v)?.shape)
    }

    /// The value of `v` copied into a new tensor.
    pub fn tensor(&self, v: Var) -> Result<Tensor> {
        let n = self.node("tensor", v)?;
        Tensor::from_vec(self.values[n.range()].to_vec(), n.shape.dims())
    }

    /// The single element of a one-element `v` (a loss).
    pub fn item(&self, v: Var) -> Result<f32> {
        let n = self.node("item", v)?;
        if n.shape.numel() != 1 {
            return Err(AutogradError::BadShape {
                op: "item",
                arg: "v",
                shape: n.shape,
                expected: "exactly one element",
            });
        }
        Ok(self.values[n.offset])
    }

    /// Whether `v` needs a gradient (a parameter, or computed from one).
    pub fn requires_grad(&self, v: Var) -> Result<bool> {
        Ok(self.node("requires_grad", v)?.requires_grad)
    }

    /// The kind of op that made `v`.
    pub fn op_kind(&self, v: Var) -> Result<OpKind> {
        Ok(self.node("op_kind", v)?.op.kind())
    }

    /// Every op kind recorded on the tape, in recording order (used by coverage tests).
    pub fn op_kinds(&self) -> impl Iterator<Item = OpKind> + '_ {
        self.nodes.iter().map(|n| n.op.kind())
    }

    /// The gradient of the last backward's output with respect to `v`, row-major, same shape
    /// as `v`. Fails before [`Tape::backward`] and for vars that need no gradient.
    pub fn grad(&self, v: Var) -> Result<&[f32]> {
        let n = self.node("grad", v)?;
        if !self.has_grads {
            return Err(AutogradError::NoGradient {
                op: "grad",
                reason: "backward has not run since the tape was last cleared",
            });
        }
        if !n.requires_grad {
            return Err(AutogradError::NoGradient {
                op: "grad",
                reason: "the variable is a constant or computed only from constants",
            });
        }
        let r = n.range();
        if r.end > self.grads.len() {
            // Recorded after the backward output: the output does not depend on it.
            return Err(AutogradError::NoGradient {
                op: "grad",
                reason: "the variable was recorded after the node backward started from",
            });
        }
        Ok(&self.grads[r])
    }

    // ----- internals used by the ops ------------------------------------------------------

    fn var(&self, index: usize) -> Var {
        Var {
            tape: self.id,
            generation: self.generation,
            index: index as u32,
        }
    }

    /// The node behind `v`, checking that `v` belongs to this tape and generation.
    pub(crate) fn node(&self, op: &'static str, v: Var) -> Result<&Node> {
        Ok(&self.nodes[self.index(op, v)? as usize])
    }

    /// The node index behind `v`, checked.
    pub(crate) fn index(&self, op: &'static str, v: Var) -> Result<u32> {
        if v.tape != self.id {
            return Err(AutogradError::ForeignVar {
                op,
                var_tape: v.tape,
                tape: self.id,
            });
        }
        if v.generation != self.generation || v.index as usize >= self.nodes.len() {
            return Err(AutogradError::StaleVar {
                op,
                var_generation: v.generation,
                generation: self.generation,
            });
        }
        Ok(v.index)
    }

    /// Appends a node with a zeroed value region; returns the region's offset.
    pub(crate) fn push(&mut self, shape: Shape, op: Op, requires_grad: bool) -> usize {
        let off = self.push_unfilled(shape, op, requires_grad);
        self.values[off..off + shape.numel()].fill(0.0);
        off
    }

    /// Appends a node whose value region may hold data of an earlier generation (NaN in debug
    /// builds, as [`Tape::aux_alloc`]'s): for ops that write every element of their value, which
    /// then saves zeroing it (8 MB per step for a `[128, 64, 256]` state sequence). Returns the
    /// region's offset.
    pub(crate) fn push_unfilled(&mut self, shape: Shape, op: Op, requires_grad: bool) -> usize {
        let off = arena_alloc(&mut self.values, &mut self.values_used, shape.numel());
        self.nodes.push(Node {
            shape,
            offset: off,
            op,
            requires_grad,
        });
        off
    }

    /// Removes the node appended last, with its value (a failed op's rollback).
    pub(crate) fn pop_last(&mut self) {
        if let Some(n) = self.nodes.pop() {
            self.values_used = n.offset;
        }
    }

    /// The var of the node appended last.
    pub(crate) fn last_var(&self) -> Var {
        self.var(self.nodes.len() - 1)
    }
}

/// Reserves `len` elements at the end of an arena whose first `used` elements are in use (the
/// vector keeps its length across clears) and returns their offset. The region may hold data
/// of an earlier generation: debug builds (the tests) poison it, so an element its user fails
/// to write turns the results NaN instead of silently reusing an old value.
fn arena_alloc(arena: &mut Vec<f32>, used: &mut usize, len: usize) -> usize {
    let off = *used;
    *used += len;
    if arena.len() < *used {
        // Huge pages: the step buffers of a long sequence are tens of MiB, read a time slice
        // (one row per sample, far apart) at a time.
        kernels::memory::resize_with_huge_pages(arena, *used);
    }
    if cfg!(debug_assertions) {
        arena[off..*used].fill(f32::NAN);
    }
    off
}
