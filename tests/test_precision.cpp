// fp32 working precision: every backend operation in fp32 against the same operation in fp64 on
// the same backend (CPU always; CUDA when a device is usable), and whole cases in fp32 against fp64
// for the same seed. fp32 results are compared with bounds from the unit roundoff u = 2⁻²⁴, not
// with the fp64 tolerances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "bench/case.hpp"
#include "core/base/backend.hpp"
#include "core/base/error.hpp"
#include "support.hpp"

using namespace rmt;
using namespace rmt::test_support;

namespace {

constexpr double kU32 = 0x1p-24;  // fp32 unit roundoff
const StreamKey kKey{20261205, 0x5eed32u, 1, 0};

std::vector<std::string> registered_backends() {
  std::vector<std::string> names = {"cpu"};
  if (probe_cuda().usable) names.push_back("cuda");
  return names;
}

class PrecisionTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Backend> backend = select_backend(GetParam());

  // The same construction in both precisions: f() runs with the backend's working precision set.
  template <typename F>
  std::pair<std::vector<double>, std::vector<double>> both(F f) {
    std::vector<double> r64, r32;
    {
      const PrecisionScope s(*backend, Precision::fp64);
      Matrix m = f();
      EXPECT_EQ(m.precision(), Precision::fp64);
      r64 = backend->to_host(m);
    }
    {
      const PrecisionScope s(*backend, Precision::fp32);
      Matrix m = f();
      EXPECT_EQ(m.precision(), Precision::fp32);
      r32 = backend->to_host(m);
    }
    return {r64, r32};
  }
};

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (const double x : v) m = std::max(m, std::abs(x));
  return m;
}

// max_i |a_i - b_i| / max(1, max|a|).
double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double d = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d / std::max(1.0, max_abs(a));
}

std::vector<double> row_scale(index_t rows) {
  std::vector<double> s(static_cast<std::size_t>(rows));
  for (index_t i = 0; i < rows; ++i) s[static_cast<std::size_t>(i)] = 0.5 + 0.01 * static_cast<double>(i);
  return s;
}

}  // namespace

TEST_P(PrecisionTest, Fp32SampleIsTheFp64SampleRoundedOnce) {
  const index_t rows = 37, cols = 29;  // odd count: the last Box–Muller pair is split
  const auto scale = row_scale(rows);
  const auto [x64, x32] = both([&] { return backend->sample_gaussian(kKey, rows, cols, scale, 2 * 1001); });
  ASSERT_EQ(x64.size(), x32.size());
  for (std::size_t i = 0; i < x64.size(); ++i)
    ASSERT_EQ(x32[i], static_cast<double>(static_cast<float>(x64[i]))) << "element " << i;
}

TEST_P(PrecisionTest, Fp32ProductsMatchFp64WithinRoundoff) {
  const index_t m = 64, k = 150;
  const auto make = [&](std::uint32_t stream, index_t r, index_t c) {
    return backend->sample_gaussian({kKey.seed, kKey.case_key, 2, stream}, r, c);
  };
  // Each entry is a sum of k products of O(1) terms: error ≲ k·u·Σ|a||b| ≈ k·u·k; bound with √k
  // headroom against the O(√k) size of the entries.
  const double bound = 4.0 * static_cast<double>(k) * kU32 * std::sqrt(static_cast<double>(k));
  const auto [g64, g32] = both([&] { return backend->gram(make(0, m, k), 1.0 / static_cast<double>(k)); });
  EXPECT_LE(max_rel_diff(g64, g32) * max_abs(g64), bound / static_cast<double>(k));
  const auto [gc64, gc32] = both([&] { return backend->gram(make(0, k, m), 1.0, GramSide::cols); });
  EXPECT_LE(max_rel_diff(gc64, gc32) * std::max(1.0, max_abs(gc64)), bound);
  const auto [p64, p32] = both([&] { return backend->multiply(make(1, m, k), make(2, k, m), 1.0); });
  EXPECT_LE(max_rel_diff(p64, p32) * std::max(1.0, max_abs(p64)), bound);
  const auto [t64, t32] = both([&] { return backend->multiply_transposed(make(1, k, m), make(2, k, m), 1.0); });
  EXPECT_LE(max_rel_diff(t64, t32) * std::max(1.0, max_abs(t64)), bound);
  // And fp32 really is fp32: the products differ from fp64 (an fp64 computation would agree to 1e-15).
  EXPECT_GT(max_rel_diff(p64, p32), 1e-12);
}

TEST_P(PrecisionTest, Fp32ElementwiseOperationsMatchFp64WithinRoundoff) {
  const index_t n = 48;
  const auto x = [&](std::uint32_t stream) { return backend->sample_gaussian({kKey.seed, 7, 0, stream}, n, n); };
  const Activation relu{ActivationKind::relu};
  const Activation tanh_f{ActivationKind::tanh};
  // One fp32 rounding of the input and one of the result: ≤ 2u relative, a few u with the
  // activation's Lipschitz constant.
  const double bound = 8 * kU32;
  const auto check = [&](const char* what, auto f) {
    const auto [a64, a32] = both(f);
    EXPECT_LE(max_rel_diff(a64, a32), bound) << what;
  };
  check("activation", [&] { Matrix a = x(0); backend->apply_activation(a, tanh_f); return a; });
  check("derivative", [&] { Matrix a = x(0); backend->apply_derivative(a, tanh_f); return a; });
  check("relu", [&] { Matrix a = x(0); backend->apply_activation(a, relu); return a; });
  check("hadamard", [&] { Matrix a = x(0); backend->hadamard(a, x(1)); return a; });
  check("add_scaled", [&] { Matrix a = x(0); backend->add_scaled(a, x(1), -0.75); return a; });
  check("scale_rows", [&] { Matrix a = x(0); backend->scale_rows(a, row_scale(n)); return a; });
  check("set_diagonal", [&] { Matrix a = x(0); backend->set_diagonal(a, 2.5); return a; });
  check("row_block", [&] { return backend->row_block(x(0), 5, 31); });
  check("from_host", [&] {
    std::vector<double> v(static_cast<std::size_t>(n * n));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<double>(i));
    return backend->from_host(n, n, v);
  });
  for (const bool distance : {false, true}) {
    const auto [k64, k32] = both([&] {
      Matrix g = backend->gram(x(2), 1.0 / static_cast<double>(n));
      backend->apply_kernel(g, KernelFunction{KernelFunctionKind::gaussian}, distance);
      return g;
    });
    EXPECT_LE(max_rel_diff(k64, k32), 64 * kU32) << "apply_kernel distance=" << distance;
  }
}

TEST_P(PrecisionTest, Fp32EigenvaluesAndTopVectorsMatchFp64) {
  const index_t d = 200, k = 400;
  const auto wishart = [&] {
    Matrix x = backend->sample_gaussian({kKey.seed, 9, 0, 0}, d, k);
    backend->scale_rows(x, row_scale(d));  // distinct population scales: a spread spectrum
    return backend->gram(x, 1.0 / static_cast<double>(k));
  };
  std::vector<double> e64, e32;
  EigenPairs p64, p32;
  {
    const PrecisionScope s(*backend, Precision::fp64);
    Matrix a = wishart();
    e64 = backend->eigenvalues(a);
    Matrix b = wishart();
    p64 = backend->top_eigenpairs(b, 3);
  }
  {
    const PrecisionScope s(*backend, Precision::fp32);
    Matrix a = wishart();
    e32 = backend->eigenvalues(a);
    Matrix b = wishart();
    p32 = backend->top_eigenpairs(b, 3);
  }
  // Backward-stable solver on an fp32 matrix: |Δλ| ≲ d·u·‖A‖ at worst; observed ~√d·u·‖A‖.
  const double lmax = e64.back();
  EXPECT_LE(max_rel_diff(e64, e32) * std::max(1.0, lmax), static_cast<double>(d) * kU32 * lmax);
  EXPECT_TRUE(std::is_sorted(e32.begin(), e32.end()));
  EXPECT_LE(max_rel_diff(p64.values, p32.values) * std::max(1.0, lmax), static_cast<double>(d) * kU32 * lmax);
  ASSERT_EQ(p32.vectors.size(), static_cast<std::size_t>(d * 3));
  for (index_t j = 0; j < 3; ++j) {  // top eigenvectors agree up to sign
    double dot = 0;
    for (index_t i = 0; i < d; ++i)
      dot += p64.vectors[static_cast<std::size_t>(i + j * d)] * p32.vectors[static_cast<std::size_t>(i + j * d)];
    EXPECT_GT(std::abs(dot), 1 - 1e-3) << "eigenvector " << j;
  }
}

TEST_P(PrecisionTest, MixingPrecisionsIsAnError) {
  Matrix a64, a32;
  {
    const PrecisionScope s(*backend, Precision::fp64);
    a64 = backend->sample_gaussian(kKey, 8, 8);
  }
  {
    const PrecisionScope s(*backend, Precision::fp32);
    a32 = backend->sample_gaussian(kKey, 8, 8);
  }
  EXPECT_EQ(backend->precision(), Precision::fp64);  // the scopes restored it
  EXPECT_THROW(a32.data_as<double>(), Error);        // fp32 storage read as double
  EXPECT_THROW(backend->hadamard(a64, a32), Error);
  EXPECT_THROW(backend->multiply(a64, a32, 1.0), Error);
}

TEST_P(PrecisionTest, Fp32HalvesTheEigensolverWorkspace) {
  const index_t n = 2000;
  std::size_t w64 = 0, w32 = 0, top64 = 0, top32 = 0;
  {
    const PrecisionScope s(*backend, Precision::fp64);
    w64 = backend->eigensolver_workspace_bytes(n, 0);
    top64 = backend->eigensolver_workspace_bytes(n, 4);
  }
  {
    const PrecisionScope s(*backend, Precision::fp32);
    w32 = backend->eigensolver_workspace_bytes(n, 0);
    top32 = backend->eigensolver_workspace_bytes(n, 4);
  }
  EXPECT_GE(w64, static_cast<std::size_t>(n) * 8);  // at least the eigenvalue array
  EXPECT_LT(w32, w64);
  EXPECT_GE(top64, static_cast<std::size_t>(n) * n * 8);  // top_eigenpairs copies its input
  EXPECT_GE(top32, static_cast<std::size_t>(n) * n * 4);
  EXPECT_LT(top32, top64);
}

INSTANTIATE_TEST_SUITE_P(Backends, PrecisionTest, ::testing::ValuesIn(registered_backends()),
                         [](const auto& param_info) { return param_info.param; });

// ---------------------------------------------------------------------------------------------
// Whole cases: fp32 runs pass, and their metrics sit within a small fraction of the tolerance of
// the fp64 run with the same seed (the draw is the same matrix, rounded).

namespace {

bench::ResolvedCase make_case_in(std::string model, Assignments params, std::string precision) {
  bench::CaseSpec spec;
  spec.model = model;
  spec.name = model + "_" + precision;
  spec.params = std::move(params);
  spec.precision = std::move(precision);
  spec.seed = 2026;
  return bench::resolve_case(spec);
}

void expect_fp32_agrees(const std::string& model, const Assignments& params) {
  const auto r64 = run_on_cpu(make_case_in(model, params, "fp64"));
  const auto r32 = run_on_cpu(make_case_in(model, params, "fp32"));
  SCOPED_TRACE(model);
  EXPECT_EQ(r32["precision"], "fp32");
  EXPECT_EQ(r64["verdict"], "pass") << r64["metrics"].dump();
  EXPECT_EQ(r32["verdict"], "pass") << r32["metrics"].dump() << " tolerance " << r32["tolerance"].dump();
  for (const auto& [key, tol] : r64["tolerance"].items()) {
    ASSERT_TRUE(r32["metrics"].contains(key)) << key;
    const double diff = std::abs(r32["metrics"][key].get<double>() - r64["metrics"][key].get<double>());
    // A tenth of the fp64 tolerance: fp32 rounding must not use up the statistical budget.
    EXPECT_LE(diff, 0.1 * tol.get<double>()) << key << ": fp32 " << r32["metrics"][key] << ", fp64 "
                                             << r64["metrics"][key];
  }
  // The fp32 tolerances are the fp64 ones plus the rounding margin: never narrower.
  for (const auto& [key, tol] : r64["tolerance"].items()) EXPECT_GE(r32["tolerance"][key].get<double>(), tol.get<double>()) << key;
}

}  // namespace

TEST(Fp32Cases, MarchenkoPasturMatchesFp64) { expect_fp32_agrees("mp", {{"n", "800"}, {"c", "0.5"}}); }

TEST(Fp32Cases, MarchenkoPasturAtomSnapsInFp32) {
  // c = 2: half the eigenvalues are the atom at 0, which fp32 spreads to ~1e-6 (snap at 1e-4).
  expect_fp32_agrees("mp", {{"n", "600"}, {"c", "2.0"}, {"sigma2", "2.0"}});
}

TEST(Fp32Cases, RandomFeaturesMatchFp64) {
  expect_fp32_agrees("rf", {{"n", "600"}, {"phi", "0.5"}, {"psi", "0.8"}, {"activation", "relu"}});
}

TEST(Fp32Cases, ConjugateKernelMatchesFp64) {
  expect_fp32_agrees("ck", {{"n", "500"}, {"gamma0", "0.667"}, {"gammas", "0.8,1.25"}, {"activation", "relu"}});
}

TEST(Fp32Cases, CurveModelsRefuseFp32) {
  EXPECT_THROW(make_case_in("ridge", {}, "fp32"), InputError);
  EXPECT_THROW(make_case_in("mp", {}, "fp16"), InputError);
  const auto r = rmtbench("run --backend cpu --model ridge --precision fp32 --quiet --out " +
                          (std::filesystem::temp_directory_path() / ("rmt_fp32_refuse_" + std::to_string(getpid()))).string());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("needs fp64"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one clear line
}

TEST(Fp32Cases, CommandLineRunRecordsFp32) {
  const auto dir = std::filesystem::temp_directory_path() / ("rmt_fp32_run_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const auto r = rmtbench("run --backend cpu --model mp --set n=300 --precision fp32 --quiet --out " + dir.string());
  EXPECT_EQ(r.code, 0) << r.err;
  const auto records = slurp(dir / "results.jsonl");
  EXPECT_NE(records.find("\"precision\":\"fp32\""), std::string::npos) << records;
  std::filesystem::remove_all(dir);
}
