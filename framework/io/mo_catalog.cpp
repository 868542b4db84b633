#include "mo_catalog.hpp"

#include "../core/error.hpp"
#include "read_file.hpp"

namespace spool {

SentencePairs parse_mo_catalog(const std::string& b, const std::string& source) {
  const char* op = "read_mo_catalog";
  SPOOL_CHECK(b.size() >= 28, op, "{}: {} bytes, too short for a .mo header", source, b.size());
  auto u32 = [&](size_t at, bool big) -> uint32_t {
    SPOOL_CHECK(at + 4 <= b.size(), op, "{}: offset {} is past the end ({} bytes)", source, at, b.size());
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const auto byte = static_cast<uint32_t>(static_cast<unsigned char>(b[at + i]));
      v |= big ? byte << (8 * (3 - i)) : byte << (8 * i);
    }
    return v;
  };
  const uint32_t magic = u32(0, false);
  SPOOL_CHECK(magic == 0x950412de || magic == 0xde120495, op, "{}: not a .mo file (magic {:#x})", source, magic);
  const bool big = magic == 0xde120495;
  const uint32_t revision = u32(4, big);
  SPOOL_CHECK((revision >> 16) <= 1, op, "{}: unsupported revision {:#x}", source, revision);
  const uint32_t n = u32(8, big), originals = u32(12, big), translations = u32(16, big);
  SPOOL_CHECK(static_cast<uint64_t>(n) * 8 <= b.size(), op, "{}: {} messages cannot fit in {} bytes", source, n,
              b.size());
  auto str = [&](uint32_t table, uint32_t i) {
    const uint64_t entry = static_cast<uint64_t>(table) + 8ull * i;
    SPOOL_CHECK(entry + 8 <= b.size(), op, "{}: string table entry {} is past the end", source, i);
    const uint32_t len = u32(entry, big), off = u32(entry + 4, big);
    SPOOL_CHECK(static_cast<uint64_t>(off) + len < b.size() && b[off + len] == '\0', op,
                "{}: string {} (offset {}, length {}) is out of bounds or not terminated", source, i, off, len);
    return std::string(b.data() + off, len);
  };
  SentencePairs out;
  for (uint32_t i = 0; i < n; ++i) {
    std::string id = str(originals, i), text = str(translations, i);
    if (id.empty()) continue;  // the header entry
    id = id.substr(0, id.find('\0'));  // plural forms: keep the singular
    text = text.substr(0, text.find('\0'));
    if (text.empty()) continue;
    out.emplace_back(std::move(id), std::move(text));
  }
  return out;
}

SentencePairs read_mo_catalog(const std::string& path) {
  return parse_mo_catalog(read_file(path, "read_mo_catalog"), path);
}

}  // namespace spool
