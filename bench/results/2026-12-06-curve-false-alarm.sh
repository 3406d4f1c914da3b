#!/bin/bash
# False alarms of the calibrated learning curves (bench/calibration/curves.json): the correct law of the
# default suite's two calibrated curves at fresh seeds (the calibration used seed 90001), each record
# through `rmtbench run` with the default suite's replicates (10 and 8), --no-sensitivity.
#   ridge_lambda_curve: seeds 1–1000 (≈ 0.5 s each); rf_ridge_double_descent: seeds 1–200 (≈ 2–6 s each).
# Summary: python3 bench/results/2026-12-06-curve-false-alarm.py OUT [--trim]
set -e
BIN=${1:-build/rmtbench}; OUT=${2:-curve-false-alarm}; mkdir -p "$OUT"
for s in $(seq 1 1000); do
  "$BIN" run --case ridge_lambda_curve --seed $s --backend cpu --no-sensitivity --json --quiet --out "$OUT/run" >> "$OUT/ridge_lambda_curve.jsonl"
done
for s in $(seq 1 200); do
  "$BIN" run --case rf_ridge_double_descent --seed $s --backend cpu --no-sensitivity --json --quiet --out "$OUT/run" >> "$OUT/rf_ridge_double_descent.jsonl"
done
