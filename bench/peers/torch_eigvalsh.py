#!/usr/bin/env python3
"""PyTorch peer of `rmtbench bench --model mp|rf`: the same matrices, sampled and decomposed on the
same device with torch, timed stage by stage (CUDA-synchronised) after a warm-up; medians.

  mp: X ~ N(0,1)^{p x n}, p = round(c n), S = X X^T / n, torch.linalg.eigvalsh(S)
  rf: W ~ N(0,1)^{N x p}, X ~ N(0,1)^{p x n}, p = round(phi n), N = round(p / psi),
      Y = relu(W X / sqrt(p)) - 1/sqrt(2 pi) (centred ReLU), M = Y Y^T / n, eigvalsh(M)

Note: `X @ X.T` is a full GEMM, 2 p^2 n FLOP, twice the p^2 n of the SYRK rmtbench runs (cuBLAS
has no SYRK entry point in torch). TF32 is off for matmuls (torch's default) so fp32 is true fp32.

Prints one JSON object per (model, dtype, n) on stdout, in the order run. Not part of the build.

Usage: torch_eigvalsh.py --n 4096[,16384,...] [--models mp,rf] [--c 1] [--phi 0.5] [--psi 0.8]
                         [--dtypes fp64,fp32] [--repeats 3] [--warmup 1] [--device cuda|cpu]
"""
import argparse
import json
import math
import statistics
import sys
import time

try:
    import torch
except ImportError as e:  # the caller (bench/gpu_check.sh) reports it
    print(f"torch_eigvalsh.py: cannot import torch: {e}", file=sys.stderr)
    sys.exit(4)

GRAM_NOTE = "X @ X.T: full GEMM, 2*p^2*n FLOP (twice SYRK's p^2*n)"


def parse_args():
    a = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    a.add_argument("--n", required=True, help="sizes n, comma-separated")
    a.add_argument("--models", default="mp", help="mp,rf")
    a.add_argument("--c", type=float, default=1.0, help="mp: p/n")
    a.add_argument("--phi", type=float, default=0.5, help="rf: p/n")
    a.add_argument("--psi", type=float, default=0.8, help="rf: p/N")
    a.add_argument("--dtypes", default="fp64", help="fp64,fp32")
    a.add_argument("--repeats", type=int, default=3, help="timed runs (median)")
    a.add_argument("--warmup", type=int, default=1, help="untimed runs at the full size first")
    a.add_argument("--device", default="cuda", help="cuda|cpu")
    a.add_argument("--seed", type=int, default=42)
    return a.parse_args()


def main():
    args = parse_args()
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        print("torch_eigvalsh.py: torch sees no CUDA device", file=sys.stderr)
        sys.exit(4)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    gen = torch.Generator(device=dev).manual_seed(args.seed)
    dtypes = {"fp64": torch.float64, "fp32": torch.float32}
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    device_name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"

    def timed(f):
        sync()
        t0 = time.perf_counter()
        out = f()
        sync()
        return out, time.perf_counter() - t0

    def run(model, n, dtype):
        """One pipeline; returns stage times and the largest eigenvalue."""
        t = {"sample_s": 0.0, "activation_s": 0.0, "gram_s": 0.0, "eig_s": 0.0}
        if model == "mp":
            p = max(1, round(args.c * n))
            x, t["sample_s"] = timed(lambda: torch.randn(p, n, dtype=dtype, device=dev, generator=gen))
        else:
            p = max(1, round(args.phi * n))
            features = max(1, round(p / args.psi))
            w, tw = timed(lambda: torch.randn(features, p, dtype=dtype, device=dev, generator=gen))
            xx, tx = timed(lambda: torch.randn(p, n, dtype=dtype, device=dev, generator=gen))
            t["sample_s"] = tw + tx
            shift = 1.0 / math.sqrt(2 * math.pi)
            x, t["activation_s"] = timed(lambda: torch.relu_(torch.mm(w, xx).div_(math.sqrt(p))).sub_(shift))
            del w, xx
        s, t["gram_s"] = timed(lambda: torch.mm(x, x.T).div_(n))  # in place: no third n×n buffer
        del x
        ev, t["eig_s"] = timed(lambda: torch.linalg.eigvalsh(s))
        del s
        lam = float(ev[-1])
        del ev
        return t, lam

    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in ("mp", "rf"):
            sys.exit(f"torch_eigvalsh.py: unknown model {m} (mp|rf)")
    sizes = [int(v) for v in args.n.split(",") if v]
    for dname in [d for d in args.dtypes.split(",") if d]:
        dtype = dtypes[dname]
        for model in models:
            run(model, min(1024, min(sizes)), dtype)  # library initialisation, kernels
    for n in sizes:
        for dname in [d for d in args.dtypes.split(",") if d]:
            dtype = dtypes[dname]
            for model in models:
                for _ in range(args.warmup):
                    run(model, n, dtype)
                runs = []
                lam = 0.0
                for _ in range(args.repeats):
                    t, lam = run(model, n, dtype)
                    t["total_s"] = sum(t.values())
                    runs.append(t)
                stages = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(json.dumps({"peer": "torch.linalg.eigvalsh", "torch": torch.__version__,
                                  "device": device_name, "model": model, "n": n, "precision": dname,
                                  "repeats": args.repeats, "warmup": args.warmup, "stages": stages,
                                  "runs": runs, "lambda_max": lam, "gram_note": GRAM_NOTE}), flush=True)
                if dev.type == "cuda":
                    torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
