#pragma once
// Report internals: the parts of one case's panel. CaseData holds what the spectral figures draw,
// computed once per case from the record and its pooled eigenvalues.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/results/svg.hpp"

namespace rmt::rpt {

using nlohmann::json;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Atom {
  double x, mass;
  std::size_t count = 0;  // eigenvalues within the snapping tolerance
};

struct Histogram {
  double lo = 0, width = 1;
  std::vector<double> density;  // count / (N_total · width): the histogram integrates to the bulk fraction
  double max() const { return density.empty() ? 0.0 : *std::max_element(density.begin(), density.end()); }
  double min_positive() const {
    double m = kNaN;
    for (const double d : density)
      if (d > 0 && !(d >= m)) m = d;
    return m;
  }
};

struct CaseData {
  std::vector<double> sorted;  // all eigenvalues, ascending (finite only)
  std::size_t non_finite = 0;
  std::vector<double> bulk;  // eigenvalues not snapped to an atom
  std::vector<Atom> atoms;
  double atom_tol = 0;
  Histogram hist;
  std::vector<svg::Pt> density;  // theory density, ascending x
  std::vector<std::pair<double, double>> support;
  std::vector<double> theory_outliers;
};

// Range of finite values.
struct Span {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  bool empty() const { return !(lo <= hi); }
};


// Spectra (core/results/report_spectrum.cpp).
CaseData case_data(const json& rec, const std::vector<double>* eigs);  // eigs: nullptr when unavailable
Span x_span(const CaseData& d);
double padded_lo(const Span& s);  // a 2% margin that does not push a non-negative range below zero
double padded_hi(const Span& s);
std::string histogram_figure(const CaseData& d, bool logy);  // class fig-hist, or fig-logdensity
std::string qq_figure(const CaseData& d);                    // class fig-qq; "" without data
std::string atoms_note(const CaseData& d);

// SLQ cases (core/results/report_slq.cpp): class fig-slq, the smoothed density with its ±2 s.e. band.
std::string slq_density_figure(const json& rec);

// Learning curves and scaling laws (core/results/report_curve.cpp): class fig-curve; "" without a curve.
std::string curve_figure(const json& rec);

// Functional cases (core/results/report_functionals.cpp): class fig-functionals, each functional's deviation in
// units of its scale; and the table of functionals. "" without functionals.
std::string functional_figure(const json& rec);
std::string functionals_table(const json& rec);

// Tables and timing bars (core/results/report_tables.cpp).
std::string timing_figure(const json& rec);
std::string metric_table(const json& rec);
std::string moments_table(const json& rec);
std::string extremes_table(const json& rec, const CaseData& d);
std::string stieltjes_table(const json& rec);
std::string outliers_table(const json& rec);
std::string risk_table(const json& rec);
std::string params_table(const json& rec);

}  // namespace rmt::rpt
