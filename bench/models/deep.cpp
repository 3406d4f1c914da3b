#include "bench/models/deep.hpp"

#include <algorithm>
#include <cmath>

#include "bench/models/network.hpp"
#include "theory/gaussian.hpp"

namespace rmt::bench {

NetworkShape network_shape(index_t n, double gamma0, const std::vector<double>& gammas) {
  NetworkShape s{n, {dimension_over(n, gamma0)}};
  for (const double g : gammas) s.widths.push_back(dimension_over(n, g));
  return s;
}

NormalisedActivation normalised_activation(const Params& p) {
  const Activation f = activation_from(p);
  const auto h = theory::hermite_coefficients(f);
  const double sd = std::sqrt(h.second_moment - h.mu0 * h.mu0);
  return {theory::normalised(f), h.mu1 / sd, h.derivative_square / (sd * sd)};
}

std::size_t network_bytes(const NetworkShape& s) {
  std::size_t peak = 0;
  for (std::size_t l = 1; l < s.widths.size(); ++l)
    peak = std::max<std::size_t>(peak, static_cast<std::size_t>(s.widths[l] * s.widths[l - 1] +
                                                                 (s.widths[l] + s.widths[l - 1]) * s.n));
  peak = std::max<std::size_t>(peak, static_cast<std::size_t>(s.widths[0] * s.n));
  return sizeof(double) * (peak + 3 * static_cast<std::size_t>(s.n * s.n));
}

Matrix sample_input(Backend& backend, const NetworkShape& shape, const StreamKey& key, StageTimes& t) {
  const std::vector<double> scale(static_cast<std::size_t>(shape.widths[0]),
                                  1.0 / std::sqrt(static_cast<double>(shape.widths[0])));
  return timed(t.sample_s, [&] { return backend.sample_gaussian(key, shape.widths[0], shape.n, scale); });
}

Matrix preactivation(Backend& backend, const NetworkShape& shape, int layer, const Matrix& x_prev,
                     const StreamKey& key, StageTimes& t) {
  StreamKey wkey = key;
  wkey.stream = static_cast<std::uint32_t>(layer);
  const Matrix w = timed(t.sample_s, [&] {
    return backend.sample_gaussian(wkey, shape.widths[layer], shape.widths[layer - 1]);
  });
  return timed(t.activation_s, [&] { return backend.multiply(w, x_prev, 1.0); });
}

void activate_layer(Backend& backend, Matrix& h, const Activation& sigma, index_t width, StageTimes& t) {
  Activation scaled = sigma;
  scaled.scale *= 1.0 / std::sqrt(static_cast<double>(width));
  timed(t.activation_s, [&] { backend.apply_activation(h, scaled); });
}

}  // namespace rmt::bench
