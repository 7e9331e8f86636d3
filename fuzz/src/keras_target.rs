//! The `keras_config` target: nn's reader of Keras 3 `config.json` files (the untrusted part of
//! a `.keras` archive that recur parses itself; the HDF5 weights are read by h5py).

use nn::Sequential;

/// Feeds `bytes` to [`Sequential::from_keras_config`] as JSON. Invariants: no panic; a config
/// that loads is written back by [`Sequential::to_keras_config`] (or refused with an error
/// naming what Keras cannot express), and what is written back loads again to a model with
/// the same parameter count and the same written config.
pub fn keras_config(bytes: &[u8]) {
    // The Python package reads at most 64 MiB of config.json; JSON nesting is bounded by
    // serde_json's recursion limit.
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    let Ok(import) = Sequential::from_keras_config(&value) else {
        return;
    };
    let Ok(written) = import.model.to_keras_config(&import.metrics) else {
        return;
    };
    let again = Sequential::from_keras_config(&written)
        .unwrap_or_else(|e| panic!("a config recur wrote does not load again: {e}\n{written}"));
    assert_eq!(
        again.model.count_params(),
        import.model.count_params(),
        "the parameter count changed in a round trip"
    );
    let rewritten = again
        .model
        .to_keras_config(&again.metrics)
        .expect("a model read from recur's config writes again");
    assert_eq!(rewritten, written, "a round trip changed the config");
}
