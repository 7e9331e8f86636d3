//! The element-wise arithmetic of an LSTM step (the cell state, the output, and their gradients
//! in the backward pass), vectorized at run time.
//!
//! A fused LSTM runs these loops once per sample and step over rows of `units` floats. Written
//! in the autograd crate, which is compiled for baseline x86-64, they ran at SSE2 width; here
//! the same loops are compiled under `#[target_feature]` as 16- or 8-lane code. Each formula is
//! the scalar one, multiplications and additions rounded separately and in the same order (Rust
//! never contracts them into an FMA), so every path gives the same bits.

vectorized! {
    /// `dst[j] += src[j]` over `dst.len()` elements (a step's bias onto its gate rows). A shorter
    /// `src` is a caller bug and panics.
    pub fn add_assign / add_assign_on(dst: &mut [f32], src: &[f32]) {
        let src = &src[..dst.len()];
        for (d, &s) in dst.iter_mut().zip(src) {
            *d += s;
        }
    }
}

vectorized! {
    /// `out[j] = a[j] · b[j]` over `out.len()` elements (an LSTM's `h = o ⊙ tanh(c)`). Shorter
    /// inputs are a caller bug and panic.
    pub fn multiply / multiply_on(a: &[f32], b: &[f32], out: &mut [f32]) {
        let n = out.len();
        let (a, b) = (&a[..n], &b[..n]);
        for j in 0..n {
            out[j] = a[j] * b[j];
        }
    }
}

vectorized! {
    /// The LSTM cell state over `c.len()` units: `c = f ⊙ c_prev + i ⊙ g` (as `f·c_prev` plus
    /// `i·g`, each rounded), or `i ⊙ g` without a previous state. Shorter inputs are a caller bug
    /// and panic.
    pub fn lstm_cell_state / lstm_cell_state_on(
        i: &[f32],
        f: &[f32],
        g: &[f32],
        c_prev: Option<&[f32]>,
        c: &mut [f32],
    ) {
        let n = c.len();
        let (i, f, g) = (&i[..n], &f[..n], &g[..n]);
        match c_prev {
            Some(cp) => {
                let cp = &cp[..n];
                for j in 0..n {
                    c[j] = f[j] * cp[j] + i[j] * g[j];
                }
            }
            None => {
                for j in 0..n {
                    c[j] = i[j] * g[j];
                }
            }
        }
    }
}

vectorized! {
    /// A whole LSTM step's element-wise forward over `c.len()` units (`U`) for Keras' default
    /// activations (sigmoid gates, tanh candidate and output), in one pass instead of eight:
    /// the pre-activations `z = [z_i | z_f | z_g | z_o]` (`4U`, plus `bias` when given, rounded
    /// first) become the gates `i, f, o = sigmoid(.)`, `g = tanh(.)` in place; then
    /// `c = f ⊙ c_prev + i ⊙ g` (or `i ⊙ g` without a previous state), `act_c = tanh(c)` and
    /// `h = o ⊙ act_c`. The bits are those of [`add_assign`], [`super::sigmoid_in_place`],
    /// [`super::tanh_in_place`], [`lstm_cell_state`] and [`multiply`] one after the other.
    /// Shorter inputs are a caller bug and panic.
    pub fn lstm_step_sigmoid_tanh / lstm_step_sigmoid_tanh_on(
        z: &mut [f32],
        bias: Option<&[f32]>,
        c_prev: Option<&[f32]>,
        c: &mut [f32],
        act_c: &mut [f32],
        h: &mut [f32],
    ) {
        /// The loop, with the optional inputs resolved outside it (`None` slices are empty).
        #[inline(always)]
        fn step<const BIAS: bool, const PREV: bool>(
            z: &mut [f32],
            bias: &[f32],
            c_prev: &[f32],
            c: &mut [f32],
            act_c: &mut [f32],
            h: &mut [f32],
        ) {
            use super::approx::{sigmoid, tanh};
            let u = c.len();
            let (zi, rest) = z[..4 * u].split_at_mut(u);
            let (zf, rest) = rest.split_at_mut(u);
            let (zg, zo) = rest.split_at_mut(u);
            let (act_c, h) = (&mut act_c[..u], &mut h[..u]);
            let (bi, bf, bg, bo) = if BIAS {
                (&bias[..u], &bias[u..2 * u], &bias[2 * u..3 * u], &bias[3 * u..4 * u])
            } else {
                (&[][..], &[][..], &[][..], &[][..])
            };
            let c_prev = if PREV { &c_prev[..u] } else { &[][..] };
            for j in 0..u {
                let (mut pi, mut pf, mut pg, mut po) = (zi[j], zf[j], zg[j], zo[j]);
                if BIAS {
                    pi += bi[j];
                    pf += bf[j];
                    pg += bg[j];
                    po += bo[j];
                }
                let (i, f, g, o) = (sigmoid(pi), sigmoid(pf), tanh(pg), sigmoid(po));
                (zi[j], zf[j], zg[j], zo[j]) = (i, f, g, o);
                let cj = if PREV { f * c_prev[j] + i * g } else { i * g };
                c[j] = cj;
                let a = tanh(cj);
                act_c[j] = a;
                h[j] = o * a;
            }
        }
        match (bias, c_prev) {
            (Some(b), Some(cp)) => step::<true, true>(z, b, cp, c, act_c, h),
            (Some(b), None) => step::<true, false>(z, b, &[], c, act_c, h),
            (None, Some(cp)) => step::<false, true>(z, &[], cp, c, act_c, h),
            (None, None) => step::<false, false>(z, &[], &[], c, act_c, h),
        }
    }
}

vectorized! {
    /// The first half of an LSTM step's backward over `d_o.len()` units: with
    /// `dh = g_h + carry_h` (the output's gradient and the carry from the later step),
    /// `d_o = dh ⊙ a(c)` and `d_ac = dh ⊙ o`. Shorter inputs are a caller bug and panic.
    pub fn lstm_output_grads / lstm_output_grads_on(
        g_h: &[f32],
        carry_h: &[f32],
        act_c: &[f32],
        o: &[f32],
        d_o: &mut [f32],
        d_ac: &mut [f32],
    ) {
        let n = d_o.len();
        let (g_h, carry_h, act_c, o, d_ac) = (&g_h[..n], &carry_h[..n], &act_c[..n], &o[..n], &mut d_ac[..n]);
        for j in 0..n {
            let dh = g_h[j] + carry_h[j];
            d_o[j] = dh * act_c[j];
            d_ac[j] = dh * o[j];
        }
    }
}

vectorized! {
    /// The second half of an LSTM step's backward over `carry_c.len()` units: the cell state's
    /// gradient `dc = (g_c + carry_c) + dc_act` (its output's gradient, the carry from the later
    /// step, and the path through `h = o ⊙ a(c)`), then the gates' `d_i = dc ⊙ g`,
    /// `d_f = dc ⊙ c_prev`, `d_g = dc ⊙ i` and the new carry `carry_c = dc ⊙ f`, which replaces
    /// the old. Shorter inputs are a caller bug and panic.
    #[allow(clippy::too_many_arguments)]
    pub fn lstm_state_grads / lstm_state_grads_on(
        g_c: &[f32],
        dc_act: &[f32],
        i: &[f32],
        f: &[f32],
        g: &[f32],
        c_prev: &[f32],
        carry_c: &mut [f32],
        d_i: &mut [f32],
        d_f: &mut [f32],
        d_g: &mut [f32],
    ) {
        let n = carry_c.len();
        let (g_c, dc_act, i, f, g, c_prev) =
            (&g_c[..n], &dc_act[..n], &i[..n], &f[..n], &g[..n], &c_prev[..n]);
        let (d_i, d_f, d_g) = (&mut d_i[..n], &mut d_f[..n], &mut d_g[..n]);
        for j in 0..n {
            let dc = g_c[j] + carry_c[j] + dc_act[j];
            d_i[j] = dc * g[j];
            d_g[j] = dc * i[j];
            d_f[j] = dc * c_prev[j];
            carry_c[j] = dc * f[j];
        }
    }
}

vectorized! {
    /// A whole LSTM step's element-wise backward over `carry_c.len()` units (`U`) for Keras'
    /// default activations (sigmoid gates, tanh candidate and output), in one pass: from the
    /// state gradients (`g_h`, `g_c`: the outputs' gradients; `carry_h`, `carry_c`: the carries
    /// from the later step) and the saved gates `[i | f | g | o]` (`4U`) and `act_c = tanh(c)`,
    /// the gate pre-activations' gradients `dz` (`4U`), with `carry_c` replaced by the new
    /// carry. The bits are those of [`lstm_output_grads`], tanh's derivative on `act_c`,
    /// [`lstm_state_grads`] (zeros for a missing `c_prev`) and the four gates' derivatives
    /// ([`super::activation_grad`]) one after the other. Shorter inputs are a caller bug and
    /// panic.
    #[allow(clippy::too_many_arguments)]
    pub fn lstm_step_grads_sigmoid_tanh / lstm_step_grads_sigmoid_tanh_on(
        g_h: &[f32],
        carry_h: &[f32],
        g_c: &[f32],
        gates: &[f32],
        act_c: &[f32],
        c_prev: Option<&[f32]>,
        carry_c: &mut [f32],
        dz: &mut [f32],
    ) {
        /// The loop, with the optional previous state resolved outside it.
        #[inline(always)]
        #[allow(clippy::too_many_arguments)]
        fn step<const PREV: bool>(
            g_h: &[f32],
            carry_h: &[f32],
            g_c: &[f32],
            gates: &[f32],
            act_c: &[f32],
            c_prev: &[f32],
            carry_c: &mut [f32],
            dz: &mut [f32],
        ) {
            let u = carry_c.len();
            let (g_h, carry_h, g_c, act_c) = (&g_h[..u], &carry_h[..u], &g_c[..u], &act_c[..u]);
            let (i, f, g, o) = (
                &gates[..u],
                &gates[u..2 * u],
                &gates[2 * u..3 * u],
                &gates[3 * u..4 * u],
            );
            let (dz_i, rest) = dz[..4 * u].split_at_mut(u);
            let (dz_f, rest) = rest.split_at_mut(u);
            let (dz_g, dz_o) = rest.split_at_mut(u);
            let c_prev = if PREV { &c_prev[..u] } else { &[][..] };
            for j in 0..u {
                let dh = g_h[j] + carry_h[j];
                let d_o = dh * act_c[j];
                let d_ac = dh * o[j];
                let dc_act = d_ac * (1.0 - act_c[j] * act_c[j]);
                let dc = g_c[j] + carry_c[j] + dc_act;
                let d_i = dc * g[j];
                let d_g = dc * i[j];
                let d_f = dc * if PREV { c_prev[j] } else { 0.0 };
                carry_c[j] = dc * f[j];
                dz_i[j] = d_i * i[j] * (1.0 - i[j]);
                dz_f[j] = d_f * f[j] * (1.0 - f[j]);
                dz_g[j] = d_g * (1.0 - g[j] * g[j]);
                dz_o[j] = d_o * o[j] * (1.0 - o[j]);
            }
        }
        match c_prev {
            Some(cp) => step::<true>(g_h, carry_h, g_c, gates, act_c, cp, carry_c, dz),
            None => step::<false>(g_h, carry_h, g_c, gates, act_c, &[], carry_c, dz),
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

    /// Seven rows of values (some zero, some negative) of one length.
    fn rows() -> impl Strategy<Value = Vec<[f32; 7]>> {
        prop::collection::vec(
            prop::array::uniform7(prop_oneof![-3.0f32..3.0, Just(0.0f32), Just(-0.0f32)]),
            0..70,
        )
    }

    fn column(r: &[[f32; 7]], k: usize) -> Vec<f32> {
        r.iter().map(|x| x[k]).collect()
    }

    proptest! {
        /// Every path and the public functions give the scalar formulas' exact bits, for every
        /// length (vector bodies and remainders).
        #[test]
        fn every_path_matches_the_formulas_bit_for_bit(r in rows()) {
            let n = r.len();
            let [a, b, c, d, e, f, g] = std::array::from_fn(|k| column(&r, k));
            let nan = || vec![f32::NAN; n];

            let want_add: Vec<f32> = (0..n).map(|j| a[j] + b[j]).collect();
            let want_mul: Vec<f32> = (0..n).map(|j| a[j] * b[j]).collect();
            let want_state: Vec<f32> = (0..n).map(|j| b[j] * d[j] + a[j] * c[j]).collect();
            let want_state0: Vec<f32> = (0..n).map(|j| a[j] * c[j]).collect();
            let dh: Vec<f32> = (0..n).map(|j| a[j] + b[j]).collect();
            let want_do: Vec<f32> = (0..n).map(|j| dh[j] * c[j]).collect();
            let want_dac: Vec<f32> = (0..n).map(|j| dh[j] * d[j]).collect();
            // g_c = a, dc_act = b, i = c, f = d, g = e, c_prev = f, carry_c = g.
            let dc: Vec<f32> = (0..n).map(|j| a[j] + g[j] + b[j]).collect();
            let want_di: Vec<f32> = (0..n).map(|j| dc[j] * e[j]).collect();
            let want_dg: Vec<f32> = (0..n).map(|j| dc[j] * c[j]).collect();
            let want_df: Vec<f32> = (0..n).map(|j| dc[j] * f[j]).collect();
            let want_cc: Vec<f32> = (0..n).map(|j| dc[j] * d[j]).collect();

            for path in KernelPath::ALL {
                let mut out = a.clone();
                if !add_assign_on(path, &mut out, &b) {
                    continue;
                }
                prop_assert_eq!(bits(&out), bits(&want_add), "add_assign {}", path);

                let mut out = nan();
                multiply_on(path, &a, &b, &mut out);
                prop_assert_eq!(bits(&out), bits(&want_mul), "multiply {}", path);

                let mut out = nan();
                lstm_cell_state_on(path, &a, &b, &c, Some(&d), &mut out);
                prop_assert_eq!(bits(&out), bits(&want_state), "cell state {}", path);
                let mut out = nan();
                lstm_cell_state_on(path, &a, &b, &c, None, &mut out);
                prop_assert_eq!(bits(&out), bits(&want_state0), "first cell state {}", path);

                let (mut d_o, mut d_ac) = (nan(), nan());
                lstm_output_grads_on(path, &a, &b, &c, &d, &mut d_o, &mut d_ac);
                prop_assert_eq!(bits(&d_o), bits(&want_do), "d_o {}", path);
                prop_assert_eq!(bits(&d_ac), bits(&want_dac), "d_ac {}", path);

                let (mut cc, mut d_i, mut d_f, mut d_g) = (g.clone(), nan(), nan(), nan());
                lstm_state_grads_on(
                    path, &a, &b, &c, &d, &e, &f, &mut cc, &mut d_i, &mut d_f, &mut d_g,
                );
                prop_assert_eq!(bits(&d_i), bits(&want_di), "d_i {}", path);
                prop_assert_eq!(bits(&d_f), bits(&want_df), "d_f {}", path);
                prop_assert_eq!(bits(&d_g), bits(&want_dg), "d_g {}", path);
                prop_assert_eq!(bits(&cc), bits(&want_cc), "carry_c {}", path);
            }

            // The fused forward step against the separate functions, with and without bias
            // and previous state (z = a | b | c | d, bias = e | f | g | a, c_prev = g).
            let z0: Vec<f32> = [&a[..], &b[..], &c[..], &d[..]].concat();
            let bias: Vec<f32> = [&e[..], &f[..], &g[..], &a[..]].concat();
            for (with_bias, with_prev) in [(true, true), (true, false), (false, true), (false, false)] {
                let mut want_z = z0.clone();
                if with_bias {
                    add_assign(&mut want_z, &bias);
                }
                let (wi, rest) = want_z.split_at_mut(n);
                let (wf, rest) = rest.split_at_mut(n);
                let (wg, wo) = rest.split_at_mut(n);
                crate::vecmath::sigmoid_in_place(wi);
                crate::vecmath::sigmoid_in_place(wf);
                crate::vecmath::tanh_in_place(wg);
                crate::vecmath::sigmoid_in_place(wo);
                let mut want_c = nan();
                lstm_cell_state(wi, wf, wg, with_prev.then_some(&g[..]), &mut want_c);
                let mut want_ac = want_c.clone();
                crate::vecmath::tanh_in_place(&mut want_ac);
                let mut want_h = nan();
                multiply(wo, &want_ac, &mut want_h);
                for path in KernelPath::ALL {
                    let (mut z, mut cc, mut ac, mut h) = (z0.clone(), nan(), nan(), nan());
                    let b = with_bias.then_some(&bias[..]);
                    let cp = with_prev.then_some(&g[..]);
                    if !lstm_step_sigmoid_tanh_on(path, &mut z, b, cp, &mut cc, &mut ac, &mut h) {
                        continue;
                    }
                    let case = format!("{path}, bias {with_bias}, prev {with_prev}");
                    prop_assert_eq!(bits(&z), bits(&want_z), "gates {}", case);
                    prop_assert_eq!(bits(&cc), bits(&want_c), "c {}", case);
                    prop_assert_eq!(bits(&ac), bits(&want_ac), "act_c {}", case);
                    prop_assert_eq!(bits(&h), bits(&want_h), "h {}", case);
                }
            }

            // The fused backward step against the separate functions (gates = c | d | e | f
            // squashed into (0, 1) or (-1, 1) as activations are, act_c = tanh(b), c_prev = g).
            let mut gates: Vec<f32> = [&c[..], &d[..], &e[..], &f[..]].concat();
            crate::vecmath::sigmoid_in_place(&mut gates);
            crate::vecmath::tanh_in_place(&mut gates[2 * n..3 * n]);
            let mut act_c = b.clone();
            crate::vecmath::tanh_in_place(&mut act_c);
            for with_prev in [true, false] {
                let (gi, gf, gg, go) =
                    (&gates[..n], &gates[n..2 * n], &gates[2 * n..3 * n], &gates[3 * n..]);
                let (mut want_do, mut d_ac) = (nan(), nan());
                lstm_output_grads(&a, &g, &act_c, go, &mut want_do, &mut d_ac);
                let mut dc_act = nan();
                crate::vecmath::activation_grad(
                    crate::vecmath::OutputGrad::Tanh, &act_c, &d_ac, None, &mut dc_act,
                );
                let zeros = vec![0.0; n];
                let cp = if with_prev { &g[..] } else { &zeros[..] };
                let (mut want_cc, mut d_i, mut d_f, mut d_g) = (e.clone(), nan(), nan(), nan());
                lstm_state_grads(&d, &dc_act, gi, gf, gg, cp, &mut want_cc, &mut d_i, &mut d_f, &mut d_g);
                let mut want_dz = vec![f32::NAN; 4 * n];
                for (k, (y, dp, f)) in [
                    (gi, &d_i, crate::vecmath::OutputGrad::Sigmoid),
                    (gf, &d_f, crate::vecmath::OutputGrad::Sigmoid),
                    (gg, &d_g, crate::vecmath::OutputGrad::Tanh),
                    (go, &want_do, crate::vecmath::OutputGrad::Sigmoid),
                ]
                .into_iter()
                .enumerate()
                {
                    crate::vecmath::activation_grad(f, y, dp, None, &mut want_dz[k * n..(k + 1) * n]);
                }
                for path in KernelPath::ALL {
                    let (mut cc, mut dz) = (e.clone(), vec![f32::NAN; 4 * n]);
                    let cp = with_prev.then_some(&g[..]);
                    if !lstm_step_grads_sigmoid_tanh_on(
                        path, &a, &g, &d, &gates, &act_c, cp, &mut cc, &mut dz,
                    ) {
                        continue;
                    }
                    prop_assert_eq!(bits(&dz), bits(&want_dz), "dz {}, prev {}", path, with_prev);
                    prop_assert_eq!(bits(&cc), bits(&want_cc), "carry_c {}, prev {}", path, with_prev);
                }
            }

            // The public functions, on whatever path this CPU selects.
            let mut out = a.clone();
            add_assign(&mut out, &b);
            prop_assert_eq!(bits(&out), bits(&want_add));
            let mut out = nan();
            multiply(&a, &b, &mut out);
            prop_assert_eq!(bits(&out), bits(&want_mul));
            let mut out = nan();
            lstm_cell_state(&a, &b, &c, Some(&d), &mut out);
            prop_assert_eq!(bits(&out), bits(&want_state));
            let (mut d_o, mut d_ac) = (nan(), nan());
            lstm_output_grads(&a, &b, &c, &d, &mut d_o, &mut d_ac);
            prop_assert_eq!(bits(&d_ac), bits(&want_dac));
            let (mut cc, mut d_i, mut d_f, mut d_g) = (g.clone(), nan(), nan(), nan());
            lstm_state_grads(&a, &b, &c, &d, &e, &f, &mut cc, &mut d_i, &mut d_f, &mut d_g);
            prop_assert_eq!(bits(&cc), bits(&want_cc));
        }
    }
}
