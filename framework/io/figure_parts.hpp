// What the figure writers (heatmap.cpp, line_plot.cpp) share: their colours,
// how a long text is shortened, text for SVG, and the format a path asks for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "canvas.hpp"

namespace spool::detail {

inline constexpr Rgb kPaper{255, 255, 255}, kInk{34, 34, 34}, kFrame{128, 128, 128};

// A text as drawn: past `max` characters, its first max - 3 and "...".
std::string shorten(const std::string& text, size_t max);
// The widest of the texts in the bitmap font, in pixels.
int widest(const std::vector<std::string>& texts);
// "#rrggbb", as SVG writes a colour.
std::string hex(Rgb c);
// Text for XML: markup characters escaped; bytes that are not UTF-8, control
// characters and U+FFFE / U+FFFF (none allowed in XML) become U+FFFD.
std::string xml_text(std::string_view text);
// The lower-cased extension of the path's last component, with its dot.
std::string extension(const std::string& path);

}  // namespace spool::detail
