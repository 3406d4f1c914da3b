#!/usr/bin/env bash
# `rmtbench run --method distributed` end to end under mpirun (ctest mpi_distributed_cli): rank 0 writes
# one record with method "distributed", the grid of the ranks and a verdict; the other ranks write
# nothing; spiked outliers are measured by position only; bad input exits 2 on every rank.
# Usage: check_distributed_cli.sh RMTBENCH MPIEXEC WORKDIR
set -euo pipefail
bin="$1"; mpiexec="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
fail() { echo "check_distributed_cli: $*" >&2; exit 1; }

"$mpiexec" -n 2 "$bin" run --model spiked --set n=600 --method distributed --eigensolver pdsyevr --block 32 \
  --no-sensitivity --quiet --json --out "$work/spiked" > "$work/spiked.out"
[ "$(wc -l < "$work/spiked.out")" -eq 1 ] || fail "expected one record on stdout (rank 0 only), got $(wc -l < "$work/spiked.out") lines"
record="$(cat "$work/spiked/results.jsonl")"
for want in '"method":"distributed"' '"ranks":2' '"grid":[1,2]' '"solver":"pdsyevr"' '"block":32' \
            '"outlier_position_error"' '"verdict":"pass"' '--method distributed --eigensolver pdsyevr --block 32'; do
  grep -qF -- "$want" <<< "$record" || fail "record lacks $want: $record"
done
if grep -qF '"outlier_alignment_error"' <<< "$record"; then fail "eigenvalues only: no alignment metric expected"; fi
[ -f "$work/spiked/report.html" ] || fail "no report"

"$mpiexec" -n 2 "$bin" run --model rf --set n=500 --method distributed --no-sensitivity --quiet --json \
  --out "$work/rf" > /dev/null
grep -qF '"solver":"elpa"' "$work/rf/results.jsonl" || fail "rf record without the default solver elpa"
grep -qF '"verdict":"pass"' "$work/rf/results.jsonl" || fail "rf under ELPA did not pass: $(cat "$work/rf/results.jsonl")"

set +e
"$mpiexec" -n 2 "$bin" run --model kernel --set n=200 --method distributed --quiet --out "$work/bad" 2> "$work/bad.err"
status=$?
set -e
[ "$status" -eq 2 ] || fail "kernel with method distributed: exit $status, expected 2"
grep -q 'method = distributed needs' "$work/bad.err" || fail "no clear message: $(cat "$work/bad.err")"
echo "check_distributed_cli: ok"
