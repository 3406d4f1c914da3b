#include <fmt/format.h>

#include "bench/model.hpp"
#include "core/error.hpp"

namespace rmt::bench {

std::size_t Model::bytes_needed(const Params& p) const {
  // Data matrix + Gram + the Gram's copy when eigenvectors are needed + eigensolver workspace.
  const Sizes s = sizes(p);
  const auto d = static_cast<std::size_t>(s.eig_dim);
  const std::size_t copies = tracked_spikes(p) > 0 ? 2 : 1;
  return sizeof(double) * (static_cast<std::size_t>(s.rows) * static_cast<std::size_t>(s.cols) +
                           copies * d * d + 4 * d + 1);
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
