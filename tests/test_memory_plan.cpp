// The memory planner (exit 3): each model's plan (bench/model.hpp, MemoryPlan) must cover what one
// draw really holds on the backend, and not overstate it much. A counting decorator wraps a real
// backend and tracks the live bytes of every matrix it hands out (its Storage wraps the inner
// matrix and gives the bytes back on destruction); at each eigensolver call it adds the backend's
// own workspace estimate to the live bytes. The planned peak must be at least the measured one and
// at most 1.5 times it. A case too large for the backend is refused before any allocation.
//
// tests/test_cuda_memory_plan.cpp compiles this file again for the CUDA backend (gpu label).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "bench/case.hpp"
#include "bench/curve_model.hpp"
#include "bench/models/common/deep.hpp"
#include "core/base/error.hpp"
#include "support.hpp"

#ifndef RMT_MEMORY_PLAN_BACKEND
#define RMT_MEMORY_PLAN_BACKEND "cpu"
#endif

using namespace rmt;
using namespace rmt::bench;

namespace {

class CountingBackend final : public Backend {
 public:
  struct Counter {
    std::size_t live = 0, peak = 0, allocations = 0;
    std::size_t peak_with_workspace = 0;  // max of `peak` and live + workspace at each eigensolver call
  };

  explicit CountingBackend(std::unique_ptr<Backend> inner,
                           std::size_t available = std::numeric_limits<std::size_t>::max())
      : inner_(std::move(inner)), available_(available), counter_(std::make_shared<Counter>()) {}

  const Counter& counter() const { return *counter_; }
  std::size_t measured_peak() const { return std::max(counter_->peak, counter_->peak_with_workspace); }
  void reset() { *counter_ = Counter{counter_->live, counter_->live, 0, counter_->live}; }

  std::string_view name() const override { return inner_->name(); }
  DeviceInfo info() const override { return inner_->info(); }
  std::size_t available_bytes() const override { return std::min(available_, inner_->available_bytes()); }
  std::size_t eigensolver_workspace_bytes(index_t n, index_t top_k) const override {
    sync();
    return inner_->eigensolver_workspace_bytes(n, top_k);
  }

  Matrix sample_gaussian(const StreamKey& key, index_t rows, index_t cols, std::span<const double> row_scale,
                         std::uint64_t offset) override {
    sync();
    return wrap(inner_->sample_gaussian(key, rows, cols, row_scale, offset));
  }
  using Backend::gram;
  Matrix gram(const Matrix& a, double alpha, GramSide side) override {
    sync();
    return wrap(inner_->gram(a, alpha, side));
  }
  Matrix multiply(const Matrix& a, const Matrix& b, double alpha) override {
    sync();
    return wrap(inner_->multiply(a, b, alpha));
  }
  Matrix multiply_transposed(const Matrix& a, const Matrix& b, double alpha) override {
    sync();
    return wrap(inner_->multiply_transposed(a, b, alpha));
  }
  void apply_activation(Matrix& a, const Activation& f) override { inner_->apply_activation(a, f); }
  void apply_derivative(Matrix& a, const Activation& f) override { inner_->apply_derivative(a, f); }
  void hadamard(Matrix& a, const Matrix& b) override { inner_->hadamard(a, b); }
  void add_scaled(Matrix& a, const Matrix& b, double alpha) override { inner_->add_scaled(a, b, alpha); }
  void scale_rows(Matrix& a, std::span<const double> s) override { inner_->scale_rows(a, s); }
  void set_diagonal(Matrix& a, double value) override { inner_->set_diagonal(a, value); }
  void apply_kernel(Matrix& g, const KernelFunction& f, bool distance) override { inner_->apply_kernel(g, f, distance); }
  std::vector<double> eigenvalues(Matrix& a) override {
    note_eigensolver(a.rows(), 0);
    return inner_->eigenvalues(a);
  }
  EigenPairs top_eigenpairs(Matrix& a, index_t k) override {
    note_eigensolver(a.rows(), k);
    return inner_->top_eigenpairs(a, k);
  }
  Matrix row_block(const Matrix& a, index_t r0, index_t r1) override {
    sync();
    return wrap(inner_->row_block(a, r0, r1));
  }
  std::vector<double> to_host(const Matrix& a) override { return inner_->to_host(a); }
  Matrix from_host(index_t rows, index_t cols, std::span<const double> values) override {
    sync();
    return wrap(inner_->from_host(rows, cols, values));
  }

 private:
  // The inner matrix, behind a storage that gives its bytes back to the counter when released.
  class CountingStorage final : public Matrix::Storage {
   public:
    CountingStorage(Matrix inner, std::shared_ptr<Counter> counter, std::size_t bytes)
        : inner_(std::move(inner)), counter_(std::move(counter)), bytes_(bytes) {}
    ~CountingStorage() override { counter_->live -= bytes_; }
    void* data() override {
      if (inner_.precision() == Precision::fp32) return inner_.data_as<float>();
      return inner_.data_as<double>();
    }

   private:
    Matrix inner_;
    std::shared_ptr<Counter> counter_;
    std::size_t bytes_;
  };

  // The decorator's working precision is the one its matrices are created in.
  void sync() const { inner_->set_precision(precision()); }

  Matrix wrap(Matrix m) {
    const std::size_t bytes = static_cast<std::size_t>(cells(m.rows(), m.cols())) * element_bytes(m.precision());
    Counter& c = *counter_;
    c.live += bytes;
    c.peak = std::max(c.peak, c.live);
    ++c.allocations;
    const index_t rows = m.rows(), cols = m.cols();
    const Precision precision = m.precision();
    return Matrix(rows, cols, std::make_unique<CountingStorage>(std::move(m), counter_, bytes), precision);
  }

  void note_eigensolver(index_t n, index_t k) {
    const std::size_t workspace = eigensolver_workspace_bytes(n, k);
    counter_->peak_with_workspace = std::max(counter_->peak_with_workspace, counter_->live + workspace);
  }

  std::unique_ptr<Backend> inner_;
  std::size_t available_;
  std::shared_ptr<Counter> counter_;
};

std::unique_ptr<Backend> inner_backend() {
  const std::string name = RMT_MEMORY_PLAN_BACKEND;
  if (name == "cuda") return make_cuda_backend();
  return make_cpu_backend();
}

bool backend_usable() {
  const std::string name = RMT_MEMORY_PLAN_BACKEND;
  return name != "cuda" || probe_cuda().usable;
}

struct PlanCase {
  std::string model;
  Assignments params;
};

std::string label(const PlanCase& c) {
  std::string s = c.model;
  for (const auto& [k, v] : c.params) s += " " + k + "=" + v;
  return s;
}

// One draw of the case on `backend` (replicate 0).
void draw(Backend& backend, const ResolvedCase& c) {
  const StreamKey key{c.spec.seed, c.case_key, 0, 0};
  StageTimes t;
  if (c.curve) {
    c.curve->sample(backend, c.params, curve_axis(*c.curve, c.params), key, t);
  } else {
    c.model->sample(backend, c.params, key, t);
  }
}

const std::vector<PlanCase>& plan_cases() {
  static const std::vector<PlanCase> cases = {
      {"mp", {{"n", "400"}, {"c", "0.5"}}},
      {"mp", {{"n", "300"}, {"c", "1.5"}}},
      {"silverstein", {{"n", "300"}}},
      {"spiked", {{"n", "300"}, {"c", "1"}, {"spikes", "2,4"}}},
      {"rf", {{"n", "300"}}},
      {"rf", {{"n", "300"}, {"centred", "0"}, {"activation", "relu"}}},  // tracks the mean outlier
      {"kernel", {{"n", "300"}}},
      {"kernel_el_karoui", {{"n", "300"}, {"kind", "distance"}}},
      {"ck", {{"n", "300"}}},
      {"ntk", {{"n", "300"}}},
      {"deep_ntk", {{"n", "200"}}},
      {"deep_ntk", {{"n", "200"}, {"kernel", "ntk"}, {"gammas", "0.8,1.25,1"}}},
      {"llc_gram", {{"n", "300"}}},
      {"rff", {{"n", "300"}}},
      {"ridge", {{"n", "200"}, {"gamma", "0.5,2,1.5"}, {"test_samples", "300"}}},
      {"ridge", {{"n", "200"}, {"lambda", "0.1,1"}}},
      {"gf", {{"n", "200"}, {"test_samples", "100"}}},
      {"gf_general", {{"n", "200"}}},
      {"scaling", {{"n", "40:160:3log"}, {"D", "600"}}},
      {"gmm_dynamics", {{"n", "200"}}},
      {"rf_ridge", {{"n", "200"}, {"psi1", "0.5,3"}}},
      {"rf_ridge_de", {{"n", "100"}, {"N", "30:300:4log"}, {"D", "300"}}},
      {"rf_ridge_de", {{"n", "100"}, {"N", "300,30"}, {"D", "300"}}},
      {"llc_ridge", {{"n", "256"}, {"features", "0.5,2,1"}, {"gamma", "0.1"}}},
      {"rff_ridge", {{"n", "160"}, {"features", "0.25,1"}, {"gamma", "0.1"}}},
      {"rf_gf", {{"n", "200"}}},
  };
  return cases;
}

class MemoryPlanTest : public ::testing::TestWithParam<PlanCase> {};

TEST_P(MemoryPlanTest, PlannedPeakCoversTheMeasuredPeakTightly) {
  if (!backend_usable()) GTEST_SKIP() << "no usable CUDA device";
  const auto c = test_support::make_case(GetParam().model, GetParam().params);
  CountingBackend backend(inner_backend());
  const MemoryPeak planned = peak_memory(c.base->memory_plan(c.params), backend);
  draw(backend, c);
  const std::size_t measured = backend.measured_peak();
  EXPECT_EQ(backend.counter().live, 0u) << label(GetParam()) << ": matrices outlive the draw";
  ASSERT_GT(measured, 0u);
  EXPECT_GE(planned.bytes, measured) << label(GetParam()) << ": the plan misses storage (peak phase " << planned.phase
                                     << ")";
  EXPECT_LE(static_cast<double>(planned.bytes), 1.5 * static_cast<double>(measured))
      << label(GetParam()) << ": the plan overstates the peak (phase " << planned.phase << ")";
  std::printf("%-60s planned %12zu measured %12zu ratio %.4f (%s)\n", label(GetParam()).c_str(), planned.bytes,
              measured, static_cast<double>(planned.bytes) / static_cast<double>(measured), planned.phase.c_str());
}

INSTANTIATE_TEST_SUITE_P(Models, MemoryPlanTest, ::testing::ValuesIn(plan_cases()),
                         [](const ::testing::TestParamInfo<PlanCase>& param) {
                           return param.param.model + "_" + std::to_string(param.index);
                         });

// Wide layers draw W in column blocks: the planned preactivation (a block of W, a row block of X,
// the partial product and H) against what the blocked pass holds, for several block sizes.
TEST(MemoryPlan, BlockedPreactivationMatchesItsPlan) {
  if (!backend_usable()) GTEST_SKIP() << "no usable CUDA device";
  const NetworkShape shape = network_shape(120, 0.5, {0.8});  // widths 240, 150
  const StreamKey key{9, 17, 0, 0};
  for (const std::size_t bytes : {std::size_t(150 * 8 * 2), std::size_t(150 * 8 * 37), kWeightBlockBytes}) {
    CountingBackend backend(inner_backend());
    StageTimes t;
    const Matrix x0 = sample_input(backend, shape, key, t);
    backend.reset();
    const std::size_t x0_bytes = backend.counter().live;
    { const Matrix h = preactivation(backend, shape, 1, x0, key, t, bytes); }
    const std::size_t planned = static_cast<std::size_t>(preactivation_elements(shape, 1, bytes)) * 8 + x0_bytes;
    EXPECT_EQ(planned, backend.counter().peak) << bytes;
  }
}

// Every registered model has a plan with an eigensolver phase (a case that forgets it would be
// checked without the workspace).
TEST(MemoryPlan, EveryModelPlansItsEigensolver) {
  std::vector<std::string> names;
  for (const auto& m : models()) names.emplace_back(m->name());
  for (const auto& m : curve_models()) names.emplace_back(m->name());
  for (const auto& name : names) {
    const auto c = test_support::make_case(name, {});
    const auto plan = c.base->memory_plan(c.params);
    ASSERT_FALSE(plan.phases.empty()) << name;
    EXPECT_TRUE(std::any_of(plan.phases.begin(), plan.phases.end(), [](const MemoryPhase& p) { return p.eig_dim > 0; }))
        << name;
  }
}

TEST(MemoryPlan, PeakIsTheLargestPhaseWithItsWorkspace) {
  if (!backend_usable()) GTEST_SKIP() << "no usable CUDA device";
  auto backend = inner_backend();
  MemoryPlan plan;
  plan.add("a", 1000).add_eigen("b", 500, 20, 0).add("c", 600);
  const std::size_t ws = backend->eigensolver_workspace_bytes(20, 0);
  const MemoryPeak peak = peak_memory(plan, *backend);
  const std::size_t b = 500 * element_bytes(backend->precision()) + ws;
  const std::size_t a = 1000 * element_bytes(backend->precision());
  EXPECT_EQ(peak.bytes, std::max(a, b));
  EXPECT_EQ(peak.phase, a >= b ? "a" : "b");
  MemoryPlan huge;
  huge.add("huge", std::numeric_limits<elements_t>::max() / 2);
  EXPECT_EQ(peak_memory(huge, *backend).bytes, std::numeric_limits<std::size_t>::max());  // saturates
}

// Sample covariance at c = 1: X and S together (2 p²) or S with the eigensolver, never X, S and the
// workspace at once: the old planner's 3 p² refused n ≈ 79k–96k on an H200 that fit. fp32 halves
// the matrices, and the workspace is the backend's fp32 query.
TEST(MemoryPlan, SampleCovarianceDoesNotCountXNextToTheEigensolver) {
  if (!backend_usable()) GTEST_SKIP() << "no usable CUDA device";
  auto backend = inner_backend();
  for (const Precision precision : {Precision::fp64, Precision::fp32})
    for (const char* model : {"mp", "spiked"}) {
      PrecisionScope scope(*backend, precision);
      const auto c = test_support::make_case(model, {{"n", "2000"}, {"c", "1"}});
      const auto peak = peak_memory(c.base->memory_plan(c.params), *backend);
      const std::size_t p2 = std::size_t(2000) * 2000 * element_bytes(precision);
      const index_t k = c.model->tracked_spikes(c.params);
      EXPECT_EQ(peak.bytes, std::max(2 * p2, p2 + backend->eigensolver_workspace_bytes(2000, k)))
          << model << " " << to_string(precision);
    }
  EXPECT_EQ(backend->precision(), Precision::fp64);
}

TEST(MemoryPlan, TooLargeIsRefusedBeforeAnyAllocation) {
  if (!backend_usable()) GTEST_SKIP() << "no usable CUDA device";
  for (const auto& [model, params] :
       std::vector<PlanCase>{{"mp", {{"n", "9000000"}, {"c", "1"}}},
                             {"spiked", {{"n", "3000000"}, {"c", "1"}}},
                             {"rf", {{"n", "2000000"}}},
                             {"ridge", {{"n", "1000000"}, {"gamma", "2"}}},
                             {"llc_ridge", {{"n", "20000"}, {"features", "100"}}}}) {
    CountingBackend backend(inner_backend());
    const auto c = test_support::make_case(model, params);
    try {
      check_memory(c, backend);
      ADD_FAILURE() << model << ": no ResourceError";
    } catch (const ResourceError& e) {
      const std::string what = e.what();
      EXPECT_TRUE(std::regex_search(what, std::regex("needs [0-9]+ bytes \\([0-9.]+ GiB\\) of " +
                                                     std::string(backend.name()) + " memory")))
          << what;
    }
    EXPECT_EQ(backend.counter().allocations, 0u) << model;
  }
}

// The check is exact: available = planned peak passes, one byte less is refused.
TEST(MemoryPlan, CheckMemoryRefusesExactlyBelowThePlannedPeak) {
  if (!backend_usable()) GTEST_SKIP() << "no usable CUDA device";
  const auto c = test_support::make_case("spiked", {{"n", "500"}, {"c", "1"}});
  const std::size_t planned = [&] {
    CountingBackend probe(inner_backend());
    return c.base->bytes_needed(c.params, probe);
  }();
  CountingBackend enough(inner_backend(), planned);
  EXPECT_NO_THROW(check_memory(c, enough));
  CountingBackend short_by_one(inner_backend(), planned - 1);
  EXPECT_THROW(check_memory(c, short_by_one), ResourceError);
  // The check prices the case's own precision and leaves the backend's as it was.
  auto spec = c.spec;
  spec.precision = "fp32";
  bool fp32_supported = true;
  ResolvedCase c32;
  try {
    c32 = resolve_case(spec);
  } catch (const InputError&) {
    fp32_supported = false;
  }
  if (fp32_supported) {
    EXPECT_NO_THROW(check_memory(c32, short_by_one));
    EXPECT_EQ(short_by_one.precision(), Precision::fp64);
  }
}

// method = slq: slq_operator_elements (what gram_features keeps plus F or one tile and its
// intermediates) against what the features and the Gram operator really hold while F is formed
// (stored) and while one product with a dim × 3 block runs. The measured peak also holds that block,
// the product and the apply's own dim-, rows- and tile-by-3 temporaries (the Lanczos blocks the
// count leaves out): at most 3 (rows + cols) · 3 elements beside the count.
TEST(MemoryPlan, SlqOperatorElementsCoverTheOperator) {
  if (!backend_usable()) GTEST_SKIP() << "no usable CUDA device";
  const std::vector<PlanCase> cases = {
      {"mp", {{"n", "301"}, {"c", "0.5"}}},
      {"spiked", {{"n", "201"}, {"c", "1.3"}, {"spikes", "2,4"}}},
      {"rf", {{"n", "203"}}},
      {"llc_gram", {{"n", "201"}}},
      {"rff", {{"n", "199"}}},
      {"ck", {{"n", "201"}}},
      {"deep_ntk", {{"n", "151"}, {"gammas", "0.8,1.25,1"}}},
  };
  constexpr index_t kBlock = 3;
  for (const auto& pc : cases)
    for (const auto storage : {OperatorStorage::stored, OperatorStorage::regenerate})
      for (const index_t tile : {index_t{0}, index_t{10}}) {
        if (storage == OperatorStorage::stored && tile != 0) continue;
        const auto c = test_support::make_case(pc.model, pc.params);
        const std::string what = label(pc) + " " + std::string(to_string(storage)) + " tile " + std::to_string(tile);
        CountingBackend backend(inner_backend());
        const std::size_t bytes = element_bytes(backend.precision());
        const std::size_t planned = c.model->slq_operator_elements(c.params, storage, tile) * bytes;
        index_t rows = 0, cols = 0;
        {
          auto g = c.model->gram_features(backend, c.params, {c.spec.seed, c.case_key, 0, 0});
          rows = g.features->rows();
          cols = g.features->cols();
          auto op = make_gram_operator(backend, std::move(g.features), g.alpha, g.side, storage, tile);
          const Matrix v = backend.from_host(op->dim(), kBlock,
                                             std::vector<double>(static_cast<std::size_t>(op->dim() * kBlock), 1.0));
          Matrix y;
          op->apply(v, y);
          op->apply(v, y);  // a second product with the first's result alive
        }
        EXPECT_EQ(backend.counter().live, 0u) << what;
        const std::size_t measured = backend.counter().peak;
        const std::size_t blocks = static_cast<std::size_t>(3 * (rows + cols) * kBlock) * bytes;
        EXPECT_GE(planned + blocks, measured) << what << ": the count misses storage";
        // Not overstated: the count is what is alive at the peak, the row scales copied to a device aside.
        EXPECT_LE(static_cast<double>(planned), 1.05 * static_cast<double>(measured)) << what << ": overstated";
        std::printf("%-60s slq planned %10zu measured %10zu (blocks ≤ %zu)\n", what.c_str(), planned, measured, blocks);
      }
}

}  // namespace
