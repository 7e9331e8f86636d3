//! The fused LSTM and GRU ops equal the same networks built from basic tape ops
//! (`Tape::lstm_unfused`, `Tape::gru_unfused`): values and every gradient, over random shapes,
//! activations and options (bias, initial states, dropout masks shared by the gates or one per
//! gate block, go_backwards, reset_after).

mod common;

use autograd::{Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, Tape, Var};
use common::assert_close;
use proptest::collection::vec;
use proptest::prelude::*;
use rand::SeedableRng;

const ACTS: &[Activation] = &[
    Activation::Tanh,
    Activation::RELU,
    Activation::Sigmoid,
    Activation::HardSigmoid,
    Activation::Gelu { approximate: true },
    Activation::Softmax,
];

/// `Σ_i sum(out_i · G_i)` with fixed non-trivial weights G_i.
fn weighted_sum(t: &mut Tape, outs: &[Var]) -> Var {
    let mut total: Option<Var> = None;
    for (k, &o) in outs.iter().enumerate() {
        let shape = t.shape(o).unwrap();
        let g: Vec<f32> = (0..shape.numel())
            .map(|i| ((i + 7 * k) as f32 * 0.7).sin())
            .collect();
        let gv = t.constant(&g, shape.dims()).unwrap();
        let p = t.mul(o, gv).unwrap();
        let s = t.sum(p).unwrap();
        total = Some(match total {
            None => s,
            Some(acc) => t.add(acc, s).unwrap(),
        });
    }
    total.unwrap()
}

/// Dims of a dropout mask on a `[b, width]` operand: 0 none, 1 shared `[b, width]`, 2 one per
/// gate block `[gates, b, width]` (the dims of 0 are those of 1, unused).
fn mask_dims(kind: usize, gates: usize, b: usize, width: usize) -> Vec<usize> {
    if kind == 2 {
        vec![gates, b, width]
    } else {
        vec![b, width]
    }
}

/// Values of the outputs then gradients of the params, fused and unfused; compared pairwise.
fn compare(results: &[Vec<Vec<f32>>]) {
    for (i, (a, b)) in results[0].iter().zip(&results[1]).enumerate() {
        // Same formulas; the fused op sums dW, dU and db over all steps at once, the
        // composition step by step, so the f32 additions differ in order by a few ulps.
        assert_close(&format!("result {i}"), a, b, 1e-4, 1e-5);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn lstm_fused_matches_basic_ops(b in 1usize..4, tt in 1usize..5, f in 1usize..4, u in 1usize..5,
                                    act in 0usize..6, ract in 0usize..6, go_backwards in any::<bool>(),
                                    use_bias in any::<bool>(), use_h0 in any::<bool>(),
                                    use_c0 in any::<bool>(), masks in 0usize..3, seed in any::<u64>(),
                                    x in vec(-1.0f32..1.0, 48), w in vec(-0.8f32..0.8, 160)) {
        let (act, ract) = (ACTS[act], ACTS[ract]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (mx_dims, mh_dims) = (mask_dims(masks, 4, b, f), mask_dims(masks, 4, b, u));
        let mx = autograd::dropout_mask(&mx_dims, 0.4, &mut rng).unwrap();
        let mh = autograd::dropout_mask(&mh_dims, 0.4, &mut rng).unwrap();
        let mut results = Vec::new();
        for fused in [true, false] {
            let mut t = Tape::new();
            let xv = t.param(&x[..b * tt * f], &[b, tt, f]).unwrap();
            let wv = t.param(&w[..f * 4 * u], &[f, 4 * u]).unwrap();
            let uv = t.param(&w[48..48 + 4 * u * u], &[u, 4 * u]).unwrap();
            let bv = t.param(&w[112..112 + 4 * u], &[4 * u]).unwrap();
            let hv = t.param(&x[20..20 + b * u], &[b, u]).unwrap();
            let cv = t.param(&x[30..30 + b * u], &[b, u]).unwrap();
            let mxv = t.constant(mx.data(), &mx_dims).unwrap();
            let mhv = t.constant(mh.data(), &mh_dims).unwrap();
            let inputs = LstmInputs {
                x: xv, kernel: wv, recurrent_kernel: uv, bias: use_bias.then_some(bv),
                initial_h: use_h0.then_some(hv), initial_c: use_c0.then_some(cv),
                input_mask: (masks > 0).then_some(mxv), recurrent_mask: (masks > 0).then_some(mhv),
            };
            let options = LstmOptions { activation: act, recurrent_activation: ract, go_backwards };
            let out = if fused {
                t.lstm(&inputs, &options).unwrap()
            } else {
                t.lstm_unfused(&inputs, &options).unwrap()
            };
            let outs = [out.sequence, out.last, out.last_c];
            let loss = weighted_sum(&mut t, &outs);
            t.backward(loss).unwrap();
            let mut r: Vec<Vec<f32>> = outs.iter().map(|&o| t.value(o).unwrap().to_vec()).collect();
            for v in [xv, wv, uv, bv, hv, cv] {
                r.push(t.grad(v).unwrap().to_vec());
            }
            results.push(r);
        }
        compare(&results);
    }

    #[test]
    fn gru_fused_matches_basic_ops(b in 1usize..4, tt in 1usize..5, f in 1usize..4, u in 1usize..5,
                                   act in 0usize..6, ract in 0usize..6, go_backwards in any::<bool>(),
                                   reset_after in any::<bool>(), use_bias in any::<bool>(),
                                   use_h0 in any::<bool>(), masks in 0usize..3, seed in any::<u64>(),
                                   x in vec(-1.0f32..1.0, 48), w in vec(-0.8f32..0.8, 128)) {
        let (act, ract) = (ACTS[act], ACTS[ract]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (mx_dims, mh_dims) = (mask_dims(masks, 3, b, f), mask_dims(masks, 3, b, u));
        let mx = autograd::dropout_mask(&mx_dims, 0.4, &mut rng).unwrap();
        let mh = autograd::dropout_mask(&mh_dims, 0.4, &mut rng).unwrap();
        let bias_dims = if reset_after { vec![2, 3 * u] } else { vec![3 * u] };
        let mut results = Vec::new();
        for fused in [true, false] {
            let mut t = Tape::new();
            let xv = t.param(&x[..b * tt * f], &[b, tt, f]).unwrap();
            let wv = t.param(&w[..f * 3 * u], &[f, 3 * u]).unwrap();
            let uv = t.param(&w[36..36 + 3 * u * u], &[u, 3 * u]).unwrap();
            let nb: usize = bias_dims.iter().product();
            let bv = t.param(&w[84..84 + nb], &bias_dims).unwrap();
            let hv = t.param(&x[20..20 + b * u], &[b, u]).unwrap();
            let mxv = t.constant(mx.data(), &mx_dims).unwrap();
            let mhv = t.constant(mh.data(), &mh_dims).unwrap();
            let inputs = GruInputs {
                x: xv, kernel: wv, recurrent_kernel: uv, bias: use_bias.then_some(bv),
                initial_state: use_h0.then_some(hv),
                input_mask: (masks > 0).then_some(mxv), recurrent_mask: (masks > 0).then_some(mhv),
            };
            let options = GruOptions { activation: act, recurrent_activation: ract, go_backwards, reset_after };
            let out = if fused {
                t.gru(&inputs, &options).unwrap()
            } else {
                t.gru_unfused(&inputs, &options).unwrap()
            };
            let outs = [out.sequence, out.last];
            let loss = weighted_sum(&mut t, &outs);
            t.backward(loss).unwrap();
            let mut r: Vec<Vec<f32>> = outs.iter().map(|&o| t.value(o).unwrap().to_vec()).collect();
            for v in [xv, wv, uv, bv, hv] {
                r.push(t.grad(v).unwrap().to_vec());
            }
            results.push(r);
        }
        compare(&results);
    }
}
