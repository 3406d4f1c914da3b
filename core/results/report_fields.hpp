#pragma once
// Report internals: tolerant access to run records (every key may be absent or of an unexpected
// type, numbers may be NaN/inf) and the verdict of a record or of one metric against its tolerance.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace rmt::rpt {

using nlohmann::json;

const json* field(const json* j, std::string_view key);  // nullptr when absent or j is no object
const json* field(const json& j, std::string_view key);
const json* field(const json& j, std::string_view a, std::string_view b);  // j[a][b]
std::optional<double> number(const json* j);
// Strings as they are, numbers compactly, anything else as JSON text; "" when absent.
std::string text(const json* j);
// Exact JSON text for parameter values (no rounding), strings unquoted.
std::string exact(const json& j);
const json& items(const json* j);  // the array, or an empty one
std::string cell(const std::optional<double>& v, int digits = 4);  // escaped compact number, "—" when absent
std::string or_dash(const std::string& s);                         // escaped, "—" when empty
// A complex number [re, im], and its text "re ± im i".
std::optional<std::pair<double, double>> complex_of(const json* j);
std::string complex_text(const std::optional<std::pair<double, double>>& c);

enum class Status { Pass, Fail, Warn, None };
Status verdict_of(const json& rec);
const char* status_class(Status s);  // "pass", "fail", "warn", "none"
const char* status_word(Status s);   // "PASS", "FAIL", "WARN", "????"
// |metric| <= tolerance; None when either is missing.
Status judge(const json& rec, const std::string& key);
std::string badge(Status s);  // <span class="badge …">

}  // namespace rmt::rpt
