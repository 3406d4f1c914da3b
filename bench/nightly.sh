#!/usr/bin/env bash
# The nightly run: bench/suites/nightly.toml into ROOT/YYYY-MM-DD/, compared with the most recent
# earlier night, with ROOT/latest pointing at tonight, one line per night in ROOT/history.tsv and the
# trend of the last nights in ROOT/history.html (`rmtbench history`).
# Running it again the same day resumes tonight's directory (cases already recorded are kept).
#
# Usage: bench/nightly.sh [--root DIR] [--bin RMTBENCH] [--backend auto|cpu|cuda] [--date YYYY-MM-DD]
#                         [--suite FILE] [--keep N] [--history N] [-- extra `rmtbench run` arguments]
#   --root     where the nights live (default: nightly/ in the current directory)
#   --bin      the rmtbench binary (default: build/rmtbench of this checkout)
#   --keep N   delete all but the N most recent nights (default 0: keep everything)
#   --history N  ROOT/history.html over the N most recent nights up to tonight (default 14; 0: none)
# Environment: RMT_COMPARE_ARGS, extra options of `rmtbench compare` and `rmtbench history` (e.g.
# --ignore-timing on a machine shared with other jobs, where timings are noisy).
# Exit status: 0 all passed and nothing got WORSE; 1 a case failed or `compare` found WORSE;
# 2/3 bad input / resources (from rmtbench; `latest` is then left alone).
set -euo pipefail

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
root=nightly
bin=$repo/build/rmtbench
backend=auto
date=$(date -u +%F)
suite=$repo/bench/suites/nightly.toml
keep=0
history=14
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --root) root=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    --date) date=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --history) history=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "nightly.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ $date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "nightly.sh: --date '$date' is not YYYY-MM-DD" >&2; exit 2; }
[[ $history =~ ^[0-9]+$ ]] || { echo "nightly.sh: --history '$history' is not a count" >&2; exit 2; }
[[ -x $bin ]] || { echo "nightly.sh: rmtbench binary '$bin' not found (build first, or pass --bin)" >&2; exit 2; }

mkdir -p -- "$root"
dir=$root/$date
start=$(date +%s)

# Tonight's directory already has results: an interrupted run, so resume it.
run=(run "$suite" --backend "$backend" "${extra[@]}")
if [[ -s $dir/results.jsonl && -f $dir/run.json ]]; then
  echo "nightly.sh: resuming $dir" >&2
  run+=(--resume "$dir")
else
  run+=(--out "$dir")
fi
set +e
"$bin" "${run[@]}"
rc_run=$?
set -e
if [[ $rc_run -ne 0 && $rc_run -ne 1 ]]; then
  echo "nightly.sh: rmtbench run exited with $rc_run; $root/latest not updated" >&2
  exit "$rc_run"
fi

# The most recent earlier night with results.
prev=""
for d in "$root"/????-??-??; do
  night=$(basename -- "$d")
  [[ -s $d/results.jsonl && $night < $date ]] && prev=$d
done
rc_cmp=0
if [[ -n $prev ]]; then
  set +e
  # shellcheck disable=SC2086  # RMT_COMPARE_ARGS is a list of options, e.g. "--ignore-timing"
  "$bin" compare ${RMT_COMPARE_ARGS:-} "$prev" "$dir"
  rc_cmp=$?
  set -e
  [[ $rc_cmp -le 1 ]] || { echo "nightly.sh: rmtbench compare exited with $rc_cmp" >&2; exit "$rc_cmp"; }
else
  echo "nightly.sh: no earlier night in $root to compare with" >&2
fi

ln -sfn -- "$date" "$root/latest"
[[ -f $root/history.tsv ]] || printf 'date\trun_exit\tcompare_exit\tbaseline\tseconds\n' >"$root/history.tsv"
printf '%s\t%s\t%s\t%s\t%s\n' "$date" "$rc_run" "$rc_cmp" "${prev:+$(basename -- "$prev")}" "$(( $(date +%s) - start ))" \
  >>"$root/history.tsv"

# The trend over the last nights (tonight included): ROOT/history.html.
hist_note=""
if [[ $history -gt 0 ]]; then
  hist_note=", history $root/history.html"
  nights=()
  for d in "$root"/????-??-??; do
    [[ -s $d/results.jsonl && ! $(basename -- "$d") > $date ]] && nights+=("$d")
  done
  (( ${#nights[@]} > history )) && nights=("${nights[@]: -$history}")
  # shellcheck disable=SC2086  # RMT_COMPARE_ARGS is a list of options
  "$bin" history ${RMT_COMPARE_ARGS:-} --quiet --out "$root/history.html" "${nights[@]}" ||
    { rc=$?; echo "nightly.sh: rmtbench history exited with $rc" >&2; exit "$rc"; }
fi

if [[ $keep -gt 0 ]]; then
  mapfile -t nights < <(ls -1d -- "$root"/????-??-?? | sort)
  for ((i = 0; i + keep < ${#nights[@]}; i++)); do rm -rf -- "${nights[i]}"; done
fi

echo "nightly.sh: $dir (run exit $rc_run, compare exit $rc_cmp); report $dir/report.html${hist_note}" >&2
[[ $rc_run -eq 0 && $rc_cmp -eq 0 ]]
