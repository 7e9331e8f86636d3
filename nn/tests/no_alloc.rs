//! Once warm, a training step of the tutorial model does not allocate (the
//! `allocation-counter` crate's counting allocator watches `train_on_batch`).

use autograd::{Activation, Loss};
use nn::{DenseConfig, OptimizerConfig, Sequential, SimpleRnnConfig, Tensor};

#[test]
fn a_warm_training_step_does_not_allocate() {
    let mut m = Sequential::with_seed(3);
    m.set_input_shape(&[1, 4]).unwrap();
    m.add(SimpleRnnConfig::new(32).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(8).activation(Activation::RELU))
        .unwrap();
    m.add(DenseConfig::new(1)).unwrap();
    m.compile(Loss::MeanSquaredError, OptimizerConfig::rmsprop())
        .unwrap();
    let x = Tensor::from_vec((0..64).map(|i| (i as f32).sin()).collect(), &[16, 1, 4]).unwrap();
    let y = Tensor::from_vec((0..16).map(|i| (i as f32).cos()).collect(), &[16, 1]).unwrap();
    for _ in 0..3 {
        m.train_on_batch(&x, &y).unwrap();
    }
    let info = allocation_counter::measure(|| {
        for _ in 0..10 {
            m.train_on_batch(&x, &y).unwrap();
        }
    });
    assert_eq!(info.count_total, 0, "allocations in 10 warm steps");
    // The counter does see allocations (so the assertion above can fail).
    let seen = allocation_counter::measure(|| {
        std::hint::black_box(vec![1u8; 10]);
    });
    assert!(seen.count_total >= 1);
    // A warm fit epoch of 57 steps allocates a few times per epoch (history), not per step.
    let n = 900;
    let xs = Tensor::from_vec((0..n * 4).map(|i| (i as f32).sin()).collect(), &[n, 1, 4]).unwrap();
    let ys = Tensor::from_vec((0..n).map(|i| (i as f32).cos()).collect(), &[n, 1]).unwrap();
    let opts = nn::model::FitOptions {
        batch_size: 16,
        ..Default::default()
    };
    m.fit(&xs, &ys, &opts).unwrap();
    let epoch = allocation_counter::measure(|| {
        m.fit(&xs, &ys, &opts).unwrap();
    });
    eprintln!(
        "allocations in one warm fit epoch of 57 steps: {}",
        epoch.count_total
    );
    assert!(epoch.count_total < 10, "{}", epoch.count_total);
    // Metrics and validation add per-epoch work, not per-step allocations.
    let specs = ["mae", "RootMeanSquaredError", "mape"]
        .iter()
        .map(|s| nn::MetricSpec::from_keras_name(s).unwrap())
        .collect();
    m.compile_with_metrics(Loss::MeanSquaredError, OptimizerConfig::rmsprop(), specs)
        .unwrap();
    let opts = nn::model::FitOptions {
        validation: nn::model::Validation::Split(0.1),
        ..opts
    };
    m.fit(&xs, &ys, &opts).unwrap();
    let epoch = allocation_counter::measure(|| {
        m.fit(&xs, &ys, &opts).unwrap();
    });
    eprintln!(
        "allocations in one warm fit epoch with 3 metrics and validation: {}",
        epoch.count_total
    );
    assert!(epoch.count_total < 30, "{}", epoch.count_total);
}

#[test]
fn warm_lstm_and_gru_training_steps_with_dropout_do_not_allocate() {
    use nn::{GruConfig, LayerConfig, LstmConfig};
    let mut lstm = LstmConfig::new(8);
    (lstm.dropout, lstm.recurrent_dropout) = (0.2, 0.2);
    let mut gru = GruConfig::new(8);
    (gru.dropout, gru.recurrent_dropout) = (0.2, 0.2);
    let mut stateful = LstmConfig::new(8);
    stateful.stateful = true;
    let cells: [LayerConfig; 4] = [
        lstm.into(),
        gru.into(),
        GruConfig::new(8).reset_after(false).into(),
        stateful.into(),
    ];
    let x = Tensor::from_vec(
        (0..16 * 5 * 2).map(|i| (i as f32).sin()).collect(),
        &[16, 5, 2],
    )
    .unwrap();
    let y = Tensor::from_vec((0..16).map(|i| (i as f32).cos()).collect(), &[16, 1]).unwrap();
    for cell in cells {
        let name = cell.class_name();
        let mut m = Sequential::with_seed(3);
        m.add(cell).unwrap();
        m.add(DenseConfig::new(1)).unwrap();
        m.compile(Loss::MeanSquaredError, OptimizerConfig::adam())
            .unwrap();
        for _ in 0..3 {
            m.train_on_batch(&x, &y).unwrap();
        }
        let info = allocation_counter::measure(|| {
            for _ in 0..5 {
                m.train_on_batch(&x, &y).unwrap();
            }
        });
        assert_eq!(info.count_total, 0, "{name}: allocations in 5 warm steps");
    }
}
