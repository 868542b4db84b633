#include "safetensors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "../core/kernels.hpp"
#include "read_file.hpp"

namespace spool {

namespace {

using json = nlohmann::json;

const char* code_of(ScalarType t) {
  switch (t) {
    case kFloat32: return "F32";
    case kFloat64: return "F64";
    case kInt64: return "I64";
    case kBool: return "BOOL";
  }
  return "?";
}

bool dtype_of_code(const std::string& code, ScalarType& out) {
  if (code == "F32") return out = kFloat32, true;
  if (code == "F64") return out = kFloat64, true;
  if (code == "I64") return out = kInt64, true;
  if (code == "BOOL") return out = kBool, true;
  return false;
}

std::string serialize(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  uint64_t offset = 0;
  std::vector<Tensor> contiguous;
  for (const auto& [name, t] : tensors) {
    SPOOL_CHECK(names.insert(name).second, "save_safetensors", "tensor name \"{}\" appears twice", name);
    SPOOL_CHECK(name != "__metadata__", "save_safetensors", "\"__metadata__\" is reserved");
    Tensor c = t.is_contiguous() ? t.detach() : kernels::contiguous_copy(t);
    const uint64_t bytes = c.numel() * element_size(c.dtype());
    header[name] = {{"dtype", code_of(c.dtype())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(c);
  }
  std::string head = header.dump();
  while ((8 + head.size()) % 8) head += ' ';  // aligned data, as the format recommends
  std::string out(8, '\0');
  uint64_t n = head.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += head;
  for (const Tensor& c : contiguous)
    out.append(static_cast<const char*>(c.raw_data()), c.numel() * element_size(c.dtype()));
  return out;
}

}  // namespace

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string bytes = serialize(tensors, metadata);
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  SPOOL_CHECK(fd >= 0, "save_safetensors", "cannot create {}: {}", tmp, std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      detail::fail("save_safetensors", "writing {} failed: {}", tmp, std::strerror(err));
    }
    done += static_cast<size_t>(w);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    detail::fail("save_safetensors", "could not replace {}: {}", path, std::strerror(err));
  }
}

NamedTensors parse_safetensors(const std::string& bytes, std::map<std::string, std::string>* metadata) {
  const char* op = "load_safetensors";
  SPOOL_CHECK(bytes.size() >= 8, op, "file is {} bytes, too short for a header", bytes.size());
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  SPOOL_CHECK(n <= bytes.size() - 8 && n <= (uint64_t(100) << 20), op,
              "header length {} does not fit in a file of {} bytes (truncated or not safetensors)", n, bytes.size());
  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  } catch (const json::exception& e) {
    detail::fail(op, "header is not valid JSON: {}", e.what());
  }
  SPOOL_CHECK(header.is_object(), op, "header must be a JSON object");
  const uint64_t data_size = bytes.size() - 8 - n;
  const char* data = bytes.data() + 8 + n;

  struct Entry {
    std::string name;
    ScalarType dtype;
    Shape shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      SPOOL_CHECK(info.is_object(), op, "__metadata__ must be an object");
      for (auto& [k, v] : info.items()) {
        SPOOL_CHECK(v.is_string(), op, "metadata value of \"{}\" must be a string", k);
        if (metadata) (*metadata)[k] = v.get<std::string>();
      }
      continue;
    }
    SPOOL_CHECK(info.is_object() && info.contains("dtype") && info.contains("shape") && info.contains("data_offsets"),
                op, "entry \"{}\" needs dtype, shape and data_offsets", name);
    Entry e{name, kFloat32, {}, 0, 0};
    SPOOL_CHECK(info["dtype"].is_string() && dtype_of_code(info["dtype"].get<std::string>(), e.dtype), op,
                "entry \"{}\" has unsupported dtype {}", name, info["dtype"].dump());
    const json& shape = info["shape"];
    SPOOL_CHECK(shape.is_array() && shape.size() <= Shape::kMaxDims, op, "entry \"{}\" has an invalid shape {}", name,
                shape.dump());
    uint64_t numel = 1;
    for (const json& d : shape) {
      SPOOL_CHECK(d.is_number_unsigned() && d.get<uint64_t>() < (uint64_t(1) << 40), op,
                  "entry \"{}\" has an invalid shape {}", name, shape.dump());
      e.shape.push_back(d.get<int64_t>());
      // Checked before multiplying: [2^39, 2^39] would wrap to 0 elements.
      SPOOL_CHECK(d.get<uint64_t>() == 0 || numel < (uint64_t(1) << 40) / d.get<uint64_t>(), op,
                  "entry \"{}\" is too large: shape {}", name, shape.dump());
      numel *= d.get<uint64_t>();  // stays below 2^40 by the check above
    }
    const json& off = info["data_offsets"];
    SPOOL_CHECK(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(), op,
                "entry \"{}\" has invalid data_offsets {}", name, off.dump());
    e.begin = off[0].get<uint64_t>();
    e.end = off[1].get<uint64_t>();
    SPOOL_CHECK(e.begin <= e.end && e.end <= data_size, op,
                "entry \"{}\" has data_offsets [{}, {}] outside the {} data bytes (truncated file?)", name, e.begin,
                e.end, data_size);
    SPOOL_CHECK(e.end - e.begin == numel * element_size(e.dtype), op,
                "entry \"{}\": {} bytes for shape {} of {} (expected {})", name, e.end - e.begin, e.shape,
                dtype_name(e.dtype), numel * element_size(e.dtype));
    entries.push_back(std::move(e));
  }
  // Entries must not overlap.
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (auto& e : entries)
    if (e.end > e.begin) spans.emplace_back(e.begin, e.end);
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i)
    SPOOL_CHECK(spans[i].first >= spans[i - 1].second, op, "tensor data regions overlap at byte {}", spans[i].first);
  // Header order is not guaranteed: keep the file's data order (= save order).
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.name < b.name;
  });

  NamedTensors out;
  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    if (e.end > e.begin) std::memcpy(t.raw_data(), data + e.begin, e.end - e.begin);
    if (e.dtype == kBool)
      for (int64_t i = 0; i < t.numel(); ++i)
        SPOOL_CHECK(static_cast<unsigned char*>(t.raw_data())[i] <= 1, op, "entry \"{}\" has a bool byte that is not 0 or 1",
                    e.name);
    out.emplace_back(e.name, t);
  }
  return out;
}

NamedTensors load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata) {
  const std::string bytes = read_file(path, "load_safetensors");
  try {
    return parse_safetensors(bytes, metadata);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (file " + path + ")");
  }
}

}  // namespace spool
