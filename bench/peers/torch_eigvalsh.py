#!/usr/bin/env python3
"""PyTorch peer of `rmtbench run --backend cuda --model mp --set n=N --set c=C`: sample X (p×n)
on the device, S = XX^T/n, torch.linalg.eigvalsh in fp64, with CUDA-synchronised stage timings.
Not part of the build or the tests. Usage: torch_eigvalsh.py N [C] [repeats]"""
import json
import sys
import time

import torch

n = int(sys.argv[1]) if len(sys.argv) > 1 else 16384
c = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 2
p = max(1, round(c * n))
dev = torch.device("cuda")
gen = torch.Generator(device=dev).manual_seed(42)


def timed(f):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    out = f()
    torch.cuda.synchronize()
    return out, time.perf_counter() - t0


runs = []
for r in range(repeats + 1):  # the first run warms up cuSOLVER/cuBLAS
    x, t_sample = timed(lambda: torch.randn(p, n, dtype=torch.float64, device=dev, generator=gen))
    s, t_gram = timed(lambda: (x @ x.T) / n)
    del x
    w, t_eig = timed(lambda: torch.linalg.eigvalsh(s))
    del s
    if r > 0:
        runs.append({"sample_s": t_sample, "gram_s": t_gram, "eig_s": t_eig,
                     "total_s": t_sample + t_gram + t_eig, "lambda_max": float(w[-1])})
print(json.dumps({"peer": "torch.linalg.eigvalsh", "torch": torch.__version__,
                  "device": torch.cuda.get_device_name(), "n": n, "p": p, "runs": runs}))
