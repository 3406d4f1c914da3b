#include "core/base/parse.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"

namespace rmt {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

namespace {

// Parses a full real number; std::from_chars rejects "+1", so a leading '+' is stripped.
bool to_real(std::string_view t, double& out) {
  t = trim(t);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty()) return false;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(out);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(sep, start);
    parts.push_back(trim(text.substr(start, pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

}  // namespace

double parse_real(std::string_view text, std::string_view what) {
  double v = 0;
  if (!to_real(text, v))
    throw InputError(fmt::format("{}: '{}' is not a finite real number", what, text));
  return v;
}

std::int64_t parse_integer(std::string_view text, std::string_view what) {
  const auto t = trim(text);
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    // Accept integral reals such as "2e3" or "2000.0".
    double d = 0;
    if (to_real(t, d) && d == std::floor(d) && std::abs(d) < 9e15) return static_cast<std::int64_t>(d);
    throw InputError(fmt::format("{}: '{}' is not an integer", what, text));
  }
  return v;
}

complex parse_complex(std::string_view text, std::string_view what) {
  const auto t = trim(text);
  const auto fail = [&] {
    return InputError(
        fmt::format("{}: '{}' is not a complex number (expected a+bi, a-bi or a)", what, text));
  };
  if (t.empty()) throw fail();
  if (t.back() != 'i' && t.back() != 'j') return {parse_real(t, what), 0.0};
  const auto body = t.substr(0, t.size() - 1);
  // The imaginary part starts at the last sign that is not the first character or an exponent sign.
  std::size_t split_at = std::string_view::npos;
  for (std::size_t k = body.size(); k-- > 1;) {
    if ((body[k] == '+' || body[k] == '-') && body[k - 1] != 'e' && body[k - 1] != 'E') {
      split_at = k;
      break;
    }
  }
  const auto imag_of = [&](std::string_view s) {
    if (s.empty() || s == "+") return 1.0;
    if (s == "-") return -1.0;
    double v = 0;
    if (!to_real(s, v)) throw fail();
    return v;
  };
  if (split_at == std::string_view::npos) return {0.0, imag_of(body)};
  double re = 0;
  if (!to_real(body.substr(0, split_at), re)) throw fail();
  return {re, imag_of(body.substr(split_at))};
}

std::vector<double> parse_real_list(std::string_view text, std::string_view what) {
  std::vector<double> out;
  for (const auto part : split(text, ',')) out.push_back(parse_real(part, what));
  return out;
}

std::vector<complex> parse_complex_list(std::string_view text, std::string_view what) {
  std::vector<complex> out;
  for (const auto part : split(text, ',')) out.push_back(parse_complex(part, what));
  return out;
}

std::vector<std::pair<double, double>> parse_weighted_list(std::string_view text,
                                                           std::string_view what) {
  std::vector<std::pair<double, double>> out;
  for (const auto part : split(text, ',')) {
    const auto colon = part.find(':');
    if (colon == std::string_view::npos) {
      out.emplace_back(parse_real(part, what), 1.0);
    } else {
      out.emplace_back(parse_real(part.substr(0, colon), what),
                       parse_real(part.substr(colon + 1), what));
    }
  }
  return out;
}

std::pair<std::string, std::string> parse_assignment(std::string_view text, std::string_view what) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || trim(text.substr(0, eq)).empty())
    throw InputError(fmt::format("{}: '{}' is not of the form KEY=VALUE", what, text));
  return {std::string(trim(text.substr(0, eq))), std::string(trim(text.substr(eq + 1)))};
}

}  // namespace rmt
