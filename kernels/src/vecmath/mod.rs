//! Elementwise transcendental functions over f32 slices, vectorized for the CPU at run time.
//!
//! The activations of a recurrent cell (`tanh`, the logistic sigmoid) run once per unit, sample
//! and step; as scalar library calls they cost more than the cell's GEMMs (a profile of the
//! (128, 64, 32, 256) SimpleRNN step put half its time in libm's `tanhf`). The formulas in
//! [`approx`] are plain arithmetic, so the same loop compiled under `#[target_feature]` becomes
//! 16-lane AVX-512 or 8-lane AVX2 code; the portable build stays at the crate's baseline (SSE2 on
//! x86-64). The path is the one GEMM uses ([`crate::KernelPath::selected`], so `RECUR_KERNEL`
//! forces it too). Every path rounds alike: results are bit-identical across paths.

#[macro_use]
mod vectorized;
pub mod approx;
mod grad;
mod gru;
mod lstm;

pub use grad::{OutputGrad, activation_grad};
pub use gru::{add_product, gru_mix, gru_recurrent_after, gru_state_grads};
pub use lstm::{
    add_assign, lstm_cell_state, lstm_output_grads, lstm_state_grads, lstm_step_grads_sigmoid_tanh,
    lstm_step_sigmoid_tanh, multiply,
};

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

/// The constants of one plain RMSprop step (Keras' default: no momentum, not centered).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RmspropStep {
    /// Learning rate.
    pub lr: f32,
    /// Decay of the squared-gradient average.
    pub rho: f32,
    /// `1 - rho`, as the caller rounds it (Keras computes it in f32).
    pub one_minus_rho: f32,
    /// Added to the average before the square root.
    pub epsilon: f32,
}

/// One RMSprop step over a parameter, elementwise, exactly as Keras 3 writes it:
/// `v = rho·v + (1-rho)·g²`, `w -= (lr·g) / sqrt(v + epsilon)`.
///
/// The square root and the division are the whole cost of a small model's optimizer step;
/// the wide paths do 16 or 8 of each per instruction, with the same bits as the portable loop
/// (both are correctly rounded in every width). Slices shorter than `weights` are an error-free
/// no-op past their end: only the common length is updated.
pub fn rmsprop_update(step: RmspropStep, weights: &mut [f32], grads: &[f32], velocity: &mut [f32]) {
    match path() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `selected` only returns a path the CPU supports (AVX-512F here).
        KernelPath::Avx512 => unsafe { rmsprop_avx512(step, weights, grads, velocity) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `selected` only returns a path the CPU supports (AVX2 and FMA here).
        KernelPath::Avx2 => unsafe { rmsprop_avx2(step, weights, grads, velocity) },
        _ => rmsprop_loop(step, weights, grads, velocity),
    }
}

#[inline(always)]
fn rmsprop_loop(k: RmspropStep, weights: &mut [f32], grads: &[f32], velocity: &mut [f32]) {
    for ((x, &g), v) in weights.iter_mut().zip(grads).zip(velocity.iter_mut()) {
        *v = k.rho * *v + k.one_minus_rho * (g * g);
        *x -= (k.lr * g) / (*v + k.epsilon).sqrt();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn rmsprop_avx512(k: RmspropStep, weights: &mut [f32], grads: &[f32], velocity: &mut [f32]) {
    rmsprop_loop(k, weights, grads, velocity)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn rmsprop_avx2(k: RmspropStep, weights: &mut [f32], grads: &[f32], velocity: &mut [f32]) {
    rmsprop_loop(k, weights, grads, velocity)
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

    proptest! {
        /// The RMSprop step gives the portable loop's bits on every path, every length.
        #[test]
        fn rmsprop_paths_match_the_portable_loop(
            w in prop::collection::vec(-2.0f32..2.0, 0..80),
            seed in 0u32..1000,
        ) {
            let n = w.len();
            let g: Vec<f32> = (0..n).map(|i| ((i as u32 * 7 + seed) as f32 * 0.37).sin()).collect();
            let v: Vec<f32> = (0..n).map(|i| ((i as u32 + seed) as f32 * 0.11).cos().abs()).collect();
            let k = RmspropStep { lr: 1e-3, rho: 0.9, one_minus_rho: 1.0 - 0.9, epsilon: 1e-7 };
            let (mut w0, mut v0) = (w.clone(), v.clone());
            rmsprop_loop(k, &mut w0, &g, &mut v0);
            for path in KernelPath::ALL.into_iter().filter(|p| p.supported()) {
                let (mut w1, mut v1) = (w.clone(), v.clone());
                match path {
                    KernelPath::Scalar => rmsprop_loop(k, &mut w1, &g, &mut v1),
                    #[cfg(target_arch = "x86_64")]
                    // SAFETY: `supported` confirmed AVX-512F.
                    KernelPath::Avx512 => unsafe { rmsprop_avx512(k, &mut w1, &g, &mut v1) },
                    #[cfg(target_arch = "x86_64")]
                    // SAFETY: `supported` confirmed AVX2 and FMA.
                    KernelPath::Avx2 => unsafe { rmsprop_avx2(k, &mut w1, &g, &mut v1) },
                    #[cfg(not(target_arch = "x86_64"))]
                    _ => continue,
                }
                let bits = |x: &[f32]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&w1), bits(&w0), "weights, path {}", path);
                prop_assert_eq!(bits(&v1), bits(&v0), "velocity, path {}", path);
            }
            let (mut w2, mut v2) = (w.clone(), v.clone());
            rmsprop_update(k, &mut w2, &g, &mut v2);
            prop_assert_eq!(w2, w0);
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
