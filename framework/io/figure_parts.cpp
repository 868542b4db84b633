#include "figure_parts.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace spool::detail {

std::string shorten(const std::string& text, size_t max) {
  const std::vector<TextChar> chars = split_text(text);
  if (chars.size() <= max) return text;
  std::string out;
  for (size_t i = 0; i + 3 < max; ++i) out += chars[i].bytes;
  return out + "...";
}

int widest(const std::vector<std::string>& texts) {
  int w = 0;
  for (const std::string& t : texts) w = std::max(w, Canvas::text_width(t));
  return w;
}

std::string hex(Rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

std::string xml_text(std::string_view text) {
  std::string out;
  for (const TextChar& ch : split_text(text)) {
    const auto c = static_cast<unsigned char>(ch.bytes[0]);
    if (!ch.valid || c < 0x20 || c == 0x7F || ch.bytes == "\xEF\xBF\xBE" || ch.bytes == "\xEF\xBF\xBF")
      out += "\xEF\xBF\xBD";
    else if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&apos;";
    else
      out += ch.bytes;
  }
  return out;
}

std::string extension(const std::string& path) {
  const size_t slash = path.rfind('/'), dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext;
}

}  // namespace spool::detail
