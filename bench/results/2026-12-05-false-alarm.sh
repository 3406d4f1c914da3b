#!/usr/bin/env bash
# False alarms of the calibrated tolerances (bench/results/2026-12-05-false-alarm.md): runs default-suite
# spectral cases through the normal verdict path (`rmtbench run`), one replicate per fresh seed (not the
# calibration seeds 1000-1199), and appends the verdict, metrics, tolerances and tolerance_source of
# every record to RAW (one JSON line per case and seed; the theory and eigenvalue blocks are dropped).
#
#   bench/results/2026-12-05-false-alarm.sh BIN FIRST_SEED SEEDS RAW CASE...
#   bench/results/2026-12-05-false-alarm.sh --summary RAW...      # counts per case (markdown)
#   RUN_ARGS="--no-sensitivity" bench/results/2026-12-05-false-alarm.sh ...   # extra `run` arguments
set -euo pipefail
if [[ "${1:-}" == "--summary" ]]; then
  shift
  python3 - "$@" <<'PY'
import json, sys, collections
per = collections.defaultdict(lambda: {"n": 0, "fail": 0, "metric_fail": collections.Counter(), "src": set(), "d": None, "seeds": set()})
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        c = per[r["case"]]
        c["n"] += 1; c["seeds"].add(r["seed"]); c["d"] = r["size"]["eig_dim"]; c["src"].add(r.get("tolerance_source", "?"))
        if r["verdict"] != "pass":
            c["fail"] += 1
            for k, tol in r["tolerance"].items():
                v = r["metrics"].get(k)
                if v is None or not abs(v) <= tol: c["metric_fail"][k] += 1
# RULE=results.jsonl of a run before calibration (its tolerances are the size rule): how many of the
# same draws the rule would have failed.
import os
rule = {}
if os.environ.get("RULE"):
    for line in open(os.environ["RULE"]):
        r = json.loads(line)
        if "ks" in r.get("metrics", {}): rule[r["case"]] = r["tolerance"]
rule_fail = collections.Counter()
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        tol = rule.get(r["case"])
        if tol and any(not abs(r["metrics"].get(k, float("nan"))) <= t for k, t in tol.items()): rule_fail[r["case"]] += 1
print("| case | d | seeds | FAIL | failing metrics | tolerance_source | FAIL under the size rule |")
print("|---|---|---|---|---|---|---|")
tot = fails = 0
for name, c in per.items():
    tot += c["n"]; fails += c["fail"]
    mf = ", ".join(f"{k} ×{n}" for k, n in c["metric_fail"].items()) or "-"
    print(f"| {name} | {c['d']} | {c['n']} ({min(c['seeds'])}–{max(c['seeds'])}) | {c['fail']} | {mf} | {', '.join(sorted(c['src']))} | {rule_fail[name] if rule else '-'} |")
print(f"\nTotal: {fails} FAIL in {tot} case runs.")
PY
  exit 0
fi
bin=$1 first=$2 seeds=$3 raw=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((s = first; s < first + seeds; ++s)); do
  "$bin" run --case "$@" --seed "$s" --replicates 1 --backend cpu --json --quiet ${RUN_ARGS:-} --out "$tmp/run" > "$tmp/out.jsonl" || true
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    keep = {k: r[k] for k in ("case", "seed", "size", "verdict", "metrics", "tolerance", "tolerance_source") if k in r}
    print(json.dumps(keep))
' "$tmp/out.jsonl" >> "$raw"
  rm -rf "$tmp/run"
  echo "seed $s done ($(wc -l < "$raw") records)" >&2
done
