//! Helpers for the CLI's in-process tests: they run `cli::run`, the whole program, on nn's real
//! Sequential (the tutorial's model trains in a fraction of a second).

#![allow(dead_code)]

/// Runs the CLI in-process: (exit status, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("recur").chain(args.iter().copied());
    let code = cli::run(argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}
