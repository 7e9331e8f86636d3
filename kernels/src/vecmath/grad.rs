//! The backward pass of an activation over a row, vectorized at run time: a recurrent cell's
//! `dZ = (G + carry) ⊙ f'(Y)` at every step, sample and unit.
//!
//! As iterator chains over four slices in a crate compiled for baseline x86-64 these loops ran
//! at SSE2 width or scalar (4-5% of a (128, 64, 32, 256) SimpleRNN step's fwd+bwd on a Zen 4);
//! compiled under `#[target_feature]` they become 16- or 8-lane code. Each formula is the
//! scalar one, multiplication and addition rounded separately (Rust never contracts them into
//! an FMA), so every path gives the same bits.

use super::path;
use crate::gemm::KernelPath;

/// The activation whose derivative [`activation_grad`] applies, each written in terms of the
/// activation's output `y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputGrad {
    /// `f(x) = x`: `f' = 1`.
    Linear,
    /// `f' = 1 - y²`.
    Tanh,
    /// The logistic sigmoid: `f' = y (1 - y)`, applied as `(g · y) · (1 - y)`.
    Sigmoid,
    /// `max(x, 0)`: `f' = 1` where `y > 0`, else 0 (the gradient is `g` or 0, never `g · 0`).
    Relu,
}

/// `dz[i] = (g[i] + add[i]) · f'(y[i])`, or `g[i] · f'(y[i])` without `add`: the input gradient
/// of activation `f` whose output is `y` and whose output gradient is `g` (plus `add`, a
/// recurrent cell's carry). Every slice is read over `dz.len()` elements; a shorter `y`, `g` or
/// `add` is a caller bug and panics.
pub fn activation_grad(f: OutputGrad, y: &[f32], g: &[f32], add: Option<&[f32]>, dz: &mut [f32]) {
    let n = dz.len();
    let (y, g) = (&y[..n], &g[..n]);
    let add = add.map(|a| &a[..n]);
    match path() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `path` only returns a path the CPU supports (AVX-512F here).
        KernelPath::Avx512 => unsafe { grad_avx512(f, y, g, add, dz) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `path` only returns a path the CPU supports (AVX2 and FMA here).
        KernelPath::Avx2 => unsafe { grad_avx2(f, y, g, add, dz) },
        _ => grad(f, y, g, add, dz),
    }
}

/// The loops every path compiles: one match outside, a tight loop per formula inside (all
/// slices `dz.len()` long, checked by the caller, so the loops carry no bounds checks).
#[inline(always)]
fn grad(f: OutputGrad, y: &[f32], g: &[f32], add: Option<&[f32]>, dz: &mut [f32]) {
    match f {
        OutputGrad::Linear => each(y, g, add, dz, |_, gi| gi),
        OutputGrad::Tanh => each(y, g, add, dz, |yi, gi| gi * (1.0 - yi * yi)),
        OutputGrad::Sigmoid => each(y, g, add, dz, |yi, gi| gi * yi * (1.0 - yi)),
        OutputGrad::Relu => each(y, g, add, dz, |yi, gi| if yi > 0.0 { gi } else { 0.0 }),
    }
}

#[inline(always)]
fn each(y: &[f32], g: &[f32], add: Option<&[f32]>, dz: &mut [f32], d: impl Fn(f32, f32) -> f32) {
    let n = dz.len();
    let (y, g) = (&y[..n], &g[..n]);
    match add {
        Some(a) => {
            let a = &a[..n];
            for i in 0..n {
                dz[i] = d(y[i], g[i] + a[i]);
            }
        }
        None => {
            for i in 0..n {
                dz[i] = d(y[i], g[i]);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn grad_avx512(f: OutputGrad, y: &[f32], g: &[f32], add: Option<&[f32]>, dz: &mut [f32]) {
    grad(f, y, g, add, dz)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn grad_avx2(f: OutputGrad, y: &[f32], g: &[f32], add: Option<&[f32]>, dz: &mut [f32]) {
    grad(f, y, g, add, dz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The formula one element at a time, as the autograd's scalar activations write it.
    fn reference(f: OutputGrad, y: f32, g: f32) -> f32 {
        match f {
            OutputGrad::Linear => g,
            OutputGrad::Tanh => g * (1.0 - y * y),
            OutputGrad::Sigmoid => g * y * (1.0 - y),
            OutputGrad::Relu => {
                if y > 0.0 {
                    g
                } else {
                    0.0
                }
            }
        }
    }

    /// Runs one named path (when the CPU has it).
    fn on_path(
        path: KernelPath,
        f: OutputGrad,
        y: &[f32],
        g: &[f32],
        add: Option<&[f32]>,
        dz: &mut [f32],
    ) -> bool {
        if !path.supported() {
            return false;
        }
        match path {
            KernelPath::Scalar => grad(f, y, g, add, dz),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported` confirmed AVX-512F just above.
            KernelPath::Avx512 => unsafe { grad_avx512(f, y, g, add, dz) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported` confirmed AVX2 and FMA just above.
            KernelPath::Avx2 => unsafe { grad_avx2(f, y, g, add, dz) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => return false,
        }
        true
    }

    proptest! {
        /// Every path and the public function give the element-wise formula's exact bits, with
        /// and without the added term, for every length (vector bodies and remainders).
        #[test]
        fn every_path_matches_the_formula_bit_for_bit(
            rows in prop::collection::vec(
                (-1.5f32..1.5, -4.0f32..4.0, prop_oneof![-4.0f32..4.0, Just(0.0f32)]),
                0..70,
            ),
        ) {
            let y: Vec<f32> = rows.iter().map(|r| r.0).collect();
            let g: Vec<f32> = rows.iter().map(|r| r.1).collect();
            let a: Vec<f32> = rows.iter().map(|r| r.2).collect();
            let fs = [OutputGrad::Linear, OutputGrad::Tanh, OutputGrad::Sigmoid, OutputGrad::Relu];
            for f in fs {
                for add in [None, Some(&a[..])] {
                    let want: Vec<u32> = (0..y.len())
                        .map(|i| {
                            let gi = add.map_or(g[i], |a| g[i] + a[i]);
                            reference(f, y[i], gi).to_bits()
                        })
                        .collect();
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
                    for path in KernelPath::ALL {
                        let mut dz = vec![f32::NAN; y.len()];
                        if on_path(path, f, &y, &g, add, &mut dz) {
                            prop_assert_eq!(bits(&dz), want.clone(), "{:?} path {}", f, path);
                        }
                    }
                    let mut dz = vec![f32::NAN; y.len()];
                    activation_grad(f, &y, &g, add, &mut dz);
                    prop_assert_eq!(bits(&dz), want, "{:?} public", f);
                }
            }
        }
    }
}
