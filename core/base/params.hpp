#pragma once
// Model parameters: a declared schema (name, kind, default, range) and the resolved values of a
// case. Resolution rejects unknown keys and out-of-range or malformed values with rmt::InputError.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/hash.hpp"  // fnv1a32: the case key of the Philox stream

namespace rmt {

struct ParamSpec {
  enum class Kind { real, integer, text, grid };  // grid: one value or a list/range (core/base/grid.hpp)

  std::string name;
  Kind kind = Kind::real;
  std::string default_value;  // written as on the command line
  std::string help;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;  // min excluded
  bool max_open = false;
  // Extra validation for text parameters (throws InputError); may be empty.
  std::function<void(std::string_view value, std::string_view what)> validate;

  using Validator = std::function<void(std::string_view value, std::string_view what)>;
  static ParamSpec real(std::string name, std::string default_value, std::string help, double min, double max,
                        bool min_open = false, bool max_open = false);
  static ParamSpec integer(std::string name, std::string default_value, std::string help, double min, double max);
  static ParamSpec text(std::string name, std::string default_value, std::string help, Validator validate);
  // A real parameter that may also be a grid ("0.1,1", "0.001:1:20log"): learning curves run over it.
  static ParamSpec grid(std::string name, std::string default_value, std::string help, double min, double max,
                        bool min_open = false, bool max_open = false);

  std::string range_text() const;  // "(0, inf)", "[1, 1e+06]"
  nlohmann::json to_json() const;
};

using ParamValue = std::variant<double, std::int64_t, std::string>;

class Params {
 public:
  double real(std::string_view name) const;
  std::int64_t integer(std::string_view name) const;
  const std::string& text(std::string_view name) const;
  // The values of a grid parameter (one value for a scalar).
  std::vector<double> grid(std::string_view name) const;
  // Whether a grid parameter holds more than one value.
  bool is_grid(std::string_view name) const;
  bool contains(std::string_view name) const { return values_.find(std::string(name)) != values_.end(); }

  void set(const std::string& name, ParamValue v) { values_[name] = std::move(v); }
  const std::map<std::string, ParamValue>& values() const { return values_; }

  nlohmann::json to_json() const;
  // Stable text "k1=v1;k2=v2" (sorted keys, shortest round-trip numbers): hashed into the RNG key.
  std::string canonical() const;
  // "--set k=v" for every parameter, for the repro command.
  std::string as_set_args() const;

 private:
  const ParamValue& at(std::string_view name) const;
  std::map<std::string, ParamValue> values_;
};

using Assignments = std::vector<std::pair<std::string, std::string>>;

// Applies `given` over the defaults of `specs`; `model` names the model in error messages.
Params resolve_params(std::string_view model, const std::vector<ParamSpec>& specs,
                      const Assignments& given);

std::string format_value(const ParamValue& v);

}  // namespace rmt
