#include "theory/lss_clt.hpp"

#include <cmath>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <fmt/format.h>

#include "core/base/error.hpp"
#include "theory/lss_contour.hpp"

namespace rmt::theory {

LssStatistic parse_lss_statistic(std::string_view text, std::string_view what) {
  if (text == "x") return LssStatistic::trace;
  if (text == "x2") return LssStatistic::square;
  if (text == "log") return LssStatistic::logdet;
  if (text == "inv1p") return LssStatistic::inverse1p;
  throw InputError(fmt::format("{}: '{}' is not one of x, x2, log, inv1p", what, text));
}

std::string_view to_string(LssStatistic f) {
  switch (f) {
    case LssStatistic::trace: return "x";
    case LssStatistic::square: return "x2";
    case LssStatistic::logdet: return "log";
    case LssStatistic::inverse1p: return "inv1p";
  }
  return "?";
}

namespace {

void check_sizes(long p, long n) {
  if (p < 1 || n < 1) throw InputError(fmt::format("lss: p = {} and n = {} must be >= 1", p, n));
}

// E z² = 0 (complex entries): no mean term, half the covariance.
LssLaw for_field(LssLaw law, EntryField field) {
  if (field == EntryField::complex) {
    law.mean = 0;
    law.variance *= 0.5;
  }
  return law;
}

// κ₄ = E z⁴ − 3 of ±1 entries.
constexpr double kRademacherKappa4 = -2;

// ∫ log x dF^c(x) for the Marchenko–Pastur law of ratio c < 1 (unit variance).
double mp_log_integral(double c) { return (1.0 - 1.0 / c) * std::log1p(-c) - 1.0; }

}  // namespace

LssLaw lss_law(LssStatistic f, long p, long n, double sigma2, EntryField field) {
  check_sizes(p, n);
  if (!(sigma2 > 0 && std::isfinite(sigma2))) throw InputError(fmt::format("lss: sigma2 = {} must be > 0", sigma2));
  const double c = static_cast<double>(p) / static_cast<double>(n), dp = static_cast<double>(p);
  LssLaw law;
  switch (f) {
    case LssStatistic::trace:  // ∫x dF = σ²; Var tr S = 2cσ⁴ exactly (real)
      law.centring = dp * sigma2;
      law.mean = 0;
      law.variance = 2 * c * sigma2 * sigma2;
      break;
    case LssStatistic::square:  // ∫x² dF = σ⁴(1 + c); E tr S² = σ⁴(p(1 + c) + c) exactly (real)
      law.centring = dp * sigma2 * sigma2 * (1 + c);
      law.mean = c * sigma2 * sigma2;
      law.variance = 4 * c * (2 * c * c + 5 * c + 2) * std::pow(sigma2, 4);
      break;
    case LssStatistic::logdet:  // σ² only shifts log det by p log σ², which the centring carries
      if (!(c < 1)) throw InputError(fmt::format("lss: f = log needs c = p/n < 1, got {}", c));
      law.centring = dp * (std::log(sigma2) + mp_log_integral(c));
      law.mean = 0.5 * std::log1p(-c);
      law.variance = -2 * std::log1p(-c);
      break;
    case LssStatistic::inverse1p:
      throw InputError("lss: f = inv1p has no closed form here (the contour recipe computes it)");
  }
  if (field == EntryField::rademacher) {  // the κ₄ terms (C = σ²I): Var G(x) = c(2 + κ₄)σ⁴; log: −κ₄c/2, +κ₄c
    switch (f) {
      case LssStatistic::trace: law.variance = c * (2 + kRademacherKappa4) * sigma2 * sigma2; break;
      case LssStatistic::logdet:
        law.mean -= 0.5 * kRademacherKappa4 * c;
        law.variance += kRademacherKappa4 * c;
        break;
      default:
        throw InputError(fmt::format("lss: no κ₄ (Rademacher) correction for f = {} here (x and log have one)", to_string(f)));
    }
  }
  return for_field(law, field);
}

LssLaw lss_law_contour(LssStatistic f, long p, long n, const PopulationSpectrum& h, EntryField field) {
  check_sizes(p, n);
  if (field == EntryField::rademacher)
    throw InputError("lss: no κ₄ (Rademacher) correction for a general population or f = inv1p here");
  const double c = static_cast<double>(p) / static_cast<double>(n);
  const LssContour contour(h, c);
  ComplexFunction fz;
  switch (f) {
    case LssStatistic::trace: fz = [](complex z) { return z; }; break;
    case LssStatistic::square: fz = [](complex z) { return z * z; }; break;
    case LssStatistic::logdet: fz = [](complex z) { return std::log(z); }; break;
    case LssStatistic::inverse1p: fz = [](complex z) { return 1.0 / (1.0 + z); }; break;
  }
  LssLaw law;
  law.centring = static_cast<double>(p) * contour.integral(fz);
  law.mean = contour.mean(fz);
  law.variance = contour.variance(fz);
  return for_field(law, field);
}

ExactLogLaw exact_log_lss(long p, long n) {
  check_sizes(p, n);
  if (p >= n) throw InputError(fmt::format("lss: the exact log law needs p < n, got p = {}, n = {}", p, n));
  ExactLogLaw out;
  // log det(ZZᵀ/n) = Σ_i log χ²_{n−i+1} − p log n; E log χ²_k = ψ(k/2) + log 2, Var = ψ'(k/2).
  for (long i = 1; i <= p; ++i) {
    const double half = 0.5 * static_cast<double>(n - i + 1);
    out.mean += boost::math::digamma(half) + std::log(2.0);
    out.variance += boost::math::trigamma(half);
  }
  const double c = static_cast<double>(p) / static_cast<double>(n);
  out.mean -= static_cast<double>(p) * (std::log(static_cast<double>(n)) + mp_log_integral(c));
  return out;
}

}  // namespace rmt::theory
