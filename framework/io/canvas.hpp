// A small RGB raster for the pictures spool writes (heatmaps, plots): filled
// rectangles, lines, text in a built-in bitmap font, and PNG encoding. No
// font files and no image library in the public interface, so a user of
// spool needs neither.
//
// Example:
//   Canvas c(200, 100);
//   c.draw_line(10, 90, 190, 10, {200, 0, 0}, 2);
//   c.draw_text(10, 10, "loss", {0, 0, 0});
//   std::string png = c.encode_png();  // the bytes of a .png file
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spool {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

// One character of a text as draw_text draws it: a printable ASCII byte gets
// its glyph, an accented Latin-1 letter its base letter with the accent (on
// lower case), typographic quotes, dashes, guillemets and no-break spaces
// their ASCII look-alike; anything else (another UTF-8 sequence, a control
// byte, a byte that is not valid UTF-8) is drawn as one placeholder box. `valid` is false
// for bytes that are not UTF-8 (an SVG writer must not copy them).
struct TextChar {
  std::string_view bytes;
  bool valid = true;
};
std::vector<TextChar> split_text(std::string_view text);

// Pixels are addressed (x, y) from the top-left corner. Drawing clips to the
// canvas: shapes and text partly or wholly outside are cut, never an error,
// so plot code may draw in data coordinates without checking them.
class Canvas {
 public:
  // Each side at most kMaxSide; the pixels are 3 bytes each.
  static constexpr int kMaxSide = 16384;
  // The font: 5x9 glyphs (7 rows above the baseline, 2 below for g, j, p,
  // q, y) in a 6x10 cell, times `scale`.
  static constexpr int kGlyphAdvance = 6;
  static constexpr int kLineHeight = 10;

  Canvas(int width, int height, Rgb background = {255, 255, 255});

  int width() const { return width_; }
  int height() const { return height_; }
  // Throws naming (x, y) when it is outside the canvas.
  Rgb pixel(int x, int y) const;

  void set_pixel(int x, int y, Rgb colour);
  // Nothing is drawn when w or h is not positive.
  void fill_rect(int x, int y, int w, int h, Rgb colour);
  // A one-pixel outline just inside (x, y, w, h).
  void draw_rect(int x, int y, int w, int h, Rgb colour);
  // Both end points included; `thickness` pixels wide (a square pen).
  void draw_line(int x0, int y0, int x1, int y1, Rgb colour, int thickness = 1);

  // One line of text whose first character cell has its top-left corner at
  // (x, y); `scale` (1 to 16) magnifies every font pixel to a square.
  void draw_text(int x, int y, std::string_view text, Rgb colour, int scale = 1);
  // The same text turned a quarter turn anticlockwise, read from bottom to
  // top (a y-axis title, column labels): (x, y) is the bottom-left corner of
  // the first character cell, the text runs up to y - text_width + 1.
  void draw_text_up(int x, int y, std::string_view text, Rgb colour, int scale = 1);
  // Pixels the text advances: kGlyphAdvance * scale per character of split_text.
  static int text_width(std::string_view text, int scale = 1);
  static int text_height(int scale = 1) { return kLineHeight * scale; }

  // The canvas as a PNG file's bytes (8-bit RGB).
  std::string encode_png() const;

 private:
  void fill(int64_t x, int64_t y, int64_t w, int64_t h, Rgb colour);
  void draw_glyphs(int x, int y, std::string_view text, Rgb colour, int scale, bool up);

  int width_, height_;
  std::vector<uint8_t> pixels_;  // row-major RGB, width_ * 3 bytes a row
};

}  // namespace spool
