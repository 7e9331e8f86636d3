//! A warm training step (tutorial network, fused RNN, dropout masks, forward, backward, reading
//! gradients, clear) performs no heap allocation. allocation-counter checks it, counting
//! only this thread's allocations, so the test harness's own threads cannot disturb the count.

use autograd::{Activation, Loss, SimpleRnnInputs, Tape};
use rand::SeedableRng;

#[test]
fn warm_training_step_does_not_allocate() {
    let (b, f, u, d) = (16, 4, 32, 8);
    let det = |n: usize, s: f32| {
        (0..n)
            .map(|i| (i as f32 * 0.37 + s).sin() * 0.3)
            .collect::<Vec<f32>>()
    };
    let mut p = [
        det(f * u, 0.1),
        det(u * u, 0.2),
        det(u, 0.3),
        det(u * d, 0.4),
        det(d, 0.5),
        det(d, 0.6),
        det(1, 0.7),
    ];
    let dims: [&[usize]; 7] = [&[f, u], &[u, u], &[u], &[u, d], &[d], &[d, 1], &[1]];
    let x = det(b * 2 * f, 0.8);
    let y = det(b, 0.9);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut tape = Tape::new();
    let mut run = |tape: &mut Tape, p: &mut [Vec<f32>; 7]| -> autograd::Result<()> {
        let xv = tape.constant(&x, &[b, 2, f])?;
        let yv = tape.constant(&y, &[b])?;
        let mut v = [xv; 7];
        for i in 0..7 {
            v[i] = tape.param(&p[i], dims[i])?;
        }
        let mx = tape.dropout_mask(&[b, f], 0.2, &mut rng)?;
        let mh = tape.dropout_mask(&[b, u], 0.2, &mut rng)?;
        let inputs = SimpleRnnInputs {
            x: xv,
            kernel: v[0],
            recurrent_kernel: v[1],
            bias: Some(v[2]),
            initial_state: None,
            input_mask: Some(mx),
            recurrent_mask: Some(mh),
        };
        let h = tape.simple_rnn(&inputs, Activation::RELU, false)?.last;
        let z = tape.matmul(h, v[3])?;
        let z = tape.add(z, v[4])?;
        let z = tape.activation(z, Activation::RELU)?;
        let z = tape.matmul(z, v[5])?;
        let pred = tape.add(z, v[6])?;
        let loss = tape.loss(Loss::MeanSquaredError, yv, pred)?;
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
        for _ in 0..100 {
            run(&mut tape, &mut p).unwrap();
        }
    });
    assert_eq!(info.count_total, 0, "allocations during 100 warm steps");
}
