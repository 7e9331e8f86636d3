//! Fast row-wise tanh and sigmoid for the fused LSTM and GRU cells.
//!
//! The gate math of a recurrent cell evaluates `5U` (LSTM) or `3U` (GRU) transcendental
//! functions per sample and step; `f32::tanh`/`f32::exp` are scalar library calls, which cost
//! more than the cell's GEMMs at small sizes. These versions are branch-free straight-line f32
//! code over slices, so the compiler vectorizes them with whatever SIMD the build targets (SSE2
//! on generic x86-64), without `unsafe`:
//! - tanh: the rational approximation TensorFlow uses on CPU (Eigen's `generic_fast_tanh_float`:
//!   odd degree-13 numerator, degree-6 denominator, input clamped to ±7.9053111, where it reaches
//!   ±1), within a few ulp of `f32::tanh` and keeping full relative accuracy near 0;
//! - sigmoid: `1 / (1 + e⁻ˣ)` with Cephes' `expf` (range reduction by ln 2 in two parts, degree-5
//!   polynomial, exponent bits built directly), within a few ulp.
//!
//! Every other activation falls back to [`Activation::apply_row`].

use crate::activation::Activation;

/// Applies `act` in place to one row (a gate block, or the cell state).
#[inline]
pub(crate) fn apply(act: Activation, row: &mut [f32]) {
    match act {
        Activation::Tanh => row.iter_mut().for_each(|v| *v = tanh(*v)),
        Activation::Sigmoid => row.iter_mut().for_each(|v| *v = sigmoid(*v)),
        _ => act.apply_row(row),
    }
}

/// Eigen's float tanh (see the module doc).
#[inline(always)]
pub(crate) fn tanh(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let mut p = -2.760_768_5e-16_f32;
    p = p * x2 + 2.000_188e-13;
    p = p * x2 + -8.604_672e-11;
    p = p * x2 + 5.122_297e-8;
    p = p * x2 + 1.485_722_4e-5;
    p = p * x2 + 6.372_619_3e-4;
    p = p * x2 + 4.893_524_6e-3;
    p *= x;
    let mut q = 1.198_258_4e-6_f32;
    q = q * x2 + 1.185_347_1e-4;
    q = q * x2 + 2.268_434_6e-3;
    q = q * x2 + 4.893_525e-3;
    p / q
}

/// Cephes' `expf`, branch-free: `x` is clamped to where `eˣ` is a normal f32.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5 · 2²³: adding and subtracting it rounds to the nearest integer (ties to even).
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.336_54, 88.376_26);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5; // Cephes: 5.0000001201e-1, which rounds to 0.5 in f32
    let y = p * r * r + r + 1.0;
    // 2ⁿ from its exponent bits; n lies in [-126, 127] after the clamp.
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    y * scale
}

/// `1 / (1 + e⁻ˣ)`.
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs from -20 to 20 in steps of 1/512, plus tiny, huge and special magnitudes.
    fn grid() -> Vec<f32> {
        let mut v: Vec<f32> = (-20 * 512..=20 * 512).map(|i| i as f32 / 512.0).collect();
        v.extend([
            1e-30, -1e-30, 1e-6, -1e-6, 3e-4, -3e-4, 50.0, -50.0, 100.0, -100.0, 1e30, -1e30,
        ]);
        v.extend([f32::MAX, f32::MIN, 0.0, -0.0]);
        v
    }

    #[test]
    fn tanh_is_within_a_few_ulp_of_std() {
        for x in grid() {
            let (got, want) = (tanh(x), x.tanh());
            assert!(
                (got - want).abs() <= 4.0 * f32::EPSILON * want.abs().max(1e-30),
                "tanh({x}) = {got}, std {want}"
            );
        }
    }

    #[test]
    fn sigmoid_is_within_a_few_ulp_of_std() {
        for x in grid() {
            let want = (1.0 / (1.0 + (-(x as f64)).exp())) as f32;
            let got = sigmoid(x);
            // Relative accuracy down to the clamp at e^-87 (about 1e-38).
            let tol = 4.0 * f32::EPSILON * want.abs() + 1e-38;
            assert!(
                (got - want).abs() <= tol,
                "sigmoid({x}) = {got}, f64 {want}"
            );
        }
    }

    #[test]
    fn exp_is_within_a_few_ulp_of_std() {
        for x in grid().into_iter().filter(|x| x.abs() < 87.0) {
            let (got, want) = (exp(x), (x as f64).exp() as f32);
            assert!(
                (got - want).abs() <= 3.0 * f32::EPSILON * want,
                "exp({x}) = {got}, f64 {want}"
            );
        }
    }

    #[test]
    fn other_activations_fall_back() {
        let mut row = [-1.0f32, 0.5, 2.0];
        apply(Activation::RELU, &mut row);
        assert_eq!(row, [0.0, 0.5, 2.0]);
    }
}
