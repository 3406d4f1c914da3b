#include <limits>

#include <fmt/format.h>

#include "bench/model.hpp"
#include "core/base/error.hpp"

namespace rmt::bench {

MemoryPeak peak_memory(const MemoryPlan& plan, const Backend& backend) {
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  const std::size_t bytes_per = element_bytes(backend.precision());
  MemoryPeak peak;
  for (const auto& ph : plan.phases) {
    std::size_t bytes = ph.elements > kMax / bytes_per ? kMax : static_cast<std::size_t>(ph.elements) * bytes_per;
    std::size_t workspace = 0;
    if (ph.eig_dim > 0) {
      workspace = backend.eigensolver_workspace_bytes(ph.eig_dim, ph.top_k);
      bytes = workspace > kMax - bytes ? kMax : bytes + workspace;
    }
    if (bytes > peak.bytes || peak.phase.empty()) peak = {bytes, ph.name, workspace};
  }
  return peak;
}

GramFeatures Model::gram_features(Backend&, const Params&, const StreamKey&) const {
  throw InputError(fmt::format("model {} has no matrix-free product: use method = dense", name()));
}

elements_t Model::slq_operator_elements(const Params&, OperatorStorage, index_t) const { return 0; }

GramRows Model::gram_rows(Backend&, const Params&, const StreamKey&) const {
  throw InputError(fmt::format("model {} does not form its features row by row: use method = dense", name()));
}

const std::vector<std::unique_ptr<Model>>& models() {
  static const std::vector<std::unique_ptr<Model>> all = [] {
    std::vector<std::unique_ptr<Model>> v;
    v.push_back(make_mp_model());
    v.push_back(make_silverstein_model());
    v.push_back(make_spiked_model());
    v.push_back(make_rf_model());
    v.push_back(make_kernel_model());
    v.push_back(make_ck_model());
    v.push_back(make_ntk_model());
    v.push_back(make_llc_gram_model());
    v.push_back(make_kernel_el_karoui_model());
    v.push_back(make_rff_model());
    v.push_back(make_deep_ntk_model());
    return v;
  }();
  return all;
}

const Model& find_model(std::string_view name) {
  std::string known;
  for (const auto& m : models()) {
    if (m->name() == name) return *m;
    known += (known.empty() ? "" : ", ") + std::string(m->name());
  }
  throw InputError(fmt::format("unknown model '{}' (known: {})", name, known));
}

}  // namespace rmt::bench
