//! The output folder's guarantee: a command's set of files is replaced whole, even when the
//! `recur` binary is killed at random points; the next command in the folder finishes or undoes
//! what the killed one left; files recur did not write are never touched; and an unwritable
//! `--out` is a usage error before any work.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use cli::error::CliError;
use cli::output::{OutDir, STAGING_PREFIX, recover};

const SET: [&str; 3] = ["model.recur", "plot.png", "predictions.csv"];
/// Seeds long enough that the model file's metadata names them unambiguously.
const SEEDS: [u64; 2] = [1_000_001, 2_000_002];
/// A file of the user's in the output folder: recur must leave it alone.
const NOTES: (&str, &[u8]) = ("notes.txt", b"mine, not recur's\n");

fn recur(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recur"))
        .env_remove("RAYON_NUM_THREADS")
        .args(args)
        .output()
        .unwrap()
}

/// The small, fast training run of the kill test, with `seed`, into `out`.
fn train_args(out: &Path, seed: u64) -> Vec<String> {
    let mut a: Vec<String> = ["train", "--n", "300", "--split", "200", "--epochs", "1"]
        .map(String::from)
        .to_vec();
    a.extend(["--threads", "1", "--seed"].map(String::from));
    a.push(seed.to_string());
    a.push("--out".into());
    a.push(out.to_str().unwrap().into());
    a
}

fn train(out: &Path, seed: u64) {
    let args = train_args(out, seed);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = recur(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A command that recovers the folder and then stops on bad input (a missing CSV): the
/// cheapest "next command in that folder".
fn recover_with_a_failing_command(out: &Path) {
    let o = recur(&[
        "train",
        "--csv",
        "no such file.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file.csv"));
}

/// Which run (index into [`SEEDS`]) a file of the set comes from, if any: the predictions and
/// the plot are compared byte for byte; the model file (whose metadata order varies between
/// processes) must load, checksum included, and name the run's seed.
fn run_of(name: &str, bytes: &[u8], refs: &[BTreeMap<&str, Vec<u8>>; 2]) -> Option<usize> {
    if name != "model.recur" {
        return (0..2).find(|&r| refs[r][name] == bytes);
    }
    let dir = tempfile::tempdir().ok()?;
    let copy = dir.path().join("m.recur");
    fs::write(&copy, bytes).ok()?;
    nn::Sequential::load(&copy).ok()?;
    (0..2).find(|&r| {
        let tag = format!("\\\"seed\\\":{}", SEEDS[r]);
        bytes.windows(tag.len()).any(|w| w == tag.as_bytes())
    })
}

/// The run every file of the set comes from, or `None` for a mix (or a damaged file).
fn set_run(out: &Path, refs: &[BTreeMap<&str, Vec<u8>>; 2]) -> Option<usize> {
    let runs: Vec<Option<usize>> = SET
        .iter()
        .map(|n| run_of(n, &fs::read(out.join(n)).ok()?, refs))
        .collect();
    runs.iter()
        .all(|r| *r == runs[0])
        .then_some(runs[0])
        .flatten()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// After a finished command: exactly the set and the user's file, the latter unchanged.
fn assert_clean(out: &Path) {
    let mut expected: Vec<String> = SET.iter().map(|s| s.to_string()).collect();
    expected.push(NOTES.0.into());
    expected.sort();
    assert_eq!(names(out), expected, "temporary or missing files");
    assert_eq!(fs::read(out.join(NOTES.0)).unwrap(), NOTES.1);
}

/// Where a kill landed, from what it left.
#[derive(Debug, Default)]
struct Phases {
    /// The run finished before the signal.
    finished: usize,
    /// Nothing of the new run in the folder: killed while loading, training or probing.
    before_outputs: usize,
    /// A staging folder without a journal, old set in place: killed while writing the files.
    staging: usize,
    /// A journal: killed while moving the files into place (the next command finishes it).
    commit: usize,
    /// The new set in place, staging not yet removed or already gone.
    after_commit: usize,
    /// Of the commit kills, those where the visible files were a mix before recovery.
    mixed_before_recovery: usize,
}

#[test]
fn killed_runs_leave_the_old_set_or_the_new_one() {
    let root = tempfile::tempdir().unwrap();
    // The two runs' known outputs, and how long one run takes.
    let mut refs: [BTreeMap<&str, Vec<u8>>; 2] = Default::default();
    // The quickest of three runs: the first ones pay for a cold start the later ones skip.
    let mut quickest = Duration::MAX;
    for (r, &seed) in SEEDS.iter().enumerate() {
        let dir = root.path().join(format!("ref{r}"));
        let t = Instant::now();
        train(&dir, seed);
        quickest = quickest.min(t.elapsed());
        for n in SET {
            refs[r].insert(n, fs::read(dir.join(n)).unwrap());
        }
    }
    for n in ["plot.png", "predictions.csv"] {
        assert_ne!(refs[0][n], refs[1][n], "{n}: the two runs must differ");
    }

    let out = root.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join(NOTES.0), NOTES.1).unwrap();
    let t = Instant::now();
    train(&out, SEEDS[0]);
    quickest = quickest.min(t.elapsed());
    assert_eq!(set_run(&out, &refs), Some(0), "runs are reproducible");
    let mut current = 0;

    // Delays spread over a whole run (process start to exit) and a little past it.
    let kills = 200;
    let span = quickest.as_secs_f64() * 1.1;
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut phases = Phases::default();
    let started = Instant::now();
    for i in 0..kills {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_secs_f64(span * (rng % 10_000) as f64 / 10_000.0);
        let next = 1 - current;
        let mut child = Command::new(env!("CARGO_BIN_EXE_recur"))
            .env_remove("RAYON_NUM_THREADS")
            .args(train_args(&out, SEEDS[next]))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if i % 2 == 0 {
            let _ = child.kill(); // SIGKILL
        } else {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
        }
        let status = child.wait().unwrap();

        let staging = out.join(format!("{STAGING_PREFIX}train"));
        let journal = staging.join(".journal").exists();
        let seen = set_run(&out, &refs);
        if status.success() {
            phases.finished += 1;
            assert_eq!(seen, Some(next), "kill {i}: a finished run's set");
        } else if journal {
            phases.commit += 1;
            if seen.is_none() {
                phases.mixed_before_recovery += 1;
            }
        } else {
            assert!(seen.is_some(), "kill {i}: a mix without a journal");
            match (seen == Some(next), staging.exists()) {
                (true, _) => phases.after_commit += 1,
                (false, true) => phases.staging += 1,
                (false, false) => phases.before_outputs += 1,
            }
        }

        // The next command in the folder finishes (journal) or undoes (no journal) the work.
        recover_with_a_failing_command(&out);
        assert_clean(&out);
        let after = set_run(&out, &refs);
        let expected = if journal { Some(next) } else { seen };
        assert_eq!(after, expected, "kill {i}: set after recovery");
        current = after.unwrap();
        // Now and then a whole run: it must leave exactly its own set.
        if i % 50 == 49 {
            train(&out, SEEDS[1 - current]);
            current = 1 - current;
            assert_clean(&out);
            assert_eq!(set_run(&out, &refs), Some(current));
        }
    }
    eprintln!(
        "{kills} kills (delays over 0..{:.0} ms, one run {:.0} ms) in {:.1} s: {phases:?}",
        span * 1000.0,
        quickest.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64()
    );
    // The random delays must reach the writes, not only the training.
    assert!(
        phases.staging + phases.commit + phases.after_commit > 0,
        "{phases:?}"
    );
}

#[test]
fn a_journal_is_rolled_forward_and_staging_without_one_rolled_back() {
    let root = tempfile::tempdir().unwrap();
    let out = OutDir::create(root.path()).unwrap();
    fs::write(out.file(NOTES.0), NOTES.1).unwrap();
    let mut s = out.stage("train").unwrap();
    s.write_bytes("a.csv", b"old a").unwrap();
    s.write_bytes("b.csv", b"old b").unwrap();
    s.commit().unwrap();

    // Killed half way through the renames: one file moved, the journal still there.
    let staging = root.path().join(format!("{STAGING_PREFIX}train"));
    fs::create_dir(&staging).unwrap();
    fs::write(staging.join("b.csv"), b"new b").unwrap();
    fs::write(staging.join(".journal"), "recur journal 1\na.csv\nb.csv\n").unwrap();
    fs::write(out.file("a.csv"), b"new a").unwrap();
    // Killed while staging another set, and while probing.
    let other = root.path().join(format!("{STAGING_PREFIX}forecast"));
    fs::create_dir(&other).unwrap();
    fs::write(other.join("forecast.csv"), b"half").unwrap();
    fs::write(root.path().join(format!("{STAGING_PREFIX}probe-1")), b"").unwrap();

    recover(root.path()).unwrap();
    assert_eq!(names(root.path()), ["a.csv", "b.csv", NOTES.0]);
    assert_eq!(fs::read(out.file("a.csv")).unwrap(), b"new a");
    assert_eq!(fs::read(out.file("b.csv")).unwrap(), b"new b");
    assert_eq!(fs::read(out.file(NOTES.0)).unwrap(), NOTES.1);
}

#[test]
fn a_failed_set_leaves_the_previous_one() {
    let root = tempfile::tempdir().unwrap();
    let out = OutDir::create(&root.path().join("a/b")).unwrap();
    let mut s = out.stage("train").unwrap();
    s.write_bytes("x.txt", b"old").unwrap();
    s.write_bytes("y.txt", b"old").unwrap();
    s.commit().unwrap();
    let mut s = out.stage("train").unwrap();
    s.write_bytes("x.txt", b"new").unwrap();
    let failed = s.write_with("y.txt", |tmp| {
        fs::write(tmp, b"half").unwrap();
        Err(CliError::Runtime("boom".into()))
    });
    assert!(failed.is_err());
    drop(s);
    assert_eq!(fs::read(out.file("x.txt")).unwrap(), b"old");
    assert_eq!(fs::read(out.file("y.txt")).unwrap(), b"old");
    assert_eq!(names(out.path()), ["x.txt", "y.txt"]);
    // A name that could escape the folder or clash with the journal is refused.
    let mut s = out.stage("train").unwrap();
    assert!(s.write_bytes("../x.txt", b"").is_err());
    assert!(s.write_bytes(".journal", b"").is_err());
}

/// Exit status 2, one line naming `--out` and `needle`, and nothing done: the flags ask for
/// a long training on a CSV that does not exist, so only an early check can answer first.
fn out_is_refused(out: &str, needle: &str) {
    let o = recur(&[
        "train",
        "--epochs",
        "100000",
        "--csv",
        "absent.csv",
        "--out",
        out,
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--out") && stderr.contains(out), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert!(o.stdout.is_empty());
    let o = recur(&[
        "forecast",
        "--model",
        "absent.recur",
        "--horizon",
        "3",
        "--out",
        out,
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--out") && stderr.contains(needle),
        "{stderr}"
    );
}

#[test]
fn an_unwritable_out_is_a_usage_error_before_any_work() {
    out_is_refused("/proc/recur-out", "recur-out");
    out_is_refused("/proc", "/proc");

    let root = tempfile::tempdir().unwrap();
    let locked = root.path().join("locked");
    fs::create_dir(&locked).unwrap();
    let mut perms = fs::metadata(&locked).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&locked, perms.clone()).unwrap();
    // Root writes anyway: then permissions cannot make the folder unwritable.
    let as_root = fs::write(locked.join("try"), b"").is_ok();
    if !as_root {
        out_is_refused(locked.to_str().unwrap(), "ermission denied");
        let below = locked.join("sub");
        out_is_refused(below.to_str().unwrap(), "ermission denied");
        assert!(!below.exists());
    }
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&locked, perms).unwrap();
}

#[test]
fn a_folder_made_for_a_refused_run_is_removed_again() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("new/out");
    let o = recur(&[
        "train",
        "--csv",
        "absent.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!root.path().join("new").exists());
}
