#include "test_util.hpp"

using namespace spool;

namespace {
// A little-endian .mo file of the given (msgid, msgstr) entries.
std::string make_mo(const std::vector<std::pair<std::string, std::string>>& entries) {
  const uint32_t n = static_cast<uint32_t>(entries.size());
  const uint32_t orig = 28, trans = orig + 8 * n;
  uint32_t data = trans + 8 * n;
  std::string out, strings;
  auto put = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  for (uint32_t v : {0x950412deu, 0u, n, orig, trans, 0u, 0u}) put(v);
  std::vector<std::pair<uint32_t, uint32_t>> o, t;
  for (auto& [id, s] : entries) {
    o.emplace_back(id.size(), data + strings.size());
    strings += id + '\0';
  }
  for (auto& [id, s] : entries) {
    t.emplace_back(s.size(), data + strings.size());
    strings += s + '\0';
  }
  for (auto& [l, off] : o) put(l), put(off);
  for (auto& [l, off] : t) put(l), put(off);
  return out + strings;
}
}  // namespace

TEST_CASE("mo catalogs: sentence pairs, header, plurals and untranslated entries handled") {
  auto bytes = make_mo({{"", "Content-Type: text/plain; charset=UTF-8\n"},
                        {"Hello", "Hallo"},
                        {std::string("file\0files", 10), std::string("Datei\0Dateien", 13)},
                        {"untranslated", ""}});
  auto pairs = parse_mo_catalog(bytes);
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[0] == std::pair<std::string, std::string>{"Hello", "Hallo"});
  CHECK(pairs[1] == std::pair<std::string, std::string>{"file", "Datei"});
}

TEST_CASE("mo catalogs: truncated or corrupted files are clear errors") {
  auto bytes = make_mo({{"Hello", "Hallo"}});
  CHECK_THROWS_WITH_AS(parse_mo_catalog(bytes.substr(0, 20)), doctest::Contains("too short"), Error);
  CHECK_THROWS_WITH_AS(parse_mo_catalog(bytes.substr(0, bytes.size() - 3)), doctest::Contains("out of bounds"), Error);
  std::string bad_magic = bytes;
  bad_magic[0] = 'x';
  CHECK_THROWS_WITH_AS(parse_mo_catalog(bad_magic), doctest::Contains("not a .mo file"), Error);
  std::string huge = bytes;
  huge[8] = '\xff', huge[9] = '\xff', huge[10] = '\xff';
  CHECK_THROWS_WITH_AS(parse_mo_catalog(huge), doctest::Contains("cannot fit"), Error);
  CHECK_THROWS_AS(read_mo_catalog("/nonexistent.mo"), Error);
}
