#include "bench/models/common/labelled_data.hpp"

#include <cmath>

#include <fmt/format.h>

#include "bench/models/common/data.hpp"
#include "core/base/error.hpp"

namespace rmt::bench {

namespace {

// Streams of the data key (X uses data.hpp's default 10).
constexpr std::uint32_t test_stream = 11, teacher_stream = 12, noise_stream = 13, test_noise_stream = 14;

// The key of the data set: `data_seed`, and a hash of the sizes and of the parameters that define
// the data (nothing else, see the header).
StreamKey data_key(const Params& prm, index_t p, index_t n, index_t n_test) {
  Params defining;
  for (const char* name : {"data", "classes", "mean_norm", "noise"}) defining.set(name, prm.values().at(name));
  const std::string text = fmt::format("labelled_data:p={};n={};n_test={};{}", p, n, n_test, defining.canonical());
  return {static_cast<std::uint64_t>(prm.integer("data_seed")), fnv1a32(text), 0, 0};
}

// y_i = √p ⟨β*, x_i⟩ (gaussian, sphere) or ±1 by class (gmm), plus noise from `noise_key`.
std::vector<double> targets(const Params& prm, const std::vector<double>& x, index_t p, index_t n,
                            const std::vector<double>& teacher, const StreamKey& noise_key) {
  std::vector<double> y(static_cast<std::size_t>(n));
  const bool gmm = prm.text("data") == "gmm";
  const index_t classes = prm.integer("classes");
  const double noise = std::sqrt(prm.real("noise"));
  for (index_t j = 0; j < n; ++j) {
    double v = 0;
    if (gmm) {
      v = j % classes == 0 ? 1.0 : -1.0;  // class a = j mod k, as data.hpp assigns them
    } else {
      const double* col = x.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(p);
      for (index_t i = 0; i < p; ++i) v += teacher[static_cast<std::size_t>(i)] * col[i];
      v *= std::sqrt(static_cast<double>(p));
    }
    y[static_cast<std::size_t>(j)] = v + noise * gaussian_at(noise_key, static_cast<std::uint64_t>(j));
  }
  return y;
}

}  // namespace

std::vector<ParamSpec> labelled_data_params() {
  std::vector<ParamSpec> specs = data_params();
  for (auto& s : specs)
    if (s.name == "data") s.default_value = "gmm";
  specs.push_back(ParamSpec::real("noise", "0", "variance of the label noise added to train and test targets", 0, 1e6));
  specs.push_back(ParamSpec::integer("n_test", "0", "test samples n̂ (0: n)", 0, 1e6));
  specs.push_back(ParamSpec::integer("data_seed", "1", "seed of the data set (the run's seed redraws the weights only)", 0,
                                     4294967295.0));
  return specs;
}

index_t test_samples(const Params& prm, index_t n) {
  const index_t given = prm.integer("n_test");
  return given > 0 ? given : n;
}

void validate_labelled_data(const Params& prm, index_t p) {
  if (prm.text("data") == "gmm" && prm.integer("classes") > p)
    throw InputError(fmt::format("data = gmm: {} classes need p ≥ {} (orthogonal means), p = {}", prm.integer("classes"),
                                 prm.integer("classes"), p));
}

LabelledData labelled_data(const Params& prm, index_t p, index_t n) {
  validate_labelled_data(prm, p);
  LabelledData d;
  d.p = p;
  d.n = n;
  d.n_test = test_samples(prm, n);
  const StreamKey key = data_key(prm, p, n, d.n_test);
  d.x = generate_data(prm, p, n, key);
  d.x_test = generate_data(prm, p, d.n_test, key, test_stream);
  StreamKey teacher_key = key, noise_key = key, test_noise_key = key;
  teacher_key.stream = teacher_stream;
  noise_key.stream = noise_stream;
  test_noise_key.stream = test_noise_stream;
  std::vector<double> teacher(static_cast<std::size_t>(p));
  double norm2 = 0;
  for (index_t i = 0; i < p; ++i) {
    teacher[static_cast<std::size_t>(i)] = gaussian_at(teacher_key, static_cast<std::uint64_t>(i));
    norm2 += teacher[static_cast<std::size_t>(i)] * teacher[static_cast<std::size_t>(i)];
  }
  for (double& b : teacher) b /= std::sqrt(norm2);
  d.y = targets(prm, d.x, p, n, teacher, noise_key);
  d.y_test = targets(prm, d.x_test, p, d.n_test, teacher, test_noise_key);
  return d;
}

}  // namespace rmt::bench
