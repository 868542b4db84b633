#include "read_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "../core/error.hpp"

namespace spool {

std::string read_file(const std::string& path, const char* op) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  SPOOL_CHECK(f != nullptr, op, "cannot open {}: {}", path, std::strerror(errno));
  std::string bytes;
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) bytes.append(buf, n);
  // A directory opens but does not read (EISDIR), as does a failing disk.
  SPOOL_CHECK(!std::ferror(f.get()), op, "cannot read {}: {}", path, std::strerror(errno));
  return bytes;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t begin = 0; begin < text.size();) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

}  // namespace spool
