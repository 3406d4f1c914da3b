#include "core/base/params.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/base/error.hpp"
#include "core/base/grid.hpp"
#include "core/base/parse.hpp"

namespace rmt {

ParamSpec ParamSpec::real(std::string name, std::string default_value, std::string help, double min, double max,
                          bool min_open, bool max_open) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = Kind::real;
  s.default_value = std::move(default_value);
  s.help = std::move(help);
  s.min = min;
  s.max = max;
  s.min_open = min_open;
  s.max_open = max_open;
  return s;
}

ParamSpec ParamSpec::integer(std::string name, std::string default_value, std::string help, double min, double max) {
  ParamSpec s = real(std::move(name), std::move(default_value), std::move(help), min, max);
  s.kind = Kind::integer;
  return s;
}

ParamSpec ParamSpec::text(std::string name, std::string default_value, std::string help, Validator validate) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = Kind::text;
  s.default_value = std::move(default_value);
  s.help = std::move(help);
  s.validate = std::move(validate);
  return s;
}

ParamSpec ParamSpec::grid(std::string name, std::string default_value, std::string help, double min, double max,
                          bool min_open, bool max_open) {
  ParamSpec s = real(std::move(name), std::move(default_value), std::move(help), min, max, min_open, max_open);
  s.kind = Kind::grid;
  return s;
}

std::string ParamSpec::range_text() const {
  if (kind == Kind::text) return "";
  return fmt::format("{}{}, {}{}", min_open ? '(' : '[', min, max, max_open ? ')' : ']');
}

nlohmann::json ParamSpec::to_json() const {
  static const char* kinds[] = {"real", "integer", "text", "grid"};
  nlohmann::json j = {{"name", name},
                      {"type", kinds[static_cast<int>(kind)]},
                      {"default", default_value},
                      {"description", help}};
  if (kind != Kind::text) {
    const auto bound = [](double v) -> nlohmann::json {
      if (std::isfinite(v)) return v;
      return nullptr;
    };
    j["min"] = bound(min);
    j["max"] = bound(max);
    j["min_open"] = min_open;
    j["max_open"] = max_open;
  }
  return j;
}

std::string format_value(const ParamValue& v) {
  return std::visit([](const auto& x) { return fmt::format("{}", x); }, v);
}

const ParamValue& Params::at(std::string_view name) const {
  const auto it = values_.find(std::string(name));
  if (it == values_.end()) throw Error(fmt::format("internal: parameter '{}' was not resolved", name));
  return it->second;
}

double Params::real(std::string_view name) const {
  const auto& v = at(name);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}

std::int64_t Params::integer(std::string_view name) const { return std::get<std::int64_t>(at(name)); }

const std::string& Params::text(std::string_view name) const { return std::get<std::string>(at(name)); }

// A grid is stored as its number when it has one value, else as its (validated) text.
std::vector<double> Params::grid(std::string_view name) const {
  const auto& v = at(name);
  if (const auto* text = std::get_if<std::string>(&v)) return parse_grid(*text, name);
  return {real(name)};
}

bool Params::is_grid(std::string_view name) const { return std::holds_alternative<std::string>(at(name)); }

nlohmann::json Params::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : values_) std::visit([&j, &key = k](const auto& x) { j[key] = x; }, v);
  return j;
}

std::string Params::canonical() const {
  std::string out;
  for (const auto& [k, v] : values_) out += fmt::format("{}{}={}", out.empty() ? "" : ";", k, format_value(v));
  return out;
}

std::string Params::as_set_args() const {
  std::string out;
  for (const auto& [k, v] : values_) {
    const auto text = format_value(v);
    const bool quote = text.find_first_of(" ;&|<>'\"") != std::string::npos;
    out += fmt::format(" --set {}={}{}{}", k, quote ? "'" : "", text, quote ? "'" : "");
  }
  return out;
}

namespace {

ParamValue convert(const ParamSpec& spec, std::string_view model, std::string_view text) {
  const auto what = fmt::format("{} parameter '{}'", model, spec.name);
  switch (spec.kind) {
    case ParamSpec::Kind::text:
      if (spec.validate) spec.validate(text, what);
      return std::string(trim(text));
    case ParamSpec::Kind::grid: {
      const auto values = parse_grid(text, what);
      for (const double v : values) {
        const bool below = spec.min_open ? !(v > spec.min) : !(v >= spec.min);
        const bool above = spec.max_open ? !(v < spec.max) : !(v <= spec.max);
        if (below || above)
          throw InputError(fmt::format("{}: value {} of '{}' is out of range {}", what, v, text, spec.range_text()));
      }
      if (values.size() == 1) return values.front();
      return std::string(trim(text));
    }
    case ParamSpec::Kind::integer:
    case ParamSpec::Kind::real: {
      const double v = spec.kind == ParamSpec::Kind::integer ? static_cast<double>(parse_integer(text, what))
                                                             : parse_real(text, what);
      const bool below = spec.min_open ? !(v > spec.min) : !(v >= spec.min);
      const bool above = spec.max_open ? !(v < spec.max) : !(v <= spec.max);
      if (below || above)
        throw InputError(fmt::format("{} = {} is out of range {}", what, text, spec.range_text()));
      if (spec.kind == ParamSpec::Kind::integer) return static_cast<std::int64_t>(v);
      return v;
    }
  }
  throw Error("internal: unknown parameter kind");
}

}  // namespace

Params resolve_params(std::string_view model, const std::vector<ParamSpec>& specs,
                      const Assignments& given) {
  const auto find = [&](std::string_view name) -> const ParamSpec* {
    for (const auto& s : specs)
      if (s.name == name) return &s;
    return nullptr;
  };
  for (const auto& [key, value] : given) {
    if (!find(key)) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      throw InputError(fmt::format("unknown parameter '{}' for model {} (known: {})", key, model, known));
    }
  }
  Params p;
  for (const auto& spec : specs) {
    std::string_view text = spec.default_value;
    for (const auto& [key, value] : given)
      if (key == spec.name) text = value;  // the last assignment wins
    p.set(spec.name, convert(spec, model, text));
  }
  return p;
}

}  // namespace rmt
