//! Elementwise transcendental functions over f32 slices, vectorized for the CPU at run time.
//!
//! The activations of a recurrent cell (`tanh`, the logistic sigmoid) run once per unit, sample
//! and step; as scalar library calls they cost more than the cell's GEMMs (a profile of the
//! (128, 64, 32, 256) SimpleRNN step put half its time in libm's `tanhf`). The formulas in
//! [`approx`] are plain arithmetic, so the same loop compiled under `#[target_feature]` becomes
//! 16-lane AVX-512 or 8-lane AVX2 code; the portable build stays at the crate's baseline (SSE2 on
//! x86-64). The path is the one GEMM uses ([`crate::KernelPath::selected`], so `RECUR_KERNEL`
//! forces it too). Every path rounds alike: results are bit-identical across paths.

pub mod approx;

use crate::gemm::KernelPath;

/// Replaces every element `v` of `values` with `tanh(v)` ([`approx::tanh`]).
pub fn tanh_in_place(values: &mut [f32]) {
    dispatch(values, Function::Tanh);
}

/// Replaces every element `v` of `values` with `1 / (1 + e⁻ᵛ)` ([`approx::sigmoid`]).
pub fn sigmoid_in_place(values: &mut [f32]) {
    dispatch(values, Function::Sigmoid);
}

/// Replaces every element `v` of `values` with `eᵛ` ([`approx::exp`], clamped to normal f32).
pub fn exp_in_place(values: &mut [f32]) {
    dispatch(values, Function::Exp);
}

#[derive(Clone, Copy)]
enum Function {
    Tanh,
    Sigmoid,
    Exp,
}

/// The path for slice functions: GEMM's, or the portable one when `RECUR_KERNEL` names a path
/// this CPU lacks (GEMM itself reports that error; these functions have no error to return and
/// the portable loop gives the same bits).
fn path() -> KernelPath {
    KernelPath::selected().unwrap_or(KernelPath::Scalar)
}

fn dispatch(values: &mut [f32], f: Function) {
    match path() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `selected` only returns a path the CPU supports (AVX-512F here).
        KernelPath::Avx512 => unsafe { map_avx512(values, f) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `selected` only returns a path the CPU supports (AVX2 and FMA here).
        KernelPath::Avx2 => unsafe { map_avx2(values, f) },
        _ => map(values, f),
    }
}

/// The loop every path compiles: one match outside, a tight vectorizable loop inside.
#[inline(always)]
fn map(values: &mut [f32], f: Function) {
    match f {
        Function::Tanh => values.iter_mut().for_each(|v| *v = approx::tanh(*v)),
        Function::Sigmoid => values.iter_mut().for_each(|v| *v = approx::sigmoid(*v)),
        Function::Exp => values.iter_mut().for_each(|v| *v = approx::exp(*v)),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn map_avx512(values: &mut [f32], f: Function) {
    map(values, f)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn map_avx2(values: &mut [f32], f: Function) {
    map(values, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Runs `f` on `values` through one named path (when the CPU has it).
    fn on_path(path: KernelPath, values: &mut [f32], f: Function) -> bool {
        if !path.supported() {
            return false;
        }
        match path {
            KernelPath::Scalar => map(values, f),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported` confirmed AVX-512F just above.
            KernelPath::Avx512 => unsafe { map_avx512(values, f) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `supported` confirmed AVX2 and FMA just above.
            KernelPath::Avx2 => unsafe { map_avx2(values, f) },
            #[cfg(not(target_arch = "x86_64"))]
            _ => return false,
        }
        true
    }

    fn scalar(f: Function) -> fn(f32) -> f32 {
        match f {
            Function::Tanh => approx::tanh,
            Function::Sigmoid => approx::sigmoid,
            Function::Exp => approx::exp,
        }
    }

    proptest! {
        /// Every path gives the scalar formula's exact bits, for every length (vector bodies
        /// and remainders) and for specials mixed in.
        #[test]
        fn every_path_matches_the_scalar_formula_bit_for_bit(
            values in prop::collection::vec(
                prop_oneof![
                    -30.0f32..30.0,
                    prop::num::f32::ANY,
                    Just(f32::NAN),
                    Just(f32::INFINITY),
                    Just(-0.0f32),
                ],
                0..100,
            ),
        ) {
            for f in [Function::Tanh, Function::Sigmoid, Function::Exp] {
                let want: Vec<u32> = values.iter().map(|&v| scalar(f)(v).to_bits()).collect();
                for path in KernelPath::ALL {
                    let mut got = values.clone();
                    if on_path(path, &mut got, f) {
                        let got: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
                        prop_assert_eq!(&got, &want, "path {}", path);
                    }
                }
            }
        }
    }

    #[test]
    fn public_functions_apply_the_formulas() {
        let xs: Vec<f32> = (-40..=40).map(|i| i as f32 * 0.25).collect();
        type SliceAndScalar = (fn(&mut [f32]), fn(f32) -> f32);
        let cases: [SliceAndScalar; 3] = [
            (tanh_in_place, approx::tanh),
            (sigmoid_in_place, approx::sigmoid),
            (exp_in_place, approx::exp),
        ];
        for (slice_fn, scalar_fn) in cases {
            let mut got = xs.clone();
            slice_fn(&mut got);
            for (g, &x) in got.iter().zip(&xs) {
                assert_eq!(g.to_bits(), scalar_fn(x).to_bits(), "x = {x}");
            }
        }
    }
}
