#include "line_plot.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "../core/error.hpp"
#include "figure_parts.hpp"
#include "write_file.hpp"

namespace spool {

namespace {

using detail::extension, detail::hex, detail::kFrame, detail::kInk, detail::kPaper, detail::shorten,
    detail::widest, detail::xml_text;

constexpr const char* kOp = "write_line_plot";
constexpr size_t kMaxSeries = 16, kMaxPoints = 1'000'000, kMaxNameChars = 40, kMaxTitleChars = 60,
                 kMaxAxisTitleChars = 60;
constexpr int kMinSide = 200, kMaxSide = 4000;
// The layout of line_plot.hpp, in pixels.
constexpr int kMargin = 10, kTitleHeight = 28, kTitleScale = 2, kAxisTitle = 16, kTick = 4, kTickGap = 4,
              kLineWidth = 2;
// The legend: rows of a colour sample and a name, inside a padded box.
constexpr int kLegendInset = 8, kLegendPad = 6, kLegendRow = 14, kSampleWidth = 20, kSampleGap = 6;
constexpr Rgb kGrid{228, 228, 228};

// Okabe and Ito's palette, black first, yellow (the weakest on white) last.
constexpr std::array<Rgb, 8> kPalette = {{{0x00, 0x00, 0x00},
                                          {0xD5, 0x5E, 0x00},
                                          {0x00, 0x72, 0xB2},
                                          {0x00, 0x9E, 0x73},
                                          {0xE6, 0x9F, 0x00},
                                          {0x56, 0xB4, 0xE9},
                                          {0xCC, 0x79, 0xA7},
                                          {0xF0, 0xE4, 0x42}}};

// An axis: the range drawn, and ticks at multiples of a round step (1, 2 or
// 5 times a power of ten: the smallest that leaves at most 7 steps).
struct Axis {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> ticks;
  std::vector<std::string> labels;
};

Axis make_axis(double lo, double hi, double pad_fraction) {
  Axis a;
  // A constant gets a range around it (wider than its rounding steps); a
  // pad that would overflow is left off.
  const double pad = hi == lo ? std::max(1.0, std::fabs(lo) * 1e-6) : (hi - lo) * pad_fraction;
  a.lo = lo - pad;
  a.hi = hi + pad;
  if (!std::isfinite(a.hi - a.lo)) {
    a.lo = lo;
    a.hi = hi;
  }
  const double span = a.hi - a.lo;
  const double power = std::pow(10.0, std::floor(std::log10(span / 7)));
  // span / 7 lies in [power, 10 power), so one of these fits.
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    a.step = m * power;
    if (span / a.step <= 7) break;
  }
  if (!(std::isnormal(a.step) && span / a.step <= 7)) return a;  // a span of subnormals: no ticks
  // Ticks as whole multiples (k * step, not accumulated sums, so 0.3 is 0.3),
  // counted, not stepped: far from zero, k + 1 may round back to k.
  const double first = std::ceil(a.lo / a.step);
  const auto count = static_cast<int>(std::clamp(std::floor(a.hi / a.step) - first + 1, 0.0, 16.0));
  const int step_digit = static_cast<int>(std::floor(std::log10(a.step) + 1e-9));
  const double largest = std::max(std::fabs(a.lo), std::fabs(a.hi));
  // Fixed decimals for everyday numbers; else as many significant digits as
  // tell neighbouring ticks apart.
  const bool plain = step_digit >= -6 && largest < 1e9;
  const int digits = std::clamp(static_cast<int>(std::floor(std::log10(largest))) - step_digit + 1, 1, 17);
  for (int i = 0; i < count; ++i) {
    const double v = (first + i) * a.step;
    a.ticks.push_back(v);
    std::string s = plain ? fmt::format("{:.{}f}", v, std::max(0, -step_digit)) : fmt::format("{:.{}g}", v, digits);
    if (s.find_first_not_of("-0.") == std::string::npos) s = s.substr(s[0] == '-');  // no "-0"
    a.labels.push_back(s);
  }
  return a;
}

// Everything both formats draw, checked and measured once.
struct Plot {
  std::vector<LineSeries> series;
  std::vector<std::string> names;  // shortened
  std::string title, x_label, y_label;
  Axis x, y;
  LinePlotLayout layout;
};

// Whether the segment (x0, y0)-(x1, y1) meets the box [bx, bx + w) x [by, by + h)
// (Liang-Barsky: clip the segment's parameter range to each side in turn).
bool crosses(double x0, double y0, double x1, double y1, int bx, int by, int w, int h) {
  double t0 = 0, t1 = 1;
  const double dx = x1 - x0, dy = y1 - y0;
  const auto clip = [&](double p, double q) {  // keeps the part where p * t <= q
    if (p == 0) return q >= 0;
    const double t = q / p;
    if (p < 0) t0 = std::max(t0, t);
    else t1 = std::min(t1, t);
    return t0 <= t1;
  };
  return clip(-dx, x0 - bx) && clip(dx, bx + w - 1 - x0) && clip(-dy, y0 - by) && clip(dy, by + h - 1 - y0);
}

// Segments (and lone points) of every series that meet a box, for placing
// the legend where it hides the least.
int64_t lines_through(const Plot& p, int x0, int y0, int w, int h) {
  const LinePlotLayout& l = p.layout;
  int64_t n = 0;
  for (const LineSeries& s : p.series) {
    if (s.x.size() == 1) n += crosses(l.to_px(s.x[0]), l.to_py(s.y[0]), l.to_px(s.x[0]), l.to_py(s.y[0]), x0, y0, w, h);
    for (size_t i = 1; i < s.x.size(); ++i)
      n += crosses(l.to_px(s.x[i - 1]), l.to_py(s.y[i - 1]), l.to_px(s.x[i]), l.to_py(s.y[i]), x0, y0, w, h);
  }
  return n;
}

Plot prepare(const std::vector<LineSeries>& series, const LinePlotOptions& o) {
  SPOOL_CHECK(!series.empty() && series.size() <= kMaxSeries, kOp, "expected 1 to {} series, got {}", kMaxSeries,
              series.size());
  SPOOL_CHECK(o.width >= kMinSide && o.width <= kMaxSide && o.height >= kMinSide && o.height <= kMaxSide, kOp,
              "the size must be {} to {} pixels a side, got {}x{}", kMinSide, kMaxSide, o.width, o.height);
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (size_t k = 0; k < series.size(); ++k) {
    const LineSeries& s = series[k];
    SPOOL_CHECK(s.x.size() == s.y.size(), kOp, "series {} (\"{}\") has {} x values and {} y values", k, s.name,
                s.x.size(), s.y.size());
    SPOOL_CHECK(!s.x.empty() && s.x.size() <= kMaxPoints, kOp, "series {} (\"{}\") has {} points, expected 1 to {}", k,
                s.name, s.x.size(), kMaxPoints);
    for (size_t i = 0; i < s.x.size(); ++i) {
      SPOOL_CHECK(std::isfinite(s.x[i]) && std::isfinite(s.y[i]), kOp, "series {} (\"{}\") point {} is ({}, {})", k,
                  s.name, i, s.x[i], s.y[i]);
      x_lo = std::min(x_lo, s.x[i]);
      x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, s.y[i]);
      y_hi = std::max(y_hi, s.y[i]);
    }
  }
  SPOOL_CHECK(std::isfinite(x_hi - x_lo) && std::isfinite(y_hi - y_lo), kOp,
              "the values span more than a double holds (x {} to {}, y {} to {})", x_lo, x_hi, y_lo, y_hi);

  Plot p;
  p.series = series;
  for (const LineSeries& s : series) p.names.push_back(shorten(s.name, kMaxNameChars));
  p.title = shorten(o.title, kMaxTitleChars);
  p.x_label = shorten(o.x_label, kMaxAxisTitleChars);
  p.y_label = shorten(o.y_label, kMaxAxisTitleChars);
  p.x = make_axis(x_lo, x_hi, 0.0);   // lines reach the frame's sides
  p.y = make_axis(y_lo, y_hi, 0.05);  // and keep clear of its top and bottom

  LinePlotLayout& l = p.layout;
  l.width = o.width;
  l.height = o.height;
  l.plot_y = kMargin + (p.title.empty() ? 0 : kTitleHeight);
  l.plot_x = kMargin + (p.y_label.empty() ? 0 : kAxisTitle) + widest(p.y.labels) + kTick + kTickGap;
  // Room on the right for half of the last x tick label.
  const int right = std::max(kMargin, p.x.labels.empty() ? 0 : Canvas::text_width(p.x.labels.back()) / 2 + 2);
  l.plot_width = l.width - l.plot_x - right;
  l.plot_height = l.height - l.plot_y - kMargin - (kTick + kTickGap + Canvas::text_height()) -
                  (p.x_label.empty() ? 0 : kAxisTitle);
  SPOOL_CHECK(l.plot_width >= 50 && l.plot_height >= 50, kOp,
              "a {}x{} image leaves a {}x{} plot area for these labels; make it larger", l.width, l.height,
              l.plot_width, l.plot_height);
  l.x_min = p.x.lo;
  l.x_max = p.x.hi;
  l.y_min = p.y.lo;
  l.y_max = p.y.hi;
  l.x_ticks = p.x.ticks;
  l.y_ticks = p.y.ticks;

  l.legend_width = 2 * kLegendPad + kSampleWidth + kSampleGap + widest(p.names);
  l.legend_height = 2 * kLegendPad + static_cast<int>(series.size()) * kLegendRow - (kLegendRow - Canvas::text_height());
  const int left = l.plot_x + kLegendInset, top = l.plot_y + kLegendInset;
  const int rightmost = l.plot_x + l.plot_width - kLegendInset - l.legend_width;
  const int bottom = l.plot_y + l.plot_height - kLegendInset - l.legend_height;
  const std::array<std::pair<int, int>, 4> corners = {{{rightmost, top}, {left, top}, {rightmost, bottom}, {left, bottom}}};
  int64_t fewest = -1;
  for (const auto& [cx, cy] : corners) {
    const int64_t n = lines_through(p, cx, cy, l.legend_width, l.legend_height);
    if (fewest < 0 || n < fewest) {
      fewest = n;
      l.legend_x = cx;
      l.legend_y = cy;
    }
  }
  return p;
}

int title_x(const Plot& p) {
  const LinePlotLayout& l = p.layout;
  const int w = Canvas::text_width(p.title, kTitleScale);
  return std::clamp(l.plot_x + (l.plot_width - w) / 2, kMargin, std::max(kMargin, l.width - kMargin - w));
}

std::string render_png(const Plot& p) {
  const LinePlotLayout& l = p.layout;
  Canvas c(l.width, l.height, kPaper);
  if (!p.title.empty()) c.draw_text(title_x(p), kMargin, p.title, kInk, kTitleScale);
  const int bottom = l.plot_y + l.plot_height - 1, right = l.plot_x + l.plot_width - 1;
  // Grid lines and ticks with their numbers (capitals centred on y ticks).
  for (size_t i = 0; i < p.y.ticks.size(); ++i) {
    const int y = l.to_py(p.y.ticks[i]);
    c.draw_line(l.plot_x, y, right, y, kGrid);
    c.draw_line(l.plot_x - kTick, y, l.plot_x - 1, y, kInk);
    const std::string& s = p.y.labels[i];
    c.draw_text(l.plot_x - kTick - kTickGap - Canvas::text_width(s), y - 3, s, kInk);
  }
  for (size_t i = 0; i < p.x.ticks.size(); ++i) {
    const int x = l.to_px(p.x.ticks[i]);
    c.draw_line(x, l.plot_y, x, bottom, kGrid);
    c.draw_line(x, bottom + 1, x, bottom + kTick, kInk);
    const std::string& s = p.x.labels[i];
    c.draw_text(x - Canvas::text_width(s) / 2, bottom + 1 + kTick + kTickGap, s, kInk);
  }
  c.draw_rect(l.plot_x - 1, l.plot_y - 1, l.plot_width + 2, l.plot_height + 2, kFrame);
  if (!p.x_label.empty())
    c.draw_text(l.plot_x + (l.plot_width - Canvas::text_width(p.x_label)) / 2,
                l.height - kMargin - Canvas::text_height(), p.x_label, kInk);
  if (!p.y_label.empty())
    c.draw_text_up(kMargin, l.plot_y + (l.plot_height + Canvas::text_width(p.y_label)) / 2, p.y_label, kInk);
  // The series in order, later ones over earlier ones; a lone point is a dot.
  for (size_t k = 0; k < p.series.size(); ++k) {
    const LineSeries& s = p.series[k];
    const Rgb colour = line_plot_colour(k);
    if (s.x.size() == 1) c.fill_rect(l.to_px(s.x[0]) - 2, l.to_py(s.y[0]) - 2, 5, 5, colour);
    for (size_t i = 1; i < s.x.size(); ++i)
      c.draw_line(l.to_px(s.x[i - 1]), l.to_py(s.y[i - 1]), l.to_px(s.x[i]), l.to_py(s.y[i]), colour, kLineWidth);
  }
  c.fill_rect(l.legend_x, l.legend_y, l.legend_width, l.legend_height, kPaper);
  c.draw_rect(l.legend_x, l.legend_y, l.legend_width, l.legend_height, kFrame);
  for (size_t k = 0; k < p.series.size(); ++k) {
    const int x = l.legend_x + kLegendPad, y = l.legend_y + kLegendPad + static_cast<int>(k) * kLegendRow;
    c.fill_rect(x, y + 3, kSampleWidth, 3, line_plot_colour(k));
    c.draw_text(x + kSampleWidth + kSampleGap, y, p.names[k], kInk);
  }
  return c.encode_png();
}

// The PNG's layout with vector lines; the text in any monospace font of the
// viewer's (0.6 em at 10 px is close to the bitmap font's 6 px advance).
std::string render_svg(const Plot& p) {
  const LinePlotLayout& l = p.layout;
  std::string out;
  auto add = [&out](auto&&... parts) { (out.append(parts), ...); };
  add("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  add(fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                  "font-family=\"DejaVu Sans Mono, monospace\" font-size=\"10\" fill=\"{2}\">\n",
                  l.width, l.height, hex(kInk)));
  add(fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", l.width, l.height, hex(kPaper)));
  if (!p.title.empty())
    add(fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"20\" dominant-baseline=\"hanging\">", title_x(p), kMargin),
        xml_text(p.title), "</text>\n");
  const int bottom = l.plot_y + l.plot_height - 1, right = l.plot_x + l.plot_width - 1;
  const auto line = [&](double x0, double y0, double x1, double y1, Rgb colour) {
    add(fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>\n", x0, y0, x1, y1, hex(colour)));
  };
  for (size_t i = 0; i < p.y.ticks.size(); ++i) {
    const double y = l.to_py(p.y.ticks[i]) + 0.5;
    line(l.plot_x, y, right + 1, y, kGrid);
    line(l.plot_x - kTick, y, l.plot_x, y, kInk);
    add(fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"central\">",
                    l.plot_x - kTick - kTickGap, y),
        xml_text(p.y.labels[i]), "</text>\n");
  }
  for (size_t i = 0; i < p.x.ticks.size(); ++i) {
    const double x = l.to_px(p.x.ticks[i]) + 0.5;
    line(x, l.plot_y, x, bottom + 1, kGrid);
    line(x, bottom + 1, x, bottom + 1 + kTick, kInk);
    add(fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"hanging\">", x,
                    bottom + 1 + kTick + kTickGap),
        xml_text(p.x.labels[i]), "</text>\n");
  }
  add(fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{}\"/>\n",
                  l.plot_x - 0.5, l.plot_y - 0.5, l.plot_width + 1, l.plot_height + 1, hex(kFrame)));
  if (!p.x_label.empty())
    add(fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">", l.plot_x + l.plot_width / 2.0,
                    l.height - kMargin),
        xml_text(p.x_label), "</text>\n");
  if (!p.y_label.empty())
    add(fmt::format("<text transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\" "
                    "dominant-baseline=\"hanging\">",
                    kMargin, l.plot_y + l.plot_height / 2.0),
        xml_text(p.y_label), "</text>\n");
  for (size_t k = 0; k < p.series.size(); ++k) {
    const LineSeries& s = p.series[k];
    const std::string colour = hex(line_plot_colour(k));
    if (s.x.size() == 1) {
      add(fmt::format("<circle class=\"series\" cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"><title>", l.to_px(s.x[0]) + 0.5,
                      l.to_py(s.y[0]) + 0.5, colour),
          xml_text(s.name), "</title></circle>\n");
      continue;
    }
    add("<polyline class=\"series\" fill=\"none\" stroke=\"", colour,
        fmt::format("\" stroke-width=\"{}\" stroke-linejoin=\"round\" points=\"", kLineWidth));
    for (size_t i = 0; i < s.x.size(); ++i)
      add(fmt::format("{}{},{}", i ? " " : "", l.to_px(s.x[i]) + 0.5, l.to_py(s.y[i]) + 0.5));
    add("\"><title>", xml_text(s.name), "</title></polyline>\n");
  }
  add(fmt::format("<rect class=\"legend\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{}\"/>\n",
                  l.legend_x + 0.5, l.legend_y + 0.5, l.legend_width - 1, l.legend_height - 1, hex(kPaper),
                  hex(kFrame)));
  for (size_t k = 0; k < p.series.size(); ++k) {
    const int x = l.legend_x + kLegendPad, y = l.legend_y + kLegendPad + static_cast<int>(k) * kLegendRow;
    add(fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"3\" fill=\"{}\"/>\n", x, y + 3, kSampleWidth,
                    hex(line_plot_colour(k))));
    add(fmt::format("<text x=\"{}\" y=\"{}\" dominant-baseline=\"central\">", x + kSampleWidth + kSampleGap, y + 4.5),
        xml_text(p.names[k]), "</text>\n");
  }
  add("</svg>\n");
  return out;
}

}  // namespace

int LinePlotLayout::to_px(double x) const {
  const double f = x_max > x_min ? (x - x_min) / (x_max - x_min) : 0.5;
  return plot_x + static_cast<int>(std::lround(f * (plot_width - 1)));
}

int LinePlotLayout::to_py(double y) const {
  const double f = y_max > y_min ? (y - y_min) / (y_max - y_min) : 0.5;
  return plot_y + plot_height - 1 - static_cast<int>(std::lround(f * (plot_height - 1)));
}

Rgb line_plot_colour(size_t i) { return kPalette[i % kPalette.size()]; }

LinePlotLayout line_plot_layout(const std::vector<LineSeries>& series, const LinePlotOptions& options) {
  return prepare(series, options).layout;
}

void write_line_plot(const std::string& path, const std::vector<LineSeries>& series, const LinePlotOptions& options) {
  const std::string ext = extension(path);
  SPOOL_CHECK(ext == ".png" || ext == ".svg", kOp, "cannot tell the format of {}: the name must end in .png or .svg",
              path);
  const Plot p = prepare(series, options);
  write_file(path, ext == ".png" ? render_png(p) : render_svg(p), kOp);
}

}  // namespace spool
