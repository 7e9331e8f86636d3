//! AFL++ harness of [`fuzz_targets::model_loader`].

fn main() {
    afl::fuzz!(|data: &[u8]| {
        fuzz_targets::model_loader(data);
    });
}
