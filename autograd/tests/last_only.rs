//! The last-only forms of the fused ops (`Tape::simple_rnn_last`, `lstm_last`, `gru_last`) give
//! the same bits as the full ops' `last` (and `last_c`): values and every gradient, over random
//! shapes (batches split into several chunks among them), activations (some saving their
//! pre-activations) and options (bias, initial states, dropout masks shared by the gates or one
//! per gate block, go_backwards, reset_after).

use autograd::{
    Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, SimpleRnnInputs, Tape, Var,
};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ACTS: &[Activation] = &[
    Activation::Tanh,
    Activation::RELU,
    Activation::Sigmoid,
    Activation::Gelu { approximate: true },
];

/// The sizes and options of one case.
#[derive(Clone, Copy, Debug)]
struct Case {
    b: usize,
    t: usize,
    f: usize,
    u: usize,
    act: Activation,
    ract: Activation,
    go_backwards: bool,
    use_bias: bool,
    use_h0: bool,
    use_c0: bool,
    /// 0 none, 1 shared `[b, width]`, 2 one per gate block `[gates, b, width]`.
    masks: usize,
    seed: u64,
}

/// The leaves of one case on a fresh tape: x, kernel, recurrent kernel, bias, h0, c0 (all
/// params, so each has a gradient to compare) and the two masks (constants).
struct Leaves {
    params: [Var; 6],
    masks: [Option<Var>; 2],
}

fn leaves(t: &mut Tape, c: &Case, gates: usize, bias_dims: &[usize]) -> Leaves {
    let mut rng = ChaCha8Rng::seed_from_u64(c.seed);
    let mut draw = |dims: &[usize], t: &mut Tape| {
        let n: usize = dims.iter().product();
        let data: Vec<f32> = (0..n).map(|_| rng.random::<f32>() * 1.6 - 0.8).collect();
        t.param(&data, dims).unwrap()
    };
    let params = [
        draw(&[c.b, c.t, c.f], t),
        draw(&[c.f, gates * c.u], t),
        draw(&[c.u, gates * c.u], t),
        draw(bias_dims, t),
        draw(&[c.b, c.u], t),
        draw(&[c.b, c.u], t),
    ];
    let mut mask_rng = ChaCha8Rng::seed_from_u64(c.seed ^ 0x5eed);
    let mut mask = |width: usize| {
        let dims = if c.masks == 2 {
            vec![gates, c.b, width]
        } else {
            vec![c.b, width]
        };
        let m = autograd::dropout_mask(&dims, 0.4, &mut mask_rng).unwrap();
        (c.masks > 0).then(|| t.constant(m.data(), &dims).unwrap())
    };
    let masks = [mask(c.f), mask(c.u)];
    Leaves { params, masks }
}

/// `Σ_i sum(out_i · G_i)` with fixed weights G_i (zeros among them, whose `-0` products test
/// the signs of zero gradients).
fn weighted_sum(t: &mut Tape, outs: &[Var]) -> Var {
    let mut total: Option<Var> = None;
    for (k, &o) in outs.iter().enumerate() {
        let shape = t.shape(o).unwrap();
        let g: Vec<f32> = (0..shape.numel())
            .map(|i| {
                if i % 5 == 3 {
                    0.0
                } else {
                    ((i + 7 * k) as f32 * 0.7).sin()
                }
            })
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

/// Runs `build` (which records the op on the leaves and returns its outputs) then backward;
/// returns the outputs' values and the gradients of the params.
fn run(
    c: &Case,
    gates: usize,
    bias_dims: &[usize],
    build: impl Fn(&mut Tape, &Leaves) -> Vec<Var>,
) -> Vec<Vec<f32>> {
    let mut t = Tape::new();
    let l = leaves(&mut t, c, gates, bias_dims);
    let outs = build(&mut t, &l);
    let loss = weighted_sum(&mut t, &outs);
    t.backward(loss).unwrap();
    let mut r: Vec<Vec<f32>> = outs.iter().map(|&o| t.value(o).unwrap().to_vec()).collect();
    for v in l.params {
        // An unused initial state or bias has no gradient on either path.
        r.push(t.grad(v).map(<[f32]>::to_vec).unwrap_or_default());
    }
    r
}

/// Bit-for-bit equality of every value and gradient.
fn assert_same_bits(full: &[Vec<f32>], last: &[Vec<f32>]) -> Result<(), TestCaseError> {
    prop_assert_eq!(full.len(), last.len());
    for (i, (a, b)) in full.iter().zip(last).enumerate() {
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(a), bits(b), "result {}: {:?} vs {:?}", i, a, b);
    }
    Ok(())
}

fn case() -> impl Strategy<Value = Case> {
    (
        (1usize..41, 1usize..5, 1usize..4, 1usize..6),
        (0..ACTS.len(), 0..ACTS.len(), any::<bool>(), any::<bool>()),
        (any::<bool>(), any::<bool>(), 0usize..3, any::<u64>()),
    )
        .prop_map(
            |((b, t, f, u), (a, ra, go_backwards, use_bias), (use_h0, use_c0, masks, seed))| Case {
                b,
                t,
                f,
                u,
                act: ACTS[a],
                ract: ACTS[ra],
                go_backwards,
                use_bias,
                use_h0,
                use_c0,
                masks,
                seed,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn simple_rnn_last_is_bit_identical(c in case()) {
        // SimpleRNN has a single mask form.
        let c = Case { masks: c.masks.min(1), ..c };
        let inputs = |l: &Leaves| SimpleRnnInputs {
            x: l.params[0],
            kernel: l.params[1],
            recurrent_kernel: l.params[2],
            bias: c.use_bias.then_some(l.params[3]),
            initial_state: c.use_h0.then_some(l.params[4]),
            input_mask: l.masks[0],
            recurrent_mask: l.masks[1],
        };
        let full = run(&c, 1, &[c.u], |t, l| {
            vec![t.simple_rnn(&inputs(l), c.act, c.go_backwards).unwrap().last]
        });
        let last = run(&c, 1, &[c.u], |t, l| {
            vec![t.simple_rnn_last(&inputs(l), c.act, c.go_backwards).unwrap()]
        });
        assert_same_bits(&full, &last)?;
    }

    #[test]
    fn lstm_last_is_bit_identical(c in case(), use_last_c in any::<bool>()) {
        let inputs = |l: &Leaves| LstmInputs {
            x: l.params[0],
            kernel: l.params[1],
            recurrent_kernel: l.params[2],
            bias: c.use_bias.then_some(l.params[3]),
            initial_h: c.use_h0.then_some(l.params[4]),
            initial_c: c.use_c0.then_some(l.params[5]),
            input_mask: l.masks[0],
            recurrent_mask: l.masks[1],
        };
        let options = LstmOptions {
            activation: c.act,
            recurrent_activation: c.ract,
            go_backwards: c.go_backwards,
        };
        let pick = |last: Var, last_c: Var| if use_last_c { vec![last, last_c] } else { vec![last] };
        let full = run(&c, 4, &[4 * c.u], |t, l| {
            let o = t.lstm(&inputs(l), &options).unwrap();
            pick(o.last, o.last_c)
        });
        let last = run(&c, 4, &[4 * c.u], |t, l| {
            let o = t.lstm_last(&inputs(l), &options).unwrap();
            pick(o.last, o.last_c)
        });
        assert_same_bits(&full, &last)?;
    }

    #[test]
    fn gru_last_is_bit_identical(c in case(), reset_after in any::<bool>()) {
        let bias_dims = if reset_after { vec![2, 3 * c.u] } else { vec![3 * c.u] };
        let inputs = |l: &Leaves| GruInputs {
            x: l.params[0],
            kernel: l.params[1],
            recurrent_kernel: l.params[2],
            bias: c.use_bias.then_some(l.params[3]),
            initial_state: c.use_h0.then_some(l.params[4]),
            input_mask: l.masks[0],
            recurrent_mask: l.masks[1],
        };
        let options = GruOptions {
            activation: c.act,
            recurrent_activation: c.ract,
            go_backwards: c.go_backwards,
            reset_after,
        };
        let full = run(&c, 3, &bias_dims, |t, l| vec![t.gru(&inputs(l), &options).unwrap().last]);
        let last = run(&c, 3, &bias_dims, |t, l| vec![t.gru_last(&inputs(l), &options).unwrap()]);
        assert_same_bits(&full, &last)?;
    }
}

/// A last-only node's value is the last state alone and reused tapes stay bit-identical (the
/// aux arena, which holds the sequence, is not zeroed between steps).
#[test]
fn last_only_node_holds_the_last_state_and_reuses_the_tape() {
    let c = Case {
        b: 3,
        t: 4,
        f: 2,
        u: 5,
        act: Activation::Tanh,
        ract: Activation::Sigmoid,
        go_backwards: true,
        use_bias: true,
        use_h0: true,
        use_c0: true,
        masks: 0,
        seed: 9,
    };
    let mut t = Tape::new();
    let mut first: Option<Vec<Vec<f32>>> = None;
    for _ in 0..3 {
        let l = leaves(&mut t, &c, 4, &[4 * c.u]);
        let inputs = LstmInputs {
            x: l.params[0],
            kernel: l.params[1],
            recurrent_kernel: l.params[2],
            bias: Some(l.params[3]),
            initial_h: Some(l.params[4]),
            initial_c: Some(l.params[5]),
            input_mask: None,
            recurrent_mask: None,
        };
        let o = t.lstm_last(&inputs, &LstmOptions::default()).unwrap();
        assert_eq!(t.shape(o.last).unwrap().dims(), &[3, 5]);
        let loss = weighted_sum(&mut t, &[o.last, o.last_c]);
        t.backward(loss).unwrap();
        let r: Vec<Vec<f32>> = l
            .params
            .iter()
            .map(|&v| t.grad(v).unwrap().to_vec())
            .collect();
        match &first {
            None => first = Some(r),
            Some(f) => assert_eq!(f, &r),
        }
        t.clear();
    }
}
