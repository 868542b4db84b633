// The size of a PNG file the example wrote, read back from its IHDR chunk:
// how an example checks that the image it reports is really there.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace spool::examples {

// {width, height}; throws std::runtime_error naming the path unless the file
// starts with the PNG signature and an IHDR chunk.
std::pair<int64_t, int64_t> png_size(const std::string& path);

}  // namespace spool::examples
