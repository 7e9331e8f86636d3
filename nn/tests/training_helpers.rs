//! The training-loop helpers: Keras's running loss mean (checked bit for bit against the
//! per-batch logs of the tutorial run in `model_training.json`), History's JSON shape, batching,
//! validation_split and the resumable shuffling RNG.

mod common;

use common::{flat, load};
use nn::batching::{EpochShuffler, RngState, Shuffle, batches, steps_per_epoch, validation_split};
use nn::{History, LossMean};

#[test]
fn running_mean_reproduces_keras_logs_bit_for_bit() {
    let fx = load("model_training");
    for case in ["tutorial_time_major_1x4", "tutorial_sequence_4x1"] {
        let c = &fx["cases"][case];
        let n = c["x_shape"][0].as_u64().unwrap() as usize;
        let bs = c["fit"]["batch_size"].as_u64().unwrap() as usize;
        let epochs = c["history_loss"].as_array().unwrap().len();
        let batch_losses = flat(&c["batch_loss_before_update"]);
        let running = flat(&c["running_loss_after_each_batch"]);
        let history = flat(&c["history_loss"]);
        let steps = steps_per_epoch(n, bs).unwrap();
        assert_eq!(steps * epochs, batch_losses.len());
        let order: Vec<usize> = (0..n).collect();
        let mut k = 0;
        let mut hist = History::new();
        for _ in 0..epochs {
            let mut mean = LossMean::new();
            for batch in batches(&order, bs).unwrap() {
                mean.update(batch_losses[k], batch.len());
                assert_eq!(
                    mean.value().to_bits(),
                    running[k].to_bits(),
                    "{case} batch {k}"
                );
                k += 1;
            }
            hist.loss.push(mean.value());
        }
        assert_eq!(hist.loss, history, "{case}");
    }
}

#[test]
fn loss_mean_and_history_basics() {
    let mut m = LossMean::new();
    assert_eq!(m.value(), 0.0);
    m.update(1.0, 16);
    m.update(4.0, 4);
    assert_eq!(m.value(), (16.0 + 16.0) / 20.0);
    m.reset();
    assert_eq!(m.value(), 0.0);
    let mut h = History::new();
    h.loss = vec![0.5, 0.25];
    assert_eq!(serde_json::to_string(&h).unwrap(), r#"{"loss":[0.5,0.25]}"#);
    h.val_loss = vec![0.75, 0.5];
    let json = serde_json::to_string(&h).unwrap();
    assert_eq!(json, r#"{"loss":[0.5,0.25],"val_loss":[0.75,0.5]}"#);
    assert_eq!(serde_json::from_str::<History>(&json).unwrap(), h);
    assert_eq!(h.epochs(), 2);
}

#[test]
fn batches_keep_the_last_partial_batch() {
    // The tutorial: 900 windows at batch 16 give 57 steps (56 x 16 + 4).
    assert_eq!(steps_per_epoch(900, 16).unwrap(), 57);
    assert_eq!(steps_per_epoch(900, 32).unwrap(), 29);
    assert_eq!(steps_per_epoch(0, 32).unwrap(), 0);
    assert!(
        steps_per_epoch(10, 0)
            .unwrap_err()
            .to_string()
            .contains("batch_size=0")
    );
    let order: Vec<usize> = (0..900).collect();
    let sizes: Vec<usize> = batches(&order, 16).unwrap().map(<[usize]>::len).collect();
    assert_eq!(sizes.len(), 57);
    assert!(sizes[..56].iter().all(|&s| s == 16));
    assert_eq!(sizes[56], 4);
}

#[test]
fn validation_split_takes_the_last_samples_with_floor() {
    assert_eq!(validation_split(1000, 0.1).unwrap(), (0..900, 900..1000));
    // floor(10 * 0.75) = 7.
    assert_eq!(validation_split(10, 0.25).unwrap(), (0..7, 7..10));
    // floor(3 * (1 - 0.5)) = 1.
    assert_eq!(validation_split(3, 0.5).unwrap(), (0..1, 1..3));
    let err = validation_split(1, 0.5).unwrap_err().to_string();
    assert!(err.contains("contains 1 samples"), "{err}");
    // 1 - 1e-17 rounds to 1.0 in f64, so nothing is left for validation.
    assert!(
        validation_split(100, 1e-17).is_err(),
        "split_at == N is an error"
    );
    for bad in [0.0, 1.0, -0.1, f64::NAN] {
        assert!(validation_split(100, bad).is_err(), "{bad}");
    }
}

#[test]
fn shuffling_is_seeded_fresh_each_epoch_and_resumable() {
    let mut a = EpochShuffler::new(42);
    let mut b = EpochShuffler::new(42);
    let e1 = a.next_epoch(100, Shuffle::Full, 16).unwrap().to_vec();
    assert_eq!(e1, b.next_epoch(100, Shuffle::Full, 16).unwrap());
    let mut sorted = e1.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..100).collect::<Vec<_>>(), "a permutation");
    assert_ne!(e1, (0..100).collect::<Vec<_>>());
    let e2 = a.next_epoch(100, Shuffle::Full, 16).unwrap().to_vec();
    assert_ne!(e1, e2, "a new permutation each epoch");
    // No shuffle: identity order and no random draw.
    let state = a.state();
    assert_eq!(a.next_epoch(5, Shuffle::Off, 2).unwrap(), &[0, 1, 2, 3, 4]);
    assert_eq!(a.state(), state);
    // Save after two epochs, restore into a fresh shuffler: the same third epoch.
    let json = serde_json::to_string(&state).unwrap();
    let restored: RngState = serde_json::from_str(&json).unwrap();
    let mut c = EpochShuffler::new(0);
    c.set_state(&restored);
    assert_eq!(
        a.next_epoch(100, Shuffle::Full, 16).unwrap(),
        c.next_epoch(100, Shuffle::Full, 16).unwrap()
    );
    let mut other = EpochShuffler::new(43);
    assert_ne!(other.next_epoch(100, Shuffle::Full, 16).unwrap(), &e1[..]);
}

#[test]
fn batch_shuffle_permutes_only_within_batches() {
    let mut s = EpochShuffler::new(7);
    let order = s.next_epoch(50, Shuffle::Batch, 16).unwrap().to_vec();
    assert_ne!(order, (0..50).collect::<Vec<_>>());
    for (b, chunk) in order.chunks(16).enumerate() {
        let mut sorted = chunk.to_vec();
        sorted.sort_unstable();
        let lo = b * 16;
        assert_eq!(
            sorted,
            (lo..(lo + 16).min(50)).collect::<Vec<_>>(),
            "batch {b}"
        );
    }
    assert!(s.next_epoch(5, Shuffle::Full, 0).is_err());
    assert_eq!(Shuffle::default(), Shuffle::Full);
    assert_eq!(
        serde_json::to_string(&Shuffle::Batch).unwrap(),
        r#""batch""#
    );
}
