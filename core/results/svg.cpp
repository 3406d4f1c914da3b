#include "core/results/svg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace rmt::svg {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLeft = 62, kRight = 14, kTop = 26, kBottom = 42;  // plot margins (px)
constexpr const char* kReplacement = "\xEF\xBF\xBD";                // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], 0 when invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  }
  if (len == 0 || i + len > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  return len;
}

std::string coord(double v) { return fmt::format("{:.1f}", v); }

}  // namespace

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_length(s, i);
      out += len ? s.substr(i, len) : std::string_view(kReplacement);
      i += len ? len : 1;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += kReplacement;
        else out += static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

std::string compact(double v, int digits) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "∞" : "−∞";
  if (v == 0.0) return "0";
  return fmt::format("{:.{}g}", v, digits);
}

double nice_number(double x, bool round) {
  if (!(x > 0) || !std::isfinite(x)) return 1.0;
  const double e = std::pow(10.0, std::floor(std::log10(x)));
  const double f = x / e;
  double n = 10;
  if (round) n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  else n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return n * e;
}

Axis Axis::linear(double lo, double hi, std::string label, bool snap, int ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(lo))) {
    const double pad = std::max(0.5 * std::abs(lo), 0.5);
    lo -= pad, hi += pad;
  }
  Axis a;
  a.step = nice_number(nice_number(hi - lo, false) / std::max(ticks - 1, 1), true);
  a.lo = snap ? std::floor(lo / a.step + 1e-9) * a.step : lo;  // -1e-15 snaps to 0, not to -step
  a.hi = snap ? std::ceil(hi / a.step - 1e-9) * a.step : hi;
  a.label = std::move(label);
  return a;
}

Axis Axis::logarithmic(double lo, double hi, std::string label) {
  if (!(lo > 0) || !std::isfinite(lo)) lo = 1e-3;
  if (!(hi > lo) || !std::isfinite(hi)) hi = lo * 10;
  Axis a;
  a.log = true;
  a.lo = std::pow(10.0, std::floor(std::log10(lo)));
  a.hi = std::pow(10.0, std::ceil(std::log10(hi)));
  if (a.hi <= a.lo) a.hi = a.lo * 10;
  a.label = std::move(label);
  return a;
}

double Axis::frac(double v) const {
  if (!std::isfinite(v)) return kNaN;
  if (!log) return (v - lo) / (hi - lo);
  if (!(v > 0)) return kNaN;
  return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
}

std::vector<double> Axis::ticks() const {
  std::vector<double> out;
  if (log) {
    const int k0 = static_cast<int>(std::lround(std::log10(lo)));
    const int k1 = static_cast<int>(std::lround(std::log10(hi)));
    const int stride = std::max(1, (k1 - k0 + 6) / 7);
    for (int k = k0; k <= k1; k += stride) out.push_back(std::pow(10.0, k));
    return out;
  }
  const double first = std::ceil(lo / step - 1e-9);
  for (double i = first; i * step <= hi + 1e-9 * step && out.size() < 50; i += 1) out.push_back(i * step);
  return out;
}

std::string Axis::tick_label(double v) const {
  if (log) {
    const int k = static_cast<int>(std::lround(std::log10(v)));
    return k >= -2 && k <= 3 ? fmt::format("{:g}", std::pow(10.0, k)) : fmt::format("1e{}", k);
  }
  if (std::abs(v) < 1e-9 * step) v = 0.0;
  return fmt::format("{:.6g}", v);
}

Plot::Plot(std::string css_class, std::string title, Axis x, Axis y, double width, double height)
    : cls_(std::move(css_class)), title_(std::move(title)), x_(std::move(x)), y_(std::move(y)),
      w_(width), h_(height) {}

double Plot::px(double x) const {
  const double f = x_.frac(x);
  return std::isnan(f) ? kNaN : kLeft + std::clamp(f, 0.0, 1.0) * (w_ - kLeft - kRight);
}

double Plot::py(double y) const {
  const double f = y_.frac(y);
  return std::isnan(f) ? kNaN : h_ - kBottom - std::clamp(f, 0.0, 1.0) * (h_ - kTop - kBottom);
}

void Plot::bar(double x0, double x1, double y, std::string_view cls) {
  const double a = px(x0), b = px(x1), top = py(y), base = h_ - kBottom;
  if (std::isnan(a) || std::isnan(b) || std::isnan(top) || base - top < 0.05) return;
  body_ += fmt::format(R"(<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>)", escape(cls),
                       coord(a), coord(top), coord(std::max(b - a, 0.3)), coord(base - top));
}

void Plot::polyline(const std::vector<Pt>& pts, std::string_view cls) {
  std::string run;
  std::size_t count = 0;
  const auto flush = [&] {
    if (count >= 2)
      body_ += fmt::format(R"(<polyline class="{}" points="{}"/>)", escape(cls), run);
    run.clear();
    count = 0;
  };
  for (const auto& p : pts) {
    const double a = px(p.x), b = py(p.y);
    if (std::isnan(a) || std::isnan(b)) {
      flush();
      continue;
    }
    run += fmt::format("{}{},{}", run.empty() ? "" : " ", coord(a), coord(b));
    ++count;
  }
  flush();
}

void Plot::markers(const std::vector<Pt>& pts, std::string_view cls) {
  for (const auto& p : pts) {
    const double a = px(p.x), b = py(p.y);
    if (std::isnan(a) || std::isnan(b)) continue;
    body_ += fmt::format(R"(<circle class="{}" cx="{}" cy="{}" r="2"/>)", escape(cls), coord(a), coord(b));
  }
}

void Plot::marker(Pt p, std::string_view cls, std::string_view title, double r) {
  const double a = px(p.x), b = py(p.y);
  if (std::isnan(a) || std::isnan(b)) return;
  body_ += fmt::format(R"(<circle class="{}" cx="{}" cy="{}" r="{}"><title>{}</title></circle>)", escape(cls), coord(a),
                       coord(b), coord(r), escape(title));
}

void Plot::error_bars(const std::vector<Pt>& pts, const std::vector<double>& half, std::string_view cls) {
  for (std::size_t i = 0; i < pts.size() && i < half.size(); ++i) {
    if (!(half[i] > 0)) continue;
    const double a = px(pts[i].x), lo = py(pts[i].y - half[i]), hi = py(pts[i].y + half[i]);
    if (std::isnan(a) || std::isnan(hi)) continue;
    // A lower end that falls off a log axis is drawn to the bottom of the plot.
    const double bottom = std::isnan(lo) ? h_ - kBottom : std::min(lo, h_ - kBottom);
    body_ += fmt::format(R"(<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>)", escape(cls), coord(a), coord(bottom),
                         coord(a), coord(std::max(hi, kTop)));
  }
}

void Plot::vline(double x, std::string_view cls) {
  const double f = x_.frac(x);
  if (std::isnan(f) || f < 0 || f > 1) return;
  const double a = px(x);
  body_ += fmt::format(R"(<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>)", escape(cls), coord(a),
                       coord(kTop), coord(a), coord(h_ - kBottom));
}

void Plot::legend(std::string_view cls, std::string label, Key key) {
  legend_.push_back({std::string(cls), std::move(label), key});
}

void Plot::note(std::string text) { notes_.push_back(std::move(text)); }

std::string Plot::axes() const {
  const double x0 = kLeft, x1 = w_ - kRight, y0 = h_ - kBottom, y1 = kTop;
  std::string s = fmt::format(R"(<rect class="frame" x="{}" y="{}" width="{}" height="{}"/>)", coord(x0),
                              coord(y1), coord(x1 - x0), coord(y0 - y1));
  for (const double t : x_.ticks()) {
    const double a = px(t);
    s += fmt::format(R"(<line class="tick" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", coord(a), coord(y0),
                     coord(y0 + 4));
    s += fmt::format(R"(<text class="tl" x="{}" y="{}" text-anchor="middle">{}</text>)", coord(a),
                     coord(y0 + 15), escape(x_.tick_label(t)));
  }
  for (const double t : y_.ticks()) {
    const double b = py(t);
    s += fmt::format(R"(<line class="grid" x1="{0}" y1="{2}" x2="{1}" y2="{2}"/>)", coord(x0), coord(x1),
                     coord(b));
    s += fmt::format(R"(<text class="tl" x="{}" y="{}" text-anchor="end">{}</text>)", coord(x0 - 5),
                     coord(b + 3.5), escape(y_.tick_label(t)));
  }
  s += fmt::format(R"(<text class="al" x="{}" y="{}" text-anchor="middle">{}</text>)",
                   coord((x0 + x1) / 2), coord(h_ - 8), escape(x_.label));
  s += fmt::format(R"svg(<text class="al" transform="translate(14,{}) rotate(-90)" text-anchor="middle">{}</text>)svg",
                   coord((y0 + y1) / 2), escape(y_.label));
  s += fmt::format(R"(<text class="title" x="{}" y="17">{}</text>)", coord(x0), escape(title_));
  return s;
}

std::string Plot::legend_svg() const {
  if (legend_.empty()) return {};
  const double x = w_ - kRight - 170, y = kTop + 6, row = 15;
  std::string s = fmt::format(R"(<rect class="legend" x="{}" y="{}" width="164" height="{}"/>)", coord(x),
                              coord(y), coord(row * static_cast<double>(legend_.size()) + 6));
  double yy = y + 3 + row / 2;
  for (const auto& e : legend_) {
    const auto cls = escape(e.cls);
    if (e.key == Key::Box)
      s += fmt::format(R"(<rect class="{}" x="{}" y="{}" width="16" height="9"/>)", cls, coord(x + 6),
                       coord(yy - 4.5));
    else if (e.key == Key::Dot)
      s += fmt::format(R"(<circle class="{}" cx="{}" cy="{}" r="2.5"/>)", cls, coord(x + 14), coord(yy));
    else
      s += fmt::format(R"(<line class="{0}" x1="{1}" y1="{2}" x2="{3}" y2="{2}"/>)", cls, coord(x + 5),
                       coord(yy), coord(x + 23));
    s += fmt::format(R"(<text class="tl" x="{}" y="{}">{}</text>)", coord(x + 28), coord(yy + 3.5),
                     escape(e.label));
    yy += row;
  }
  return s;
}

std::string Plot::str() const {
  std::string s = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img">)",
      escape(cls_), w_, h_, w_, h_);
  s += fmt::format("<title>{}</title>", escape(title_));
  s += axes() + body_ + legend_svg();
  double y = kTop + 14;
  for (const auto& n : notes_) {
    s += fmt::format(R"(<text class="note" x="{}" y="{}">{}</text>)", coord(kLeft + 6), coord(y), escape(n));
    y += 14;
  }
  return s + "</svg>";
}

std::string hbar_chart(std::string css_class, const std::vector<std::pair<std::string, double>>& rows,
                       std::string_view unit, std::string_view highlight_label) {
  constexpr double kLabel = 90, kBarMax = 360, kRow = 18, kWidth = kLabel + kBarMax + 90;
  double vmax = 0;
  for (const auto& r : rows)
    if (std::isfinite(r.second)) vmax = std::max(vmax, r.second);
  const double height = kRow * static_cast<double>(rows.size()) + 8;
  std::string s = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="{}" height="{}" viewBox="0 0 {} {}" role="img">)",
      escape(css_class), kWidth, height, kWidth, height);
  double y = 4;
  for (const auto& [label, value] : rows) {
    const double len = vmax > 0 && std::isfinite(value) && value > 0 ? value / vmax * kBarMax : 0.0;
    const char* cls = label == highlight_label ? "hbar total" : "hbar";
    s += fmt::format(R"(<text class="tl" x="{}" y="{}" text-anchor="end">{}</text>)", coord(kLabel - 6),
                     coord(y + 12), escape(label));
    s += fmt::format(R"(<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>)", cls, coord(kLabel),
                     coord(y + 2), coord(std::max(len, 0.5)), coord(kRow - 5));
    s += fmt::format(R"(<text class="tl" x="{}" y="{}">{} {}</text>)", coord(kLabel + len + 5), coord(y + 12),
                     escape(compact(value, 3)), escape(unit));
    y += kRow;
  }
  return s + "</svg>";
}

}  // namespace rmt::svg
