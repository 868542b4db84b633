#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <tuple>

#include <spool/framework/io/line_plot.hpp>
#include <spool/framework/io/read_file.hpp>

#include "image_util.hpp"
#include "test_util.hpp"

using namespace spool;
using namespace spool::testing;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return spool::testing::scratch("spool_line_plot_test", name); }

std::vector<double> range(int n, double scale = 1) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(i * scale);
  return v;
}

}  // namespace

TEST_CASE("write_line_plot: layout of the documented sizes, round ticks, ranges and pixel mapping") {
  // x 0..10, y 0..100 with every title: y ticks up to "100" (18 pixels wide).
  const std::vector<LineSeries> s = {{"rise", range(11), range(11, 10)}};
  const LinePlotLayout l = line_plot_layout(s, {.title = "t", .x_label = "x", .y_label = "y"});
  CHECK(l.width == 800);
  CHECK(l.height == 480);
  CHECK(l.plot_y == 10 + 28);
  CHECK(l.plot_x == 10 + 16 + 18 + 4 + 4);
  CHECK(l.plot_width == 800 - l.plot_x - 10);
  CHECK(l.plot_height == 480 - l.plot_y - 10 - 18 - 16);
  // x spans the data exactly; y gets 5% of the span either side.
  CHECK(l.x_min == 0);
  CHECK(l.x_max == 10);
  CHECK(l.y_min == doctest::Approx(-5));
  CHECK(l.y_max == doctest::Approx(105));
  CHECK(l.x_ticks == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK(l.y_ticks == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(l.to_px(0) == l.plot_x);
  CHECK(l.to_px(10) == l.plot_x + l.plot_width - 1);
  CHECK(l.to_py(l.y_min) == l.plot_y + l.plot_height - 1);
  CHECK(l.to_py(l.y_max) == l.plot_y);

  // No titles: the plot area grows into their room.
  const LinePlotLayout bare = line_plot_layout(s, {.width = 300, .height = 200});
  CHECK(bare.plot_y == 10);
  CHECK(bare.plot_x == 10 + 18 + 4 + 4);
  CHECK(bare.plot_height == 200 - 10 - 10 - 18);

  // A constant series gets one unit either side; so does a lone point's x.
  const LinePlotLayout flat = line_plot_layout({{"c", {1, 2, 3}, {7, 7, 7}}});
  CHECK(flat.y_min == 6);
  CHECK(flat.y_max == 8);
  const LinePlotLayout dot = line_plot_layout({{"p", {1990}, {3}}});
  CHECK(dot.x_min == 1989);
  CHECK(dot.x_max == 1991);

  // Small values: ticks at multiples of 0.05, labelled with two decimals.
  const LinePlotLayout small = line_plot_layout({{"s", {0, 1}, {0, 0.3}}});
  REQUIRE(small.y_ticks.size() == 7);
  CHECK(small.y_ticks[3] == doctest::Approx(0.15));
  // Between 3 and 8 ticks for any span, every tick inside the range.
  for (double span : {1e-6, 0.7, 3.0, 9.9, 123.0, 5e4, 1e12}) {
    const LinePlotLayout r = line_plot_layout({{"r", {0, 1}, {-span / 3, span}}});
    INFO("span " << span);
    CHECK(r.y_ticks.size() >= 3);
    CHECK(r.y_ticks.size() <= 8);
    for (double t : r.y_ticks) CHECK((t >= r.y_min && t <= r.y_max));
  }
}

TEST_CASE("write_line_plot: extreme values still give a finite layout and an image") {
  // Far from zero the ticks are counted, not stepped (k + 1 == k there).
  const LinePlotLayout far = line_plot_layout({{"f", {1e22, 1e22 + 4e6}, {0, 1}}});
  CHECK(far.x_ticks.size() >= 1);
  CHECK(far.x_ticks.size() <= 16);
  // Near the largest double the 5% pad would overflow: it is left off.
  const LinePlotLayout huge = line_plot_layout({{"h", {0, 1}, {-0.89e308, 0.89e308}}});
  CHECK(huge.y_min == -0.89e308);
  CHECK(huge.y_max == 0.89e308);
  CHECK(huge.y_ticks.size() >= 3);
  // A constant far from zero gets a range its ticks can tell apart.
  const LinePlotLayout big = line_plot_layout({{"c", {0, 1}, {1e300, 1e300}}});
  CHECK(big.y_min < 1e300);
  CHECK(big.y_max > 1e300);
  CHECK(big.y_ticks.size() >= 1);
  // Subnormal differences: a range without ticks rather than a hang.
  const LinePlotLayout tiny = line_plot_layout({{"t", {0, 1}, {0, 1e-320}}});
  CHECK(tiny.y_max > tiny.y_min);
  for (const auto& [name, y] : std::vector<std::pair<std::string, std::vector<double>>>{
           {"huge", {-0.89e308, 0.89e308}}, {"tiny", {0, 1e-320}}, {"big", {1e300, 1e300}}}) {
    INFO(name);
    const std::string path = scratch(name + ".png").string();
    write_line_plot(path, {{name, {1e22, 1e22 + 4e6}, y}});
    CHECK(decode_png(read_file(path)).width == 800);
  }
}

TEST_CASE("write_line_plot: PNG of the given size with the series in their colours, axes and a legend") {
  // Points every half unit, so the rising line has points in the top-right
  // corner (where its last points lie).
  const std::vector<LineSeries> s = {{"flat", range(21, 0.5), std::vector<double>(21, 20.0)},
                                     {"rise", range(21, 0.5), range(21, 5)}};
  const LinePlotOptions o{.title = "Forecast", .x_label = "year", .y_label = "value", .width = 640, .height = 400};
  const std::string path = scratch("plot.png").string();
  write_line_plot(path, s, o);
  const std::string bytes = read_file(path);
  CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const Image img = decode_png(bytes);
  CHECK(img.width == 640);
  CHECK(img.height == 400);
  const LinePlotLayout l = line_plot_layout(s, o);

  // Points of each series are drawn in its colour (these are not under the
  // legend, nor where the lines cross).
  const Rgb c0 = line_plot_colour(0), c1 = line_plot_colour(1);
  CHECK(img.at(l.to_px(3), l.to_py(20)) == c0);
  CHECK(img.at(l.to_px(7), l.to_py(20)) == c0);
  CHECK(img.at(l.to_px(5), l.to_py(50)) == c1);
  CHECK(img.at(l.to_px(1), l.to_py(10)) == c1);
  // Blank margins; the title above the plot; tick numbers left of and
  // below it; the axis titles in their bands.
  CHECK(img.count(0, 0, 640, 10) == 0);
  CHECK(img.count(0, 0, 10, 400) == 0);
  CHECK(img.count(0, 390, 640, 400) == 0);
  CHECK(img.count(l.plot_x, 10, l.plot_x + l.plot_width, l.plot_y - 2) > 0);
  CHECK(img.count(26, l.plot_y, l.plot_x - 4, l.plot_y + l.plot_height) > 0);
  const int below = l.plot_y + l.plot_height + 1;
  CHECK(img.count(l.plot_x - 10, below + 4, 640 - 10, below + 18) > 0);
  CHECK(img.count(l.plot_x, 400 - 10 - 10, l.plot_x + l.plot_width, 400 - 10) > 0);
  CHECK(img.count(10, l.plot_y, 20, l.plot_y + l.plot_height) > 0);
  // The legend: framed, a sample of each colour and some text.
  REQUIRE(l.legend_width > 0);
  const int lx = l.legend_x, ly = l.legend_y, lw = l.legend_width, lh = l.legend_height;
  CHECK(lx >= l.plot_x);
  CHECK(lx + lw <= l.plot_x + l.plot_width);
  CHECK(img.count(lx + 6, ly + 6, lx + 26, ly + 6 + 14, &c0) == 60);
  CHECK(img.count(lx + 6, ly + 20, lx + 26, ly + 20 + 14, &c1) == 60);
  CHECK(img.count(lx + 32, ly + 6, lx + lw - 6, ly + lh - 6) > 0);
  // The rising line ends in the top-right corner, so the legend sits top-left.
  CHECK(lx == l.plot_x + 8);
  CHECK(ly == l.plot_y + 8);
}

TEST_CASE("write_line_plot: the legend takes the corner the fewest lines run through") {
  // One segment corner to corner, no point near the top-right: it still
  // runs under a top-right legend, so the legend goes top-left.
  const LinePlotLayout d = line_plot_layout({{"diagonal", {0, 1}, {0, 1}}});
  CHECK(d.legend_x == d.plot_x + 8);
  CHECK(d.legend_y == d.plot_y + 8);
  // The other diagonal leaves the top-right corner free.
  const LinePlotLayout e = line_plot_layout({{"diagonal", {0, 1}, {1, 0}}});
  CHECK(e.legend_x + e.legend_width == e.plot_x + e.plot_width - 8);
  CHECK(e.legend_y == e.plot_y + 8);
  // A line along the top of the right half: the top-right corner is taken.
  std::vector<double> x, y;
  for (int i = 0; i <= 20; ++i) {
    x.push_back(i);
    y.push_back(i >= 10 ? 100 : 0);
  }
  const LinePlotLayout l = line_plot_layout({{"step", x, y}});
  CHECK(l.legend_x == l.plot_x + 8);
  CHECK(l.legend_y == l.plot_y + 8);
  // Falling instead: the top-right corner is free.
  std::reverse(y.begin(), y.end());
  const LinePlotLayout r = line_plot_layout({{"step", x, y}});
  CHECK(r.legend_x + r.legend_width == r.plot_x + r.plot_width - 8);
  CHECK(r.legend_y == r.plot_y + 8);
}

TEST_CASE("write_line_plot: colours stay apart and repeat after eight") {
  std::set<std::tuple<int, int, int>> seen;
  for (size_t i = 0; i < 8; ++i) {
    const Rgb c = line_plot_colour(i);
    CHECK_FALSE(c == kWhite);
    seen.insert({c.r, c.g, c.b});
  }
  CHECK(seen.size() == 8);
  CHECK(line_plot_colour(8) == line_plot_colour(0));
  CHECK(line_plot_colour(0) == Rgb{0, 0, 0});
}

TEST_CASE("write_line_plot: SVG has a polyline per series in its colour and the names as escaped text") {
  const std::string path = scratch("plot.svg").string();
  write_line_plot(path,
                  {{"a<b & \"c\"", {0, 1, 2}, {1, 3, 2}}, {"second", {0, 2}, {2, 2}}, {"lone", {1}, {2}}},
                  {.title = "T", .x_label = "x", .y_label = "y"});
  const std::string svg = read_file(path);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find("width=\"800\" height=\"480\"") != std::string::npos);
  CHECK(occurrences(svg, "<polyline class=\"series\"") == 2);
  CHECK(occurrences(svg, "<circle class=\"series\"") == 1);
  for (size_t i = 0; i < 3; ++i) {
    const Rgb c = line_plot_colour(i);
    CHECK(svg.find(fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)) != std::string::npos);
  }
  CHECK(svg.find("a&lt;b &amp; &quot;c&quot;") != std::string::npos);
  CHECK(svg.find("a<b") == std::string::npos);
  CHECK(svg.find(">second</text>") != std::string::npos);
  CHECK(occurrences(svg, "<rect class=\"legend\"") == 1);
  CHECK(svg.find("</svg>") != std::string::npos);
}

TEST_CASE("write_line_plot: errors name the function, the series and the values") {
  const std::string png = scratch("err.png").string();
  fs::remove(png);
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  CHECK_ERROR(write_line_plot(png, {}), "write_line_plot", "1 to 16 series", "got 0");
  CHECK_ERROR(write_line_plot(png, std::vector<LineSeries>(17, {"s", {0}, {0}})), "write_line_plot", "got 17");
  CHECK_ERROR(write_line_plot(png, {{"ok", {0}, {0}}, {"empty", {}, {}}}), "write_line_plot",
              "series 1 (\"empty\") has 0 points");
  CHECK_ERROR(write_line_plot(png, {{"short", {0, 1, 2}, {0, 1}}}), "write_line_plot",
              "series 0 (\"short\") has 3 x values and 2 y values");
  CHECK_ERROR(write_line_plot(png, {{"gap", {0, 1, 2}, {0, nan, 2}}}), "write_line_plot",
              "series 0 (\"gap\") point 1 is (1, nan)");
  CHECK_ERROR(write_line_plot(png, {{"far", {0, -inf}, {0, 1}}}), "write_line_plot", "point 1 is (-inf, 1)");
  CHECK_ERROR(write_line_plot(png, {{"wide", {0, 1}, {-1.5e308, 1.5e308}}}), "write_line_plot",
              "span more than a double");
  CHECK_ERROR(write_line_plot(png, {{"s", {0}, {0}}}, {.width = 199}), "write_line_plot", "200 to 4000",
              "199x480");
  CHECK_ERROR(write_line_plot(png, {{"s", {0}, {0}}}, {.height = 4001}), "write_line_plot", "800x4001");
  CHECK_ERROR(line_plot_layout({}), "write_line_plot", "got 0");
  CHECK_FALSE(fs::exists(png));

  // The format comes from the extension; the path's own problems are named.
  CHECK_ERROR(write_line_plot(scratch("plot.jpg").string(), {{"s", {0}, {0}}}), "write_line_plot", "plot.jpg",
              ".png or .svg");
  CHECK_ERROR(write_line_plot(scratch("plot").string(), {{"s", {0}, {0}}}), "write_line_plot", ".png or .svg");
  const std::string missing = (scratch("no_such_dir") / "plot.png").string();
  CHECK_ERROR(write_line_plot(missing, {{"s", {0}, {0}}}), "write_line_plot", missing.c_str(), "No such file");
  CHECK_FALSE(fs::exists(missing));
}
