#include "bench/models/common/deep.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bench/models/common/dims.hpp"
#include "bench/models/common/network.hpp"
#include "theory/gaussian.hpp"

namespace rmt::bench {

NetworkShape network_shape(index_t n, double gamma0, const std::vector<double>& gammas) {
  NetworkShape s{n, {dimension_over(n, gamma0)}};
  for (const double g : gammas) s.widths.push_back(dimension_over(n, g));
  return s;
}

NetworkShape deep_network_shape(const Params& p) {
  return network_shape(p.integer("n"), p.real("gamma0"), parse_layer_ratios(p.text("gammas"), "gammas"));
}

NormalisedActivation normalised_activation(const Params& p) {
  const Activation f = activation_from(p);
  const auto h = theory::hermite_coefficients(f);
  const double sd = std::sqrt(h.second_moment - h.mu0 * h.mu0);
  return {theory::normalised(f), h.mu1 / sd, h.derivative_square / (sd * sd)};
}

elements_t layer_elements(const NetworkShape& s, int layer) {
  return cells(s.widths[static_cast<std::size_t>(layer)], s.n);
}

elements_t preactivation_elements(const NetworkShape& s, int layer, std::size_t block_bytes) {
  const index_t rows = s.widths[static_cast<std::size_t>(layer)], cols = s.widths[static_cast<std::size_t>(layer - 1)];
  const index_t block = weight_block_columns(rows, cols, block_bytes);
  if (block >= cols) return cells(rows, cols) + cells(rows, s.n);  // W, H
  // From the second block on: W's block, X_{ℓ-1}'s row block, the partial product and H.
  return cells(rows, block) + cells(block, s.n) + 2 * cells(rows, s.n);
}

std::size_t network_bytes(const NetworkShape& s) {
  const int depth = static_cast<int>(s.widths.size()) - 1;
  elements_t peak = layer_elements(s, 0) + static_cast<elements_t>(s.widths[0]);
  for (int l = 1; l <= depth; ++l) peak = std::max(peak, layer_elements(s, l - 1) + preactivation_elements(s, l));
  peak = std::max(peak, layer_elements(s, depth) + cells(s.n, s.n));
  return static_cast<std::size_t>(peak) * sizeof(double);
}

MemoryPlan forward_pass_plan(const NetworkShape& s, elements_t base) {
  MemoryPlan plan;
  elements_t kept = base + layer_elements(s, 0);
  plan.add("sample X0", kept + static_cast<elements_t>(s.widths[0]));
  for (int l = 1; l < static_cast<int>(s.widths.size()); ++l) {
    plan.add(fmt::format("layer {}", l), kept + preactivation_elements(s, l));
    kept += layer_elements(s, l);
  }
  return plan;
}

Matrix sample_input(Backend& backend, const NetworkShape& shape, const StreamKey& key, StageTimes& t) {
  const std::vector<double> scale(static_cast<std::size_t>(shape.widths[0]),
                                  1.0 / std::sqrt(static_cast<double>(shape.widths[0])));
  return timed(t.sample_s, [&] { return backend.sample_gaussian(key, shape.widths[0], shape.n, scale); });
}

index_t weight_block_columns(index_t rows, index_t cols, std::size_t block_bytes) {
  const auto fit = static_cast<index_t>(block_bytes / (sizeof(double) * static_cast<std::size_t>(rows)));
  return std::min(cols, std::max<index_t>(2, fit - fit % 2));  // even: blocks start on Box–Muller pairs
}

Matrix preactivation(Backend& backend, const NetworkShape& shape, int layer, const Matrix& x_prev,
                     const StreamKey& key, StageTimes& t, std::size_t block_bytes) {
  StreamKey wkey = key;
  wkey.stream = static_cast<std::uint32_t>(layer);
  const index_t rows = shape.widths[layer], cols = shape.widths[layer - 1];
  const index_t block = weight_block_columns(rows, cols, block_bytes);
  if (block >= cols) {
    const Matrix w = timed(t.sample_s, [&] { return backend.sample_gaussian(wkey, rows, cols); });
    return timed(t.activation_s, [&] { return backend.multiply(w, x_prev, 1.0); });
  }
  // W X = Σ_blocks W[:, c0:c1] X[c0:c1, :]: each block of W is drawn from its own counter range, so
  // the sum is the same W X (to rounding) while only rows × block doubles of W exist at a time.
  Matrix h;
  for (index_t c0 = 0; c0 < cols; c0 += block) {
    const index_t c1 = std::min(cols, c0 + block);
    const Matrix w = timed(t.sample_s, [&] {
      return backend.sample_gaussian(wkey, rows, c1 - c0, {}, static_cast<std::uint64_t>(c0) * static_cast<std::uint64_t>(rows));
    });
    Matrix part = timed(t.activation_s, [&] { return backend.multiply(w, backend.row_block(x_prev, c0, c1), 1.0); });
    if (c0 == 0) {
      h = std::move(part);
    } else {
      timed(t.activation_s, [&] { backend.add_scaled(h, part, 1.0); });
    }
  }
  return h;
}

void activate_layer(Backend& backend, Matrix& h, const Activation& sigma, index_t width, StageTimes& t) {
  Activation scaled = sigma;
  scaled.scale *= 1.0 / std::sqrt(static_cast<double>(width));
  timed(t.activation_s, [&] { backend.apply_activation(h, scaled); });
}

std::vector<Matrix> forward_pass(Backend& backend, const NetworkShape& shape, const NormalisedActivation& act,
                                 const StreamKey& key, StageTimes& t) {
  std::vector<Matrix> x;
  x.push_back(sample_input(backend, shape, key, t));
  for (std::size_t l = 1; l < shape.widths.size(); ++l) {
    Matrix h = preactivation(backend, shape, static_cast<int>(l), x.back(), key, t);
    activate_layer(backend, h, act.sigma, shape.widths[l], t);
    x.push_back(std::move(h));
  }
  return x;
}

Matrix backpropagated_ntk(Backend& backend, const NetworkShape& shape, const NormalisedActivation& act,
                          const std::vector<Matrix>& x, const StreamKey& key, StageTimes& t) {
  const int depth = static_cast<int>(shape.widths.size()) - 1;
  // σ'(H_ℓ)/√d_ℓ for the normalised σ (σ' = f'/sd, folded into the row scale).
  const auto derivative = [&](int l) {
    Matrix d = preactivation(backend, shape, l, x[static_cast<std::size_t>(l - 1)], key, t);
    timed(t.activation_s, [&] {
      backend.apply_derivative(d, act.sigma);
      backend.scale_rows(d, std::vector<double>(static_cast<std::size_t>(shape.widths[l]),
                                                act.sigma.scale / std::sqrt(static_cast<double>(shape.widths[l]))));
    });
    return d;
  };
  // Output weights normalised to ‖w‖² = d_L (no global O(d_L^{-1/2}) shift, as the ntk model).
  StreamKey wkey = key;
  wkey.stream = 200;
  std::vector<double> w(static_cast<std::size_t>(shape.widths[depth]));
  double norm2 = 0;
  for (std::size_t k = 0; k < w.size(); ++k) norm2 += (w[k] = gaussian_at(wkey, k)) * w[k];
  for (auto& v : w) v *= std::sqrt(static_cast<double>(w.size()) / norm2);

  Matrix theta = timed(t.gram_s, [&] { return backend.gram(x[static_cast<std::size_t>(depth)], 1.0, GramSide::cols); });
  Matrix b = derivative(depth);
  backend.scale_rows(b, w);
  for (int l = depth; l >= 1; --l) {
    timed(t.gram_s, [&] {
      Matrix term = backend.gram(b, 1.0, GramSide::cols);
      backend.hadamard(term, backend.gram(x[static_cast<std::size_t>(l - 1)], 1.0, GramSide::cols));
      backend.add_scaled(theta, term, 1.0);
    });
    if (l > 1) {
      StreamKey lkey = key;
      lkey.stream = static_cast<std::uint32_t>(l);
      const Matrix weights = timed(t.sample_s, [&] { return backend.sample_gaussian(lkey, shape.widths[l], shape.widths[l - 1]); });
      Matrix back = timed(t.activation_s, [&] { return backend.multiply_transposed(weights, b, 1.0); });
      b = derivative(l - 1);
      backend.hadamard(b, back);
    }
  }
  return theta;
}

Matrix linearised_ntk(Backend& backend, const NormalisedActivation& act, const std::vector<Matrix>& x, StageTimes& t) {
  const int depth = static_cast<int>(x.size()) - 1;
  return timed(t.gram_s, [&] {
    Matrix lin = backend.gram(x.back(), 1.0, GramSide::cols);
    double r_plus = 0;
    for (int l = 0; l < depth; ++l) {
      const double power = depth - l;
      r_plus += std::pow(act.a, power) - std::pow(act.b, 2 * power);
      backend.add_scaled(lin, backend.gram(x[static_cast<std::size_t>(l)], 1.0, GramSide::cols), std::pow(act.b, 2 * power));
    }
    const index_t n = lin.cols();
    // r₊ on the diagonal: add r₊ I built on the host (the backend has no diagonal add).
    std::vector<double> identity(static_cast<std::size_t>(n * n), 0.0);
    for (index_t i = 0; i < n; ++i) identity[static_cast<std::size_t>(i + i * n)] = 1.0;
    backend.add_scaled(lin, backend.from_host(n, n, identity), r_plus);
    return lin;
  });
}

}  // namespace rmt::bench

namespace rmt::bench {

std::vector<Matrix> sample_all_weights(Backend& backend, const NetworkShape& shape, const StreamKey& key) {
  std::vector<Matrix> w;
  for (std::size_t l = 1; l < shape.widths.size(); ++l) {
    StreamKey wkey = key;
    wkey.stream = static_cast<std::uint32_t>(l);
    w.push_back(backend.sample_gaussian(wkey, shape.widths[l], shape.widths[l - 1]));
  }
  return w;
}

elements_t all_weights_elements(const NetworkShape& shape) {
  elements_t total = 0;
  for (std::size_t l = 1; l < shape.widths.size(); ++l) total += cells(shape.widths[l], shape.widths[l - 1]);
  return total;
}

Matrix forward_columns(Backend& backend, const NetworkShape& shape, const Activation& sigma,
                       const std::vector<Matrix>& weights, const StreamKey& key, index_t c0, index_t c1,
                       const std::function<void(int layer, const Matrix& x)>& visit) {
  const index_t d0 = shape.widths[0];
  const std::vector<double> scale(static_cast<std::size_t>(d0), 1.0 / std::sqrt(static_cast<double>(d0)));
  Matrix x = backend.sample_gaussian(key, d0, c1 - c0, scale, static_cast<std::uint64_t>(c0) * static_cast<std::uint64_t>(d0));
  if (visit) visit(0, x);
  StageTimes ignored;
  for (std::size_t l = 1; l < shape.widths.size(); ++l) {
    Matrix h = backend.multiply(weights[l - 1], x, 1.0);
    activate_layer(backend, h, sigma, shape.widths[l], ignored);
    x = std::move(h);
    if (visit) visit(static_cast<int>(l), x);
  }
  return x;
}

elements_t forward_columns_elements(const NetworkShape& shape, index_t columns) {
  elements_t peak = cells(shape.widths[0], columns) + static_cast<elements_t>(shape.widths[0]);
  for (std::size_t l = 1; l < shape.widths.size(); ++l)
    peak = std::max(peak, cells(shape.widths[l - 1], columns) + cells(shape.widths[l], columns));
  return peak;
}

}  // namespace rmt::bench
