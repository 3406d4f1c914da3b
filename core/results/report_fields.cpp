#include "core/results/report_fields.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/results/svg.hpp"

namespace rmt::rpt {

using svg::compact;
using svg::escape;

const json* field(const json* j, std::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  const auto it = j->find(std::string(key));
  return it == j->end() ? nullptr : &*it;
}

const json* field(const json& j, std::string_view key) { return field(&j, key); }

const json* field(const json& j, std::string_view a, std::string_view b) { return field(field(j, a), b); }

std::optional<double> number(const json* j) {
  if (j == nullptr || !j->is_number()) return std::nullopt;
  return j->get<double>();
}

// Strings as they are, numbers compactly, anything else as JSON text; "" when absent.
std::string text(const json* j) {
  if (j == nullptr || j->is_null()) return {};
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number()) return compact(j->get<double>(), 6);
  return j->dump(-1, ' ', false, json::error_handler_t::replace);
}

// Exact JSON text for parameter values (no rounding), strings unquoted.
std::string exact(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_float() && !std::isfinite(j.get<double>())) return compact(j.get<double>());
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

const json& items(const json* j) {
  static const json empty = json::array();
  return j != nullptr && j->is_array() ? *j : empty;
}

std::string cell(const std::optional<double>& v, int digits) { return v ? escape(compact(*v, digits)) : "—"; }

std::string or_dash(const std::string& s) { return s.empty() ? "—" : escape(s); }

// A complex number [re, im].
std::optional<std::pair<double, double>> complex_of(const json* j) {
  if (j == nullptr || !j->is_array() || j->size() != 2 || !(*j)[0].is_number() || !(*j)[1].is_number())
    return std::nullopt;
  return std::pair{(*j)[0].get<double>(), (*j)[1].get<double>()};
}

std::string complex_text(const std::optional<std::pair<double, double>>& c) {
  if (!c) return "—";
  const auto [re, im] = *c;
  return escape(fmt::format("{} {} {}i", compact(re), std::signbit(im) ? "−" : "+", compact(std::abs(im))));
}

Status verdict_of(const json& rec) {
  // A mutation (a deliberately wrong theory) is judged by whether it was caught, not by its verdict.
  if (const json* m = field(rec, "mutation"); m != nullptr && field(m, "status") != nullptr) {
    const std::string status = text(field(m, "status"));
    if (status == "caught") return Status::Pass;
    if (status == "survived" && text(field(m, "expect")) == "survives") return Status::Warn;
    return Status::Fail;
  }
  const std::string v = text(field(rec, "verdict"));
  if (v == "pass" || v == "PASS" || v == "OK") return Status::Pass;
  if (v == "fail" || v == "FAIL" || v == "FAILED") return Status::Fail;
  if (v == "warn" || v == "WARN") return Status::Warn;
  return Status::None;
}

const char* status_class(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Warn: return "warn";
    default: return "none";
  }
}

const char* status_word(Status s) {
  switch (s) {
    case Status::Pass: return "PASS";
    case Status::Fail: return "FAIL";
    case Status::Warn: return "WARN";
    default: return "????";
  }
}

// |metric| <= tolerance; None when either is missing.
Status judge(const json& rec, const std::string& key) {
  const auto v = number(field(rec, "metrics", key));
  const auto tol = number(field(rec, "tolerance", key));
  if (!v || !tol) return Status::None;
  return std::isfinite(*v) && std::abs(*v) <= *tol ? Status::Pass : Status::Fail;
}

std::string badge(Status s) {
  return fmt::format(R"(<span class="badge {}">{}</span>)", status_class(s), status_word(s));
}

}  // namespace rmt::rpt
