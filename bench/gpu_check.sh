#!/usr/bin/env bash
# The prepared device script (one run on a GPU machine): build with CUDA for sm_90, run every test
# including the CUDA ones, then time `rmtbench run --backend cuda` on MP n=16384 c=1 against the
# PyTorch peer in fp64 on the same device. Results go to $OUT (or ./gpu_results).
set -uo pipefail
out=${OUT:-gpu_results}
mkdir -p "$out"
exec > >(tee "$out/gpu_check.log") 2>&1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/device.csv"
cmake --preset cuda-gpu >/dev/null && cmake --build --preset cuda-gpu -j "$(nproc)" || exit 1
bin=build/cuda-gpu/rmtbench
"$bin" devices --json >"$out/devices.json"
(cd build/cuda-gpu && ctest --output-on-failure -j 4) | tee "$out/ctest.log"
for n in 4096 16384; do
  "$bin" run --backend cuda --model mp --set n=$n --set c=1 --json --quiet --out "$out/run_$n" >"$out/rmtbench_mp_$n.json"
  "$bin" run --backend cuda --model mp --set n=$n --set c=1 --replicates 2 --json --quiet --out "$out/run2_$n" >"$out/rmtbench_mp_${n}_r2.json"
done
for model in rf ck ntk; do
  "$bin" run --backend cuda --model $model --set n=8192 --json --quiet --out "$out/run_$model" >"$out/rmtbench_${model}_8192.json"
  "$bin" run --backend cpu --model $model --set n=2048 --json --quiet --out "$out/cpu_$model" >"$out/rmtbench_${model}_2048_cpu.json"
done
python3 bench/peers/torch_eigvalsh.py 16384 1 2 >"$out/torch_mp_16384.json" 2>"$out/torch.err" ||
  echo "torch peer unavailable: $(tail -1 "$out/torch.err")"
echo "done"
