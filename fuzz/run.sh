#!/usr/bin/env bash
# Builds the AFL++ harness of one fuzz target and fuzzes it for a number of minutes.
#
#   fuzz/run.sh csv_reader|model_loader|keras_config MINUTES [OUT_DIR]
#
# Seeds: fuzz/corpus/TARGET (and the tokens of fuzz/dict/TARGET.dict when it exists).
# Findings: OUT_DIR/default/{crashes,hangs} (default OUT_DIR: fuzz/afl/out/TARGET, which is
# resumed when it exists). Needs cargo-afl (`cargo install cargo-afl`, then
# `cargo afl config --build` once); see fuzz/README.md.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 csv_reader|model_loader|keras_config MINUTES [OUT_DIR]" >&2
    exit 2
fi
target=$1
minutes=$2
here=$(cd "$(dirname "$0")" && pwd)
case $target in
    csv_reader | model_loader | keras_config) ;;
    *)
        echo "unknown target '$target' (csv_reader, model_loader or keras_config)" >&2
        exit 2
        ;;
esac
out=${3:-$here/afl/out/$target}

cd "$here/afl"
cargo afl build --release --bin "$target"

dict=()
if [ -f "$here/dict/$target.dict" ]; then
    dict=(-x "$here/dict/$target.dict")
fi
mkdir -p "$(dirname "$out")"
# -V: stop after this many seconds. -m 1024: an input that makes the target allocate more than
# 1 GiB aborts, and is recorded as a crash (a size cap is missing). -t 2000: an input taking over
# 2 s is a hang. AFL_AUTORESUME continues an existing OUT_DIR. AFL_SKIP_CPUFREQ and
# AFL_NO_AFFINITY: shared machines and containers, where AFL cannot tune or pin CPUs.
AFL_AUTORESUME=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    cargo afl fuzz -V $((minutes * 60)) -m 1024 -t 2000 "${dict[@]}" \
    -i "$here/corpus/$target" -o "$out" -- "target/release/$target"

echo "== $out/default/fuzzer_stats"
grep -E '^(start_time|last_update|run_time|execs_done|execs_per_sec|corpus_count|paths_total|saved_crashes|saved_hangs|stability|bitmap_cvg)' \
    "$out/default/fuzzer_stats" || true
