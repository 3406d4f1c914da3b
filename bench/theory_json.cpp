#include "bench/theory_json.hpp"

#include <cmath>

namespace rmt::bench {

nlohmann::json complex_json(complex z) { return nlohmann::json::array({z.real(), z.imag()}); }

double spectral_scale(const std::vector<double>& moments) {
  if (!moments.empty() && moments[0] > 0) return moments[0];
  if (moments.size() > 1 && moments[1] > 0) return std::sqrt(moments[1]);
  return 1.0;
}

std::vector<double> density_grid(const SpectralLaw& law, int points) {
  const auto support = law.support();
  if (support.empty() || points < 2) return {};
  const double lo = support.front().lo, hi = support.back().hi, pad = 0.05 * (hi - lo);
  std::vector<double> x;
  for (int k = 0; k < points; ++k) x.push_back(lo - pad + (hi - lo + 2 * pad) * k / (points - 1));
  return x;
}

nlohmann::json theory_json(const Model& model, const Params& params, const SpectralLaw& law,
                           const std::vector<double>& x, const std::vector<complex>& z) {
  nlohmann::json j = {{"schema_version", 1}, {"model", model.name()}, {"params", params.to_json()}};
  auto& support = j["support"] = nlohmann::json::array();
  for (const auto& s : law.support()) support.push_back({s.lo, s.hi});
  auto& atoms = j["atoms"] = nlohmann::json::array();
  for (const auto& a : law.atoms()) atoms.push_back({{"x", a.x}, {"mass", a.mass}});
  auto& density = j["density"] = nlohmann::json::array();
  for (const double xi : x) density.push_back({{"x", xi}, {"value", law.density(xi)}});
  auto& stieltjes = j["stieltjes"] = nlohmann::json::array();
  for (const auto zi : z) stieltjes.push_back({{"z", complex_json(zi)}, {"value", complex_json(law.stieltjes(zi))}});
  j["moments"] = law.moments(2);
  if (model.tracked_spikes(params) > 0) {
    auto& outliers = j["outliers"] = nlohmann::json::array();
    for (const auto& o : model.theory_outliers(params))
      outliers.push_back({{"spike", o.spike}, {"position", o.position}, {"alignment", o.alignment}});
  }
  return j;
}

}  // namespace rmt::bench
