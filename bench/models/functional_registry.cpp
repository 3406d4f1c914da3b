// The functional models (bench/functional_model.hpp, docs/theory.md §12).
#include "bench/functional_model.hpp"

namespace rmt::bench {

const std::vector<std::unique_ptr<FunctionalModel>>& functional_models() {
  static const std::vector<std::unique_ptr<FunctionalModel>> all = [] {
    std::vector<std::unique_ptr<FunctionalModel>> v;
    v.push_back(make_resolvent_model());
    v.push_back(make_lss_model());
    v.push_back(make_gmm_cluster_model());
    v.push_back(make_le_kernel_model());
    v.push_back(make_rf_resolvent_model());
    return v;
  }();
  return all;
}

const FunctionalModel* find_functional_model(std::string_view name) {
  for (const auto& m : functional_models())
    if (m->name() == name) return m.get();
  return nullptr;
}

}  // namespace rmt::bench
