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

/// Runs the CLI in-process with `args` (which end in `--json`) and returns its JSON report;
/// panics with stderr unless it exits 0.
pub fn json(args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// `recur train` on a long-format CSV (`unique_id`, `ds`, `y`) for `epochs`, quietly, into
/// `out`, followed by `extra` flags.
pub fn many_train_args<'a>(
    csv: &'a str,
    out: &'a str,
    epochs: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut a = vec![
        "train",
        "--csv",
        csv,
        "--id-column",
        "unique_id",
        "--time-column",
        "ds",
        "--column",
        "y",
        "--epochs",
        epochs,
        "--verbose",
        "0",
        "--out",
        out,
    ];
    a.extend_from_slice(extra);
    a
}
