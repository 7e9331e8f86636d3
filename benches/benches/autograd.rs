//! One forward + backward of the tutorial network through the autograd tape: batch 16,
//! SimpleRNN(32, relu) over [16, 1, 4] -> Dense(8, relu) -> Dense(1), MSE against y (16,).
//!
//! - `tutorial_step/fused`: the fused SimpleRNN op (what nn uses);
//! - `tutorial_step/basic_ops`: the same network from basic ops (the reference composition);
//! - `tutorial_step/gemm_only`: just the step's 8 GEMM calls on the kernels API, so the tape's
//!   own overhead is the difference to `fused`;
//! - `sequence_layout/{fused,basic_ops}`: the same network on the tutorial's other layout,
//!   input [16, 4, 1] (four timesteps of one feature), where BPTT runs over 4 steps.
//!
//! Each step feeds the parameters by slice (copied into the tape), runs backward, reads every
//! gradient and clears the tape, as a training loop does.

use std::hint::black_box;

use autograd::{Activation, Loss, SimpleRnnInputs, Tape};
use criterion::{Criterion, criterion_group, criterion_main};
use kernels::{MatMut, MatRef, gemm};

const B: usize = 16;
/// Features per timestep in the tutorial layout [16, 1, 4].
const F: usize = 4;
const U: usize = 32;
const D: usize = 8;

struct Params {
    w: Vec<f32>,
    u: Vec<f32>,
    b: Vec<f32>,
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
}

fn det(n: usize, scale: f32, phase: f32) -> Vec<f32> {
    (0..n)
        .map(|i| (i as f32 * 0.731 + phase).sin() * scale)
        .collect()
}

fn params(f: usize) -> Params {
    Params {
        w: det(f * U, 0.4, 0.1),
        u: det(U * U, 0.17, 0.2),
        b: det(U, 0.05, 0.3),
        w1: det(U * D, 0.38, 0.4),
        b1: det(D, 0.05, 0.5),
        w2: det(D, 0.8, 0.6),
        b2: vec![0.01],
    }
}

/// One training step's tape work; returns the loss and a checksum of the gradients.
/// `x` is `[B, t, f]` with `t * f = 4` (the tutorial window of 4 values).
fn step(tape: &mut Tape, p: &Params, x: &[f32], y: &[f32], t: usize, fused: bool) -> f32 {
    let f = 4 / t;
    let run = |tape: &mut Tape| -> autograd::Result<f32> {
        let xv = tape.constant(x, &[B, t, f])?;
        let yv = tape.constant(y, &[B])?;
        let w = tape.param(&p.w, &[f, U])?;
        let u = tape.param(&p.u, &[U, U])?;
        let b = tape.param(&p.b, &[U])?;
        let w1 = tape.param(&p.w1, &[U, D])?;
        let b1 = tape.param(&p.b1, &[D])?;
        let w2 = tape.param(&p.w2, &[D, 1])?;
        let b2 = tape.param(&p.b2, &[1])?;
        let inputs = SimpleRnnInputs {
            x: xv,
            kernel: w,
            recurrent_kernel: u,
            bias: Some(b),
            initial_state: None,
            input_mask: None,
            recurrent_mask: None,
        };
        let h = if fused {
            tape.simple_rnn(&inputs, Activation::RELU, false)?.last
        } else {
            tape.simple_rnn_unfused(&inputs, Activation::RELU, false)?
                .last
        };
        let z1 = tape.matmul(h, w1)?;
        let z1 = tape.add(z1, b1)?;
        let h1 = tape.activation(z1, Activation::RELU)?;
        let z2 = tape.matmul(h1, w2)?;
        let pred = tape.add(z2, b2)?;
        let loss = tape.loss(Loss::MeanSquaredError, yv, pred)?;
        tape.backward(loss)?;
        let mut check = tape.item(loss)?;
        for v in [w, u, b, w1, b1, w2, b2] {
            check += tape.grad(v)?[0];
        }
        Ok(check)
    };
    let r = run(tape).expect("tutorial step");
    tape.clear();
    r
}

/// The step's GEMMs alone: 3 forward, 5 backward (dW2, dh1, dW1, dh, dW; x needs no gradient
/// and with T = 1 and no initial state the recurrent kernel does no work).
fn m(d: &[f32], r: usize, c: usize) -> MatRef<'_> {
    MatRef::row_major(d, r, c).unwrap()
}

fn gemms(p: &Params, x: &[f32], buf: &mut [Vec<f32>; 8]) {
    let [h, h1, pr, dw2, dh1, dw1, dh, dw] = buf;
    gemm(
        1.0,
        m(x, B, F),
        m(&p.w, F, U),
        0.0,
        MatMut::row_major(h, B, U).unwrap(),
    )
    .unwrap();
    gemm(
        1.0,
        m(h, B, U),
        m(&p.w1, U, D),
        0.0,
        MatMut::row_major(h1, B, D).unwrap(),
    )
    .unwrap();
    gemm(
        1.0,
        m(h1, B, D),
        m(&p.w2, D, 1),
        0.0,
        MatMut::row_major(pr, B, 1).unwrap(),
    )
    .unwrap();
    gemm(
        1.0,
        m(h1, B, D).t(),
        m(pr, B, 1),
        1.0,
        MatMut::row_major(dw2, D, 1).unwrap(),
    )
    .unwrap();
    gemm(
        1.0,
        m(pr, B, 1),
        m(&p.w2, D, 1).t(),
        1.0,
        MatMut::row_major(dh1, B, D).unwrap(),
    )
    .unwrap();
    gemm(
        1.0,
        m(h, B, U).t(),
        m(dh1, B, D),
        1.0,
        MatMut::row_major(dw1, U, D).unwrap(),
    )
    .unwrap();
    gemm(
        1.0,
        m(dh1, B, D),
        m(&p.w1, U, D).t(),
        1.0,
        MatMut::row_major(dh, B, U).unwrap(),
    )
    .unwrap();
    gemm(
        1.0,
        m(x, B, F).t(),
        m(dh, B, U),
        1.0,
        MatMut::row_major(dw, F, U).unwrap(),
    )
    .unwrap();
}

fn bench(c: &mut Criterion) {
    let p = params(F);
    let x = det(B * F, 1.0, 0.7);
    let y = det(B, 1.0, 0.9);
    let mut g = c.benchmark_group("tutorial_step");
    let mut tape = Tape::new();
    g.bench_function("fused", |bch| {
        bch.iter(|| black_box(step(&mut tape, &p, black_box(&x), &y, 1, true)))
    });
    g.bench_function("basic_ops", |bch| {
        bch.iter(|| black_box(step(&mut tape, &p, black_box(&x), &y, 1, false)))
    });
    let mut buf: [Vec<f32>; 8] = [
        vec![0.0; B * U],
        vec![0.0; B * D],
        vec![0.0; B],
        vec![0.0; D],
        vec![0.0; B * D],
        vec![0.0; U * D],
        vec![0.0; B * U],
        vec![0.0; F * U],
    ];
    g.bench_function("gemm_only", |bch| {
        bch.iter(|| {
            gemms(&p, black_box(&x), &mut buf);
            black_box(buf[7][0])
        })
    });
    g.finish();

    let p1 = params(1);
    let mut g = c.benchmark_group("sequence_layout");
    g.bench_function("fused", |bch| {
        bch.iter(|| black_box(step(&mut tape, &p1, black_box(&x), &y, 4, true)))
    });
    g.bench_function("basic_ops", |bch| {
        bch.iter(|| black_box(step(&mut tape, &p1, black_box(&x), &y, 4, false)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
