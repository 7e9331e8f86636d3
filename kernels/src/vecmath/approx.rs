//! Branch-free f32 approximations of `exp`, `tanh` and the logistic sigmoid.
//!
//! Straight-line arithmetic with no table lookups and no calls, so a loop over a slice
//! vectorizes at whatever vector width the enclosing function is compiled for. No fused
//! multiply-add is written (Rust never contracts `a * b + c` on its own), so every instruction
//! set rounds exactly alike and the slice functions give the same bits on every path.
//!
//! - [`tanh`]: the rational approximation TensorFlow evaluates on CPU (Eigen's
//!   `generic_fast_tanh_float`: odd degree-13 numerator over an even degree-6 denominator, input
//!   clamped to ±7.9053111, where it reaches ±1). Within a few ulp of `f32::tanh`, with full
//!   relative accuracy near 0.
//! - [`exp`]: Cephes' `expf` (range reduction by ln 2 in two parts, degree-5 polynomial, the
//!   power of two built from exponent bits). Within a few ulp for results that are normal f32.
//! - [`sigmoid`]: `1 / (1 + e⁻ˣ)` with that `exp`.
//!
//! NaN in gives NaN out for all three (the clamps compare, so they pass NaN through).

/// Eigen's float tanh (see the module doc). Saturates to exactly ±1 beyond |x| ≈ 7.905.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
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

/// Cephes' `expf`, branch-free: `x` is clamped to `[-87.34, 88]`, where `eˣ` is a normal f32
/// (so `exp(-1000)` is about `1.2e-38`, not 0, and `exp(1000)` about `1.7e38`, not infinity).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5 · 2²³: adding and subtracting it rounds to the nearest integer (ties to even).
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.336_54, 88.0);
    // t = ROUND + n holds n in its low mantissa bits; reading them as an integer (instead of
    // a float-to-int cast, which Rust saturates lane by lane) keeps the loop vectorized.
    let t = x * LOG2E + ROUND;
    let n = t - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5; // Cephes: 5.0000001201e-1, which rounds to 0.5 in f32
    let y = p * r * r + r + 1.0;
    // 2ⁿ from its exponent bits; n lies in [-126, 127] after the clamp.
    let n_int = t.to_bits().wrapping_sub(ROUND.to_bits());
    let scale = f32::from_bits(n_int.wrapping_add(127) << 23);
    y * scale
}

/// The logistic sigmoid `1 / (1 + e⁻ˣ)`, in `(0, 1]`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs from -20 to 20 in steps of 1/512, plus tiny, huge and special magnitudes.
    pub(crate) fn grid() -> Vec<f32> {
        let mut v: Vec<f32> = (-20 * 512..=20 * 512).map(|i| i as f32 / 512.0).collect();
        v.extend([
            1e-30, -1e-30, 1e-6, -1e-6, 3e-4, -3e-4, 50.0, -50.0, 100.0, -100.0, 1e30, -1e30,
        ]);
        v.extend([
            f32::MAX,
            f32::MIN,
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ]);
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
    fn sigmoid_is_within_a_few_ulp_of_f64() {
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
    fn exp_is_within_a_few_ulp_of_f64() {
        for x in grid().into_iter().filter(|x| x.abs() < 87.0) {
            let (got, want) = (exp(x), (x as f64).exp() as f32);
            assert!(
                (got - want).abs() <= 3.0 * f32::EPSILON * want,
                "exp({x}) = {got}, f64 {want}"
            );
        }
    }

    #[test]
    fn nan_propagates() {
        assert!(tanh(f32::NAN).is_nan());
        assert!(sigmoid(f32::NAN).is_nan());
        assert!(exp(f32::NAN).is_nan());
    }
}
