// Tensors to and from files in the safetensors format (readable by PyTorch's
// and other tools): an 8-byte little-endian header length, a JSON header
// {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}},
// then the raw little-endian data.
//
//   spool::save_safetensors("model.safetensors", {{"w", w}, {"b", b}});
//   auto tensors = spool::load_safetensors("model.safetensors");
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../core/tensor.hpp"

namespace spool {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Writes atomically: a temporary file beside `path` is written, flushed to
// disk and renamed over `path`, so a crash leaves the previous file intact.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Reads and validates the whole file (header, names, dtypes, shapes and
// offsets) before building any tensor; a truncated or corrupted file is a
// spool::Error naming the problem.
NamedTensors load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr);
// The same from bytes in memory (what load_safetensors reads; fuzzable).
NamedTensors parse_safetensors(const std::string& bytes, std::map<std::string, std::string>* metadata = nullptr);

}  // namespace spool
