#!/usr/bin/env python3
"""Peer timing for the CPU eigen phase: numpy.linalg.eigvalsh (LAPACK syevd, values only) on a
sample covariance S = XX^T/n of the same size as `rmtbench run --model mp --set c=1 --set n=N`.
Not part of the build or the tests. Usage: numpy_eigvalsh.py N [repeats]"""
import json
import sys
import time

import numpy as np

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
rng = np.random.default_rng(42)
x = rng.standard_normal((n, n))
s = x @ x.T / n
times = []
for _ in range(repeats):
    a = s.copy()
    t0 = time.perf_counter()
    w = np.linalg.eigvalsh(a)
    times.append(time.perf_counter() - t0)
print(json.dumps({"peer": "numpy.linalg.eigvalsh", "numpy": np.__version__, "n": n,
                  "eig_s_best": min(times), "eig_s_all": times, "lambda_max": float(w[-1])}))
