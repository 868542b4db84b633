#include "safetensors.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>

#include "../core/kernels.hpp"
#include "read_file.hpp"
#include "write_file.hpp"

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

// A short description of an untrusted header value for an error message:
// dump() recurses, and a value nested 100,000 deep overflows the stack.
std::string brief(const json& v) {
  if (v.is_array()) {
    bool flat = v.size() <= 8;
    for (const json& e : v) flat = flat && e.is_primitive();
    if (!flat) return fmt::format("(an array of {} values)", v.size());
  } else if (v.is_object()) {
    return fmt::format("(an object of {} keys)", v.size());
  }
  std::string s = v.dump();  // primitives, or a flat array of them
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

}  // namespace

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file(path, serialize(tensors, metadata), "save_safetensors");
}

NamedTensors parse_safetensors(const std::string& bytes, std::map<std::string, std::string>* metadata) {
  const char* op = "load_safetensors";
  SPOOL_CHECK(bytes.size() >= 8, op, "file is {} bytes, too short for a header", bytes.size());
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  SPOOL_CHECK(n <= bytes.size() - 8 && n <= (uint64_t(100) << 20), op,
              "header length {} does not fit in a file of {} bytes (truncated or not safetensors)", n, bytes.size());
  json header;
  // A name given twice would silently keep the last: refused, as the
  // reference implementation does.
  std::set<std::string> names;
  std::string duplicate;
  const json::parser_callback_t note_names = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key && !names.insert(parsed.get<std::string>()).second &&
        duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n), note_names);
  } catch (const json::exception& e) {
    detail::fail(op, "header is not valid JSON: {}", e.what());
  }
  SPOOL_CHECK(duplicate.empty(), op, "the header names \"{}\" twice", duplicate);
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
                "entry \"{}\" has unsupported dtype {}", name, brief(info["dtype"]));
    const json& shape = info["shape"];
    SPOOL_CHECK(shape.is_array() && shape.size() <= Shape::kMaxDims, op, "entry \"{}\" has an invalid shape {}", name,
                brief(shape));
    uint64_t numel = 1;
    for (const json& d : shape) {
      SPOOL_CHECK(d.is_number_unsigned() && d.get<uint64_t>() < (uint64_t(1) << 40), op,
                  "entry \"{}\" has an invalid shape {}", name, brief(shape));
      e.shape.push_back(d.get<int64_t>());
      // Checked before multiplying: [2^39, 2^39] would wrap to 0 elements.
      SPOOL_CHECK(d.get<uint64_t>() == 0 || numel < (uint64_t(1) << 40) / d.get<uint64_t>(), op,
                  "entry \"{}\" is too large: shape {}", name, brief(shape));
      numel *= d.get<uint64_t>();  // stays below 2^40 by the check above
    }
    const json& off = info["data_offsets"];
    SPOOL_CHECK(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(), op,
                "entry \"{}\" has invalid data_offsets {}", name, brief(off));
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
  // Header order is not guaranteed: keep the file's data order (= save order).
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end != b.end ? a.end < b.end : a.name < b.name;
  });
  // The data regions tile the data exactly, as the reference implementation
  // requires: no overlap, no gap, no trailing bytes.
  uint64_t covered = 0;
  for (const Entry& e : entries) {
    SPOOL_CHECK(e.begin >= covered, op, "tensor data regions overlap at byte {} (entry \"{}\")", e.begin, e.name);
    SPOOL_CHECK(e.begin == covered, op, "bytes {} to {} of the data belong to no tensor (before entry \"{}\")",
                covered, e.begin, e.name);
    covered = e.end;
  }
  SPOOL_CHECK(covered == data_size, op, "{} bytes after the last tensor's data (the data is {} bytes)",
              data_size - covered, data_size);

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
