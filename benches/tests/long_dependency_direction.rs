//! The long-dependency experiment's direction check on a small budget: on the adding problem at lag
//! 50, the better of LSTM and GRU reaches at most half of SimpleRNN's test MSE with the same stack,
//! optimizer, epochs and seed (about 3 s in the test profile; the full experiment is the
//! `long-dependency` report binary).

use benches::long_dependency::{Cell, ExperimentConfig, run};
use data::LongDependencyKind;

#[test]
fn a_gated_cell_beats_simple_rnn_at_lag_50() {
    let cfg = ExperimentConfig {
        task: LongDependencyKind::Adding,
        count: 2000,
        units: 16,
        epochs: 10,
        learning_rate: 0.005,
        ..ExperimentConfig::default()
    };
    let simple = run(Cell::Simple, 50, &cfg).unwrap();
    let lstm = run(Cell::Lstm, 50, &cfg).unwrap();
    let gru = run(Cell::Gru, 50, &cfg).unwrap();
    let gated = lstm.test_mse.min(gru.test_mse);
    eprintln!(
        "lag 50: SimpleRNN {:.4}, LSTM {:.4}, GRU {:.4}, baseline {:.4}",
        simple.test_mse, lstm.test_mse, gru.test_mse, simple.baseline_mse
    );
    assert!(
        gated <= 0.5 * simple.test_mse,
        "best gated {gated} vs SimpleRNN {}",
        simple.test_mse
    );
    // The gated cell learned the task, well below predicting the mean.
    assert!(gated < 0.2 * simple.baseline_mse, "{gated}");
}
