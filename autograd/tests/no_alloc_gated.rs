//! Warm training steps through the fused LSTM and GRU ops (dropout masks, initial states,
//! go_backwards, forward, backward, reading gradients, clear) perform no heap allocation.
//! dhat's counting allocator checks it; it is the only test in this binary.

use autograd::{Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, Tape};
use rand::SeedableRng;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[test]
fn warm_lstm_and_gru_steps_do_not_allocate() {
    let (b, t, f, u) = (8, 5, 3, 16);
    let det = |n: usize, s: f32| {
        (0..n)
            .map(|i| (i as f32 * 0.37 + s).sin() * 0.3)
            .collect::<Vec<f32>>()
    };
    let x = det(b * t * f, 0.8);
    let h0 = det(b * u, 0.9);
    let mut p = [
        det(f * 4 * u, 0.1),
        det(u * 4 * u, 0.2),
        det(4 * u, 0.3),
        det(f * 3 * u, 0.4),
        det(u * 3 * u, 0.5),
        det(6 * u, 0.6),
        det(3 * u, 0.7),
    ];
    let dims: [&[usize]; 7] = [
        &[f, 4 * u],
        &[u, 4 * u],
        &[4 * u],
        &[f, 3 * u],
        &[u, 3 * u],
        &[2, 3 * u],
        &[3 * u],
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut tape = Tape::new();
    let mut run = |tape: &mut Tape, p: &mut [Vec<f32>; 7]| -> autograd::Result<()> {
        let xv = tape.constant(&x, &[b, t, f])?;
        let hv = tape.constant(&h0, &[b, u])?;
        let mut v = [xv; 7];
        for i in 0..7 {
            v[i] = tape.param(&p[i], dims[i])?;
        }
        let mx = tape.dropout_mask(&[b, f], 0.2, &mut rng)?;
        let mh = tape.dropout_mask(&[b, u], 0.2, &mut rng)?;
        let lstm = tape.lstm(
            &LstmInputs {
                x: xv,
                kernel: v[0],
                recurrent_kernel: v[1],
                bias: Some(v[2]),
                initial_h: Some(hv),
                initial_c: Some(hv),
                input_mask: Some(mx),
                recurrent_mask: Some(mh),
            },
            &LstmOptions {
                activation: Activation::Gelu { approximate: false },
                ..LstmOptions::default()
            },
        )?;
        let mut total = tape.mean(lstm.last_c)?;
        for (bias, reset_after) in [(v[5], true), (v[6], false)] {
            let gru = tape.gru(
                &GruInputs {
                    x: xv,
                    kernel: v[3],
                    recurrent_kernel: v[4],
                    bias: Some(bias),
                    initial_state: Some(hv),
                    input_mask: Some(mx),
                    recurrent_mask: Some(mh),
                },
                &GruOptions {
                    go_backwards: true,
                    reset_after,
                    ..GruOptions::default()
                },
            )?;
            let m = tape.mean(gru.sequence)?;
            total = tape.add(total, m)?;
        }
        let m = tape.mean(lstm.sequence)?;
        let loss = tape.add(total, m)?;
        tape.backward(loss)?;
        for i in 0..7 {
            let g = tape.grad(v[i])?;
            p[i].iter_mut().zip(g).for_each(|(w, g)| *w -= 0.01 * g);
        }
        tape.clear();
        Ok(())
    };
    let _profiler = dhat::Profiler::builder().testing().build();
    run(&mut tape, &mut p).unwrap();
    let before = dhat::HeapStats::get().total_blocks;
    for _ in 0..50 {
        run(&mut tape, &mut p).unwrap();
    }
    let after = dhat::HeapStats::get().total_blocks;
    assert_eq!(after - before, 0, "allocations during 50 warm steps");
}
