#include "canvas.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "../core/error.hpp"

// stb_image_write (Debian's libstb-dev), header-only: its implementation is
// compiled here and nowhere else, with static linkage so that a program
// linking spool may carry its own copy. No stdio: bytes go to write_file.
// Its code warns under -Wall -Wextra (unused static functions, aggregates
// with fields left to zero): silenced for it alone.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb_image_write.h>  // third-party (libstb-dev)
#pragma GCC diagnostic pop

namespace spool {

namespace {

// The font as data: glyphs of printable ASCII (32 to 126) drawn in sheets of
// sixteen, each glyph 5 columns by 9 rows ('#' ink, '.' paper), one space
// between glyphs. Rows 0-6 stand on the baseline, rows 7-8 hold descenders.
constexpr int kGlyphW = 5, kGlyphH = 9, kFirst = 32, kLast = 126, kPerSheet = 16;
constexpr const char* kSheets[][kGlyphH] = {
    // (space) ! " # $ % & ' ( ) * + , - . /
    {
        "..... ..#.. .#.#. .#.#. ..#.. ##... .##.. ..#.. ...#. .#... ..... ..... ..... ..... ..... ....#",
        "..... ..#.. .#.#. .#.#. .#### ##..# #..#. ..#.. ..#.. ..#.. ..#.. ..#.. ..... ..... ..... ....#",
        "..... ..#.. ..... ##### #.#.. ...#. #.#.. .#... .#... ...#. #.#.# ..#.. ..... ..... ..... ...#.",
        "..... ..#.. ..... .#.#. .###. ..#.. .#... ..... .#... ...#. .###. ##### ..... ##### ..... ..#..",
        "..... ..#.. ..... ##### ..#.# .#... #.#.# ..... .#... ...#. #.#.# ..#.. ..... ..... ..... .#...",
        "..... ..... ..... .#.#. ####. #..## #..#. ..... ..#.. ..#.. ..#.. ..#.. .##.. ..... .##.. #....",
        "..... ..#.. ..... .#.#. ..#.. ...## .##.# ..... ...#. .#... ..... ..... .##.. ..... .##.. #....",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..#.. ..... ..... .....",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .#... ..... ..... .....",
    },
    // 0 1 2 3 4 5 6 7 8 9 : ; < = > ?
    {
        ".###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###. ..... ..... ...#. ..... .#... .###.",
        "#...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...# .##.. .##.. ..#.. ..... ..#.. #...#",
        "#..## ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...# .##.. .##.. .#... ##### ...#. ....#",
        "#.#.# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .#### ..... ..... #.... ..... ....# ...#.",
        "##..# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....# .##.. .##.. .#... ##### ...#. ..#..",
        "#...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#. .##.. .##.. ..#.. ..... ..#.. .....",
        ".###. .###. ##### .###. ...#. .###. .###. .#... .###. .##.. ..... ..#.. ...#. ..... .#... ..#..",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .#... ..... ..... ..... .....",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    },
    // @ A B C D E F G H I J K L M N O
    {
        ".###. .###. ####. .###. ###.. ##### ##### .###. #...# .###. ..### #...# #.... #...# #...# .###.",
        "#...# #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. ...#. #..#. #.... ##.## #...# #...#",
        "#.### #...# #...# #.... #...# #.... #.... #.... #...# ..#.. ...#. #.#.. #.... #.#.# ##..# #...#",
        "#.#.# ##### ####. #.... #...# ####. ####. #.### ##### ..#.. ...#. ##... #.... #.#.# #.#.# #...#",
        "#.### #...# #...# #.... #...# #.... #.... #...# #...# ..#.. ...#. #.#.. #.... #...# #..## #...#",
        "#.... #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. #..#. #..#. #.... #...# #...# #...#",
        ".#### #...# ####. .###. ###.. ##### #.... .#### #...# .###. .##.. #...# ##### #...# #...# .###.",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    },
    // P Q R S T U V W X Y Z [ \ ] ^ _
    {
        "####. .###. ####. .#### ##### #...# #...# #...# #...# #...# ##### .###. #.... .###. ..#.. .....",
        "#...# #...# #...# #.... ..#.. #...# #...# #...# #...# #...# ....# .#... #.... ...#. .#.#. .....",
        "#...# #...# #...# #.... ..#.. #...# #...# #...# .#.#. .#.#. ...#. .#... .#... ...#. #...# .....",
        "####. #...# ####. .###. ..#.. #...# #...# #.#.# ..#.. ..#.. ..#.. .#... ..#.. ...#. ..... .....",
        "#.... #.#.# #.#.. ....# ..#.. #...# #...# #.#.# .#.#. ..#.. .#... .#... ...#. ...#. ..... .....",
        "#.... #..#. #..#. ....# ..#.. #...# .#.#. #.#.# #...# ..#.. #.... .#... ....# ...#. ..... .....",
        "#.... .##.# #...# ####. ..#.. .###. ..#.. .#.#. #...# ..#.. ##### .###. ....# .###. ..... .....",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... #####",
        "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    },
    // ` a b c d e f g h i j k l m n o
    {
        ".#... ..... #.... ..... ....# ..... ..##. ..... #.... ..#.. ...#. #.... .##.. ..... ..... .....",
        "..#.. ..... #.... ..... ....# ..... .#..# ..... #.... ..... ..... #.... ..#.. ..... ..... .....",
        "...#. .###. ####. .###. .#### .###. .#... .#### ####. .##.. ..##. #..#. ..#.. ##.#. ####. .###.",
        "..... ....# #...# #.... #...# #...# ###.. #...# #...# ..#.. ...#. #.#.. ..#.. #.#.# #...# #...#",
        "..... .#### #...# #.... #...# ##### .#... #...# #...# ..#.. ...#. ##... ..#.. #.#.# #...# #...#",
        "..... #...# #...# #...# #...# #.... .#... #...# #...# ..#.. ...#. #.#.. ..#.. #.#.# #...# #...#",
        "..... .#### ####. .###. .#### .###. .#... .#### #...# .###. ...#. #..#. .###. #.#.# #...# .###.",
        "..... ..... ..... ..... ..... ..... ..... ....# ..... ..... #..#. ..... ..... ..... ..... .....",
        "..... ..... ..... ..... ..... ..... ..... .###. ..... ..... .##.. ..... ..... ..... ..... .....",
    },
    // p q r s t u v w x y z { | } ~
    {
        "..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ...## ..#.. ##... .....",
        "..... ..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ..#.. ..#.. ..#.. .....",
        "####. .#### #.##. .#### ####. #...# #...# #...# #...# #...# ##### ..#.. ..#.. ..#.. .#...",
        "#...# #...# ##..# #.... .#... #...# #...# #...# .#.#. #...# ...#. .#... ..#.. ...#. #.#.#",
        "#...# #...# #.... .###. .#... #...# #...# #.#.# ..#.. #...# ..#.. ..#.. ..#.. ..#.. ...#.",
        "#...# #...# #.... ....# .#..# #..## .#.#. #.#.# .#.#. #...# .#... ..#.. ..#.. ..#.. .....",
        "####. .#### #.... ####. ..##. .##.# ..#.. .#.#. #...# .#### ##### ...## ..#.. ##... .....",
        "#.... ....# ..... ..... ..... ..... ..... ..... ..... ....# ..... ..... ..#.. ..... .....",
        "#.... ....# ..... ..... ..... ..... ..... ..... ..... .###. ..... ..... ..#.. ..... .....",
    },
};
constexpr int kGlyphs = kLast - kFirst + 1;
static_assert(sizeof(kSheets) / sizeof(kSheets[0]) == (kGlyphs + kPerSheet - 1) / kPerSheet);

// Drawn for every character the font lacks: an outlined box of cap height.
constexpr const char* kBox[kGlyphH] = {"#####", "#...#", "#...#", "#...#", "#...#", "#...#", "#####", ".....", "....."};

// A glyph as one bit mask per row (bit 4 is the leftmost column).
using Glyph = std::array<uint8_t, kGlyphH>;

Glyph parse_rows(const char* const* rows, int column) {
  Glyph g{};
  for (int r = 0; r < kGlyphH; ++r)
    for (int c = 0; c < kGlyphW; ++c)
      if (rows[r][column * (kGlyphW + 1) + c] == '#') g[r] |= static_cast<uint8_t>(1 << (kGlyphW - 1 - c));
  return g;
}

// Index kGlyphs is the box.
const std::array<Glyph, kGlyphs + 1>& font() {
  static const std::array<Glyph, kGlyphs + 1> table = [] {
    std::array<Glyph, kGlyphs + 1> t{};
    for (int i = 0; i < kGlyphs; ++i) t[i] = parse_rows(kSheets[i / kPerSheet], i % kPerSheet);
    t[kGlyphs] = parse_rows(kBox, 0);
    return t;
  }();
  return table;
}

// Beyond ASCII the font draws what European text needs most: accented Latin
// letters as their base letter with the accent drawn in the two rows above a
// lower-case letter (a capital has no room: it keeps its base letter, and Ç
// its cedilla), and typographic punctuation as its ASCII look-alike (the
// non-breaking space French puts before ':' as a space). Anything else is
// the box.
enum class Mark : uint8_t { None, Acute, Grave, Circumflex, Diaeresis, Tilde, Ring, Cedilla };
struct Folded {
  char base;
  Mark mark;
};

// The Unicode code point of a well-formed sequence of at most 3 bytes.
char32_t code_point(std::string_view b) {
  const auto at = [&](size_t k) { return char32_t(static_cast<unsigned char>(b[k])); };
  if (b.size() == 2) return (at(0) & 0x1F) << 6 | (at(1) & 0x3F);
  if (b.size() == 3) return (at(0) & 0x0F) << 12 | (at(1) & 0x3F) << 6 | (at(2) & 0x3F);
  return b.size() == 1 ? at(0) : 0;
}

// Latin-1's letters U+00C0 to U+00FF: the base letter and the mark, in
// Unicode's order (grave, acute, circumflex, tilde, diaeresis, ring; E, I and U
// without tilde and ring).
Folded fold(char32_t cp) {
  constexpr Mark kVowelMarks[6] = {Mark::Grave, Mark::Acute, Mark::Circumflex, Mark::Tilde, Mark::Diaeresis, Mark::Ring};
  // E, I and U have no tilde form: their fourth letter is the diaeresis.
  constexpr Mark kFourMarks[4] = {Mark::Grave, Mark::Acute, Mark::Circumflex, Mark::Diaeresis};
  const bool lower = cp >= 0xE0;
  const char32_t u = lower ? cp - 0x20 : cp;  // the capital's code point
  const auto letter = [&](char c) { return lower ? char(c - 'A' + 'a') : c; };
  if (u >= 0xC0 && u <= 0xC5) return {letter('A'), kVowelMarks[u - 0xC0]};
  if (u == 0xC7) return {letter('C'), Mark::Cedilla};
  if (u >= 0xC8 && u <= 0xCB) return {letter('E'), kFourMarks[u - 0xC8]};
  if (u >= 0xCC && u <= 0xCF) return {letter('I'), kFourMarks[u - 0xCC]};
  if (u == 0xD1) return {letter('N'), Mark::Tilde};
  if (u >= 0xD2 && u <= 0xD6) return {letter('O'), kVowelMarks[u - 0xD2]};
  if (u >= 0xD9 && u <= 0xDC) return {letter('U'), kFourMarks[u - 0xD9]};
  if (u == 0xDD) return {letter('Y'), Mark::Acute};
  if (cp == 0xFF) return {'y', Mark::Diaeresis};
  switch (cp) {
    case 0xA0: return {' ', Mark::None};  // no-break space
    case 0xAB: return {'<', Mark::None};  // guillemets
    case 0xBB: return {'>', Mark::None};
    case 0x2010: case 0x2011: case 0x2013: case 0x2014: case 0x2212: return {'-', Mark::None};
    case 0x2018: case 0x2019: case 0x2032: return {'\'', Mark::None};
    case 0x201C: case 0x201D: return {'"', Mark::None};
    case 0x202F: return {' ', Mark::None};  // narrow no-break space
    default: return {0, Mark::None};
  }
}

// The two rows of each mark: above a lower-case letter (rows 0-1), or below
// (rows 7-8) for the cedilla.
constexpr uint8_t kMarkRows[][2] = {{0b00000, 0b00000}, {0b00010, 0b00100}, {0b01000, 0b00100}, {0b00100, 0b01010},
                                    {0b00000, 0b01010}, {0b01101, 0b10110}, {0b01110, 0b01010}, {0b00100, 0b01000}};

Glyph glyph_of(const TextChar& ch) {
  const char32_t cp = ch.valid ? code_point(ch.bytes) : 0;
  if (cp >= kFirst && cp <= kLast) return font()[cp - kFirst];
  const Folded f = cp >= 0x80 ? fold(cp) : Folded{0, Mark::None};
  if (f.base == 0) return font()[kGlyphs];
  Glyph g = font()[f.base - kFirst];
  const uint8_t* rows = kMarkRows[static_cast<int>(f.mark)];
  if (f.mark == Mark::Cedilla) {
    g[7] |= rows[0];
    g[8] |= rows[1];
  } else if (f.mark != Mark::None && f.base >= 'a') {
    g[0] = rows[0];  // replaces the dot of i
    g[1] = rows[1];
  }
  return g;
}

// Bytes of the well-formed UTF-8 sequence at text[i] (Unicode's table of
// well-formed byte sequences: no overlong forms, no surrogates, nothing past
// U+10FFFF), or 0 when it is not one.
size_t utf8_length(std::string_view text, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = at(i);
  if (lead < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size() || at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  return len;
}

void check_scale(int scale, const char* op) {
  SPOOL_CHECK(scale >= 1 && scale <= 16, op, "scale must be 1 to 16, got {}", scale);
}

}  // namespace

std::vector<TextChar> split_text(std::string_view text) {
  std::vector<TextChar> out;
  for (size_t i = 0; i < text.size();) {
    const size_t len = utf8_length(text, i);
    out.push_back({text.substr(i, len ? len : 1), len != 0});
    i += len ? len : 1;
  }
  return out;
}

Canvas::Canvas(int width, int height, Rgb background) : width_(width), height_(height) {
  SPOOL_CHECK(width >= 1 && width <= kMaxSide && height >= 1 && height <= kMaxSide, "Canvas",
              "width and height must be 1 to {}, got {}x{}", kMaxSide, width, height);
  pixels_.resize(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < pixels_.size(); i += 3) {
    pixels_[i] = background.r;
    pixels_[i + 1] = background.g;
    pixels_[i + 2] = background.b;
  }
}

Rgb Canvas::pixel(int x, int y) const {
  SPOOL_CHECK(x >= 0 && x < width_ && y >= 0 && y < height_, "Canvas::pixel", "({}, {}) is outside the {}x{} canvas",
              x, y, width_, height_);
  const uint8_t* p = &pixels_[(static_cast<size_t>(y) * width_ + x) * 3];
  return {p[0], p[1], p[2]};
}

void Canvas::set_pixel(int x, int y, Rgb colour) { fill(x, y, 1, 1, colour); }

void Canvas::fill_rect(int x, int y, int w, int h, Rgb colour) { fill(x, y, w, h, colour); }

// In 64 bits: text and thick lines add offsets to caller coordinates that
// may be anywhere in int's range.
void Canvas::fill(int64_t x, int64_t y, int64_t w, int64_t h, Rgb colour) {
  const int64_t x0 = std::max<int64_t>(x, 0), x1 = std::min<int64_t>(x + w, width_);
  const int64_t y0 = std::max<int64_t>(y, 0), y1 = std::min<int64_t>(y + h, height_);
  for (int64_t py = y0; py < y1; ++py) {
    uint8_t* p = &pixels_[(static_cast<size_t>(py) * width_ + x0) * 3];
    for (int64_t px = x0; px < x1; ++px, p += 3) {
      p[0] = colour.r;
      p[1] = colour.g;
      p[2] = colour.b;
    }
  }
}

void Canvas::draw_rect(int x, int y, int w, int h, Rgb colour) {
  if (w <= 0 || h <= 0) return;
  fill(x, y, w, 1, colour);
  fill(x, int64_t{y} + h - 1, w, 1, colour);
  fill(x, y, 1, h, colour);
  fill(int64_t{x} + w - 1, y, 1, h, colour);
}

void Canvas::draw_line(int x0, int y0, int x1, int y1, Rgb colour, int thickness) {
  SPOOL_CHECK(thickness >= 1 && thickness <= 64, "Canvas::draw_line", "thickness must be 1 to 64, got {}", thickness);
  // Clip the segment to the canvas widened by the pen (Liang-Barsky), so a
  // line from far outside costs only the pixels it crosses.
  const double pad = thickness;
  double t0 = 0, t1 = 1;
  const double dx = double(x1) - x0, dy = double(y1) - y0;
  const auto clip = [&](double p, double q) {  // keeps the part where p * t <= q
    if (p == 0) return q >= 0;
    const double t = q / p;
    if (p < 0) {
      if (t > t1) return false;
      t0 = std::max(t0, t);
    } else {
      if (t < t0) return false;
      t1 = std::min(t1, t);
    }
    return true;
  };
  if (!clip(-dx, x0 + pad) || !clip(dx, width_ - 1 + pad - x0) || !clip(-dy, y0 + pad) ||
      !clip(dy, height_ - 1 + pad - y0))
    return;
  int64_t ax = std::lround(x0 + t0 * dx), ay = std::lround(y0 + t0 * dy);
  const int64_t bx = std::lround(x0 + t1 * dx), by = std::lround(y0 + t1 * dy);
  // Bresenham, stamping a thickness x thickness square at each step.
  const int64_t sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1;
  const int64_t ex = std::abs(bx - ax), ey = -std::abs(by - ay);
  const int64_t back = (thickness - 1) / 2;
  int64_t err = ex + ey;
  for (;;) {
    fill(ax - back, ay - back, thickness, thickness, colour);
    if (ax == bx && ay == by) break;
    const int64_t e2 = 2 * err;
    if (e2 >= ey) {
      err += ey;
      ax += sx;
    }
    if (e2 <= ex) {
      err += ex;
      ay += sy;
    }
  }
}

void Canvas::draw_text(int x, int y, std::string_view text, Rgb colour, int scale) {
  check_scale(scale, "Canvas::draw_text");
  draw_glyphs(x, y, text, colour, scale, false);
}

void Canvas::draw_text_up(int x, int y, std::string_view text, Rgb colour, int scale) {
  check_scale(scale, "Canvas::draw_text_up");
  draw_glyphs(x, y, text, colour, scale, true);
}

void Canvas::draw_glyphs(int x, int y, std::string_view text, Rgb colour, int scale, bool up) {
  const int64_t s = scale;
  int64_t pen = 0;  // font pixels advanced along the text
  for (const TextChar& ch : split_text(text)) {
    const Glyph g = glyph_of(ch);
    for (int r = 0; r < kGlyphH; ++r)
      for (int c = 0; c < kGlyphW; ++c) {
        if (!(g[r] >> (kGlyphW - 1 - c) & 1)) continue;
        if (up)  // the glyph's rows run rightwards, its columns upwards
          fill(x + r * s, y - (pen + c) * s - s + 1, s, s, colour);
        else
          fill(x + (pen + c) * s, y + r * s, s, s, colour);
      }
    pen += kGlyphAdvance;
  }
}

int Canvas::text_width(std::string_view text, int scale) {
  check_scale(scale, "Canvas::text_width");
  const int64_t w = static_cast<int64_t>(split_text(text).size()) * kGlyphAdvance * scale;
  return static_cast<int>(std::min<int64_t>(w, std::numeric_limits<int>::max()));
}

std::string Canvas::encode_png() const {
  // stb hands the file over in pieces; an allocation failure is noted, not
  // thrown through stb's frames (which would leak its buffers).
  struct Sink {
    std::string bytes;
    bool failed = false;
  } sink;
  const auto append = [](void* context, void* data, int size) {
    auto* s = static_cast<Sink*>(context);
    try {
      s->bytes.append(static_cast<const char*>(data), static_cast<size_t>(size));
    } catch (...) {
      s->failed = true;
    }
  };
  const int ok = stbi_write_png_to_func(append, &sink, width_, height_, 3, pixels_.data(), width_ * 3);
  SPOOL_CHECK(ok && !sink.failed, "Canvas::encode_png", "could not encode the {}x{} image (out of memory)", width_,
              height_);
  return std::move(sink.bytes);
}

}  // namespace spool
