// What the image tests (heatmap, line plot, canvas) share: a scratch folder,
// PNGs decoded with stb_image (Debian's libstb-dev) and pixel counts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace spool::testing {

constexpr Rgb kWhite{255, 255, 255};

// <temp>/<folder>/<name>, the folder created.
std::filesystem::path scratch(const std::string& folder, const std::string& name);

// A decoded 8-bit RGB image.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  Rgb at(int x, int y) const;  // a test failure outside the image
  Rgb get(int x, int y) const;
  // Pixels in [x0, x1) x [y0, y1) that are not `background`.
  int ink(int x0, int y0, int x1, int y1, Rgb background = kWhite) const;
  // Pixels in that region that are `colour` (or, when not given, not white).
  int count(int x0, int y0, int x1, int y1, const Rgb* colour = nullptr) const;
};

Image decode_png(const std::string& bytes);
Image canvas_image(const Canvas& c);

// How often `part` occurs in `text` (overlaps counted).
size_t occurrences(const std::string& text, const std::string& part);

}  // namespace spool::testing
