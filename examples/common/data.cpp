#include "data.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace spool::examples {

void require_file(const std::string& path, const std::string& package, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw DataError(
        fmt::format("{} not found at {}: install Debian's {} (tools/setup installs it)", what, path, package));
}

namespace {

// "a\ba" (bold) and "_\ba" (underline) draw 'a': keep the character after
// each backspace, drop the one before it.
std::string without_overstrike(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\b') {
      if (!out.empty()) out.pop_back();
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::vector<std::string> parse_fortunes(const std::string& text) {
  std::vector<std::string> quotes;
  std::string current, line;
  std::istringstream in(text);
  auto flush = [&] {
    std::string q = trimmed(without_overstrike(current));
    if (!q.empty()) quotes.push_back(std::move(q));
    current.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "%") {
      flush();
    } else {
      current += line;
      current += '\n';
    }
  }
  flush();
  return quotes;
}

std::vector<Quote> read_fortunes(const std::vector<std::string>& categories, const std::string& dir) {
  std::vector<Quote> out;
  for (const std::string& category : categories) {
    const std::string path = dir + "/" + category;
    require_file(path, "fortunes (the fortune files; fortunes-min has a few)",
                 fmt::format("the fortune file \"{}\"", category));
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    const std::vector<std::string> quotes = parse_fortunes(s.str());
    if (quotes.empty()) throw DataError(fmt::format("{} holds no quotations (expected entries separated by % lines)", path));
    for (const std::string& q : quotes) out.push_back({q, category});
  }
  return out;
}

}  // namespace spool::examples
