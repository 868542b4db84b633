// libFuzzer target: every file reader of spool (safetensors, .mo catalogues,
// CSV, word vectors, saved tokenizers), and the tokenizer's UTF-8 handling,
// on arbitrary bytes. A spool::Error is the expected answer to bad
// input; anything else (a crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "framework/io/csv.hpp"
#include "framework/core/error.hpp"
#include "framework/io/mo_catalog.hpp"
#include "framework/io/safetensors.hpp"
#include "framework/io/word_vectors.hpp"
#include "framework/data/tokenizer.hpp"

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
  try {
    static const std::vector<std::string> vocab{"<pad>", "the", "a", "cat"};
    spool::parse_word_vectors(bytes, vocab, /*reserved=*/1);
  } catch (const spool::Error&) {
  }
  try {
    spool::Tokenizer::from_json(bytes);
  } catch (const spool::Error&) {
  }
  // Text of any bytes tokenizes (malformed UTF-8 is kept as it is).
  static const spool::Tokenizer words, chars(spool::TokenizerOptions{.char_level = true});
  words.tokenize(bytes);
  chars.tokenize(bytes);
  return 0;
}
