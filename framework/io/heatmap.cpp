#include "heatmap.hpp"

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

constexpr const char* kOp = "write_heatmap";
constexpr int64_t kMaxCells = 512;  // rows or cols: beyond it nobody reads the labels
constexpr int kMinCell = 10, kMaxCell = 100;
// The layout of heatmap.hpp, in pixels.
constexpr int kMargin = 10, kGap = 6, kTitleHeight = 28, kBarGap = 16, kBarWidth = 14, kTickLength = 4,
              kTickGap = 2, kMinBarHeight = 100, kTitleScale = 2;
constexpr size_t kMaxLabelChars = 16, kMaxTitleChars = 60;

// viridis, matplotlib's table at 0, 1/8, ..., 1.
constexpr std::array<Rgb, 9> kRamp = {{{0x44, 0x01, 0x54},
                                       {0x47, 0x2d, 0x7b},
                                       {0x3b, 0x52, 0x8b},
                                       {0x2c, 0x72, 0x8e},
                                       {0x21, 0x91, 0x8c},
                                       {0x28, 0xae, 0x80},
                                       {0x5e, 0xc9, 0x62},
                                       {0xad, 0xdc, 0x30},
                                       {0xfd, 0xe7, 0x25}}};

std::vector<std::string> labels_or_indices(const std::vector<std::string>& given, int64_t n) {
  if (!given.empty()) return given;
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(std::to_string(i));
  return out;
}

// Everything both formats draw, checked and measured once.
struct Heatmap {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;                         // row-major
  std::vector<std::string> row_labels, col_labels;    // as given, or indices
  std::vector<std::string> row_drawn, col_drawn;      // shortened
  std::string title;                                  // shortened
  std::array<std::string, 3> ticks;                   // bar labels: top (hi), middle, bottom (lo)
  HeatmapLayout layout;

  double fraction(double v) const {  // where v falls on the colour scale
    const double lo = layout.lo, hi = layout.hi;
    // Halved first: hi - lo overflows for weights near the largest double.
    return hi > lo ? (v / 2 - lo / 2) / (hi / 2 - lo / 2) : 0.5;
  }
  int tick_y(int k) const {  // k = 0 top, 1 middle, 2 bottom
    return layout.bar_y + (k == 0 ? 0 : k == 1 ? (layout.bar_height - 1) / 2 : layout.bar_height - 1);
  }
};

Heatmap prepare(const Tensor& weights, const std::vector<std::string>& row_labels,
                const std::vector<std::string>& col_labels, const HeatmapOptions& options) {
  SPOOL_CHECK(weights.defined(), kOp, "weights is an undefined tensor");
  SPOOL_CHECK(weights.dim() == 2, kOp, "weights must be 2-D [rows, cols], got shape {}", weights.sizes());
  SPOOL_CHECK(weights.is_floating_point(), kOp, "weights must be float32 or float64, got {}",
              dtype_name(weights.dtype()));
  Heatmap m;
  m.rows = weights.size(0);
  m.cols = weights.size(1);
  SPOOL_CHECK(m.rows >= 1 && m.rows <= kMaxCells && m.cols >= 1 && m.cols <= kMaxCells, kOp,
              "weights {}: rows and cols must be 1 to {}", weights.sizes(), kMaxCells);
  SPOOL_CHECK(row_labels.empty() || static_cast<int64_t>(row_labels.size()) == m.rows, kOp,
              "{} row labels for {} rows (weights {})", row_labels.size(), m.rows, weights.sizes());
  SPOOL_CHECK(col_labels.empty() || static_cast<int64_t>(col_labels.size()) == m.cols, kOp,
              "{} column labels for {} columns (weights {})", col_labels.size(), m.cols, weights.sizes());
  const int n = options.cell_size;
  SPOOL_CHECK(n >= kMinCell && n <= kMaxCell, kOp, "cell_size must be {} to {} pixels, got {}", kMinCell, kMaxCell,
              n);

  m.values = weights.to_vector<double>();
  double lo = m.values[0], hi = m.values[0];
  for (size_t i = 0; i < m.values.size(); ++i) {
    const double v = m.values[i];
    SPOOL_CHECK(std::isfinite(v), kOp, "weights[{}, {}] is {} (weights {})", static_cast<int64_t>(i) / m.cols,
                static_cast<int64_t>(i) % m.cols, v, weights.sizes());
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  HeatmapLayout& l = m.layout;
  const bool unit = options.range == HeatmapRange::Unit ||
                    (options.range == HeatmapRange::Auto && lo >= 0 && hi <= 1);
  l.lo = unit ? 0 : lo;
  l.hi = unit ? 1 : hi;
  m.ticks = {fmt::format("{:.3g}", l.hi), fmt::format("{:.3g}", (l.lo + l.hi) / 2), fmt::format("{:.3g}", l.lo)};

  m.row_labels = labels_or_indices(row_labels, m.rows);
  m.col_labels = labels_or_indices(col_labels, m.cols);
  for (const std::string& s : m.row_labels) m.row_drawn.push_back(shorten(s, kMaxLabelChars));
  for (const std::string& s : m.col_labels) m.col_drawn.push_back(shorten(s, kMaxLabelChars));
  m.title = shorten(options.title, kMaxTitleChars);

  l.cell = n;
  l.grid_x = kMargin + widest(m.row_drawn) + kGap;
  l.grid_y = kMargin + (m.title.empty() ? 0 : kTitleHeight) + widest(m.col_drawn) + kGap;
  l.bar_x = l.grid_x + static_cast<int>(m.cols) * n + kBarGap;
  l.bar_y = l.grid_y;
  l.bar_width = kBarWidth;
  l.bar_height = std::max(static_cast<int>(m.rows) * n, kMinBarHeight);
  l.width = l.bar_x + kBarWidth + kTickLength + kTickGap + widest({m.ticks.begin(), m.ticks.end()}) + kMargin;
  if (!m.title.empty()) l.width = std::max(l.width, Canvas::text_width(m.title, kTitleScale) + 2 * kMargin);
  l.height = l.grid_y + l.bar_height + kMargin;
  SPOOL_CHECK(l.width <= Canvas::kMaxSide && l.height <= Canvas::kMaxSide, kOp,
              "weights {} in {}-pixel cells make a {}x{} image, more than {} pixels a side; use a smaller cell_size",
              weights.sizes(), n, l.width, l.height, Canvas::kMaxSide);
  return m;
}

// Where the title starts: centred over the grid, kept inside the margins.
int title_x(const Heatmap& m) {
  const HeatmapLayout& l = m.layout;
  const int w = Canvas::text_width(m.title, kTitleScale);
  const int centred = l.grid_x + (static_cast<int>(m.cols) * l.cell - w) / 2;
  return std::clamp(centred, kMargin, std::max(kMargin, l.width - kMargin - w));
}

std::string render_png(const Heatmap& m) {
  const HeatmapLayout& l = m.layout;
  const int n = l.cell;
  const int grid_w = static_cast<int>(m.cols) * n, grid_h = static_cast<int>(m.rows) * n;
  Canvas c(l.width, l.height, kPaper);
  if (!m.title.empty()) c.draw_text(title_x(m), kMargin, m.title, kInk, kTitleScale);
  // Labels centre their capitals (7 font rows) on the row or column.
  const int centre = (n - 7) / 2;
  for (int64_t r = 0; r < m.rows; ++r) {
    const std::string& s = m.row_drawn[r];
    c.draw_text(l.grid_x - kGap - Canvas::text_width(s), l.grid_y + static_cast<int>(r) * n + centre, s, kInk);
  }
  for (int64_t k = 0; k < m.cols; ++k)
    c.draw_text_up(l.grid_x + static_cast<int>(k) * n + centre, l.grid_y - kGap - 1, m.col_drawn[k], kInk);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t k = 0; k < m.cols; ++k)
      c.fill_rect(l.grid_x + static_cast<int>(k) * n, l.grid_y + static_cast<int>(r) * n, n, n,
                  heatmap_colour(m.fraction(m.values[r * m.cols + k])));
  c.draw_rect(l.grid_x - 1, l.grid_y - 1, grid_w + 2, grid_h + 2, kFrame);
  // The colour bar: hi at the top row, lo at the bottom one.
  for (int i = 0; i < l.bar_height; ++i)
    c.fill_rect(l.bar_x, l.bar_y + i, l.bar_width, 1, heatmap_colour(1 - double(i) / (l.bar_height - 1)));
  c.draw_rect(l.bar_x - 1, l.bar_y - 1, l.bar_width + 2, l.bar_height + 2, kFrame);
  for (int k = 0; k < 3; ++k) {
    const int y = m.tick_y(k), x = l.bar_x + l.bar_width;
    c.draw_line(x, y, x + kTickLength - 1, y, kInk);
    c.draw_text(x + kTickLength + kTickGap, y - 3, m.ticks[k], kInk);
  }
  return c.encode_png();
}

// The same layout as the PNG; the font is any monospace one of the viewer's
// (its advance, 0.6 em at 10 px, is close to the bitmap font's 6 px). A
// shortened label keeps the whole one as a tooltip (once per label); each
// cell's tooltip gives its labels as drawn and its value, so the file grows
// with rows * cols but not with the labels' length.
std::string render_svg(const Heatmap& m) {
  const HeatmapLayout& l = m.layout;
  const int n = l.cell;
  std::string out;
  auto add = [&out](auto&&... parts) { (out.append(parts), ...); };
  const auto tooltip = [](const std::string& full, const std::string& drawn) {
    return full == drawn ? std::string() : "<title>" + xml_text(full) + "</title>";
  };
  add("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  add(fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                  "font-family=\"DejaVu Sans Mono, monospace\" font-size=\"10\" fill=\"{2}\">\n",
                  l.width, l.height, hex(kInk)));
  add(fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", l.width, l.height, hex(kPaper)));
  if (!m.title.empty())
    add(fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"20\" dominant-baseline=\"hanging\">", title_x(m), kMargin),
        xml_text(m.title), "</text>\n");
  for (int64_t r = 0; r < m.rows; ++r)
    add(fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"central\">", l.grid_x - kGap,
                    l.grid_y + static_cast<int>(r) * n + n / 2),
        xml_text(m.row_drawn[r]), tooltip(m.row_labels[r], m.row_drawn[r]), "</text>\n");
  for (int64_t k = 0; k < m.cols; ++k)
    add(fmt::format("<text transform=\"translate({} {}) rotate(-90)\" dominant-baseline=\"central\">",
                    l.grid_x + static_cast<int>(k) * n + n / 2, l.grid_y - kGap),
        xml_text(m.col_drawn[k]), tooltip(m.col_labels[k], m.col_drawn[k]), "</text>\n");
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t k = 0; k < m.cols; ++k) {
      const double v = m.values[r * m.cols + k];
      add(fmt::format("<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>",
                      l.grid_x + static_cast<int>(k) * n, l.grid_y + static_cast<int>(r) * n, n, n,
                      hex(heatmap_colour(m.fraction(v)))),
          xml_text(m.row_drawn[r]), " / ", xml_text(m.col_drawn[k]), ": ", fmt::format("{:.4g}", v),
          "</title></rect>\n");
    }
  const auto frame = [&](int x, int y, int w, int h) {
    add(fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{}\"/>\n", x - 0.5,
                    y - 0.5, w + 1, h + 1, hex(kFrame)));
  };
  frame(l.grid_x, l.grid_y, static_cast<int>(m.cols) * n, static_cast<int>(m.rows) * n);
  // The colour bar: the ramp's anchors as gradient stops, hi at the top.
  add("<defs><linearGradient id=\"heatmap-scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n");
  for (size_t i = 0; i < kRamp.size(); ++i)
    add(fmt::format("<stop offset=\"{}\" stop-color=\"{}\"/>\n", double(i) / (kRamp.size() - 1), hex(kRamp[i])));
  add("</linearGradient></defs>\n");
  add(fmt::format("<rect class=\"legend\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#heatmap-scale)\"/>\n",
                  l.bar_x, l.bar_y, l.bar_width, l.bar_height));
  frame(l.bar_x, l.bar_y, l.bar_width, l.bar_height);
  for (int k = 0; k < 3; ++k) {
    const int y = m.tick_y(k), x = l.bar_x + l.bar_width;
    add(fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>\n", x, y + 0.5, x + kTickLength,
                    y + 0.5, hex(kInk)));
    add(fmt::format("<text x=\"{}\" y=\"{}\" dominant-baseline=\"central\">", x + kTickLength + kTickGap, y + 0.5),
        xml_text(m.ticks[k]), "</text>\n");
  }
  add("</svg>\n");
  return out;
}

}  // namespace

Rgb heatmap_colour(double t) {
  t = t >= 0 ? std::min(t, 1.0) : 0.0;  // NaN too goes to 0
  const double u = t * (kRamp.size() - 1);
  const size_t i = std::min(static_cast<size_t>(u), kRamp.size() - 2);
  const double f = u - i;
  const auto mix = [f](uint8_t a, uint8_t b) { return static_cast<uint8_t>(std::lround(a + (b - a) * f)); };
  const Rgb &a = kRamp[i], &b = kRamp[i + 1];
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

HeatmapLayout heatmap_layout(const Tensor& weights, const std::vector<std::string>& row_labels,
                             const std::vector<std::string>& col_labels, const HeatmapOptions& options) {
  return prepare(weights, row_labels, col_labels, options).layout;
}

void write_heatmap(const std::string& path, const Tensor& weights, const std::vector<std::string>& row_labels,
                   const std::vector<std::string>& col_labels, const HeatmapOptions& options) {
  const std::string ext = extension(path);
  SPOOL_CHECK(ext == ".png" || ext == ".svg", kOp, "cannot tell the format of {}: the name must end in .png or .svg",
              path);
  const Heatmap m = prepare(weights, row_labels, col_labels, options);
  write_file(path, ext == ".png" ? render_png(m) : render_svg(m), kOp);
}

}  // namespace spool
