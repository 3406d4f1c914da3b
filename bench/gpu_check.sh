#!/usr/bin/env bash
# One-shot device check (issue 11). Runs from the unpacked bundle (make bundle: bin/ next to this
# script's folder) or, with --bin-dir, from a build tree; nothing is built. Steps, each recorded as
# pass / fail / skipped with its duration and run under `timeout`, inside one overall time budget
# (default 460 s on a GPU, under the 8 minutes a device lease allows):
#   libraries   every bundled executable's shared libraries resolve (CUDA ones from the node; when
#               missing, looked up in the CUDA toolkit and PyTorch's nvidia/* wheels)
#   devices     nvidia-smi facts and `rmtbench devices --json` (the CUDA backend must be usable)
#   gtest:*     each GPU-labelled test executable (test_cuda_*) and the /cuda instances of
#               test_backend, test_backend_conformance and test_precision; on a GPU a skipped
#               test fails
#   sanitizer   compute-sanitizer --tool memcheck over a few small CUDA backend tests
#   exit3       `rmtbench run` at a size that does not fit must exit 3 naming the bytes
#   slq:*       `rmtbench run --method slq` mp at n = 10⁵ (stored) and 2·10⁵ (regenerate) must pass,
#               then `rmtbench bench --method slq` at the same size
#   ours:*      `rmtbench bench --backend cuda`, mp (c = 1) and rf, fp64 and fp32, warm-up + medians
#   torch:*     the same matrices through bench/peers/torch_eigvalsh.py on the same device,
#               interleaved with ours size by size (n = 4096, 16384, 32768, 65536)
# Writes three files into OUT (--out, else $OUT, else ./gpu_results): summary.md (device, driver,
# commands, steps, ours vs torch side by side), summary.json, logs.tar.gz (every log and raw JSON).
# Exits 1 when any step failed, naming the failed steps on the last line.
#
# --dry-run: every step on the CPU backend at n = 256, 512, 1024 (the GPU tests run and skip
# themselves; the sanitizer is skipped; the torch peer runs on the CPU when torch imports, otherwise
# it is skipped); budget 170 s. CI runs it (ctest gpu_check_dry_run).
#
# Usage: gpu_check.sh [--dry-run] [--bin-dir DIR] [--out DIR] [--budget SECONDS] [--sizes N1,N2,..]
#                     [--precisions fp64,fp32] [--only STEP,...] [--fail-step STEP]
#   --only        run only the steps whose name starts with one of these prefixes (e.g. devices,exit3)
#   --fail-step   replace that step's command by a failing one (tests the failure path;
#                 also $RMT_GPU_CHECK_FAIL_STEP)
set -euo pipefail

self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

# ---------------------------------------------------------------------------------------------
# Internal steps: the script re-invokes itself as `gpu_check.sh --step NAME ...` under `timeout`.
# Environment: RMTBENCH, ROOT, WORK, MODE (gpu|dry), BACKEND (cuda|cpu).

count_gtest() {  # count_gtest LOG WORD: N from gtest's "[  WORD  ] N test" summary lines
  local n
  n=$(grep -E "^\[ *$2 *\] [0-9]+ test" "$1" | tail -1 | sed -E 's/^\[[^]]*\] ([0-9]+).*/\1/' || true)
  echo "${n:-0}"
}

step_libraries() {
  local missing=0 exe dir lib dirs=()
  for exe in "$RMTBENCH" "${TEST_BINS[@]}"; do
    echo "== ldd $exe"
    ldd "$exe" || true
  done
  local unresolved
  unresolved=$(for exe in "$RMTBENCH" "${TEST_BINS[@]}"; do ldd "$exe" 2>/dev/null | awk '/not found/ {print $1}'; done | sort -u)
  if [[ -n $unresolved ]]; then
    echo "== not found: $(echo $unresolved)"
    # CUDA libraries come from the node: the toolkit, or the nvidia-* wheels PyTorch ships.
    local roots=()
    for d in "${CUDA_HOME:-}" /usr/local/cuda /usr/local/cuda-*; do [[ -n $d && -d $d ]] && roots+=("$d"); done
    if command -v python3 >/dev/null; then
      while read -r d; do [[ -d $d ]] && roots+=("$d"); done < <(python3 - <<'EOF' 2>/dev/null || true
import site, sys
for p in site.getsitepackages() + [site.getusersitepackages()]:
    print(p + "/nvidia"); print(p + "/torch/lib")
EOF
)
    fi
    for lib in $unresolved; do
      dir=""
      for d in "${roots[@]}"; do
        dir=$(find -L "$d" -maxdepth 5 -name "$lib" -printf '%h\n' -quit 2>/dev/null || true)
        [[ -n $dir ]] && break
      done
      if [[ -n $dir ]]; then
        echo "found $lib in $dir"
        dirs+=("$dir")
      else
        echo "NOT FOUND anywhere: $lib"
        missing=1
      fi
    done
    ((${#dirs[@]} == 0)) || printf '%s\n' "${dirs[@]}" | sort -u >"$WORK/extra_ld_path"
  fi
  return $missing
}

step_devices() {
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm,power.limit --format=csv |
      tee "$WORK/nvidia-smi.csv"
    nvidia-smi || true
  elif [[ $MODE == gpu ]]; then
    echo "nvidia-smi not found"
    return 1
  else
    echo "no nvidia-smi (dry run)"
  fi
  "$RMTBENCH" --version
  "$RMTBENCH" devices --json | tee "$WORK/devices.json"
  if [[ $MODE == gpu ]]; then
    # The CUDA backend must be usable: `"usable": true` inside the cuda entry.
    tr -d ' \n' <"$WORK/devices.json" | grep -q '"backend":"cuda","compiled":true,"usable":true' || {
      echo "the CUDA backend is not usable (see devices.json above)"
      return 1
    }
  fi
}

step_gtest() {  # step_gtest BINARY [gtest args]
  local exe=$1 log="$WORK/gtest_out.$$"
  shift
  local rc=0
  RMT_BINARY="$RMTBENCH" RMT_SOURCE_DIR="$ROOT" "$exe" --gtest_brief=1 "$@" >"$log" 2>&1 || rc=$?
  cat "$log"
  local passed skipped
  passed=$(count_gtest "$log" PASSED)
  skipped=$(count_gtest "$log" SKIPPED)
  echo "== exit $rc, passed $passed, skipped $skipped"
  rm -f "$log"
  [[ $rc -eq 0 ]] || return $rc
  if [[ $MODE == gpu && $skipped -gt 0 ]]; then
    echo "tests were skipped on a GPU run: the device was not used (see the skip reasons above)"
    return 1
  fi
  if [[ $MODE == gpu && $passed -eq 0 ]]; then
    echo "no test ran"
    return 1
  fi
}

step_sanitizer() {
  local cs
  cs=$(command -v compute-sanitizer || true)
  for d in "${CUDA_HOME:-}" /usr/local/cuda /usr/local/cuda-*; do
    [[ -z $cs && -n $d && -x $d/bin/compute-sanitizer ]] && cs=$d/bin/compute-sanitizer
  done
  [[ -n $cs ]] || { echo "compute-sanitizer not found (PATH, \$CUDA_HOME/bin, /usr/local/cuda*/bin)"; return 1; }
  local exe=$1
  shift
  echo "== $cs --tool memcheck --error-exitcode 1 $exe $*"
  RMT_BINARY="$RMTBENCH" RMT_SOURCE_DIR="$ROOT" step_gtest_cmd "$cs" --tool memcheck --error-exitcode 1 --leak-check no "$exe" "$@"
}

step_gtest_cmd() {  # a test binary behind a wrapper (compute-sanitizer): same checks as step_gtest
  local log="$WORK/sanitizer_out.$$" rc=0
  "$@" --gtest_brief=1 >"$log" 2>&1 || rc=$?
  cat "$log"
  local passed skipped
  passed=$(count_gtest "$log" PASSED)
  skipped=$(count_gtest "$log" SKIPPED)
  rm -f "$log"
  echo "== exit $rc, passed $passed, skipped $skipped"
  [[ $rc -eq 0 && $passed -gt 0 && $skipped -eq 0 ]]
}

step_exit3() {  # step_exit3 N
  local rc=0
  "$RMTBENCH" run --backend "$BACKEND" --model mp --set "n=$1" --set c=1 --quiet --out "$WORK/exit3_run" \
    >"$WORK/exit3.out" 2>"$WORK/exit3.err" || rc=$?
  cat "$WORK/exit3.out" "$WORK/exit3.err"
  rm -f "$WORK/exit3.out"
  echo "== exit $rc"
  [[ $rc -eq 3 ]] || { echo "expected exit 3"; return 1; }
  grep -qi "bytes" "$WORK/exit3.err" || { echo "the message does not name the bytes"; return 1; }
}

step_ours() {  # step_ours MODEL PRECISION N REPEATS WARMUP
  local model=$1 prec=$2 n=$3 repeats=$4 warmup=$5 extra=()
  [[ $model == mp ]] && extra=(--set c=1)
  "$RMTBENCH" bench --backend "$BACKEND" --model "$model" "${extra[@]}" --n "$n" --precision "$prec" \
    --repeats "$repeats" --warmup "$warmup" --quiet --out "$WORK/ours_${model}_${prec}_${n}.json"
}

step_slq() {  # step_slq N STORAGE: an SLQ case must pass against Marchenko–Pastur; then its product rate
  local n=$1 storage=$2 out="$WORK/slq_${1}_${2}"
  "$RMTBENCH" run --model mp --set n="$n" --method slq --storage "$storage" --backend "$BACKEND" --no-sensitivity \
    --quiet --json --out "$out" | tee "$out.jsonl"
  grep -q '"verdict":"pass"' "$out.jsonl" || { echo "the SLQ case did not pass"; return 1; }
  "$RMTBENCH" bench --method slq --model mp --n "$n" --storage "$storage" --backend "$BACKEND" --repeats 3 \
    --quiet --out "$out.bench.json"
}

step_torch() {  # step_torch N REPEATS WARMUP PRECISIONS
  local device=cuda
  [[ $MODE == dry ]] && device=cpu
  python3 "$ROOT/bench/peers/torch_eigvalsh.py" --n "$1" --models mp,rf --c 1 --dtypes "$4" \
    --repeats "$2" --warmup "$3" --device "$device" | tee "$WORK/torch_$1.jsonl"
}

step_injected() {
  echo "injected failure (--fail-step / RMT_GPU_CHECK_FAIL_STEP)"
  return 1
}

if [[ ${1:-} == --step ]]; then
  shift
  read -r -a TEST_BINS <<<"${TEST_BINS_LIST:-}"
  name=$1
  shift
  "step_$name" "$@"
  exit
fi

# ---------------------------------------------------------------------------------------------
# Options.
usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d' | sed 's/^# \{0,1\}//'; }
mode=gpu bin_dir="" out=${OUT:-./gpu_results} budget="" sizes="" precisions=fp64,fp32 only=""
fail_step=${RMT_GPU_CHECK_FAIL_STEP:-}
while [[ $# -gt 0 ]]; do
  case $1 in
    --dry-run) mode=dry ;;
    --bin-dir) bin_dir=$2; shift ;;
    --out) out=$2; shift ;;
    --budget) budget=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --precisions) precisions=$2; shift ;;
    --only) only=$2; shift ;;
    --fail-step) fail_step=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gpu_check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ $mode == gpu ]]; then
  backend=cuda budget=${budget:-460} sizes=${sizes:-4096,16384,32768,65536} exit3_n=400000
else
  backend=cpu budget=${budget:-170} sizes=${sizes:-256,512,1024} exit3_n=9000000
fi
# Repeats per size: the largest size of the list gets one timed run and no per-size warm-up (the
# calibration has warmed the libraries up; at n = 65536 one fp64 run costs ~30 s); n >= 32768 gets
# warm-up + 2, the rest warm-up + 3.
largest=$(tr ',' '\n' <<<"$sizes" | sort -n | tail -1)
repeats_for() { if [[ $1 == "$largest" ]]; then echo "1 0"; elif (($1 >= 32768)); then echo "2 1"; else echo "3 1"; fi; }

root=$(cd "$(dirname "$self")/.." && pwd)
if [[ -n $bin_dir ]]; then
  bin_dir=$(cd "$bin_dir" && pwd)
else
  bin_dir=$root/bin
fi
rmtbench=$bin_dir/rmtbench
[[ -x $rmtbench ]] || { echo "gpu_check.sh: no rmtbench in $bin_dir (unpacked bundle: bin/ next to bench/; build tree: --bin-dir BUILD)" >&2; exit 2; }
shopt -s nullglob
test_bins=("$bin_dir"/test_cuda_* "$bin_dir"/tests/test_cuda_*)
# Backend-parameterised suites: only their /cuda instances are GPU tests.
param_bins=()
for t in test_backend test_backend_conformance test_precision; do param_bins+=("$bin_dir/$t" "$bin_dir/tests/$t"); done
shopt -u nullglob
tmp=()
for t in "${test_bins[@]}"; do [[ -x $t && -f $t && $t != *.* ]] && tmp+=("$t"); done
test_bins=("${tmp[@]}")
tmp=()
for t in "${param_bins[@]}"; do [[ -x $t && -f $t ]] && tmp+=("$t"); done
param_bins=("${tmp[@]}")

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu_check.XXXXXX")
mkdir -p "$work/logs"
export RMTBENCH=$rmtbench ROOT=$root WORK=$work MODE=$mode BACKEND=$backend TEST_BINS_LIST="${test_bins[*]} ${param_bins[*]}"
script_start=$(date +%s)
deadline=$((script_start + budget))
: >"$work/steps.tsv"
echo "gpu_check: mode $mode, backend $backend, bin $bin_dir, budget ${budget}s, out $out"

wanted() {
  [[ -z $only ]] && return 0
  local p
  for p in ${only//,/ }; do [[ $1 == "$p"* ]] && return 0; done
  return 1
}

record() {  # record NAME STATUS SECONDS NOTE COMMAND
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4//$'\t'/ }" "${5//$'\t'/ }" >>"$work/steps.tsv"
  printf 'gpu_check: %-42s %-7s %7ss  %s\n' "$1" "$2" "$3" "$4"
}

run_step() {  # run_step NAME LIMIT_S STEP [ARGS...]: `timeout` around `gpu_check.sh --step STEP ARGS`
  local name=$1 limit=$2 step=$3
  shift 3
  wanted "$name" || return 0
  local cmd
  cmd=$(describe "$step" "$@")
  local log="$work/logs/${name//[:=\/]/_}.log"
  local remaining=$((deadline - $(date +%s)))
  if ((remaining < 5)); then
    record "$name" fail 0 "not started: the ${budget}s budget is spent" "$cmd"
    return 0
  fi
  ((limit > remaining)) && limit=$remaining
  [[ $name == "$fail_step" ]] && step=injected
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  echo "== $name: $step $* (limit ${limit}s)" >"$log"
  timeout -k 10 "$limit" "$self" --step "$step" "$@" >>"$log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  local dur
  dur=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if ((rc == 0)); then
    record "$name" pass "$dur" "" "$cmd"
  elif ((rc == 124 || rc == 137)); then
    record "$name" fail "$dur" "timed out after ${limit}s" "$cmd"
  else
    record "$name" fail "$dur" "exit $rc: $(grep -v '^==' "$log" | tail -1 | cut -c1-160)" "$cmd"
  fi
}

describe() {  # the command a step runs, for summary.md
  local r=${rmtbench#"$root"/}
  case $1 in
    libraries) echo "ldd $r ${test_bins[*]##*/}" ;;
    devices) echo "nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm,power.limit --format=csv; $r devices --json" ;;
    gtest) echo "RMT_BINARY=$r RMT_SOURCE_DIR=$root ${2#"$root"/} --gtest_brief=1${3:+ $3}" ;;
    sanitizer) echo "compute-sanitizer --tool memcheck --error-exitcode 1 --leak-check no ${2#"$root"/} $3 --gtest_brief=1" ;;
    exit3) echo "$r run --backend $backend --model mp --set n=$2 --set c=1 --quiet  (expect exit 3, bytes named)" ;;
    ours) echo "$r bench --backend $backend --model $2$([[ $2 == mp ]] && echo ' --set c=1') --n $4 --precision $3 --repeats $5 --warmup $6 --quiet --out ours_$2_$3_$4.json" ;;
    torch) echo "python3 bench/peers/torch_eigvalsh.py --n $2 --models mp,rf --c 1 --dtypes $5 --repeats $3 --warmup $4 --device $([[ $mode == dry ]] && echo cpu || echo cuda)" ;;
    *) echo "$*" ;;
  esac
}

skip_step() {  # skip_step NAME NOTE
  wanted "$1" || return 0
  record "$1" skipped 0 "$2" ""
}

finished=0
finalize() {
  local failed
  failed=$(awk -F'\t' '$2 == "fail" {print $1}' "$work/steps.tsv" | tr '\n' ' ' | sed 's/ $//')
  local total=$(($(date +%s) - script_start))
  python3 - "$work" "$out" "$mode" "$total" "$bin_dir" <<'PYEOF' || summary_fallback "$failed" "$total"
import glob, json, os, sys, datetime
work, out, mode, total, bin_dir = sys.argv[1:6]
steps = []
for line in open(os.path.join(work, "steps.tsv")):
    name, status, secs, note, cmd = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
    steps.append({"name": name, "status": status, "seconds": float(secs or 0), "note": note, "command": cmd})
failed = [s["name"] for s in steps if s["status"] == "fail"]

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except Exception:
        return None

gpu = None
csv = os.path.join(work, "nvidia-smi.csv")
if os.path.exists(csv):
    lines = [l.strip() for l in open(csv) if l.strip()]
    if len(lines) >= 2:
        keys = [k.strip() for k in lines[0].split(",")]
        gpu = [dict(zip(keys, [v.strip() for v in l.split(",")])) for l in lines[1:]]
devices = load(os.path.join(work, "devices.json"))

ours, calib = {}, {}
for path in glob.glob(os.path.join(work, "ours_*.json")):
    d = load(path)
    if not d:
        continue
    for r in d.get("results", []):
        key = (r["model"], int(r["n"]), r.get("precision", d.get("precision", "fp64")))
        ours[key] = {"stages": r["stages"], "repeats": r.get("repeats"), "warmup": r.get("warmup"),
                     "rates": r.get("rates", {})}
        c = d.get("calibration", {})
        if c.get("gemm_size", 0) >= calib.get(key[2], {}).get("gemm_size", 0):
            calib[key[2]] = c
torch_r = {}
torch_version = None
for path in glob.glob(os.path.join(work, "torch_*.jsonl")):
    for line in open(path):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        torch_version = r.get("torch")
        torch_r[(r["model"], int(r["n"]), r["precision"])] = {"stages": r["stages"], "repeats": r.get("repeats"),
                                                              "warmup": r.get("warmup"), "device": r.get("device")}
rows = []
for key in sorted(set(ours) | set(torch_r), key=lambda k: (k[1], k[0], k[2])):
    o, t = ours.get(key), torch_r.get(key)
    row = {"model": key[0], "n": key[1], "precision": key[2], "ours": o, "torch": t}
    if o and t and o["stages"].get("total_s"):
        row["torch_over_ours"] = t["stages"]["total_s"] / o["stages"]["total_s"]
    rows.append(row)

summary = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "mode": "gpu" if mode == "gpu" else "dry-run (cpu backend)", "result": "FAIL" if failed else "PASS",
           "failed_steps": failed, "total_s": int(total), "bin_dir": bin_dir, "nvidia_smi": gpu, "devices": devices,
           "torch": torch_version, "steps": steps, "calibration": calib, "comparison": rows,
           "notes": ["times are medians after warm-up; total = sample + activation + gram + eig of one run",
                     "torch gram is X @ X.T, a full GEMM at twice SYRK's flops; TF32 off",
                     "torch_over_ours > 1: rmtbench is faster"]}
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
    f.write("\n")

def fmt(x):
    return "—" if x is None else (f"{x:.3g}" if x < 10 else f"{x:.1f}")

md = [f"# rmtbench device check — {summary['date']}", "",
      f"- mode: {summary['mode']}; result: **{summary['result']}**" + (f" (failed: {', '.join(failed)})" if failed else ""),
      f"- total: {int(total)} s; executables: `{bin_dir}`"]
if gpu:
    for g in gpu:
        md.append("- GPU: " + ", ".join(f"{k} {v}" for k, v in g.items()))
if isinstance(devices, list):
    for d in devices:
        md.append(f"- rmtbench device {d.get('backend')}: " + (f"{d.get('name')} ({d.get('details', '')})" if d.get("usable") else f"not usable: {d.get('reason', '')}"))
if torch_version:
    md.append(f"- torch {torch_version}")
md += ["", "## Steps", "", "| step | status | s | note |", "|---|---|---:|---|"]
md += [f"| {s['name']} | {s['status']} | {s['seconds']:.1f} | {s['note']} |" for s in steps]
md += ["", "## rmtbench vs PyTorch (medians in seconds, same device, interleaved per n)", "",
       "| model | n | prec | ours sample | ours act | ours gram | ours eig | **ours total** | torch sample | torch act | torch gram | torch eig | **torch total** | torch/ours | runs (warm-up + timed) |",
       "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
for r in rows:
    o = (r["ours"] or {}).get("stages", {})
    t = (r["torch"] or {}).get("stages", {})
    reps = r["ours"] or r["torch"]
    md.append(f"| {r['model']} | {r['n']} | {r['precision']} | " +
              " | ".join(fmt(o.get(k)) for k in ("sample_s", "activation_s", "gram_s")) + f" | {fmt(o.get('eig_s'))} | **{fmt(o.get('total_s'))}** | " +
              " | ".join(fmt(t.get(k)) for k in ("sample_s", "activation_s", "gram_s", "eig_s")) + f" | **{fmt(t.get('total_s'))}** | " +
              (f"{r['torch_over_ours']:.2f}" if "torch_over_ours" in r else "—") + f" | {reps.get('warmup')} + {reps.get('repeats')} |")
md += ["", "torch's gram is `X @ X.T`, a full GEMM at twice the flops of rmtbench's SYRK; TF32 is off in both. "
       "torch/ours > 1 means rmtbench is faster end to end (sample + activation + gram + eig)."]
if calib:
    md += ["", "## Calibration (rmtbench, same run)", "", "| prec | GEMM | m | GFLOP/s | sampling normals/s | copy GB/s |", "|---|---|---:|---:|---:|---:|"]
    for p, c in sorted(calib.items()):
        md.append(f"| {p} | {c.get('gemm')} | {c.get('gemm_size')} | {fmt(c.get('gemm_gflops'))} | {c.get('sample_normals_per_s', 0):.3g} | {fmt(c.get('copy_gbs'))} |")
md += ["", "## Commands (step: gpu_check.sh --step ...; logs in logs.tar.gz)", ""]
md += [f"- `{s['name']}`: `{s['command']}`" for s in steps if s["command"]]
with open(os.path.join(out, "summary.md"), "w") as f:
    f.write("\n".join(md) + "\n")
PYEOF
  # Logs and raw results in one tarball (each log capped at 4 MiB).
  local f
  for f in "$work"/logs/*.log; do
    if (($(stat -c %s "$f") > 4194304)); then tail -c 4194304 "$f" >"$f.tail" && mv "$f.tail" "$f"; fi
  done
  cp "$work"/steps.tsv "$work"/logs/ 2>/dev/null || true
  out_steps=$work/logs/steps.tsv
  cp "$work"/*.json "$work"/*.jsonl "$work"/*.csv "$work"/*.err "$work"/logs/ 2>/dev/null || true
  tar -C "$work" -czf "$out/logs.tar.gz" logs
  finished=1
  echo "gpu_check: wrote $out/summary.md, summary.json, logs.tar.gz (${total}s)"
  if [[ -n $failed ]]; then
    rm -rf "$work"
    echo "gpu_check: FAILED steps: $failed"
    return 1
  fi
  echo "gpu_check: all steps passed ($(awk -F'\t' '$2 == "pass"' "$out_steps" | wc -l) passed, $(awk -F'\t' '$2 == "skipped"' "$out_steps" | wc -l) skipped)"
  rm -rf "$work"
}

summary_fallback() {  # no python3: the step table only
  {
    echo "# rmtbench device check"
    echo
    echo "mode $mode, total $2 s, failed: ${1:-none} (python3 missing: no comparison table)"
    echo
    echo "| step | status | s | note |"
    echo "|---|---|---:|---|"
    awk -F'\t' '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' "$work/steps.tsv"
  } >"$out/summary.md"
  {
    printf '{"mode": "%s", "total_s": %s, "steps": [' "$mode" "$2"
    awk -F'\t' '{gsub(/["\\]/, "", $4); printf "%s{\"name\": \"%s\", \"status\": \"%s\", \"seconds\": %s, \"note\": \"%s\"}", (NR > 1 ? ", " : ""), $1, $2, $3, $4}' "$work/steps.tsv"
    printf ']}\n'
  } >"$out/summary.json"
}

on_exit() {  # an unexpected error in this script itself: still write the outputs, fail naming it
  local rc=$?
  if ((finished == 0)); then
    trap - EXIT
    record script fail 0 "internal error (exit $rc) in gpu_check.sh" ""
    finalize || true
    exit 1
  fi
}
trap on_exit EXIT

# ---------------------------------------------------------------------------------------------
# The steps, cheap and essential first; the benchmark last, largest size at the end.
run_step libraries 60 libraries
if [[ -s $work/extra_ld_path ]]; then
  LD_LIBRARY_PATH=$(paste -sd: "$work/extra_ld_path")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export LD_LIBRARY_PATH
  echo "gpu_check: LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
fi
run_step devices 60 devices
if ((${#test_bins[@]} == 0)); then
  wanted gtest && record gtest fail 0 "no test_cuda_* executable in $bin_dir" ""
fi
for t in "${test_bins[@]}"; do
  run_step "gtest:$(basename "$t")" 180 gtest "$t"
done
for t in "${param_bins[@]}"; do
  run_step "gtest:$(basename "$t")/cuda" 120 gtest "$t" "--gtest_filter=*/cuda"
done
sanitizer_filter='*SamplingMatchesCpu*:*GramMatchesCpu*:*EigenvaluesMatchCpu*:*ActivationsMatchCpu*'
if [[ $mode == dry ]]; then
  skip_step sanitizer "dry run"
else
  backend_test=""
  for t in "${test_bins[@]}"; do [[ $(basename "$t") == test_cuda_backend ]] && backend_test=$t; done
  run_step sanitizer 150 sanitizer "${backend_test:-$bin_dir/test_cuda_backend}" "--gtest_filter=$sanitizer_filter"
fi
run_step exit3 60 exit3 "$exit3_n"
# Matrix-free SLQ (README, "Large spectra"): mp at n = 10⁵ stored and 2·10⁵ regenerated on a GPU.
if [[ $mode == dry ]]; then slq_sizes="2000:stored 800:regenerate"; else slq_sizes="100000:stored 200000:regenerate"; fi
for entry in $slq_sizes; do
  run_step "slq:n=${entry%%:*}:${entry##*:}" 150 slq "${entry%%:*}" "${entry##*:}"
done

have_torch=1
if ! python3 -c 'import torch' >/dev/null 2>&1; then have_torch=0; fi
for n in ${sizes//,/ }; do
  read -r repeats warmup <<<"$(repeats_for "$n")"
  for prec in ${precisions//,/ }; do
    for model in mp rf; do
      run_step "ours:$model:$prec:n=$n" 240 ours "$model" "$prec" "$n" "$repeats" "$warmup"
    done
  done
  if ((have_torch)); then
    run_step "torch:n=$n" 300 torch "$n" "$repeats" "$warmup" "$precisions"
  elif [[ $mode == dry ]]; then
    skip_step "torch:n=$n" "no torch"
  else
    wanted "torch:n=$n" && record "torch:n=$n" fail 0 "python3 cannot import torch" ""
  fi
done

finalize_rc=0
finalize || finalize_rc=$?
exit $finalize_rc
