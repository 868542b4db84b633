#include "png.hpp"

#include <spool/spool.hpp>

#include <stdexcept>

namespace spool::examples {

std::pair<int64_t, int64_t> png_size(const std::string& path) {
  const std::string b = read_file(path, "png_size");
  if (b.size() < 24 || b.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || b.compare(12, 4, "IHDR") != 0)
    throw std::runtime_error(path + " is not a PNG file");
  const auto be32 = [&](size_t at) {  // big-endian
    int64_t v = 0;
    for (size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(b[at + k]);
    return v;
  };
  return {be32(16), be32(20)};
}

}  // namespace spool::examples
