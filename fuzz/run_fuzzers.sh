#!/usr/bin/env bash
# Runs every libFuzzer target of a RMT_FUZZ=ON build for SECONDS each, JOBS at a time, from its
# committed seed corpus fuzz/corpus/<target>/ (read only: new inputs go to a scratch copy).
# A crash, a leak, undefined behaviour, an escaped exception or a 10 s hang fails the run; the input
# is kept as <scratch>/artifacts/<target>-crash-* and printed in hex: make it a regression test in
# tests/test_fuzz_regressions.cpp, then fix.
# Usage: fuzz/run_fuzzers.sh BUILD_DIR [SECONDS=60] [JOBS=2]
set -euo pipefail
build=${1:?usage: fuzz/run_fuzzers.sh BUILD_DIR [SECONDS] [JOBS]}
seconds=${2:-60}
jobs=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(cd "$build" && pwd)/fuzz-work
rm -rf "$work" && mkdir -p "$work/artifacts" "$work/tmp"
export TMPDIR=$work/tmp  # the jsonl target writes a scratch results.jsonl there

targets=(suite params npy jsonl)
run_one() {
  local t=$1
  mkdir -p "$work/corpus/$t"
  if "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
       -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" "$work/corpus/$t" "$root/fuzz/corpus/$t" \
       >"$work/$t.log" 2>&1; then
    echo "fuzz_$t: OK, $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$') runs in ${seconds} s"
  else
    echo "fuzz_$t: FAILED (log: $work/$t.log)"
    tail -40 "$work/$t.log"
    for f in "$work/artifacts/$t-"*; do [ -e "$f" ] && { echo "input $f:"; od -A d -c "$f" | head -20; }; done
    return 1
  fi
}

status=0
running=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" & pids+=($!)
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    for p in "${pids[@]}"; do wait "$p" || status=1; done
    pids=(); running=0
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
