#!/usr/bin/env bash
# method = distributed against the dense path, mp (c = 0.5: the Gram matrix is (n/2) × (n/2)), one
# replicate, on this 2-core machine. Usage: measure.sh BUILD_DIR OUT_DIR N...
# Dense: the CPU backend with both cores (OpenBLAS threads). Distributed: mpirun -np P, one OpenBLAS
# thread per rank (P = 4 oversubscribes the 2 cores).
set -euo pipefail
build="$1"; out="$2"; shift 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
common=(run --model mp --set c=0.5 --seed 1 --replicates 1 --no-sensitivity --quiet --json)
for n in "$@"; do
  "$build/rmtbench" "${common[@]}" --set n="$n" --backend cpu --out "$out/dense-$n" > /dev/null || true
  for p in 1 2 4; do
    for solver in elpa pdsyevr; do
      OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 mpirun -np "$p" -x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS \
        "$build/rmtbench" "${common[@]}" --set n="$n" --method distributed --eigensolver "$solver" \
        --out "$out/dist-$n-np$p-$solver" > /dev/null || true
    done
  done
done
