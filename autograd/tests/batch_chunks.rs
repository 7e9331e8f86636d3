//! Batches large enough to be split into chunks (more than 16 samples: the fused SimpleRNN,
//! LSTM and GRU ops then run their recurrence per chunk, in parallel) give the same values and
//! gradients as the composition of basic ops, with every option that touches per-sample rows
//! (initial states, dropout masks shared or per gate block, go_backwards), and the same bits on 1, 2 and 3 threads.

mod common;

use autograd::{
    Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, SimpleRnnInputs, Tape, Var,
};
use common::assert_close;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};

#[derive(Clone, Copy, Debug)]
enum Cell {
    Simple,
    Lstm,
    Gru { reset_after: bool },
}

#[derive(Clone, Copy, Debug)]
struct Case {
    cell: Cell,
    b: usize,
    t: usize,
    f: usize,
    u: usize,
    go_backwards: bool,
    use_h0: bool,
    /// Dropout masks: 0 none, 1 shared by the gates, 2 one per gate block (LSTM, GRU).
    masks: usize,
    /// Half-width of the recurrent kernel's uniform entries.
    recurrent_scale: f32,
    seed: u64,
}

fn uniform(rng: &mut rand_chacha::ChaCha8Rng, n: usize, scale: f32) -> Vec<f32> {
    (0..n)
        .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * scale)
        .collect()
}

/// Output values, then the gradients of x, W, U, b and the initial state(s), of
/// `Σ sequence · G` with fixed weights G.
fn run(case: Case, fused: bool) -> Vec<Vec<f32>> {
    let Case { b, t, f, u, .. } = case;
    let g = match case.cell {
        Cell::Simple => 1,
        Cell::Lstm => 4,
        Cell::Gru { .. } => 3,
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(case.seed);
    let mut tape = Tape::new();
    let x = tape
        .param(&uniform(&mut rng, b * t * f, 1.0), &[b, t, f])
        .unwrap();
    let w = tape
        .param(&uniform(&mut rng, f * g * u, 0.6), &[f, g * u])
        .unwrap();
    let rk = tape
        .param(
            &uniform(&mut rng, u * g * u, case.recurrent_scale),
            &[u, g * u],
        )
        .unwrap();
    let bias_dims = match case.cell {
        Cell::Gru { reset_after: true } => vec![2, g * u],
        _ => vec![g * u],
    };
    let nb = bias_dims.iter().product();
    let bias = tape.param(&uniform(&mut rng, nb, 0.3), &bias_dims).unwrap();
    let h0 = tape.param(&uniform(&mut rng, b * u, 0.5), &[b, u]).unwrap();
    let c0 = tape.param(&uniform(&mut rng, b * u, 0.5), &[b, u]).unwrap();
    let per_gate = case.masks == 2 && g > 1;
    let mask_dims = |w: usize| if per_gate { vec![g, b, w] } else { vec![b, w] };
    let (mx_dims, mh_dims) = (mask_dims(f), mask_dims(u));
    let mx = autograd::dropout_mask(&mx_dims, 0.3, &mut rng).unwrap();
    let mh = autograd::dropout_mask(&mh_dims, 0.3, &mut rng).unwrap();
    let mx = tape.constant(mx.data(), &mx_dims).unwrap();
    let mh = tape.constant(mh.data(), &mh_dims).unwrap();
    let masked = case.masks > 0;
    let (input_mask, recurrent_mask) = (masked.then_some(mx), masked.then_some(mh));
    let initial = case.use_h0.then_some(h0);
    let sequence: Var = match case.cell {
        Cell::Simple => {
            let inputs = SimpleRnnInputs {
                x,
                kernel: w,
                recurrent_kernel: rk,
                bias: Some(bias),
                initial_state: initial,
                input_mask,
                recurrent_mask,
            };
            let out = if fused {
                tape.simple_rnn(&inputs, Activation::Tanh, case.go_backwards)
            } else {
                tape.simple_rnn_unfused(&inputs, Activation::Tanh, case.go_backwards)
            };
            out.unwrap().sequence
        }
        Cell::Lstm => {
            let inputs = LstmInputs {
                x,
                kernel: w,
                recurrent_kernel: rk,
                bias: Some(bias),
                initial_h: initial,
                initial_c: case.use_h0.then_some(c0),
                input_mask,
                recurrent_mask,
            };
            let options = LstmOptions {
                go_backwards: case.go_backwards,
                ..LstmOptions::default()
            };
            let out = if fused {
                tape.lstm(&inputs, &options)
            } else {
                tape.lstm_unfused(&inputs, &options)
            };
            out.unwrap().sequence
        }
        Cell::Gru { reset_after } => {
            let inputs = GruInputs {
                x,
                kernel: w,
                recurrent_kernel: rk,
                bias: Some(bias),
                initial_state: initial,
                input_mask,
                recurrent_mask,
            };
            let options = GruOptions {
                go_backwards: case.go_backwards,
                reset_after,
                ..GruOptions::default()
            };
            let out = if fused {
                tape.gru(&inputs, &options)
            } else {
                tape.gru_unfused(&inputs, &options)
            };
            out.unwrap().sequence
        }
    };
    let weights: Vec<f32> = (0..b * t * u).map(|i| (i as f32 * 0.37).sin()).collect();
    let gw = tape.constant(&weights, &[b, t, u]).unwrap();
    let prod = tape.mul(sequence, gw).unwrap();
    let loss = tape.sum(prod).unwrap();
    tape.backward(loss).unwrap();
    let mut out = vec![tape.value(sequence).unwrap().to_vec()];
    for v in [x, w, rk, bias, h0, c0] {
        out.push(tape.grad(v).unwrap().to_vec());
    }
    out
}

fn cell_of(i: usize) -> Cell {
    [
        Cell::Simple,
        Cell::Lstm,
        Cell::Gru { reset_after: true },
        Cell::Gru { reset_after: false },
    ][i]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn chunked_batches_match_basic_ops_on_any_thread_count(
        cell in 0usize..4, b in 17usize..80, t in 1usize..5, f in 1usize..4, u in 1usize..6,
        go_backwards in any::<bool>(), use_h0 in any::<bool>(), masks in 0usize..3,
        seed in any::<u64>(),
    ) {
        let case = Case {
            cell: cell_of(cell), b, t, f, u, go_backwards, use_h0, masks, recurrent_scale: 0.6, seed,
        };
        let reference = run(case, false);
        let mut by_threads = Vec::new();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            by_threads.push(pool.install(|| run(case, true)));
        }
        let names = ["sequence", "dx", "dW", "dU", "db", "dh0", "dc0"];
        for (i, name) in names.iter().enumerate() {
            assert_close(name, &by_threads[0][i], &reference[i], 1e-4, 1e-5);
            for other in &by_threads[1..] {
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&by_threads[0][i]), bits(&other[i]), "{} differs by thread count", name);
            }
        }
    }
}

/// A batch of 130 (chunks of 40, 40, 40 and 10) over 24 steps, every cell: the chunked op still
/// equals the composition when the recurrence is long and the units many.
#[test]
fn a_long_uneven_batch_matches_basic_ops() {
    for cell in 0..4 {
        let case = Case {
            cell: cell_of(cell),
            b: 130,
            t: 24,
            f: 3,
            u: 33,
            go_backwards: cell == 2,
            use_h0: cell != 1,
            masks: [1, 2, 2, 2][cell],
            // A contracting recurrence: with entries up to 0.6 and dropout's 1/0.7 scaling the
            // SimpleRNN is chaotic (Jacobian norm near 3), and over 24 steps it amplifies the
            // last-bit differences of another summation order (the fused step sums h'U, x'W
            // and b in one product, the composition (x'W + b) + h'U) past 1e-3. This test is
            // about rows and chunks, which a wrong one breaks by O(1) at any scale.
            recurrent_scale: 0.2,
            seed: 5,
        };
        let (fused, reference) = (run(case, true), run(case, false));
        let names = ["sequence", "dx", "dW", "dU", "db", "dh0", "dc0"];
        for (i, name) in names.iter().enumerate() {
            // dW, dU and db sum 3,120 terms, in another order than the composition does: the
            // f32 rounding differs by up to a few 1e-4 relative (the code before the batch was
            // chunked misses 1e-4 too). A wrong row or chunk is off by O(1).
            assert_close(
                &format!("{case:?} {name}"),
                &fused[i],
                &reference[i],
                1e-3,
                1e-4,
            );
        }
    }
}

/// Units enough for every cell's per-step products to run on the recurrent kernel packed once
/// per pass (SimpleRNN's 192 x 192 kernel too, which a single product would take the small path
/// for), in both directions, with and without masks and initial states: the same values and
/// gradients as the composition, and the same bits on 1, 2 and 3 threads.
#[test]
fn prepacked_recurrent_kernels_match_basic_ops_on_any_thread_count() {
    for cell in 0..4 {
        for variant in 0..2 {
            let case = Case {
                cell: cell_of(cell),
                b: 40,
                t: 3,
                f: 2,
                u: 192,
                go_backwards: variant == 1,
                use_h0: variant == 0,
                masks: variant,
                recurrent_scale: 0.6,
                seed: 11 + cell as u64,
            };
            let reference = run(case, false);
            let by_threads: Vec<_> = [1, 2, 3]
                .iter()
                .map(|&threads| {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    pool.install(|| run(case, true))
                })
                .collect();
            let names = ["sequence", "dx", "dW", "dU", "db", "dh0", "dc0"];
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            for (i, name) in names.iter().enumerate() {
                let what = format!("{case:?} {name}");
                assert_close(&what, &by_threads[0][i], &reference[i], 1e-3, 1e-4);
                for other in &by_threads[1..] {
                    assert_eq!(
                        bits(&by_threads[0][i]),
                        bits(&other[i]),
                        "{what} by threads"
                    );
                }
            }
        }
    }
}
