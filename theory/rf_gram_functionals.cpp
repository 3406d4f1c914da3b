#include "theory/rf_gram_functionals.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt::theory {

namespace {

double checked_features(double features) {
  if (!(features > 0 && std::isfinite(features)))
    throw InputError(fmt::format("rf Gram functionals: the number of features N = {} must be finite and > 0", features));
  return features;
}

}  // namespace

// δ = (1/n) Σ_k λ_k/(α λ_k/(1 + δ) − z): DeltaEquation with weights 1/n.
RfGramFunctionals::RfGramFunctionals(KernelEigen phi, double features)
    : phi_(std::move(phi)),
      features_(checked_features(features)),
      equation_(phi_.lambda, std::vector<double>(phi_.lambda.size(), 1.0 / static_cast<double>(phi_.n)),
                features_ / static_cast<double>(phi_.n)) {}

complex RfGramFunctionals::delta(complex z) const {
  if (z.imag() == 0) {
    if (!(z.real() < 0))
      throw InputError(fmt::format("rf Gram functionals: real z = {} must be < 0 (left of the spectrum)", z.real()));
    return equation_.at_negative(z.real());
  }
  return equation_.at(z);
}

std::vector<double> RfGramFunctionals::project(std::span<const double> a) const {
  if (a.size() != static_cast<std::size_t>(phi_.n))
    throw InputError(fmt::format("rf Gram functionals: a vector of length {} against n = {}", a.size(), phi_.n));
  const auto n = static_cast<std::size_t>(phi_.n);
  std::vector<double> out(n, 0.0);
  for (std::size_t k = 0; k < n; ++k) {
    const double* col = phi_.u.data() + k * n;
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += col[i] * a[i];
    out[k] = s;
  }
  return out;
}

std::vector<complex> RfGramFunctionals::eigenvalues_of_qbar(complex z, complex& bbar) const {
  bbar = 1.0 / (1.0 + delta(z));
  const double alpha = features_ / static_cast<double>(phi_.n);
  std::vector<complex> q(phi_.lambda.size());
  for (std::size_t k = 0; k < q.size(); ++k) q[k] = 1.0 / (alpha * phi_.lambda[k] * bbar - z);
  return q;
}

complex RfGramFunctionals::trace(complex z) const {
  complex b;
  complex s = 0;
  for (const complex v : eigenvalues_of_qbar(z, b)) s += v;
  return s / static_cast<double>(phi_.n);
}

complex RfGramFunctionals::quadratic_form(complex z, std::span<const double> a, std::span<const double> b) const {
  complex bb;
  const auto q = eigenvalues_of_qbar(z, bb);
  const auto ua = project(a), ub = project(b);
  complex s = 0;
  for (std::size_t k = 0; k < q.size(); ++k) s += ua[k] * ub[k] * q[k];
  return s;
}

complex RfGramFunctionals::quadratic_form_covariance(complex z1, complex z2, std::span<const double> a,
                                                     std::span<const double> b) const {
  complex b1, b2;
  const auto q1 = eigenvalues_of_qbar(z1, b1);
  const auto q2 = eigenvalues_of_qbar(z2, b2);
  const auto ua = project(a), ub = project(b);
  complex adb = 0, ada = 0, bdb = 0, trace_pp = 0;
  for (std::size_t k = 0; k < q1.size(); ++k) {
    const complex d = q1[k] * phi_.lambda[k] * q2[k];  // D = Q̄1 Φ Q̄2 in Φ's eigenbasis
    adb += ua[k] * ub[k] * d;
    ada += ua[k] * ua[k] * d;
    bdb += ub[k] * ub[k] * d;
    trace_pp += phi_.lambda[k] * d;  // tr ΦQ̄1ΦQ̄2
  }
  const double n = static_cast<double>(phi_.n);
  const complex scale = features_ / (n * n) * b1 * b2;
  return scale * (adb * adb + ada * bdb) / (1.0 - scale * trace_pp);
}

}  // namespace rmt::theory
