#pragma once
// Data shared by the theory tests of random features: a Gaussian mixture drawn by a generator the
// Python oracle reproduces bit for bit, so golden values computed there apply to this very data.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace rmt::test_support {

// Deterministic Gaussian data reproducible in Python (the oracle runs on the same numbers):
// splitmix64 → u = ((k >> 11) + ½)·2⁻⁵³ → Box–Muller pairs (r cos 2πu₂, r sin 2πu₂).
//   M64 = (1 << 64) - 1
//   class SplitMix:
//       def __init__(self, seed): self.s = seed & M64
//       def next(self):
//           self.s = (self.s + 0x9E3779B97F4A7C15) & M64; z = self.s
//           z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64; z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
//           return z ^ (z >> 31)
//       def uniform(self): return ((self.next() >> 11) + 0.5) * 2.0**-53
//       def normals(self, count):
//           out = np.empty(count)
//           for i in range(0, count, 2):
//               u1 = self.uniform(); u2 = self.uniform(); r = np.sqrt(-2*np.log(u1))
//               out[i] = r*np.cos(2*np.pi*u2)
//               if i + 1 < count: out[i+1] = r*np.sin(2*np.pi*u2)
//           return out
//   def gmm(seed, p, n, mu0):
//       g = SplitMix(seed).normals(p*n).reshape(n, p).T
//       y = np.where(np.arange(n) < n//2, -1.0, 1.0); mu = np.zeros(p); mu[0] = mu0
//       return (g + np.outer(mu, y))/np.sqrt(p), y
struct Data {
  std::vector<double> x, y;
};

Data gmm(std::uint64_t seed, int p, int n, double mu0) {
  std::uint64_t state = seed;
  const auto next = [&] {
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  const auto uniform = [&] { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; };
  Data d;
  d.x.resize(static_cast<std::size_t>(p * n));
  for (std::size_t i = 0; i < d.x.size(); i += 2) {
    const double u1 = uniform(), u2 = uniform(), r = std::sqrt(-2 * std::log(u1));
    d.x[i] = r * std::cos(2 * std::numbers::pi * u2);
    if (i + 1 < d.x.size()) d.x[i + 1] = r * std::sin(2 * std::numbers::pi * u2);
  }
  for (int j = 0; j < n; ++j) {
    const double label = j < n / 2 ? -1.0 : 1.0;
    d.y.push_back(label);
    d.x[static_cast<std::size_t>(j * p)] += mu0 * label;
    for (int i = 0; i < p; ++i) d.x[static_cast<std::size_t>(i + j * p)] /= std::sqrt(p);
  }
  return d;
}

}  // namespace rmt::test_support
