#pragma once
// A small SVG plotting helper for the HTML report: linear/log axes with "nice" ticks, bars,
// polylines, markers, dashed vertical lines, a legend, and a horizontal bar chart. The output is
// XML-well-formed inline SVG; styling comes from CSS classes (the report's <style>).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rmt::svg {

// XML text/attribute escaping (& < > " '); control characters and invalid UTF-8 become U+FFFD.
std::string escape(std::string_view s);

// Compact number: 4 significant digits ("0.0042", "1.235e+05"), "NaN", "∞", "−∞".
std::string compact(double v, int digits = 4);

// Largest "nice" number (1, 2, 5 × 10^k) near x: rounded when `round`, else the next one >= x.
double nice_number(double x, bool round);

struct Axis {
  double lo = 0.0;
  double hi = 1.0;
  double step = 0.0;  // tick spacing (linear axes)
  bool log = false;
  std::string label;

  // [lo, hi] widened to whole tick steps (when `snap`); degenerate or non-finite ranges are fixed.
  static Axis linear(double lo, double hi, std::string label, bool snap = true, int ticks = 6);
  // [lo, hi] (lo > 0) widened to whole decades.
  static Axis logarithmic(double lo, double hi, std::string label);

  double frac(double v) const;  // 0 at lo, 1 at hi; NaN when v cannot be placed (log of v <= 0)
  std::vector<double> ticks() const;
  std::string tick_label(double v) const;
};

struct Pt {
  double x;
  double y;
};

enum class Key { Box, Line, Dashed, Dot };

class Plot {
 public:
  // `css_class` becomes the <svg class="...">, so figures can be counted (e.g. "fig-hist").
  Plot(std::string css_class, std::string title, Axis x, Axis y, double width = 600, double height = 300);

  void bar(double x0, double x1, double y, std::string_view cls);  // from the bottom of the plot
  void polyline(const std::vector<Pt>& pts, std::string_view cls);  // broken at unplaceable points
  void markers(const std::vector<Pt>& pts, std::string_view cls);
  // One marker of radius r with a hover text (<title>); nothing when the point cannot be placed.
  void marker(Pt p, std::string_view cls, std::string_view title, double r = 2.5);
  // Vertical bars y ± half[i] at each point (error bars).
  void error_bars(const std::vector<Pt>& pts, const std::vector<double>& half, std::string_view cls);
  void vline(double x, std::string_view cls);
  void legend(std::string_view cls, std::string label, Key key);
  void note(std::string text);  // a line of text in the plot's top-left corner

  std::string str() const;

 private:
  double px(double x) const;  // pixel coordinates; NaN when unplaceable
  double py(double y) const;
  std::string axes() const;
  std::string legend_svg() const;

  std::string cls_, title_;
  Axis x_, y_;
  double w_, h_;
  std::string body_;
  std::vector<std::string> notes_;
  struct Entry {
    std::string cls, label;
    Key key;
  };
  std::vector<Entry> legend_;
};

// Horizontal bars, one per (label, value), scaled to the largest value, value printed with `unit`.
std::string hbar_chart(std::string css_class, const std::vector<std::pair<std::string, double>>& rows,
                       std::string_view unit, std::string_view highlight_label = {});

}  // namespace rmt::svg
