//! Resource caps: sizes from flags and files that would exhaust memory (or spawn endless
//! threads) are refused before anything of that size is allocated, with one line naming the
//! flag and the cap, exit status 2 and nothing written; also under `ulimit -v 4000000`, where
//! an allocation failure would abort the process instead.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Seconds a refusal may take (a debug build reading 1 GiB of `/dev/zero` is the slowest).
const REFUSE_WITHIN: Duration = Duration::from_secs(20);

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// A 3 GB file of zeros named `name`, sparse: no disk is used.
    fn sparse_file(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::File::create(&p)
            .unwrap()
            .set_len(3_000_000_000)
            .unwrap();
        p
    }

    /// Runs `recur args` (under `ulimit -v 4000000` when `limited`) with `env` set; adds
    /// `--out` for the subcommands that write.
    fn run(&self, args: &[&str], env: &[(&str, &str)], limited: bool) -> (Output, Duration) {
        let bin = env!("CARGO_BIN_EXE_recur");
        let mut cmd = if limited {
            let mut c = Command::new("bash");
            c.args(["-c", r#"ulimit -v 4000000; exec "$0" "$@""#, bin]);
            c
        } else {
            Command::new(bin)
        };
        cmd.current_dir(self.dir.path())
            .args(args)
            .envs(env.iter().copied());
        if matches!(args.first(), Some(&"train") | Some(&"forecast")) && !args.contains(&"--out") {
            cmd.arg("--out").arg(self.out());
        }
        let started = Instant::now();
        let o = cmd.output().unwrap();
        (o, started.elapsed())
    }

    /// The usage-error contract, within [`REFUSE_WITHIN`], with and without the address-space
    /// limit; `needles` must all appear in the message.
    fn refuses(&self, args: &[&str], env: &[(&str, &str)], needles: &[&str]) {
        for limited in [false, true] {
            self.refuses_once(args, env, limited, needles);
        }
    }

    fn refuses_once(&self, args: &[&str], env: &[(&str, &str)], limited: bool, needles: &[&str]) {
        let (o, took) = self.run(args, env, limited);
        let stderr = String::from_utf8_lossy(&o.stderr);
        let what = format!("{args:?} (ulimit -v: {limited}, {took:?})");
        eprintln!("{what}: {}", stderr.trim());
        assert_eq!(o.status.code(), Some(2), "{what}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{what}: not one line: {stderr}");
        assert!(stderr.starts_with("error"), "{what}: {stderr}");
        for n in needles {
            assert!(stderr.contains(n), "{what}: expected '{n}' in: {stderr}");
        }
        assert!(o.stdout.is_empty(), "{what}: stdout not empty");
        assert!(!self.out().exists(), "{what}: output folder created");
        assert!(took < REFUSE_WITHIN, "{what}: took {took:?}");
    }
}

#[test]
fn huge_units_are_refused_by_their_cap() {
    let c = Case::new();
    for units in ["1000000000", "100000"] {
        c.refuses(
            &["train", "--units", units],
            &[],
            &["--units", units, "65536"],
        );
    }
}

#[test]
fn huge_dense_sizes_are_refused_by_their_cap() {
    let c = Case::new();
    c.refuses(
        &["train", "--dense", "1000000000"],
        &[],
        &["--dense", "1000000000", "65536"],
    );
    let many = vec!["1"; 65].join(",");
    c.refuses(
        &["train", "--dense", &many],
        &[],
        &["--dense", "at most 64"],
    );
}

#[test]
fn a_model_too_large_for_memory_is_refused_by_the_estimate() {
    let c = Case::new();
    // 20000 units: 400 million recurrent weights, several GB with the optimizer's copies,
    // more than the address-space limit leaves.
    c.refuses_once(
        &["train", "--units", "20000"],
        &[],
        true,
        &["--units 20000", "memory", "available"],
    );
    c.refuses_once(
        &["train", "--dense", "30000,30000"],
        &[],
        true,
        &["--dense 30000,30000", "memory"],
    );
    // Windows of 100 million values, and 5 million task sequences of 100 steps.
    c.refuses_once(
        &["train", "--n", "100000000"],
        &[],
        true,
        &["n = 100000000", "--step 4", "memory"],
    );
    c.refuses_once(
        &[
            "train", "--task", "adding", "--count", "5000000", "--lag", "99",
        ],
        &[],
        true,
        &["--count 5000000", "memory"],
    );
}

#[test]
fn a_small_run_still_trains_under_the_address_space_limit() {
    let c = Case::new();
    let (o, _) = c.run(
        &[
            "train",
            "--n",
            "120",
            "--split",
            "60",
            "--epochs",
            "1",
            "--verbose",
            "0",
        ],
        &[],
        true,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_huge_horizon_is_refused_by_its_cap() {
    let c = Case::new();
    c.refuses(
        &["forecast", "--model", "m.recur", "--horizon", "1000000000"],
        &[],
        &["--horizon", "1000000000", "1000000"],
    );
}

#[test]
fn an_endless_csv_stops_at_the_line_cap() {
    let c = Case::new();
    c.refuses(
        &["train", "--csv", "/dev/zero", "--split", "0.5"],
        &[],
        &["--csv", "/dev/zero", "bytes in a line"],
    );
}

#[test]
fn a_csv_over_the_size_cap_is_refused_without_reading_it() {
    let c = Case::new();
    let p = c.sparse_file("huge.csv");
    c.refuses(
        &["train", "--csv", p.to_str().unwrap()],
        &[],
        &["huge.csv", "1073741824 bytes"],
    );
}

#[test]
fn an_endless_model_file_stops_at_the_size_cap() {
    let c = Case::new();
    c.refuses(
        &["summary", "--model", "/dev/zero"],
        &[],
        &["--model", "/dev/zero", "1073741824 bytes"],
    );
}

#[test]
fn a_model_file_over_the_size_cap_is_refused_without_reading_it() {
    let c = Case::new();
    let p = c.sparse_file("huge.recur");
    let p = p.to_str().unwrap();
    c.refuses(
        &["summary", "--model", p],
        &[],
        &["--model", "huge.recur", "larger than"],
    );
    c.refuses(&["predict", "--model", p], &[], &["huge.recur"]);
}

#[test]
fn threads_beyond_four_per_core_are_refused() {
    let c = Case::new();
    let cores = std::thread::available_parallelism().unwrap().get();
    let cap = (4 * cores).to_string();
    for n in ["10000", "1000000000"] {
        c.refuses(&["train", "--threads", n], &[], &["--threads", n, &cap]);
        c.refuses(
            &["train"],
            &[("RAYON_NUM_THREADS", n)],
            &["RAYON_NUM_THREADS", n, &cap],
        );
    }
    let too_many = (4 * cores + 1).to_string();
    c.refuses(
        &["summary", "--model", "m", "--threads", &too_many],
        &[],
        &["--threads"],
    );
}

#[test]
fn the_thread_cap_itself_is_accepted() {
    let c = Case::new();
    let cap = (4 * std::thread::available_parallelism().unwrap().get()).to_string();
    let (o, _) = c.run(
        &[
            "train",
            "--n",
            "120",
            "--split",
            "60",
            "--epochs",
            "1",
            "--verbose",
            "0",
            "--threads",
            &cap,
        ],
        &[],
        false,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
