#!/usr/bin/env bash
# CPU eigen phase against numpy.linalg.eigvalsh (same LAPACK algorithm class: syevd, values only),
# interleaved in one run on the same machine. Usage: bench/cpu_vs_numpy.sh [N] [repeats] [rmtbench]
set -euo pipefail
n=${1:-3000}
repeats=${2:-5}
bin=${3:-build/rmtbench}
here=$(dirname "$0")
ours=()
peer=()
for _ in $(seq "$repeats"); do
  ours+=("$("$bin" run --backend cpu --model mp --set n="$n" --set c=1 --json --quiet --out "$(mktemp -d)" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["timing"]["eig_s"])')")
  peer+=("$(python3 "$here/peers/numpy_eigvalsh.py" "$n" 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["eig_s_best"])')")
done
python3 - "$n" "${ours[*]}" "${peer[*]}" <<'PY'
import statistics, sys
n, ours, peer = int(sys.argv[1]), list(map(float, sys.argv[2].split())), list(map(float, sys.argv[3].split()))
mo, mp = statistics.median(ours), statistics.median(peer)
print(f"n={n} (p = n = {n}, S = XX^T/n), {len(ours)} interleaved runs")
print(f"rmtbench cpu eig_s   median {mo:.3f}  min {min(ours):.3f}  all {' '.join(f'{t:.3f}' for t in ours)}")
print(f"numpy eigvalsh eig_s median {mp:.3f}  min {min(peer):.3f}  all {' '.join(f'{t:.3f}' for t in peer)}")
print(f"ratio rmtbench/numpy (median) {mo / mp:.2f}")
PY
