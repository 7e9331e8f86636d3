//! Finite-difference gradient checks (proptest) for every differentiable op, and a test that
//! fails if an op kind exists without one. Tolerances and step: see `common::EPS`/`ATOL`.

mod common;

use autograd::{
    Activation, GruInputs, GruOptions, Loss, LstmInputs, LstmOptions, OpKind, SimpleRnnInputs,
    Tape, Var,
};
use common::{Input, check_gradients, constant, param};
use proptest::collection::vec;
use proptest::prelude::*;
use rand::SeedableRng;

/// Every op kind with a gradient check below (Leaf has no backward: it is where gradients end).
const CHECKED: &[OpKind] = &[
    OpKind::MatMul,
    OpKind::Add,
    OpKind::Sub,
    OpKind::Mul,
    OpKind::Div,
    OpKind::Neg,
    OpKind::Scale,
    OpKind::Square,
    OpKind::Sqrt,
    OpKind::Abs,
    OpKind::Exp,
    OpKind::Log,
    OpKind::SumAll,
    OpKind::MeanAll,
    OpKind::SumAxis,
    OpKind::MeanAxis,
    OpKind::Reshape,
    OpKind::Transpose,
    OpKind::Slice,
    OpKind::Select,
    OpKind::Stack,
    OpKind::Concat,
    OpKind::Activation,
    OpKind::Loss,
    OpKind::SimpleRnn,
    OpKind::Lstm,
    OpKind::Gru,
];

#[test]
fn every_op_kind_has_a_gradient_check() {
    for k in OpKind::ALL {
        if *k == OpKind::Leaf {
            continue;
        }
        assert!(
            CHECKED.contains(k),
            "{k:?} has no gradient check in grad_check.rs"
        );
    }
}

/// Every activation the checks cover; `all_activations_are_checked` keeps it exhaustive.
fn activations() -> Vec<Activation> {
    vec![
        Activation::Linear,
        Activation::RELU,
        Activation::Relu {
            negative_slope: 0.1,
            max_value: Some(2.0),
            threshold: 0.5,
        },
        Activation::Relu {
            negative_slope: 0.1,
            max_value: None,
            threshold: 0.0,
        },
        Activation::Relu {
            negative_slope: 0.0,
            max_value: Some(2.0),
            threshold: 0.0,
        },
        Activation::Relu {
            negative_slope: 0.0,
            max_value: None,
            threshold: -0.5,
        },
        Activation::Relu {
            negative_slope: 0.0,
            max_value: Some(6.0),
            threshold: 0.0,
        },
        Activation::Relu6,
        Activation::LeakyRelu {
            negative_slope: 0.2,
        },
        Activation::Elu { alpha: 1.0 },
        Activation::Elu { alpha: 0.5 },
        Activation::Selu,
        Activation::Gelu { approximate: false },
        Activation::Gelu { approximate: true },
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::HardSigmoid,
        Activation::Softplus,
        Activation::Softsign,
        Activation::Silu,
        Activation::Exponential,
        Activation::Softmax,
        Activation::Mish,
        Activation::HardSilu,
        Activation::LogSigmoid,
    ]
}

#[test]
fn all_activations_are_checked() {
    for name in Activation::KERAS_NAMES {
        let a = Activation::from_keras_name(name).unwrap();
        assert!(
            activations()
                .iter()
                .any(|b| b.keras_name() == a.keras_name()),
            "{name} missing from the gradient checks"
        );
    }
}

/// Kinks of the checked activations; drawn inputs stay 0.05 away (5 steps of EPS).
const KINKS: &[f32] = &[-3.0, -0.5, 0.0, 0.5, 2.0, 3.0, 6.0];

fn away_from_kinks(v: &[f32]) -> bool {
    v.iter().all(|x| KINKS.iter().all(|k| (x - k).abs() > 0.05))
}

fn pool(n: usize) -> impl Strategy<Value = Vec<f32>> {
    vec(-2.0f32..2.0, n)
}

fn cfg() -> ProptestConfig {
    ProptestConfig::with_cases(32)
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn matmul_grad(m in 1usize..5, k in 1usize..5, n in 1usize..5, batched in any::<bool>(),
                   a in pool(48), b in pool(16)) {
        let adims = if batched { vec![2, m, k] } else { vec![m, k] };
        check_gradients(OpKind::MatMul, &[param(&a, &adims), param(&b, &[k, n])],
            |t, v| t.matmul(v[0], v[1]))?;
    }

    #[test]
    fn binary_grad(op in 0usize..4, mode in 0usize..5, m in 1usize..4, n in 1usize..4,
                   a in pool(12), b in pool(12), sign in any::<bool>()) {
        // Keep divisors away from 0: |b| in [0.5, 2].
        let b: Vec<f32> = b.iter().map(|v| {
            let m = 0.5 + v.abs() * 0.75;
            if (*v < 0.0) ^ sign { -m } else { m }
        }).collect();
        let (da, db): (Vec<usize>, Vec<usize>) = match mode {
            0 => (vec![m, n], vec![m, n]),
            1 => (vec![m, n], vec![n]),
            2 => (vec![m, n], vec![]),
            3 => (vec![n], vec![m, n]),
            _ => (vec![m, n], vec![m, n]), // the same var on both sides
        };
        let kind = [OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div][op];
        let f = move |t: &mut Tape, x: Var, y: Var| match op {
            0 => t.add(x, y),
            1 => t.sub(x, y),
            2 => t.mul(x, y),
            _ => t.div(x, y),
        };
        if mode == 4 {
            check_gradients(kind, &[param(&b, &da)], |t, v| f(t, v[0], v[0]))?;
        } else {
            check_gradients(kind, &[param(&a, &da), param(&b, &db)], |t, v| f(t, v[0], v[1]))?;
        }
    }

    #[test]
    fn unary_grad(op in 0usize..7, dims in vec(1usize..4, 1..4), x in pool(27), c in -2.0f32..2.0) {
        let positive: Vec<f32> = x.iter().map(|v| 0.5 + v.abs()).collect();
        let input = match op {
            3 | 6 => param(&positive, &dims), // sqrt, log
            _ => param(&x, &dims),
        };
        prop_assume!(op != 4 || input.data.iter().all(|v| v.abs() > 0.05)); // abs' kink
        let kind = [OpKind::Neg, OpKind::Scale, OpKind::Square, OpKind::Sqrt, OpKind::Abs,
                    OpKind::Exp, OpKind::Log][op];
        check_gradients(kind, &[input], |t, v| match op {
            0 => t.neg(v[0]),
            1 => t.scale(v[0], c),
            2 => t.square(v[0]),
            3 => t.sqrt(v[0]),
            4 => t.abs(v[0]),
            5 => t.exp(v[0]),
            _ => t.log(v[0]),
        })?;
    }

    #[test]
    fn reduce_grad(op in 0usize..4, dims in vec(1usize..4, 1..4), axis in 0usize..3, x in pool(27)) {
        let axis = axis % dims.len();
        let kind = [OpKind::SumAll, OpKind::MeanAll, OpKind::SumAxis, OpKind::MeanAxis][op];
        check_gradients(kind, &[param(&x, &dims)], |t, v| match op {
            0 => t.sum(v[0]),
            1 => t.mean(v[0]),
            2 => t.sum_axis(v[0], axis),
            _ => t.mean_axis(v[0], axis),
        })?;
    }

    #[test]
    fn reshape_transpose_grad(m in 1usize..5, n in 1usize..5, x in pool(16)) {
        check_gradients(OpKind::Reshape, &[param(&x, &[m, n])], |t, v| t.reshape(v[0], &[n * m]))?;
        check_gradients(OpKind::Transpose, &[param(&x, &[m, n])], |t, v| t.transpose(v[0]))?;
    }

    #[test]
    fn slice_select_grad(b in 1usize..3, tt in 1usize..5, f in 1usize..3, start in 0usize..4,
                         len in 1usize..4, x in pool(24)) {
        let start = start % tt;
        let len = 1 + (len - 1) % (tt - start);
        check_gradients(OpKind::Slice, &[param(&x, &[b, tt, f])],
            |t, v| t.slice(v[0], 1, start, len))?;
        // The same node sliced twice: both parts must add up.
        check_gradients(OpKind::Select, &[param(&x, &[b, tt, f])], |t, v| {
            let p = t.select(v[0], 1, start)?;
            let q = t.select(v[0], 1, tt - 1)?;
            t.mul(p, q)
        })?;
    }

    #[test]
    fn stack_concat_grad(k in 1usize..4, m in 1usize..3, n in 1usize..3, axis in 0usize..3,
                         x in pool(36)) {
        let inputs: Vec<Input> = (0..k).map(|i| param(&x[i * 9..], &[m, n])).collect();
        let sa = axis % 3;
        check_gradients(OpKind::Stack, &inputs, |t, v| t.stack(v, sa))?;
        let ca = axis % 2;
        let inputs: Vec<Input> = (0..k)
            .map(|i| {
                let d = if ca == 0 { [m + i, n] } else { [m, n + i] };
                param(&x[i * 9..], &d)
            })
            .collect();
        check_gradients(OpKind::Concat, &inputs, |t, v| t.concat(v, ca))?;
    }

    #[test]
    fn activation_grad(which in 0usize..100, dims in vec(1usize..4, 1..3), x in vec(-4.0f32..4.0, 9)) {
        let all = activations();
        let act = all[which % all.len()];
        let input = param(&x, &dims);
        prop_assume!(away_from_kinks(&input.data));
        check_gradients(OpKind::Activation, &[input], |t, v| t.activation(v[0], act))?;
    }

    #[test]
    fn loss_grad(which in 0usize..6, n in 1usize..5, c in 1usize..4, rank1_target in any::<bool>(),
                 p in pool(12), y in pool(12)) {
        let loss = [Loss::MeanSquaredError, Loss::MeanAbsoluteError, Loss::Huber { delta: 1.0 },
                    Loss::Huber { delta: 0.5 }, Loss::MeanSquaredLogarithmicError, Loss::LogCosh][which];
        let (pd, yd) = if rank1_target { (vec![n, 1], vec![n]) } else { (vec![n, c], vec![n, c]) };
        let mut pred = param(&p, &pd);
        if loss == Loss::MeanSquaredLogarithmicError {
            pred.data.iter_mut().for_each(|v| *v = 0.2 + v.abs()); // away from the ε clip
        }
        let target = constant(&y, &yd);
        prop_assume!(pred.data.iter().zip(&target.data).all(|(a, b)| (a - b).abs() > 0.05));
        check_gradients(OpKind::Loss, &[target, pred], |t, v| t.loss(loss, v[0], v[1]))?;
    }

    #[test]
    fn simple_rnn_grad(b in 1usize..3, tt in 1usize..4, f in 1usize..3, u in 1usize..4,
                       which in 0usize..7, go_backwards in any::<bool>(), use_bias in any::<bool>(),
                       use_h0 in any::<bool>(), masks in any::<bool>(), use_last in any::<bool>(),
                       x in vec(-1.0f32..1.0, 18), w in vec(-0.8f32..0.8, 22), seed in any::<u64>()) {
        let act = [Activation::Tanh, Activation::Sigmoid, Activation::Linear, Activation::RELU,
                   Activation::Softplus, Activation::Gelu { approximate: false },
                   Activation::Softmax][which];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mx = autograd::dropout_mask(&[b, f], 0.3, &mut rng).unwrap();
        let mh = autograd::dropout_mask(&[b, u], 0.3, &mut rng).unwrap();
        let inputs = vec![
            param(&x, &[b, tt, f]),
            param(&w, &[f, u]),
            param(&w[6..], &[u, u]),
            param(&w[15..], &[u]),
            param(&w[10..], &[b, u]),
            constant(mx.data(), &[b, f]),
            constant(mh.data(), &[b, u]),
        ];
        let build = move |t: &mut Tape, v: &[Var]| {
            let out = t.simple_rnn(&SimpleRnnInputs {
                x: v[0],
                kernel: v[1],
                recurrent_kernel: v[2],
                bias: use_bias.then_some(v[3]),
                initial_state: use_h0.then_some(v[4]),
                input_mask: masks.then_some(v[5]),
                recurrent_mask: masks.then_some(v[6]),
            }, act, go_backwards)?;
            Ok(if use_last { out.last } else { out.sequence })
        };
        if act == Activation::RELU {
            // Keep every pre-activation 0.05 away from relu's kink.
            prop_assume!(relu_preacts_away(&inputs, use_bias, use_h0, masks, go_backwards));
        }
        check_gradients(OpKind::SimpleRnn, &inputs, build)?;
    }
}

/// Recomputes the relu RNN's pre-activations with plain loops (the cell formula) and reports
/// whether all are at least 0.05 away from 0.
fn relu_preacts_away(inp: &[Input], bias: bool, h0: bool, masks: bool, back: bool) -> bool {
    let (b, t, f) = (inp[0].dims[0], inp[0].dims[1], inp[0].dims[2]);
    let u = inp[1].dims[1];
    let (x, w, rk, bv, h0v, mx, mh) = (
        &inp[0].data,
        &inp[1].data,
        &inp[2].data,
        &inp[3].data,
        &inp[4].data,
        &inp[5].data,
        &inp[6].data,
    );
    for bi in 0..b {
        let mut h: Vec<f32> = if h0 {
            h0v[bi * u..(bi + 1) * u].to_vec()
        } else {
            vec![0.0; u]
        };
        for s in 0..t {
            let ts = if back { t - 1 - s } else { s };
            let mut z = vec![0.0f32; u];
            for j in 0..u {
                let mut acc = if bias { bv[j] } else { 0.0 };
                for k in 0..f {
                    let m = if masks { mx[bi * f + k] } else { 1.0 };
                    acc += x[(bi * t + ts) * f + k] * m * w[k * u + j];
                }
                for k in 0..u {
                    let m = if masks { mh[bi * u + k] } else { 1.0 };
                    acc += h[k] * m * rk[k * u + j];
                }
                z[j] = acc;
            }
            if z.iter().any(|v| v.abs() < 0.05) {
                return false;
            }
            h = z.iter().map(|v| v.max(0.0)).collect();
        }
    }
    true
}

/// Smooth activations for the gated cells' checks (relu's kink is covered by the fixtures and
/// the fused-vs-basic-ops equivalence test).
const GATED_ACTS: &[Activation] = &[
    Activation::Tanh,
    Activation::Sigmoid,
    Activation::Linear,
    Activation::Softplus,
    Activation::Gelu { approximate: false },
    Activation::Softmax,
];

/// Dims of a gated op's dropout mask on a `[b, width]` operand: `[gates, b, width]` (one per gate
/// block) for kind 2, else `[b, width]` (shared; kind 0 leaves it unused).
fn gate_mask_dims(kind: usize, gates: usize, b: usize, width: usize) -> Vec<usize> {
    if kind == 2 {
        vec![gates, b, width]
    } else {
        vec![b, width]
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn lstm_grad(b in 1usize..3, tt in 1usize..4, f in 1usize..3, u in 1usize..4,
                 act in 0usize..6, ract in 0usize..4, go_backwards in any::<bool>(),
                 use_bias in any::<bool>(), use_h0 in any::<bool>(), use_c0 in any::<bool>(),
                 masks in 0usize..3, out in 0usize..3, seed in any::<u64>(),
                 x in vec(-1.0f32..1.0, 12), w in vec(-0.8f32..0.8, 72), s in vec(-1.0f32..1.0, 12)) {
        let (act, ract) = (GATED_ACTS[act], [Activation::Sigmoid, Activation::Tanh,
                           Activation::Softplus, Activation::Softmax][ract]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        // Masks 0: none, 1: shared by the gates, 2: one per gate block.
        let (mx_dims, mh_dims) = (gate_mask_dims(masks, 4, b, f), gate_mask_dims(masks, 4, b, u));
        let mx = autograd::dropout_mask(&mx_dims, 0.3, &mut rng).unwrap();
        let mh = autograd::dropout_mask(&mh_dims, 0.3, &mut rng).unwrap();
        let inputs = vec![
            param(&x, &[b, tt, f]),
            param(&w, &[f, 4 * u]),
            param(&w[24..], &[u, 4 * u]),
            param(&w[60..], &[4 * u]),
            param(&s, &[b, u]),
            param(&s[6..], &[b, u]),
            constant(mx.data(), &mx_dims),
            constant(mh.data(), &mh_dims),
        ];
        let build = move |t: &mut Tape, v: &[Var]| {
            let o = t.lstm(&LstmInputs {
                x: v[0],
                kernel: v[1],
                recurrent_kernel: v[2],
                bias: use_bias.then_some(v[3]),
                initial_h: use_h0.then_some(v[4]),
                initial_c: use_c0.then_some(v[5]),
                input_mask: (masks > 0).then_some(v[6]),
                recurrent_mask: (masks > 0).then_some(v[7]),
            }, &LstmOptions { activation: act, recurrent_activation: ract, go_backwards })?;
            Ok([o.sequence, o.last, o.last_c][out])
        };
        check_gradients(OpKind::Lstm, &inputs, build)?;
    }

    #[test]
    fn gru_grad(b in 1usize..3, tt in 1usize..4, f in 1usize..3, u in 1usize..4,
                act in 0usize..6, ract in 0usize..4, go_backwards in any::<bool>(),
                reset_after in any::<bool>(), use_bias in any::<bool>(), use_h0 in any::<bool>(),
                masks in 0usize..3, use_last in any::<bool>(), seed in any::<u64>(),
                x in vec(-1.0f32..1.0, 12), w in vec(-0.8f32..0.8, 64), s in vec(-1.0f32..1.0, 6)) {
        let (act, ract) = (GATED_ACTS[act], [Activation::Sigmoid, Activation::Tanh,
                           Activation::Softplus, Activation::Softmax][ract]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let (mx_dims, mh_dims) = (gate_mask_dims(masks, 3, b, f), gate_mask_dims(masks, 3, b, u));
        let mx = autograd::dropout_mask(&mx_dims, 0.3, &mut rng).unwrap();
        let mh = autograd::dropout_mask(&mh_dims, 0.3, &mut rng).unwrap();
        let bias_dims = if reset_after { vec![2, 3 * u] } else { vec![3 * u] };
        let inputs = vec![
            param(&x, &[b, tt, f]),
            param(&w, &[f, 3 * u]),
            param(&w[18..], &[u, 3 * u]),
            param(&w[45..], &bias_dims),
            param(&s, &[b, u]),
            constant(mx.data(), &mx_dims),
            constant(mh.data(), &mh_dims),
        ];
        let build = move |t: &mut Tape, v: &[Var]| {
            let o = t.gru(&GruInputs {
                x: v[0],
                kernel: v[1],
                recurrent_kernel: v[2],
                bias: use_bias.then_some(v[3]),
                initial_state: use_h0.then_some(v[4]),
                input_mask: (masks > 0).then_some(v[5]),
                recurrent_mask: (masks > 0).then_some(v[6]),
            }, &GruOptions { activation: act, recurrent_activation: ract, go_backwards, reset_after })?;
            Ok(if use_last { o.last } else { o.sequence })
        };
        check_gradients(OpKind::Gru, &inputs, build)?;
    }
}
