//! Warm training steps through the fused LSTM and GRU ops, full and last-only (dropout masks,
//! initial states, go_backwards, forward, backward, reading gradients, clear) perform no heap
//! allocation, with small products and with products large enough for the prepacked recurrent
//! kernels.
//! allocation-counter checks it, counting only this thread's allocations (the kernels are
//! packed on it).

use autograd::{Activation, GruInputs, GruOptions, LstmInputs, LstmOptions, Tape};
use rand::SeedableRng;

#[test]
fn warm_lstm_and_gru_steps_do_not_allocate() {
    warm_steps_do_not_allocate(8, 5, 3, 16, 50);
    // 16-row chunks times a 320 x 1280 (LSTM) or 320 x 960 (GRU) kernel: the packed path, so
    // the recurrent kernels are packed once per pass into the tape's PackedB.
    // Its two batch chunks run as rayon jobs: inside a pool, as training runs, the calling
    // worker queues them on its own deque (from outside, rayon's global injector allocates a
    // block now and then).
    assert!(!kernels::uses_small_path(16, 320, 960));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| warm_steps_do_not_allocate(32, 2, 4, 320, 5));
}

fn warm_steps_do_not_allocate(b: usize, t: usize, f: usize, u: usize, steps: usize) {
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
        let lstm_inputs = LstmInputs {
            x: xv,
            kernel: v[0],
            recurrent_kernel: v[1],
            bias: Some(v[2]),
            initial_h: Some(hv),
            initial_c: Some(hv),
            input_mask: Some(mx),
            recurrent_mask: Some(mh),
        };
        let lstm_options = LstmOptions {
            activation: Activation::Gelu { approximate: false },
            ..LstmOptions::default()
        };
        let lstm = tape.lstm(&lstm_inputs, &lstm_options)?;
        let mut total = tape.mean(lstm.last_c)?;
        // The last-only form keeps its sequences in the aux arena.
        let lstm_last = tape.lstm_last(&lstm_inputs, &lstm_options)?;
        let m = tape.mean(lstm_last.last)?;
        total = tape.add(total, m)?;
        for (bias, reset_after) in [(v[5], true), (v[6], false)] {
            let gru_inputs = GruInputs {
                x: xv,
                kernel: v[3],
                recurrent_kernel: v[4],
                bias: Some(bias),
                initial_state: Some(hv),
                input_mask: Some(mx),
                recurrent_mask: Some(mh),
            };
            let gru_options = GruOptions {
                go_backwards: true,
                reset_after,
                ..GruOptions::default()
            };
            let gru = tape.gru(&gru_inputs, &gru_options)?;
            let m = tape.mean(gru.sequence)?;
            total = tape.add(total, m)?;
            let last = tape.gru_last(&gru_inputs, &gru_options)?;
            let m = tape.mean(last)?;
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
    run(&mut tape, &mut p).unwrap();
    let info = allocation_counter::measure(|| {
        for _ in 0..steps {
            run(&mut tape, &mut p).unwrap();
        }
    });
    assert_eq!(
        info.count_total, 0,
        "allocations during {steps} warm steps of {b}x{t}x{f}, {u} units"
    );
}
