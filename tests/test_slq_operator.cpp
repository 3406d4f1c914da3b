// Matrix-free Gram operators of the spectral models (method = slq, issue 14) on the CPU backend:
// for every model with features, the operator applied to the identity is the matrix `sample` forms
// (same eigenvalues to ~1e-9 relative), stored and regenerated products agree (~1e-12) whatever the
// tile (ragged tiles included), models without features refuse; the Backend column operations
// (sample_rademacher, column_dots, add_scaled_columns, scale_columns): the CPU overrides against
// the host defaults of core/base/backend_columns.cpp. The CUDA side: test_cuda_slq_operator.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bench/case.hpp"
#include "core/base/error.hpp"
#include "core/base/philox.hpp"
#include "core/slq/linear_operator.hpp"
#include "support.hpp"

using namespace rmt;
using namespace rmt::bench;

namespace {

StreamKey key_of(const ResolvedCase& c, std::uint32_t replicate = 1) { return {2026, c.case_key, replicate, 0}; }

// The dim × dim matrix of an operator: its product with the identity.
std::vector<double> operator_matrix(Backend& backend, LinearOperator& op) {
  const index_t n = op.dim();
  std::vector<double> id(static_cast<std::size_t>(n * n), 0.0);
  for (index_t i = 0; i < n; ++i) id[static_cast<std::size_t>(i + i * n)] = 1.0;
  const Matrix v = backend.from_host(n, n, id);
  Matrix y;
  op.apply(v, y);
  EXPECT_EQ(y.rows(), n);
  EXPECT_EQ(y.cols(), n);
  EXPECT_EQ(op.matvecs(), static_cast<std::uint64_t>(n));
  return backend.to_host(y);
}

// Eigenvalues (ascending) of the symmetric part of a host matrix, by the backend.
std::vector<double> symmetric_eigenvalues_of(Backend& backend, std::vector<double> a, index_t n) {
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < j; ++i) {
      const double m = 0.5 * (a[static_cast<std::size_t>(i + j * n)] + a[static_cast<std::size_t>(j + i * n)]);
      a[static_cast<std::size_t>(i + j * n)] = a[static_cast<std::size_t>(j + i * n)] = m;
    }
  Matrix m = backend.from_host(n, n, a);
  return backend.eigenvalues(m);
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (const double x : v) m = std::max(m, std::abs(x));
  return m;
}

struct ModelCase {
  std::string model;
  Assignments params;
};

void PrintTo(const ModelCase& m, std::ostream* os) {
  *os << m.model;
  for (const auto& [k, v] : m.params) *os << " " << k << "=" << v;
}

std::string case_name(const ::testing::TestParamInfo<ModelCase>& info) {
  std::string name = info.param.model + "_" + std::to_string(info.index);
  for (auto& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

class GramOperators : public ::testing::TestWithParam<ModelCase> {};

}  // namespace

// Odd sizes throughout; tile 6 does not divide any of the column counts.
TEST_P(GramOperators, IdentityProductHasTheDenseSpectrum) {
  const auto c = test_support::make_case(GetParam().model, GetParam().params);
  ASSERT_TRUE(c.model->has_gram_features(c.params));
  auto backend = make_cpu_backend();
  const StreamKey key = key_of(c);
  StageTimes t;
  auto dense = c.model->sample(*backend, c.params, key, t).eigenvalues;
  std::sort(dense.begin(), dense.end());
  const Sizes s = c.model->sizes(c.params);
  ASSERT_EQ(static_cast<index_t>(dense.size()), s.eig_dim);
  const double scale = max_abs(dense);

  std::vector<std::vector<double>> products;
  for (const auto storage : {OperatorStorage::stored, OperatorStorage::regenerate}) {
    for (const index_t tile : {index_t{6}, index_t{0}}) {
      if (storage == OperatorStorage::stored && tile == 0) continue;
      SCOPED_TRACE(std::string(to_string(storage)) + ", tile " + std::to_string(tile));
      auto g = c.model->gram_features(*backend, c.params, key);
      ASSERT_TRUE(g.features);
      const index_t dim = g.side == GramSide::rows ? g.features->rows() : g.features->cols();
      ASSERT_EQ(dim, s.eig_dim);
      auto op = make_gram_operator(*backend, std::move(g.features), g.alpha, g.side, storage, tile);
      ASSERT_EQ(op->dim(), s.eig_dim);
      auto product = operator_matrix(*backend, *op);
      const auto values = symmetric_eigenvalues_of(*backend, product, dim);
      ASSERT_EQ(values.size(), dense.size());
      double worst = 0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        ASSERT_NEAR(values[i], dense[i], 1e-9 * scale) << "eigenvalue " << i << " of " << values.size();
        worst = std::max(worst, std::abs(values[i] - dense[i]) / scale);
      }
      std::printf("%-12s %-10s tile %2lld: max |λ − λ_dense| / max |λ| = %.2e\n", GetParam().model.c_str(),
                  std::string(to_string(storage)).c_str(), static_cast<long long>(tile), worst);
      products.push_back(std::move(product));
    }
  }
  // Stored against regenerated products (tile 6 and the default tile).
  const double pscale = max_abs(products.front());
  for (std::size_t k = 1; k < products.size(); ++k)
    for (std::size_t e = 0; e < products[k].size(); ++e)
      ASSERT_NEAR(products[k][e], products.front()[e], 1e-12 * pscale) << "product " << k << ", element " << e;
}

// Tiles of F agree with F formed whole whatever the split (even starts).
TEST_P(GramOperators, ColumnTilesAreBlocksOfTheWholeFeatureMatrix) {
  const auto c = test_support::make_case(GetParam().model, GetParam().params);
  auto backend = make_cpu_backend();
  auto g = c.model->gram_features(*backend, c.params, key_of(c));
  const index_t rows = g.features->rows(), cols = g.features->cols();
  const auto whole = backend->to_host(g.features->columns(*backend, 0, cols));
  const double scale = max_abs(whole);
  for (const index_t tile : {index_t{2}, index_t{4}, index_t{10}}) {
    for (index_t c0 = 0; c0 < cols; c0 += tile) {
      const index_t c1 = std::min(cols, c0 + tile);
      const auto part = backend->to_host(g.features->columns(*backend, c0, c1));
      ASSERT_EQ(part.size(), static_cast<std::size_t>(rows * (c1 - c0)));
      for (std::size_t e = 0; e < part.size(); ++e)
        ASSERT_NEAR(part[e], whole[static_cast<std::size_t>(c0 * rows) + e], 1e-12 * scale)
            << "tile " << tile << ", columns [" << c0 << ", " << c1 << "), element " << e;
    }
  }
}

// The operator's elements: kept + one call's tile; stored counts F whole, so it is the larger.
TEST_P(GramOperators, OperatorElementsGrowWithTheTile) {
  const auto c = test_support::make_case(GetParam().model, GetParam().params);
  const auto stored = c.model->slq_operator_elements(c.params, OperatorStorage::stored, 0);
  const auto small = c.model->slq_operator_elements(c.params, OperatorStorage::regenerate, 2);
  const auto six = c.model->slq_operator_elements(c.params, OperatorStorage::regenerate, 6);
  const auto odd = c.model->slq_operator_elements(c.params, OperatorStorage::regenerate, 5);  // rounded up to 6
  EXPECT_GT(small, 0u);
  EXPECT_LT(small, six);
  EXPECT_LT(six, stored);
  EXPECT_EQ(odd, six);
  // A tile past the columns is all of them: the stored count.
  EXPECT_EQ(c.model->slq_operator_elements(c.params, OperatorStorage::regenerate, 1000000), stored);
}

INSTANTIATE_TEST_SUITE_P(
    Models, GramOperators,
    ::testing::Values(ModelCase{"mp", {{"n", "41"}, {"c", "0.7"}, {"sigma2", "2"}}},
                      ModelCase{"mp", {{"n", "37"}, {"c", "1.6"}}},  // p > n
                      ModelCase{"silverstein", {{"n", "43"}, {"c", "0.6"}}},
                      ModelCase{"spiked", {{"n", "45"}, {"spikes", "1,3"}}},
                      ModelCase{"rf", {{"n", "37"}, {"phi", "0.9"}, {"psi", "0.8"}, {"activation", "tanh"}}},
                      ModelCase{"rf", {{"n", "39"}, {"centred", "0"}, {"activation", "relu"}}},
                      ModelCase{"llc_gram", {{"n", "39"}, {"data", "gmm"}}},
                      ModelCase{"llc_gram", {{"n", "41"}, {"data", "sphere"}, {"activation", "erf"}}},
                      ModelCase{"rff", {{"n", "41"}}},
                      ModelCase{"rff", {{"n", "37"}, {"data", "gmm"}, {"features", "0.7"}}},
                      ModelCase{"ck", {{"n", "47"}, {"gammas", "0.8,1.25"}}},
                      ModelCase{"ck", {{"n", "53"}, {"gammas", "0.9,1.1,1.3"}, {"activation", "tanh"}}},
                      ModelCase{"deep_ntk", {{"n", "43"}, {"kernel", "linearised"}}},
                      ModelCase{"deep_ntk", {{"n", "61"}, {"kernel", "linearised"}, {"gammas", "0.8,1.25,1"}, {"activation", "relu"}}}),
    case_name);

TEST(GramFeatures, ModelsWithoutAProductRefuse) {
  auto backend = make_cpu_backend();
  for (const std::string name : {"kernel", "ntk", "kernel_el_karoui"}) {
    SCOPED_TRACE(name);
    const auto c = test_support::make_case(name, {{"n", "41"}});
    EXPECT_FALSE(c.model->has_gram_features(c.params));
    EXPECT_THROW(c.model->gram_features(*backend, c.params, key_of(c)), InputError);
    EXPECT_EQ(c.model->slq_operator_elements(c.params, OperatorStorage::regenerate, 6), 0u);
  }
  // deep_ntk: only its linearisation is a Gram matrix of features.
  const auto c = test_support::make_case("deep_ntk", {{"n", "41"}, {"kernel", "ntk"}});
  EXPECT_FALSE(c.model->has_gram_features(c.params));
  EXPECT_THROW(c.model->gram_features(*backend, c.params, key_of(c)), InputError);
  EXPECT_THROW(c.model->slq_operator_elements(c.params, OperatorStorage::stored, 0), InputError);
}

TEST(GramFeatures, EveryModelWithFeaturesIsTested) {
  const std::set<std::string> tested = {"mp", "silverstein", "spiked", "rf", "llc_gram", "rff", "ck", "deep_ntk"};
  for (const auto& m : models()) {
    const auto c = test_support::make_case(std::string(m->name()), {});
    EXPECT_EQ(m->has_gram_features(c.params), tested.count(std::string(m->name())) == 1) << m->name();
  }
}

// Replicates draw different features; the same replicate the same ones.
TEST(GramFeatures, ReplicatesDrawDifferentFeatures) {
  const auto c = test_support::make_case("rf", {{"n", "37"}});
  auto backend = make_cpu_backend();
  const auto form = [&](std::uint32_t replicate) {
    auto g = c.model->gram_features(*backend, c.params, key_of(c, replicate));
    return backend->to_host(g.features->columns(*backend, 0, g.features->cols()));
  };
  EXPECT_EQ(form(1), form(1));
  EXPECT_NE(form(1), form(2));
}

// --- Backend column operations: the CPU overrides against the host defaults ---------------------

namespace {

StreamKey probe_key(std::uint32_t stream = 7) { return {99, 0xabcdefu, 2, stream}; }

Matrix gaussian(Backend& b, index_t rows, index_t cols, std::uint32_t stream) {
  return b.sample_gaussian(probe_key(stream), rows, cols);
}

}  // namespace

TEST(BackendColumns, RademacherIsPlusMinusOneDeterministicAndTheHostDefault) {
  auto backend = make_cpu_backend();
  for (const auto precision : {Precision::fp64, Precision::fp32}) {
    PrecisionScope scope(*backend, precision);
    const index_t rows = 37, cols = 5;
    for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{3}, std::uint64_t{1000}}) {
      const auto a = backend->to_host(backend->sample_rademacher(probe_key(), rows, cols, offset));
      const auto again = backend->to_host(backend->sample_rademacher(probe_key(), rows, cols, offset));
      const auto host = backend->to_host(backend->Backend::sample_rademacher(probe_key(), rows, cols, offset));
      EXPECT_EQ(a, again);
      EXPECT_EQ(a, host);
      int plus = 0;
      for (std::size_t e = 0; e < a.size(); ++e) {
        ASSERT_TRUE(a[e] == 1.0 || a[e] == -1.0) << a[e];
        EXPECT_EQ(a[e], rademacher_at(probe_key(), offset + e));
        plus += a[e] > 0;
      }
      EXPECT_GT(plus, 60);  // 185 fair signs
      EXPECT_LT(plus, 125);
    }
    // A block at an offset is the matching columns of the whole matrix.
    const auto whole = backend->to_host(backend->sample_rademacher(probe_key(), rows, 6));
    const auto tail = backend->to_host(backend->sample_rademacher(probe_key(), rows, 2, 4 * rows));
    EXPECT_TRUE(std::equal(tail.begin(), tail.end(), whole.begin() + 4 * rows));
    // Another stream: other signs.
    EXPECT_NE(whole, backend->to_host(backend->sample_rademacher(probe_key(8), rows, 6)));
  }
}

TEST(BackendColumns, ColumnDotsMatchTheHostDefaultInDouble) {
  auto backend = make_cpu_backend();
  for (const auto precision : {Precision::fp64, Precision::fp32}) {
    PrecisionScope scope(*backend, precision);
    const index_t rows = 1001, cols = 7;
    const Matrix a = gaussian(*backend, rows, cols, 1), b = gaussian(*backend, rows, cols, 2);
    const auto dots = backend->column_dots(a, b);
    const auto host = backend->Backend::column_dots(a, b);
    ASSERT_EQ(dots.size(), static_cast<std::size_t>(cols));
    const auto x = backend->to_host(a), y = backend->to_host(b);
    for (std::size_t j = 0; j < dots.size(); ++j) {
      long double exact = 0;
      for (std::size_t i = 0; i < static_cast<std::size_t>(rows); ++i)
        exact += static_cast<long double>(x[i + j * rows]) * y[i + j * rows];
      EXPECT_NEAR(dots[j], static_cast<double>(exact), 1e-12);  // accumulated in double even in fp32
      EXPECT_NEAR(dots[j], host[j], 1e-12);
    }
    EXPECT_THROW(backend->column_dots(a, gaussian(*backend, rows, cols + 1, 3)), Error);
  }
}

TEST(BackendColumns, AddScaledAndScaleColumnsMatchTheHostDefaults) {
  auto backend = make_cpu_backend();
  const std::vector<double> s = {0.5, -2.0, 0.0, 3.25, 1e-3};
  for (const auto precision : {Precision::fp64, Precision::fp32}) {
    PrecisionScope scope(*backend, precision);
    const index_t rows = 53, cols = static_cast<index_t>(s.size());
    const Matrix b = gaussian(*backend, rows, cols, 4);
    Matrix a1 = gaussian(*backend, rows, cols, 5), a2 = gaussian(*backend, rows, cols, 5);
    const auto a0 = backend->to_host(a1), bh = backend->to_host(b);
    backend->add_scaled_columns(a1, b, s);
    backend->Backend::add_scaled_columns(a2, b, s);
    const auto r1 = backend->to_host(a1), r2 = backend->to_host(a2);
    const double tol = precision == Precision::fp32 ? 2e-7 : 1e-15;
    for (index_t j = 0; j < cols; ++j)
      for (index_t i = 0; i < rows; ++i) {
        const auto e = static_cast<std::size_t>(i + j * rows);
        const double want = a0[e] + s[static_cast<std::size_t>(j)] * bh[e];
        EXPECT_NEAR(r1[e], want, tol * (1 + std::abs(want)));
        EXPECT_NEAR(r1[e], r2[e], tol * (1 + std::abs(want)));
      }
    backend->scale_columns(a1, s);
    backend->Backend::scale_columns(a2, s);
    const auto q1 = backend->to_host(a1), q2 = backend->to_host(a2);
    for (index_t j = 0; j < cols; ++j)
      for (index_t i = 0; i < rows; ++i) {
        const auto e = static_cast<std::size_t>(i + j * rows);
        EXPECT_NEAR(q1[e], r1[e] * s[static_cast<std::size_t>(j)], tol * (1 + std::abs(q1[e])));
        EXPECT_NEAR(q1[e], q2[e], tol * (1 + std::abs(q1[e])));
      }
    EXPECT_THROW(backend->scale_columns(a1, std::vector<double>{1.0}), Error);
    EXPECT_THROW(backend->add_scaled_columns(a1, b, std::vector<double>{1.0}), Error);
  }
}
