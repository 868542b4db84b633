#include <filesystem>
#include <limits>

#include <spool/framework/io/read_file.hpp>

#include "image_util.hpp"
#include "test_util.hpp"

using namespace spool;
using namespace spool::testing;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return spool::testing::scratch("spool_heatmap_test", name); }

std::string hex(Rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

// The fill="..." of every <rect class="cell" ...>, in file order.
std::vector<std::string> cell_fills(const std::string& svg) {
  std::vector<std::string> out;
  for (size_t at = svg.find("<rect class=\"cell\""); at != std::string::npos;
       at = svg.find("<rect class=\"cell\"", at + 1)) {
    const size_t fill = svg.find("fill=\"", at) + 6;
    out.push_back(svg.substr(fill, svg.find('"', fill) - fill));
  }
  return out;
}

}  // namespace

TEST_CASE("heatmap Canvas: text width, glyphs, placeholder boxes, lines, clipping and a PNG round trip") {
  CHECK(Canvas::text_width("") == 0);
  CHECK(Canvas::text_width("abc") == 18);
  CHECK(Canvas::text_width("abc", 2) == 36);
  CHECK(Canvas::text_height() == 10);
  // One box per UTF-8 character, one per byte that is not UTF-8.
  CHECK(Canvas::text_width("caf\xC3\xA9") == 24);
  CHECK(split_text("caf\xC3\xA9").size() == 4);
  CHECK(split_text("\xE2\x82\xAC").size() == 1);     // the euro sign
  CHECK(split_text("\xE0\x80\x80").size() == 3);     // an overlong form: three bad bytes
  CHECK_FALSE(split_text("\xFF" "a")[0].valid);
  CHECK(split_text("\xFF" "a")[1].bytes == "a");

  Canvas c(40, 24, kWhite);
  CHECK(canvas_image(c).ink(0, 0, 40, 24) == 0);
  // 'A' has 18 ink pixels in its 5x9 glyph; at scale 2 each is a 2x2 square.
  c.draw_text(2, 2, "A", {0, 0, 0});
  CHECK(canvas_image(c).ink(2, 2, 7, 11) == 18);
  CHECK(canvas_image(c).ink(0, 0, 40, 24) == 18);
  Canvas big(40, 24, kWhite);
  big.draw_text(2, 2, "A", {0, 0, 0}, 2);
  CHECK(canvas_image(big).ink(0, 0, 40, 24) == 72);
  // Every letter, digit and the punctuation of tokens draws something.
  for (char ch : std::string("AZaz09.-<>/_&?")) {
    Canvas one(6, 10, kWhite);
    one.draw_text(0, 0, std::string(1, ch), {0, 0, 0});
    INFO("character " << ch);
    CHECK(canvas_image(one).ink(0, 0, 6, 10) > 0);
  }
  // A character the font lacks (here the euro sign) is an outlined box: 5 + 5 + 2 * 5 pixels.
  Canvas box(6, 10, kWhite);
  box.draw_text(0, 0, "\xE2\x82\xAC", {0, 0, 0});
  CHECK(canvas_image(box).ink(0, 0, 6, 10) == 20);
  CHECK(box.pixel(0, 0) == Rgb{0, 0, 0});
  CHECK(box.pixel(4, 6) == Rgb{0, 0, 0});
  // Accented letters: the base letter below, the accent in the two rows
  // above a lower-case one; a capital keeps its base letter; typographic
  // punctuation draws as its ASCII look-alike.
  const auto drawn = [](std::string_view text) {
    Canvas one(6, 10, kWhite);
    one.draw_text(0, 0, text, {0, 0, 0});
    return one;
  };
  const Canvas e = drawn("e"), e_acute = drawn("\xC3\xA9"), e_grave = drawn("\xC3\xA8");
  CHECK(canvas_image(e_acute).ink(0, 2, 6, 10) == canvas_image(e).ink(0, 2, 6, 10));
  CHECK(e_acute.pixel(3, 0) == Rgb{0, 0, 0});  // acute: rising to the right
  CHECK(e_acute.pixel(1, 0) == kWhite);
  CHECK(e_grave.pixel(1, 0) == Rgb{0, 0, 0});
  CHECK(e_grave.pixel(3, 0) == kWhite);
  const Canvas c_cedilla = drawn("\xC3\xA7"), c_plain = drawn("c");
  CHECK(canvas_image(c_cedilla).ink(0, 7, 6, 10) == 2);
  CHECK(canvas_image(c_cedilla).ink(0, 0, 6, 7) == canvas_image(c_plain).ink(0, 0, 6, 7));
  const Canvas E_acute = drawn("\xC3\x89"), E = drawn("E");
  CHECK(canvas_image(E_acute).ink(0, 0, 6, 10) == canvas_image(E).ink(0, 0, 6, 10));
  const Canvas apostrophe = drawn("\xE2\x80\x99"), ascii_apostrophe = drawn("'");
  CHECK(canvas_image(apostrophe).ink(0, 0, 6, 10) == canvas_image(ascii_apostrophe).ink(0, 0, 6, 10));
  CHECK(canvas_image(drawn("\xC2\xA0")).ink(0, 0, 6, 10) == 0);  // no-break space
  const std::pair<const char*, const char*> letters[] = {
      {"\xC3\xA0", "a"}, {"\xC3\xA2", "a"}, {"\xC3\xAA", "e"}, {"\xC3\xAB", "e"}, {"\xC3\xAE", "i"}, {"\xC3\xAF", "i"},
      {"\xC3\xB4", "o"}, {"\xC3\xB9", "u"}, {"\xC3\xBB", "u"}, {"\xC3\xBC", "u"}, {"\xC3\xBF", "y"}, {"\xC3\xB1", "n"}};
  // The diaeresis of e, i and u is two dots (Unicode has no e, i or u with
  // tilde in Latin-1: their fourth accented form is the diaeresis).
  for (const char* dots : {"\xC3\xAB", "\xC3\xAF", "\xC3\xBC", "\xC3\xB6", "\xC3\xA4"}) {
    INFO("diaeresis " << dots);
    const Image img = canvas_image(drawn(dots));
    CHECK(img.ink(0, 0, 6, 1) == 0);
    CHECK(img.ink(0, 1, 6, 2) == 2);
  }
  CHECK(canvas_image(drawn("\xC3\xB5")).ink(0, 0, 6, 2) == 6);  // o tilde: a wave
  for (const auto& [accented, base] : letters) {
    INFO("accented " << accented);
    const Image img = canvas_image(drawn(accented)), plain = canvas_image(drawn(base));
    CHECK(img.ink(0, 0, 6, 2) > 0);  // an accent
    for (int y = 2; y < 10; ++y)
      for (int x = 0; x < 6; ++x) CHECK(img.ink(x, y, x + 1, y + 1) == plain.ink(x, y, x + 1, y + 1));
  }
  // Text turned upwards: taller than wide, above its starting point.
  Canvas up(20, 40, kWhite);
  up.draw_text_up(2, 37, "abcd", {0, 0, 0});
  const Image ui = canvas_image(up);
  CHECK(ui.ink(2, 37 - 24 + 1, 2 + 9, 38) == ui.ink(0, 0, 20, 40));
  CHECK(ui.ink(0, 0, 20, 40) > 0);

  // Lines include both ends; thick ones are wider.
  Canvas l(20, 20, kWhite);
  l.draw_line(0, 0, 19, 19, {255, 0, 0});
  CHECK(l.pixel(0, 0) == Rgb{255, 0, 0});
  CHECK(l.pixel(10, 10) == Rgb{255, 0, 0});
  CHECK(l.pixel(19, 19) == Rgb{255, 0, 0});
  CHECK(canvas_image(l).ink(0, 0, 20, 20) == 20);
  Canvas thick(20, 20, kWhite);
  thick.draw_line(0, 10, 19, 10, {0, 0, 255}, 3);
  CHECK(canvas_image(thick).ink(0, 0, 20, 20) == 60);
  // Drawing off the canvas is clipped, not an error, and finishes at once.
  Canvas clip(20, 20, kWhite);
  clip.draw_line(-2000000000, 5, 2000000000, 5, {0, 0, 0});
  CHECK(canvas_image(clip).ink(0, 0, 20, 20) == 20);
  clip.draw_line(-100, -100, -50, -1, {0, 0, 0});
  clip.fill_rect(15, 15, 1000, 1000, {0, 0, 0});
  clip.fill_rect(2000000000, 2000000000, 2000000000, 2000000000, {0, 0, 0});
  clip.draw_text(2000000000, -2000000000, "far away", {0, 0, 0}, 16);
  clip.draw_text(18, 0, "cut", {0, 0, 0});
  const Image ci = canvas_image(clip);
  CHECK(ci.ink(0, 5, 20, 6) == 20);     // the long line: one row
  CHECK(ci.ink(15, 15, 20, 20) == 25);  // the rectangle's visible corner
  CHECK(ci.ink(0, 0, 18, 5) == 0);      // nothing from the far text or the line outside
  CHECK(ci.ink(18, 0, 20, 10) > 2);     // the first columns of "cut" beside the line's 2 pixels

  CHECK_ERROR(Canvas(0, 5), "Canvas", "0x5");
  CHECK_ERROR(Canvas(10, Canvas::kMaxSide + 1), "Canvas", "1 to 16384");
  CHECK_ERROR(c.pixel(40, 0), "Canvas::pixel", "(40, 0)", "40x24");
  CHECK_ERROR(c.draw_text(0, 0, "x", {0, 0, 0}, 0), "Canvas::draw_text", "scale", "got 0");
  CHECK_ERROR(c.draw_line(0, 0, 1, 1, {0, 0, 0}, 0), "Canvas::draw_line", "thickness", "got 0");

  // encode_png round trip: the same size and pixels.
  c.fill_rect(30, 10, 5, 5, {12, 200, 99});
  const std::string png = c.encode_png();
  CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const Image decoded = decode_png(png);
  CHECK(decoded.width == 40);
  CHECK(decoded.height == 24);
  CHECK(decoded.rgb == canvas_image(c).rgb);
  CHECK(decoded.at(32, 12) == Rgb{12, 200, 99});
}

TEST_CASE("write_heatmap: PNG of the documented size, end colours at cell centres, labels drawn") {
  const Tensor w = tensor({1, 0, 0.5, 0.25, 0.75, 0}, {2, 3});
  const std::vector<std::string> rows{"query", "q2"}, cols{"a", "bb", "ccc"};
  const std::string path = scratch("small.png").string();
  write_heatmap(path, w, rows, cols);
  const std::string bytes = read_file(path);
  CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const Image img = decode_png(bytes);

  // The layout of heatmap.hpp: margin 10, gap 6, 24-pixel cells; the widest
  // row label is "query" (5 characters), the longest column label "ccc";
  // the bar is 100 tall (2 rows are 48) with ticks "1", "0.5", "0".
  const int grid_x = 10 + 5 * 6 + 6, grid_y = 10 + 3 * 6 + 6, n = 24;
  const int bar_x = grid_x + 3 * n + 16;
  const int width = bar_x + 14 + 4 + 2 + 3 * 6 + 10, height = grid_y + 100 + 10;
  CHECK(img.width == width);
  CHECK(img.height == height);
  const HeatmapLayout l = heatmap_layout(w, rows, cols);
  CHECK(l.width == width);
  CHECK(l.height == height);
  CHECK(l.grid_x == grid_x);
  CHECK(l.grid_y == grid_y);
  CHECK(l.cell == n);
  CHECK(l.bar_x == bar_x);
  CHECK(l.bar_height == 100);
  CHECK(l.lo == 0);
  CHECK(l.hi == 1);

  // Weight 1 and weight 0: viridis' end colours (matplotlib's table).
  const auto centre = [&](int r, int c) { return img.at(grid_x + c * n + n / 2, grid_y + r * n + n / 2); };
  CHECK(heatmap_colour(1) == Rgb{0xfd, 0xe7, 0x25});
  CHECK(heatmap_colour(0) == Rgb{0x44, 0x01, 0x54});
  CHECK(centre(0, 0) == Rgb{0xfd, 0xe7, 0x25});
  CHECK(centre(0, 1) == Rgb{0x44, 0x01, 0x54});
  CHECK(centre(1, 2) == Rgb{0x44, 0x01, 0x54});
  CHECK(centre(0, 2) == heatmap_colour(0.5));
  CHECK(centre(1, 0) == heatmap_colour(0.25));
  // A cell is one colour to its edges.
  CHECK(img.at(grid_x, grid_y) == centre(0, 0));
  CHECK(img.at(grid_x + n - 1, grid_y + n - 1) == centre(0, 0));
  // The bar runs from the top colour to the bottom one.
  CHECK(img.at(bar_x + 7, grid_y) == heatmap_colour(1));
  CHECK(img.at(bar_x + 7, grid_y + 99) == heatmap_colour(0));

  // Row labels left of their row, column labels above their column, bar
  // labels right of the bar; the space between them is blank.
  for (int r = 0; r < 2; ++r) {
    INFO("row " << r);
    CHECK(img.ink(10, grid_y + r * n, grid_x - 6, grid_y + (r + 1) * n) > 0);
  }
  for (int c = 0; c < 3; ++c) {
    INFO("column " << c);
    CHECK(img.ink(grid_x + c * n, 10, grid_x + (c + 1) * n, grid_y - 6) > 0);
  }
  CHECK(img.ink(bar_x + 14 + 6, grid_y - 5, width - 10, grid_y + 100 + 5) > 0);
  CHECK(img.ink(0, 0, width, 10) == 0);
  CHECK(img.ink(0, 0, 10, height) == 0);
  CHECK(img.ink(0, height - 5, width, height) == 0);
  // "query" is wider than "q2": more ink in row 0's label area.
  CHECK(img.ink(10, grid_y, grid_x - 6, grid_y + n) > img.ink(10, grid_y + n, grid_x - 6, grid_y + 2 * n));
}

TEST_CASE("write_heatmap: weights spanning the whole double range keep their end colours") {
  const Tensor w = tensor(std::vector<double>{-1e308, 1e308, 0.0, 1e308}, {2, 2}, kFloat64);
  const std::string path = scratch("huge.png").string();
  write_heatmap(path, w, {}, {}, {.range = HeatmapRange::MinMax});
  const Image img = decode_png(read_file(path));
  const HeatmapLayout l = heatmap_layout(w, {}, {}, {.range = HeatmapRange::MinMax});
  const auto centre = [&](int r, int c) { return img.at(l.grid_x + c * l.cell + l.cell / 2, l.grid_y + r * l.cell + l.cell / 2); };
  CHECK(centre(0, 0) == heatmap_colour(0));
  CHECK(centre(0, 1) == heatmap_colour(1));
  CHECK(centre(1, 0) == heatmap_colour(0.5));
}

TEST_CASE("write_heatmap: layout of defaults, long labels, titles, cell sizes and ranges") {
  // No labels: indices; 12 rows make "11" the widest row label.
  const HeatmapLayout plain = heatmap_layout(zeros({12, 3}));
  CHECK(plain.grid_x == 10 + 12 + 6);
  CHECK(plain.grid_y == 10 + 6 + 6);
  CHECK(plain.bar_height == 12 * 24);
  // Labels past 16 characters are cut to 16 ("..." included).
  const std::string longer(40, 'x');
  const HeatmapLayout cut = heatmap_layout(zeros({1, 1}), {longer}, {longer});
  CHECK(cut.grid_x == 10 + 16 * 6 + 6);
  CHECK(cut.grid_y == 10 + 16 * 6 + 6);
  // A title adds 28 pixels above and widens the image when it is wider.
  const HeatmapLayout titled = heatmap_layout(zeros({1, 1}), {}, {}, {.title = "t"});
  CHECK(titled.grid_y == plain.grid_y + 28);
  const HeatmapLayout wide = heatmap_layout(zeros({1, 1}), {}, {}, {.title = std::string(50, 'T')});
  CHECK(wide.width == 50 * 12 + 20);
  const HeatmapLayout cells = heatmap_layout(zeros({2, 5}), {}, {}, {.cell_size = 40});
  CHECK(cells.cell == 40);
  CHECK(cells.bar_x == cells.grid_x + 5 * 40 + 16);

  // Outside [0, 1] the scale spans min to max; Unit keeps [0, 1] and clamps.
  const Tensor signed_w = tensor({-2, 0, 2}, {1, 3}, kFloat64);
  const HeatmapLayout mm = heatmap_layout(signed_w);
  CHECK(mm.lo == -2);
  CHECK(mm.hi == 2);
  const HeatmapLayout unit = heatmap_layout(signed_w, {}, {}, {.range = HeatmapRange::Unit});
  CHECK(unit.lo == 0);
  CHECK(unit.hi == 1);
  const HeatmapLayout forced = heatmap_layout(tensor({0.2, 0.4}, {1, 2}), {}, {}, {.range = HeatmapRange::MinMax});
  CHECK(forced.lo == doctest::Approx(0.2));
  CHECK(forced.hi == doctest::Approx(0.4));

  const std::string path = scratch("signed.png").string();
  write_heatmap(path, signed_w);
  const Image img = decode_png(read_file(path));
  const auto centre = [&](int c) { return img.at(mm.grid_x + c * 24 + 12, mm.grid_y + 12); };
  CHECK(centre(0) == heatmap_colour(0));
  CHECK(centre(1) == heatmap_colour(0.5));
  CHECK(centre(2) == heatmap_colour(1));
  write_heatmap(path, signed_w, {}, {}, {.range = HeatmapRange::Unit});
  const Image clamped = decode_png(read_file(path));
  CHECK(clamped.at(unit.grid_x + 12, unit.grid_y + 12) == heatmap_colour(0));
  CHECK(clamped.at(unit.grid_x + 2 * 24 + 12, unit.grid_y + 12) == heatmap_colour(1));
  // All weights equal under MinMax: the middle colour.
  write_heatmap(path, full({2, 2}, 3.0));
  const HeatmapLayout flat = heatmap_layout(full({2, 2}, 3.0));
  CHECK(decode_png(read_file(path)).at(flat.grid_x + 12, flat.grid_y + 12) == heatmap_colour(0.5));

  // float64 and a transposed (non-contiguous) view read in row-major order.
  const Tensor base = tensor({1, 0, 0, 0}, {2, 2}, kFloat64);
  write_heatmap(path, base.t());
  const Image t = decode_png(read_file(path));
  const HeatmapLayout tl = heatmap_layout(base.t());
  CHECK(t.at(tl.grid_x + 12, tl.grid_y + 12) == heatmap_colour(1));
  CHECK(t.at(tl.grid_x + 24 + 12, tl.grid_y + 12) == heatmap_colour(0));
  // A weight that requires grad is read without recording anything.
  write_heatmap(path, tensor({0.5}, {1, 1}).requires_grad_());
  // Upper-case extensions are recognised.
  write_heatmap(scratch("UPPER.PNG").string(), base);
  CHECK(read_file(scratch("UPPER.PNG").string()).substr(1, 3) == "PNG");
}

TEST_CASE("write_heatmap: SVG has a rect per cell with its colour and the labels as escaped text") {
  const Tensor w = tensor({1, 0, 0.5, 0.25, 0.75, 0}, {2, 3});
  const std::string long_label = "a_rather_long_token_name";
  const std::vector<std::string> rows{"<eos>", long_label}, cols{"a&b", "x\"y", "bad\xFF"};
  const std::string path = scratch("small.svg").string();
  write_heatmap(path, w, rows, cols, {.title = "attn <1>"});
  const std::string svg = read_file(path);
  const HeatmapLayout l = heatmap_layout(w, rows, cols, {.title = "attn <1>"});

  CHECK(svg.starts_with("<?xml"));
  CHECK(svg.find(fmt::format("width=\"{}\" height=\"{}\"", l.width, l.height)) != std::string::npos);
  CHECK(occurrences(svg, "<rect class=\"cell\"") == 6);
  const std::vector<std::string> fills = cell_fills(svg);
  REQUIRE(fills.size() == 6);
  const std::vector<double> values = w.to_vector<double>();
  for (size_t i = 0; i < 6; ++i) {
    INFO("cell " << i);
    CHECK(fills[i] == hex(heatmap_colour(values[i])));
  }
  CHECK(fills[0] == "#fde725");
  CHECK(fills[1] == "#440154");
  // Cells sit where the PNG puts them.
  CHECK(svg.find(fmt::format("<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"24\" height=\"24\"", l.grid_x + 24,
                             l.grid_y + 24)) != std::string::npos);

  // Labels are text, escaped; a cut label keeps the whole one as a tooltip;
  // a byte that is not UTF-8 becomes U+FFFD.
  CHECK(svg.find(">&lt;eos&gt;</text>") != std::string::npos);
  CHECK(svg.find(">a&amp;b</text>") != std::string::npos);
  CHECK(svg.find(">x&quot;y</text>") != std::string::npos);
  CHECK(svg.find(">bad\xEF\xBF\xBD</text>") != std::string::npos);
  CHECK(svg.find(">attn &lt;1&gt;</text>") != std::string::npos);
  CHECK(svg.find(">a_rather_long...<title>a_rather_long_token_name</title></text>") != std::string::npos);
  CHECK(svg.find("<eos>") == std::string::npos);
  CHECK(svg.find("a&b") == std::string::npos);
  CHECK(svg.find('\xFF') == std::string::npos);
  // The colour bar and its range.
  CHECK(occurrences(svg, "<stop ") == 9);
  CHECK(svg.find(">0.5</text>") != std::string::npos);
  CHECK(svg.ends_with("</svg>\n"));
}

TEST_CASE("write_heatmap: errors name the op, the shape, the counts, the position and the path") {
  const std::string png = scratch("err.png").string();
  fs::remove(png);
  CHECK_ERROR(write_heatmap(png, zeros({3})), "write_heatmap", "2-D", "[3]");
  CHECK_ERROR(write_heatmap(png, zeros({2, 2, 2})), "write_heatmap", "2-D", "[2, 2, 2]");
  CHECK_ERROR(write_heatmap(png, Tensor()), "write_heatmap", "undefined");
  CHECK_ERROR(write_heatmap(png, zeros({2, 2}, kInt64)), "write_heatmap", "float32 or float64", "int64");
  CHECK_ERROR(write_heatmap(png, zeros({0, 3})), "write_heatmap", "[0, 3]", "1 to 512");
  CHECK_ERROR(write_heatmap(png, zeros({1, 513})), "write_heatmap", "[1, 513]", "1 to 512");
  CHECK_ERROR(write_heatmap(png, zeros({3, 4}), {"a", "b"}), "write_heatmap", "2 row labels for 3 rows", "[3, 4]");
  CHECK_ERROR(write_heatmap(png, zeros({3, 4}), {}, {"a", "b", "c", "d", "e"}), "write_heatmap",
              "5 column labels for 4 columns", "[3, 4]");
  Tensor bad = zeros({2, 3});
  bad.narrow(0, 1, 1).narrow(1, 2, 1).fill_(std::nan(""));
  CHECK_ERROR(write_heatmap(png, bad), "write_heatmap", "weights[1, 2] is nan", "[2, 3]");
  Tensor inf = zeros({2, 3}, kFloat64);
  inf.narrow(1, 1, 1).fill_(-std::numeric_limits<double>::infinity());
  CHECK_ERROR(write_heatmap(png, inf), "write_heatmap", "weights[0, 1] is -inf");
  CHECK_ERROR(write_heatmap(png, zeros({2, 2}), {}, {}, {.cell_size = 5}), "write_heatmap", "cell_size",
              "10 to 100", "got 5");
  CHECK_ERROR(write_heatmap(png, zeros({512, 512}), {}, {}, {.cell_size = 100}), "write_heatmap", "[512, 512]",
              "more than 16384", "smaller cell_size");
  CHECK_ERROR(heatmap_layout(zeros({3})), "write_heatmap", "[3]");
  CHECK_FALSE(fs::exists(png));

  // The format comes from the extension.
  CHECK_ERROR(write_heatmap(scratch("map.jpg").string(), zeros({2, 2})), "write_heatmap", "map.jpg",
              ".png or .svg");
  CHECK_ERROR(write_heatmap(scratch("map").string(), zeros({2, 2})), "write_heatmap", "map", ".png or .svg");
  CHECK_ERROR(write_heatmap(scratch("d.png").string() + "/map", zeros({2, 2})), "write_heatmap", "d.png/map");
  // An unwritable place: the system's reason, nothing left behind.
  const std::string missing = (scratch("no_such_dir") / "map.png").string();
  CHECK_ERROR(write_heatmap(missing, zeros({2, 2})), "write_heatmap", missing.c_str(), "No such file");
  fs::create_directories(scratch("a_directory.svg"));
  CHECK_ERROR(write_heatmap(scratch("a_directory.svg").string(), zeros({2, 2})), "write_heatmap",
              "a_directory.svg");
}
