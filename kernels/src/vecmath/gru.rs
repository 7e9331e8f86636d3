//! The element-wise arithmetic of a GRU step (the recurrent terms onto the gates, the new state,
//! and the state's gradients in the backward pass), vectorized at run time.
//!
//! As for [`super::lstm`]: these loops run once per sample and step over rows of `units` floats,
//! and in the autograd crate (compiled for baseline x86-64) they ran at SSE2 width, 8% of a
//! (128, 64, 32, 256) GRU's fwd+bwd on a Zen 4. Each formula is the scalar one, multiplications
//! and additions rounded separately and in the same order, so every path gives the same bits.

vectorized! {
    /// `dst[j] += a[j] · b[j]` over `dst.len()` elements (a GRU's candidate with
    /// `reset_after`: `hh += r ⊙ (h' U_h + b_h)`). Shorter inputs are a caller bug and panic.
    pub fn add_product / add_product_on(dst: &mut [f32], a: &[f32], b: &[f32]) {
        let n = dst.len();
        let (a, b) = (&a[..n], &b[..n]);
        for j in 0..n {
            dst[j] += a[j] * b[j];
        }
    }
}

vectorized! {
    /// A `reset_after` GRU's recurrent terms over `rh.len()` units (`U`): the z and r gates
    /// take theirs, `zr[k] += rec[k] + b[k]` for `k < 2U` (the sum rounded first), and the
    /// candidate's `rh[j] = rec[2U + j] + b[2U + j]` is kept apart (it is reset by r later).
    /// Without the recurrent bias `b`, `zr[k] += rec[k]` and `rh[j] = rec[2U + j]`. `zr` holds
    /// `2U` floats, `rec` and `b` `3U`; shorter inputs are a caller bug and panic.
    pub fn gru_recurrent_after / gru_recurrent_after_on(
        zr: &mut [f32],
        rec: &[f32],
        b: Option<&[f32]>,
        rh: &mut [f32],
    ) {
        let u = rh.len();
        let zr = &mut zr[..2 * u];
        let (rec_zr, rec_h) = (&rec[..2 * u], &rec[2 * u..3 * u]);
        match b {
            Some(b) => {
                let (b_zr, b_h) = (&b[..2 * u], &b[2 * u..3 * u]);
                for k in 0..2 * u {
                    zr[k] += rec_zr[k] + b_zr[k];
                }
                for j in 0..u {
                    rh[j] = rec_h[j] + b_h[j];
                }
            }
            None => {
                for k in 0..2 * u {
                    zr[k] += rec_zr[k];
                }
                rh.copy_from_slice(rec_h);
            }
        }
    }
}

vectorized! {
    /// The new GRU state over `h.len()` units: `h = z ⊙ h_prev + (1 - z) ⊙ hh`, or
    /// `(1 - z) ⊙ hh` without a previous state. Shorter inputs are a caller bug and panic.
    pub fn gru_mix / gru_mix_on(z: &[f32], hh: &[f32], h_prev: Option<&[f32]>, h: &mut [f32]) {
        let n = h.len();
        let (z, hh) = (&z[..n], &hh[..n]);
        match h_prev {
            Some(hp) => {
                let hp = &hp[..n];
                for j in 0..n {
                    h[j] = z[j] * hp[j] + (1.0 - z[j]) * hh[j];
                }
            }
            None => {
                for j in 0..n {
                    h[j] = (1.0 - z[j]) * hh[j];
                }
            }
        }
    }
}

vectorized! {
    /// A GRU step's state gradients over `carry.len()` units: with `dh = g_h + carry` (the
    /// output's gradient and the carry from the later step), the update gate's
    /// `d_z = dh ⊙ (h_prev - hh)`, the candidate's `d_hh = dh ⊙ (1 - z)`, and the new carry
    /// `carry = dh ⊙ z`, which replaces the old. Shorter inputs are a caller bug and panic.
    #[allow(clippy::too_many_arguments)]
    pub fn gru_state_grads / gru_state_grads_on(
        g_h: &[f32],
        h_prev: &[f32],
        z: &[f32],
        hh: &[f32],
        carry: &mut [f32],
        d_z: &mut [f32],
        d_hh: &mut [f32],
    ) {
        let n = carry.len();
        let (g_h, h_prev, z, hh) = (&g_h[..n], &h_prev[..n], &z[..n], &hh[..n]);
        let (d_z, d_hh) = (&mut d_z[..n], &mut d_hh[..n]);
        for j in 0..n {
            let dh = g_h[j] + carry[j];
            d_z[j] = dh * (h_prev[j] - hh[j]);
            d_hh[j] = dh * (1.0 - z[j]);
            carry[j] = dh * z[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::KernelPath;
    use proptest::prelude::*;

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Rows of five values (some zero, some negative) of one length. No NaN: which NaN an
    /// operation returns is not a property of the formula (x86 keeps an operand's payload).
    fn rows() -> impl Strategy<Value = Vec<[f32; 5]>> {
        prop::collection::vec(
            prop::array::uniform5(prop_oneof![-3.0f32..3.0, Just(0.0f32), Just(-0.0f32),]),
            0..70,
        )
    }

    fn column(r: &[[f32; 5]], k: usize) -> Vec<f32> {
        r.iter().map(|x| x[k]).collect()
    }

    proptest! {
        /// Every path and the public functions give the scalar formulas' exact bits, for every
        /// length (vector bodies and remainders).
        #[test]
        fn every_path_matches_the_formulas_bit_for_bit(r in rows()) {
            let n = r.len();
            let [a, b, c, d, e] = std::array::from_fn(|k| column(&r, k));
            let nan = || vec![f32::NAN; n];
            // Three-unit-wide rows for the recurrent terms: a | b | c, and d | e | a as bias.
            let rec: Vec<f32> = [&a[..], &b[..], &c[..]].concat();
            let bias: Vec<f32> = [&d[..], &e[..], &a[..]].concat();
            let zr0: Vec<f32> = [&e[..], &c[..]].concat();

            let want_ap: Vec<f32> = (0..n).map(|j| a[j] + b[j] * c[j]).collect();
            let want_zr: Vec<f32> = (0..2 * n).map(|k| zr0[k] + (rec[k] + bias[k])).collect();
            let want_rh: Vec<f32> = (0..n).map(|j| c[j] + a[j]).collect();
            let want_zr0: Vec<f32> = (0..2 * n).map(|k| zr0[k] + rec[k]).collect();
            let want_mix: Vec<f32> =
                (0..n).map(|j| a[j] * c[j] + (1.0 - a[j]) * b[j]).collect();
            let want_mix0: Vec<f32> = (0..n).map(|j| (1.0 - a[j]) * b[j]).collect();
            // g_h = a, h_prev = b, z = c, hh = d, carry = e.
            let dh: Vec<f32> = (0..n).map(|j| a[j] + e[j]).collect();
            let want_dz: Vec<f32> = (0..n).map(|j| dh[j] * (b[j] - d[j])).collect();
            let want_dhh: Vec<f32> = (0..n).map(|j| dh[j] * (1.0 - c[j])).collect();
            let want_carry: Vec<f32> = (0..n).map(|j| dh[j] * c[j]).collect();

            let mut ran = 0;
            for path in KernelPath::ALL {
                let mut out = a.clone();
                if !add_product_on(path, &mut out, &b, &c) {
                    continue;
                }
                ran += 1;
                prop_assert_eq!(bits(&out), bits(&want_ap), "add_product {}", path);

                let (mut zr, mut rh) = (zr0.clone(), nan());
                gru_recurrent_after_on(path, &mut zr, &rec, Some(&bias), &mut rh);
                prop_assert_eq!(bits(&zr), bits(&want_zr), "z, r with bias {}", path);
                prop_assert_eq!(bits(&rh), bits(&want_rh), "rh with bias {}", path);
                let (mut zr, mut rh) = (zr0.clone(), nan());
                gru_recurrent_after_on(path, &mut zr, &rec, None, &mut rh);
                prop_assert_eq!(bits(&zr), bits(&want_zr0), "z, r {}", path);
                prop_assert_eq!(bits(&rh), bits(&c), "rh {}", path);

                let mut h = nan();
                gru_mix_on(path, &a, &b, Some(&c), &mut h);
                prop_assert_eq!(bits(&h), bits(&want_mix), "mix {}", path);
                let mut h = nan();
                gru_mix_on(path, &a, &b, None, &mut h);
                prop_assert_eq!(bits(&h), bits(&want_mix0), "first mix {}", path);

                let (mut carry, mut dz, mut dhh) = (e.clone(), nan(), nan());
                gru_state_grads_on(path, &a, &b, &c, &d, &mut carry, &mut dz, &mut dhh);
                prop_assert_eq!(bits(&dz), bits(&want_dz), "d_z {}", path);
                prop_assert_eq!(bits(&dhh), bits(&want_dhh), "d_hh {}", path);
                prop_assert_eq!(bits(&carry), bits(&want_carry), "carry {}", path);
            }
            prop_assert!(ran >= 1, "the baseline path always runs");

            // The public functions, on whatever path this CPU selects.
            let mut out = a.clone();
            add_product(&mut out, &b, &c);
            prop_assert_eq!(bits(&out), bits(&want_ap));
            let (mut zr, mut rh) = (zr0.clone(), nan());
            gru_recurrent_after(&mut zr, &rec, Some(&bias), &mut rh);
            prop_assert_eq!(bits(&zr), bits(&want_zr));
            let mut h = nan();
            gru_mix(&a, &b, Some(&c), &mut h);
            prop_assert_eq!(bits(&h), bits(&want_mix));
            let (mut carry, mut dz, mut dhh) = (e.clone(), nan(), nan());
            gru_state_grads(&a, &b, &c, &d, &mut carry, &mut dz, &mut dhh);
            prop_assert_eq!(bits(&carry), bits(&want_carry));
        }
    }
}
