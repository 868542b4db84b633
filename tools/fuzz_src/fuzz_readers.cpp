// libFuzzer target: every file reader of spool, and the tokenizer's UTF-8
// handling, on arbitrary bytes. A spool::Error is the expected answer to bad
// input; anything else (a crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "framework/csv.hpp"
#include "framework/error.hpp"
#include "framework/mo_catalog.hpp"
#include "framework/safetensors.hpp"
#include "framework/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    spool::parse_safetensors(bytes);
  } catch (const spool::Error&) {
  }
  try {
    spool::parse_mo_catalog(bytes);
  } catch (const spool::Error&) {
  }
  try {
    spool::parse_csv(bytes);
  } catch (const spool::Error&) {
  }
  // Text of any bytes tokenizes (malformed UTF-8 is kept as it is).
  static const spool::Tokenizer words, chars(spool::TokenizerOptions{.char_level = true});
  words.tokenize(bytes);
  chars.tokenize(bytes);
  return 0;
}
