#include "image_util.hpp"

// stb_image's implementation is compiled here only.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#include <stb_image.h>  // third-party (libstb-dev)

namespace spool::testing {

std::filesystem::path scratch(const std::string& folder, const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / folder;
  std::filesystem::create_directories(dir);
  return dir / name;
}

Rgb Image::at(int x, int y) const {
  REQUIRE_MESSAGE((x >= 0 && x < width && y >= 0 && y < height), "(" << x << ", " << y << ") is outside");
  return get(x, y);
}

Rgb Image::get(int x, int y) const {
  const uint8_t* p = &rgb[(static_cast<size_t>(y) * width + x) * 3];
  return {p[0], p[1], p[2]};
}

int Image::ink(int x0, int y0, int x1, int y1, Rgb background) const {
  REQUIRE_MESSAGE((x0 >= 0 && x1 <= width && y0 >= 0 && y1 <= height), "region outside the image");
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += !(get(x, y) == background);
  return n;
}

int Image::count(int x0, int y0, int x1, int y1, const Rgb* colour) const {
  if (!colour) return ink(x0, y0, x1, y1);
  REQUIRE_MESSAGE((x0 >= 0 && x1 <= width && y0 >= 0 && y1 <= height), "region outside the image");
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += get(x, y) == *colour;
  return n;
}

Image decode_png(const std::string& bytes) {
  Image img;
  int channels = 0;
  unsigned char* data = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()), &img.width, &img.height, &channels, 3);
  REQUIRE_MESSAGE(data != nullptr, stbi_failure_reason());
  CHECK(channels == 3);
  img.rgb.assign(data, data + static_cast<size_t>(img.width) * img.height * 3);
  stbi_image_free(data);
  return img;
}

Image canvas_image(const Canvas& c) {
  Image img{c.width(), c.height(), {}};
  for (int y = 0; y < c.height(); ++y)
    for (int x = 0; x < c.width(); ++x) {
      const Rgb p = c.pixel(x, y);
      img.rgb.insert(img.rgb.end(), {p.r, p.g, p.b});
    }
  return img;
}

size_t occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace spool::testing
