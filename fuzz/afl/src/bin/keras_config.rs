//! AFL++ harness of [`fuzz_targets::keras_config`].

fn main() {
    afl::fuzz!(|data: &[u8]| {
        fuzz_targets::keras_config(data);
    });
}
