#!/usr/bin/env bash
# A suite over MPI ranks or srun tasks (one GPU each), then a merge. Nothing here needs an MPI
# library: rmtbench reads the rank and size that the launcher exports and never communicates —
# every rank computes the same assignment of cases from the suite alone.
#
#   bench/slurm/mpirun.sh [SUITE.toml] [OUT_DIR] [RANKS]
#
# Variables read by --shard auto, in order: SLURM_ARRAY_TASK_ID/_MIN/_COUNT (job arrays),
# SLURM_PROCID/SLURM_NTASKS (srun), OMPI_COMM_WORLD_RANK/_SIZE (Open MPI's mpirun),
# PMI_RANK/PMI_SIZE (MPICH, Intel MPI). The GPU of a rank: CUDA_VISIBLE_DEVICES when the launcher
# sets it, otherwise device SLURM_LOCALID or OMPI_COMM_WORLD_LOCAL_RANK modulo the node's count.
set -euo pipefail

SUITE=${1:-bench/suites/nightly.toml}
OUT=${2:-results-mpi}
RANKS=${3:-4}
RMTBENCH=${RMTBENCH:-build/rmtbench}

run_status=0
if [ -n "${SLURM_JOB_ID:-}" ]; then
  # Inside an allocation (salloc/sbatch with --ntasks=RANKS --gpus-per-task=1): one task per shard.
  # --kill-on-bad-exit=0: a rank that exits 1 (a case failed its tolerance) must not stop the others.
  srun --ntasks="${RANKS}" --gpus-per-task=1 --kill-on-bad-exit=0 "${RMTBENCH}" run "${SUITE}" --shard auto --resume "${OUT}" || run_status=$?
else
  # Open MPI on one node or over a hostfile (add --hostfile FILE). As root add --allow-run-as-root;
  # with more ranks than cores add --oversubscribe. --bind-to none lets each rank's BLAS threads
  # spread; give each rank OMP_NUM_THREADS cores. Open MPI kills every rank when one exits non-zero
  # (here: exit 1 for a failed case) unless told not to; its exit code is then 0, and the merge's
  # exit code says whether every case passed.
  export OMPI_MCA_orte_abort_on_non_zero_status=0
  mpirun -np "${RANKS}" --bind-to none -x OMP_NUM_THREADS "${RMTBENCH}" run "${SUITE}" --shard auto \
         --resume "${OUT}" || run_status=$?
fi

# Exit 1 from the run means a case failed its tolerance (still merged); other codes are errors.
if [ "${run_status}" -gt 1 ]; then exit "${run_status}"; fi
exec "${RMTBENCH}" merge "${OUT}"
