//! AFL++ harness of [`fuzz_targets::csv_reader`].

fn main() {
    afl::fuzz!(|data: &[u8]| {
        fuzz_targets::csv_reader(data);
    });
}
