//! LSTM and GRU beyond the per-call fixtures: parameter counts and `summary()` text against
//! Keras's (lstm.json, gru.json), the `unit_forget_bias` initial bias, stateful `h`/`c` carry,
//! dropout properties, config serialization, Sequential's refusal of `return_state`, and
//! save/load (bit-identical predictions, exact resumption) with each cell.

mod common;

use autograd::{Activation, Loss, Tape, Var};
use common::{assert_close, flat, load};
use nn::batching::Shuffle;
use nn::model::FitOptions;
use nn::{
    DenseConfig, GruConfig, Layer, LayerConfig, LstmConfig, OptimizerConfig, Sequential, Tensor,
};

/// The tutorial stack with `cell` in place of SimpleRNN, in the (1, 4) layout.
fn tutorial(cell: impl Into<LayerConfig>) -> Sequential {
    let mut m = Sequential::with_seed(1);
    m.set_input_shape(&[1, 4]).unwrap();
    m.add(cell).unwrap();
    m.add(DenseConfig::new(8).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m
}

#[test]
fn tutorial_stacks_count_and_print_like_keras() {
    let lstm = load("lstm");
    let gru = load("gru");
    let cases: [(Sequential, &serde_json::Value); 3] = [
        (
            tutorial(LstmConfig::new(32).activation(Activation::RELU)),
            &lstm["tutorial_param_counts"]["LSTM(32) tutorial (1,4)"],
        ),
        (
            tutorial(GruConfig::new(32).activation(Activation::RELU)),
            &gru["tutorial_param_counts"]["GRU(32) tutorial (1,4) reset_after=True"],
        ),
        (
            tutorial(
                GruConfig::new(32)
                    .activation(Activation::RELU)
                    .reset_after(false),
            ),
            &gru["tutorial_param_counts"]["GRU(32) tutorial (1,4) reset_after=False"],
        ),
    ];
    let mut counts = Vec::new();
    for (m, want) in &cases {
        assert_eq!(
            m.count_params() as u64,
            want["count_params"].as_u64().unwrap()
        );
        for l in m.layers() {
            assert_eq!(
                l.count_params() as u64,
                want["per_layer"][l.name()].as_u64().unwrap(),
                "{}",
                l.name()
            );
        }
        assert_eq!(m.summary().unwrap(), want["summary"].as_str().unwrap());
        counts.push(m.count_params());
    }
    assert_eq!(counts, [5009, 3921, 3825]);
}

#[test]
fn weight_shapes_and_the_unit_forget_bias() {
    let fx = load("lstm");
    let mut l = Layer::new(LstmConfig::new(3)).unwrap();
    l.build(&[4, 2], 5).unwrap();
    let shapes: Vec<_> = l
        .params()
        .iter()
        .map(|p| (p.name, p.shape.clone()))
        .collect();
    assert_eq!(
        shapes,
        [
            ("kernel", vec![2, 12]),
            ("recurrent_kernel", vec![3, 12]),
            ("bias", vec![12])
        ]
    );
    assert_eq!(
        l.params()[2].value,
        flat(&fx["unit_forget_bias_initial_bias_units3"])
    );
    let mut c = LstmConfig::new(3);
    c.unit_forget_bias = false;
    let mut l = Layer::new(c).unwrap();
    l.build(&[4, 2], 5).unwrap();
    assert!(l.params()[2].value.iter().all(|&v| v == 0.0));
    // Keras concatenates init((u,)), ones((u,)), init((2u,)): a constant shows the blocks.
    let mut c = LstmConfig::new(2);
    c.bias_initializer = nn::Initializer::Constant { value: 0.5 };
    let mut l = Layer::new(c).unwrap();
    l.build(&[4, 2], 5).unwrap();
    assert_eq!(
        l.params()[2].value,
        [0.5, 0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    );

    for (reset_after, bias) in [(true, vec![2, 9]), (false, vec![9])] {
        let mut l = Layer::new(GruConfig::new(3).reset_after(reset_after)).unwrap();
        l.build(&[4, 2], 5).unwrap();
        let shapes: Vec<_> = l.params().iter().map(|p| p.shape.clone()).collect();
        assert_eq!(shapes, [vec![2, 9], vec![3, 9], bias]);
    }
}

/// Random-ish weights for a built layer (so the test does not depend on the initializers).
fn set_test_weights(l: &mut Layer) {
    let ws: Vec<Vec<f32>> = l
        .params()
        .iter()
        .enumerate()
        .map(|(j, p)| {
            (0..p.value.len())
                .map(|i| ((i * 7 + j * 13) as f32 * 0.37).sin() * 0.5)
                .collect()
        })
        .collect();
    let refs: Vec<&[f32]> = ws.iter().map(Vec::as_slice).collect();
    l.set_weights(&refs).unwrap();
}

fn seq_input(b: usize, t: usize, f: usize) -> Vec<f32> {
    (0..b * t * f).map(|i| (i as f32 * 0.53).cos()).collect()
}

/// Runs `layer` on `x` `(b, t, f)` in inference; returns the output and the returned states.
fn call(layer: &mut Layer, x: &[f32], dims: &[usize], training: bool) -> (Vec<f32>, Vec<f32>) {
    let mut tape = Tape::new();
    let xv = tape.constant(x, dims).unwrap();
    let o = layer.forward(&mut tape, xv, training, None).unwrap();
    let states: Vec<f32> = o
        .state
        .into_iter()
        .chain(o.carry_state)
        .flat_map(|s: Var| tape.value(s).unwrap().to_vec())
        .collect();
    (tape.value(o.output).unwrap().to_vec(), states)
}

/// Takes steps `t0..t1` of a `(b, t, f)` sequence.
fn steps(x: &[f32], [b, t, f]: [usize; 3], t0: usize, t1: usize) -> Vec<f32> {
    (0..b)
        .flat_map(|bi| x[(bi * t + t0) * f..(bi * t + t1) * f].to_vec())
        .collect()
}

#[test]
fn stateful_layers_carry_h_and_c_across_calls() {
    let (b, t, f, u) = (3, 6, 2, 4);
    let x = seq_input(b, t, f);
    let configs: [LayerConfig; 3] = [
        LstmConfig::new(u).into(),
        GruConfig::new(u).into(),
        GruConfig::new(u).reset_after(false).into(),
    ];
    for cfg in configs {
        let n = cfg.state_count();
        // The whole sequence in one call, with its final states.
        let mut whole_cfg = cfg.clone();
        match &mut whole_cfg {
            LayerConfig::Lstm(c) => c.return_state = true,
            LayerConfig::Gru(c) => c.return_state = true,
            _ => unreachable!(),
        }
        let mut whole = Layer::new(whole_cfg).unwrap();
        whole.build(&[t, f], 1).unwrap();
        set_test_weights(&mut whole);
        let (last, finals) = call(&mut whole, &x, &[b, t, f], false);
        assert_eq!(finals.len(), n * b * u);

        // The same sequence in two halves through a stateful layer.
        let mut sc = cfg.clone();
        match &mut sc {
            LayerConfig::Lstm(c) => c.stateful = true,
            LayerConfig::Gru(c) => c.stateful = true,
            _ => unreachable!(),
        }
        let mut st = Layer::new(sc).unwrap();
        st.build(&[t / 2, f], 1).unwrap();
        set_test_weights(&mut st);
        let half = [b, t / 2, f];
        call(&mut st, &steps(&x, [b, t, f], 0, t / 2), &half, false);
        assert_eq!(st.states().len(), n * b * u);
        let (second, _) = call(&mut st, &steps(&x, [b, t, f], t / 2, t), &half, false);
        let what = cfg.class_name();
        assert_close(&second, &last, 1e-6, 1e-6, &format!("{what} split output"));
        assert_close(st.states(), &finals, 1e-6, 1e-6, &format!("{what} states"));
        assert_eq!(
            st.states_shape(b),
            if n == 2 { vec![2, b, u] } else { vec![b, u] }
        );
        st.reset_states();
        assert!(st.states().iter().all(|&v| v == 0.0));
        assert_eq!(st.stateful_batch_size(), Some(b));
        let err = {
            let mut tape = Tape::new();
            let xv = tape.constant(&vec![0.0; 2 * 3 * f], &[2, 3, f]).unwrap();
            st.forward(&mut tape, xv, false, None)
                .unwrap_err()
                .to_string()
        };
        assert!(
            err.contains("batches of exactly 3") && err.contains(what),
            "{err}"
        );
    }
}

/// `cfg` with dropout rates set, built on `(t, f)` with the test weights.
fn dropout_layer(cfg: &LayerConfig, rate: f32, rec: f32, seed: u64, t: usize, f: usize) -> Layer {
    let mut c = cfg.clone();
    match &mut c {
        LayerConfig::Lstm(c) => {
            (c.dropout, c.recurrent_dropout, c.seed) = (rate, rec, Some(seed));
            c.return_sequences = true;
        }
        LayerConfig::Gru(c) => {
            (c.dropout, c.recurrent_dropout, c.seed) = (rate, rec, Some(seed));
            c.return_sequences = true;
        }
        _ => unreachable!(),
    }
    let mut l = Layer::new(c).unwrap();
    l.build(&[t, f], 2).unwrap();
    set_test_weights(&mut l);
    l
}

/// LSTM, GRU and GRU with `reset_after=False`, of `u` units.
fn gated_configs(u: usize) -> [LayerConfig; 3] {
    [
        LstmConfig::new(u).into(),
        GruConfig::new(u).into(),
        GruConfig::new(u).reset_after(false).into(),
    ]
}

#[test]
fn dropout_properties_of_lstm_and_gru() {
    let (b, t, f, u) = (8, 5, 3, 4);
    let x = seq_input(b, t, f);
    let dims = [b, t, f];
    for cfg in &gated_configs(u) {
        let what = cfg.class_name();
        let plain = {
            let mut l = dropout_layer(cfg, 0.0, 0.0, 1, t, f);
            call(&mut l, &x, &dims, false).0
        };
        // Inference ignores the rates.
        let mut l = dropout_layer(cfg, 0.5, 0.5, 1, t, f);
        assert_eq!(call(&mut l, &x, &dims, false).0, plain, "{what} inference");
        // Training draws masks: different outputs, the same for the same seed, others for
        // another seed, and new masks at every call.
        let a = call(&mut dropout_layer(cfg, 0.5, 0.5, 1, t, f), &x, &dims, true).0;
        let a2 = call(&mut dropout_layer(cfg, 0.5, 0.5, 1, t, f), &x, &dims, true).0;
        let c = call(&mut dropout_layer(cfg, 0.5, 0.5, 2, t, f), &x, &dims, true).0;
        assert_ne!(a, plain, "{what}");
        assert_eq!(a, a2, "{what} same seed");
        assert_ne!(a, c, "{what} other seed");
        let mut l = dropout_layer(cfg, 0.5, 0.0, 1, t, f);
        let first = call(&mut l, &x, &dims, true).0;
        assert_ne!(
            first,
            call(&mut l, &x, &dims, true).0,
            "{what} new masks per call"
        );

        // Out-of-range rates are rejected, naming the argument.
        // So is exactly 1, which Keras's gated cells silently ignore.
        for (d, r) in [
            (-0.1f32, 0.0f32),
            (1.5, 0.0),
            (0.0, 2.0),
            (1.0, 0.0),
            (0.0, 1.0),
        ] {
            let mut c = cfg.clone();
            match &mut c {
                LayerConfig::Lstm(c) => (c.dropout, c.recurrent_dropout) = (d, r),
                LayerConfig::Gru(c) => (c.dropout, c.recurrent_dropout) = (d, r),
                _ => unreachable!(),
            }
            let err = Layer::new(c).unwrap_err().to_string();
            let why = if d == 1.0 || r == 1.0 {
                "ignores a rate of 1"
            } else {
                "clamps"
            };
            assert!(err.contains("dropout") && err.contains(why), "{err}");
        }
    }
}

#[test]
fn sequential_refuses_return_state_and_layers_check_initial_states() {
    let mut m = Sequential::new();
    let mut c = LstmConfig::new(2);
    c.return_state = true;
    let err = m.add(c).unwrap_err().to_string();
    assert!(err.contains("return_state"), "{err}");
    let mut g = GruConfig::new(2);
    g.return_state = true;
    assert!(m.add(g).is_err());
    assert!(Layer::new(LstmConfig::new(0)).is_err());
    assert!(Layer::new(GruConfig::new(0)).is_err());

    // An LSTM wants [h, c]; one tensor is refused with a message naming both.
    let mut l = Layer::new(LstmConfig::new(2)).unwrap();
    l.build(&[3, 1], 1).unwrap();
    let mut tape = Tape::new();
    let x = tape.constant(&[0.0; 6], &[2, 3, 1]).unwrap();
    let h = tape.constant(&[0.0; 4], &[2, 2]).unwrap();
    let err = l
        .forward(&mut tape, x, false, Some(h))
        .unwrap_err()
        .to_string();
    assert!(err.contains("[h, c]") && err.contains("LSTM"), "{err}");
    assert!(l.forward_with_states(&mut tape, x, false, &[h, h]).is_ok());
    // Wrong rank names the class and the layout.
    let mut g = Layer::new(GruConfig::new(2)).unwrap();
    let err = g.build(&[4], 1).unwrap_err().to_string();
    assert!(
        err.contains("GRU layer 'gru'") && err.contains("(batch, timesteps, features)"),
        "{err}"
    );
}

#[test]
fn configs_serialize_with_keras_class_names() {
    let mut c = LstmConfig::new(3).name("enc");
    c.unit_forget_bias = false;
    c.recurrent_activation = Activation::HardSigmoid;
    let json = serde_json::to_value(LayerConfig::from(c.clone())).unwrap();
    assert_eq!(json["class_name"], "LSTM");
    assert_eq!(json["unit_forget_bias"], false);
    let back: LayerConfig = serde_json::from_value(json).unwrap();
    assert_eq!(back, LayerConfig::Lstm(c));
    let g = GruConfig::new(3).reset_after(false);
    let json = serde_json::to_value(LayerConfig::from(g.clone())).unwrap();
    assert_eq!(json["class_name"], "GRU");
    assert_eq!(json["reset_after"], false);
    let back: LayerConfig = serde_json::from_value(json).unwrap();
    assert_eq!(back, LayerConfig::Gru(g));
}

fn data(n: usize, t: usize) -> (Tensor, Tensor) {
    let x: Vec<f32> = (0..n * t).map(|i| (i as f32 * 0.21).sin()).collect();
    let y: Vec<f32> = (0..n).map(|i| (i as f32 * 0.84).sin() * 0.5).collect();
    (
        Tensor::from_vec(x, &[n, t, 1]).unwrap(),
        Tensor::from_vec(y, &[n, 1]).unwrap(),
    )
}

fn gated_model(cell: LayerConfig) -> Sequential {
    let mut m = Sequential::with_seed(21);
    m.add(cell).unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::adam())
        .unwrap();
    m
}

#[test]
fn save_load_predicts_bit_identically_and_resumes_exactly() {
    let (x, y) = data(48, 5);
    let dir = std::env::temp_dir().join(format!("recur-nn-gated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut lstm = LstmConfig::new(6);
    (lstm.dropout, lstm.recurrent_dropout) = (0.2, 0.1);
    let mut gru = GruConfig::new(6);
    (gru.dropout, gru.recurrent_dropout) = (0.2, 0.1);
    let mut stateful = LstmConfig::new(4);
    stateful.stateful = true;
    let cells: [(LayerConfig, Shuffle); 4] = [
        (lstm.into(), Shuffle::Full),
        (gru.into(), Shuffle::Full),
        (GruConfig::new(5).reset_after(false).into(), Shuffle::Full),
        (stateful.into(), Shuffle::Off),
    ];
    for (k, (cell, shuffle)) in cells.into_iter().enumerate() {
        let o = |epochs| FitOptions {
            epochs,
            batch_size: 12,
            shuffle,
            ..FitOptions::default()
        };
        let mut straight = gated_model(cell.clone());
        let h4 = straight.fit(&x, &y, &o(4)).unwrap();
        let mut first = gated_model(cell.clone());
        let h2 = first.fit(&x, &y, &o(2)).unwrap();
        let p = dir.join(format!("m{k}.safetensors"));
        first.save(&p).unwrap();
        let mut resumed = Sequential::load(&p).unwrap();
        assert_eq!(resumed.layers()[0].config(), first.layers()[0].config());
        assert_eq!(resumed.layers()[0].states(), first.layers()[0].states());
        assert_eq!(resumed.summary().unwrap(), first.summary().unwrap());
        if shuffle == Shuffle::Off {
            // predict moves a stateful layer's state: compare on copies made from the file.
            let mut again = Sequential::load(&p).unwrap();
            assert_eq!(
                again.predict(&x, Some(12)).unwrap().data(),
                first.predict(&x, Some(12)).unwrap().data()
            );
            assert!(resumed.layers()[0].states().iter().any(|&s| s != 0.0));
        } else {
            assert_eq!(
                resumed.predict(&x, None).unwrap().data(),
                first.predict(&x, None).unwrap().data(),
                "bit-identical predict"
            );
        }
        let h2b = resumed.fit(&x, &y, &o(2)).unwrap();
        let joined: Vec<f32> = h2.loss.iter().chain(&h2b.loss).copied().collect();
        assert_eq!(joined, h4.loss, "{} 2 + 2 epochs == 4", cell.class_name());
        assert_eq!(resumed.get_weights(), straight.get_weights());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn activity_penalty_covers_output_h_and_c() {
    // Keras regularizes every returned tensor: output, h and (LSTM) c, each divided by batch.
    let (b, t, f, u) = (2, 3, 2, 3);
    let x = seq_input(b, t, f);
    let mut c = LstmConfig::new(u);
    c.return_state = true;
    c.return_sequences = true;
    c.activity_regularizer = Some(nn::Regularizer::L2 { l2: 0.1 });
    let mut l = Layer::new(c).unwrap();
    l.build(&[t, f], 1).unwrap();
    set_test_weights(&mut l);
    let mut tape = Tape::new();
    let xv = tape.constant(&x, &[b, t, f]).unwrap();
    let o = l.forward(&mut tape, xv, false, None).unwrap();
    let sq = |v: Var, tape: &Tape| -> f32 { tape.value(v).unwrap().iter().map(|a| a * a).sum() };
    let want = 0.1
        * (sq(o.output, &tape) + sq(o.state.unwrap(), &tape) + sq(o.carry_state.unwrap(), &tape))
        / b as f32;
    let got = tape.item(o.activity_penalty.unwrap()).unwrap();
    assert_close(&[got], &[want], 1e-6, 1e-7, "activity penalty");
}

/// With recurrent dropout, LSTM and GRU draw Keras 3's `implementation=1` masks: one input mask
/// and one recurrent mask per gate block (`(gates, batch, width)`), input first, from the layer's
/// seeded stream. Without it, one shared input mask `(batch, features)`. The layer's output
/// equals the fused op run on masks drawn that way, to the bit.
#[test]
fn gated_dropout_draws_one_mask_per_gate_block_with_recurrent_dropout() {
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    let (b, t, f, u) = (5, 4, 3, 4);
    let x = seq_input(b, t, f);
    let dims = [b, t, f];
    for cfg in &gated_configs(u) {
        let what = cfg.class_name();
        let gates = if what == "LSTM" { 4 } else { 3 };
        for (rate, rec) in [(0.3, 0.4), (0.3, 0.0), (0.0, 0.4)] {
            let mut layer = dropout_layer(cfg, rate, rec, 7, t, f);
            let got = call(&mut layer, &x, &dims, true).0;

            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let lead: &[usize] = if rec > 0.0 { &[gates] } else { &[] };
            let mut tape = Tape::new();
            let xv = tape.constant(&x, &dims).unwrap();
            let mut mask = |tape: &mut Tape, r: f32, w: usize| {
                (r > 0.0).then(|| {
                    let d: Vec<usize> = lead.iter().copied().chain([b, w]).collect();
                    let m = autograd::dropout_mask(&d, r, &mut rng).unwrap();
                    tape.constant(m.data(), &d).unwrap()
                })
            };
            let (mx, mh) = (mask(&mut tape, rate, f), mask(&mut tape, rec, u));
            let p: Vec<Var> = layer
                .params()
                .iter()
                .map(|p| tape.constant(&p.value, &p.shape).unwrap())
                .collect();
            let want = match cfg {
                LayerConfig::Lstm(_) => {
                    let inputs = autograd::LstmInputs {
                        x: xv,
                        kernel: p[0],
                        recurrent_kernel: p[1],
                        bias: Some(p[2]),
                        initial_h: None,
                        initial_c: None,
                        input_mask: mx,
                        recurrent_mask: mh,
                    };
                    let o = tape.lstm(&inputs, &Default::default()).unwrap();
                    o.sequence
                }
                LayerConfig::Gru(c) => {
                    let inputs = autograd::GruInputs {
                        x: xv,
                        kernel: p[0],
                        recurrent_kernel: p[1],
                        bias: Some(p[2]),
                        initial_state: None,
                        input_mask: mx,
                        recurrent_mask: mh,
                    };
                    let options = autograd::GruOptions {
                        reset_after: c.reset_after,
                        ..Default::default()
                    };
                    tape.gru(&inputs, &options).unwrap().sequence
                }
                _ => unreachable!(),
            };
            assert_eq!(
                got,
                tape.value(want).unwrap().to_vec(),
                "{what} dropout {rate}, recurrent_dropout {rec}"
            );
        }
    }
}
