"""rmtbench from Python, notebook style: a sampled Marchenko–Pastur spectrum against its law.

    python3 examples/quickstart.py [FIGURE.png]

Prints the law's support and the run's verdict and metrics, and saves a histogram of the eigenvalues with
the theoretical density over it (FIGURE, default quickstart.png) when matplotlib is installed.
"""
import sys

import numpy as np

import rmtbench

figure = sys.argv[1] if len(sys.argv) > 1 else "quickstart.png"

# The theory: S = X Xᵀ / n with X ∈ R^{p×n}, c = p/n = 0.5.
law = rmtbench.theory("mp", c=0.5)
(lo, hi), = law.support
print(f"Marchenko–Pastur c=0.5: support [{lo:.4f}, {hi:.4f}], density at 1 = {law.density([1.0])[0]:.6f}, "
      f"m(2+i) = {law.stieltjes([2 + 1j])[0]:.6f}")

# The measurement: one draw at n = 2000 on the CPU backend, judged against that law.
result = rmtbench.run("mp", c=0.5, n=2000, seed=1, backend="cpu")
m = result["metrics"]
print(f"verdict {result['verdict']}: ks {m['ks']:.4f}, w1 {m['w1']:.4f}, "
      f"{result.eigenvalues.size} eigenvalues in [{result.eigenvalues.min():.4f}, {result.eigenvalues.max():.4f}]")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no figure")
    sys.exit(0)

x = np.linspace(lo - 0.1, hi + 0.1, 400)
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.hist(result.eigenvalues, bins=60, density=True, color="#9ecae1", label=f"eigenvalues, n = {result['params']['n']}")
ax.plot(x, law.density(x), color="#08519c", lw=2, label="Marchenko–Pastur law")
ax.set_xlabel("eigenvalue")
ax.set_ylabel("density")
ax.set_title(f"mp, c = 0.5: KS {m['ks']:.3f}, verdict {result['verdict']}")
ax.legend()
fig.tight_layout()
fig.savefig(figure, dpi=120)
print(f"wrote {figure}")
