// Text to index sequences, Keras-style:
//
//   spool::TokenizerOptions o;
//   o.num_words = 10000; o.oov_token = "<unk>";
//   spool::Tokenizer tok(o);
//   tok.fit_on_texts(train_texts);
//   auto seqs = tok.texts_to_sequences(texts);
//   Tensor batch = spool::keras::pad_sequences(seqs, 50);   // [N, 50] int64, padded at the front
//
// Index 0 is padding; then the OOV token, start and end tokens when set;
// then words by decreasing frequency (ties: first seen first).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "../core/tensor.hpp"

namespace spool {

struct TokenizerOptions {
  std::optional<int64_t> num_words;  // keep indices < num_words (like Keras)
  bool lower = true;
  bool char_level = false;  // every character a token (spaces too; filters unused), as Keras
  std::string filters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";  // removed before splitting
  std::optional<std::string> oov_token, start_token, end_token;
  std::set<std::string> stop_words;
};

class Tokenizer {
 public:
  explicit Tokenizer(TokenizerOptions options = {});
  void fit_on_texts(const std::vector<std::string>& texts);
  std::vector<std::vector<int64_t>> texts_to_sequences(const std::vector<std::string>& texts) const;
  // Indices back to text (padding and unknown indices skipped).
  std::vector<std::string> sequences_to_texts(const std::vector<std::vector<int64_t>>& sequences) const;
  // Tokens of one text after lower-casing (as Python's str.lower(): every
  // letter, not only ASCII), filtering and stop-word removal.
  std::vector<std::string> tokenize(const std::string& text) const;

  const std::unordered_map<std::string, int64_t>& word_index() const { return word_index_; }
  const std::map<std::string, int64_t>& word_counts() const { return counts_; }
  // Size of the index space: 1 + largest index in use (an Embedding's num_embeddings).
  int64_t vocab_size() const;

  // JSON file, written atomically; load validates it.
  void save(const std::string& path) const;
  static Tokenizer load(const std::string& path);
  // The same from the file's text (Keras: tokenizer_from_json); `source`
  // names it in errors.
  static Tokenizer from_json(const std::string& json, const std::string& source = "tokenizer json");

 private:
  void rebuild_index();
  std::string lowered(const std::string& text) const;
  TokenizerOptions o_;
  std::u32string filter_chars_;  // o_.filters decoded, once
  bool ascii_lower_ = false;  // loaded from a format-2 file: lowers ASCII letters only, as it was fitted
  std::map<std::string, int64_t> counts_;
  std::vector<std::string> first_seen_;
  std::unordered_map<std::string, int64_t> word_index_;
  std::vector<std::string> index_word_;
  int64_t reserved_ = 1;  // padding, then the special tokens
};

namespace keras {
// Keras' keras.utils.pad_sequences (not PyTorch's nn::pad_sequence, which
// pads float tensors at the end, time-major): index lists to int64
// [N, maxlen], maxlen the longest sequence when absent. Pads and truncates
// at the FRONT by default ("pre"), as Keras; "post" for the end.
// Recurrent layers' `lengths` assume padding at the END (steps past a length
// are ignored): with lengths, pass padding = "post", e.g.
//   Tensor x = spool::keras::pad_sequences(seqs, std::nullopt, "post");
// ("pre" padding suits layers that read all steps, the real ones last).
Tensor pad_sequences(const std::vector<std::vector<int64_t>>& sequences, std::optional<int64_t> maxlen = std::nullopt,
                     const std::string& padding = "pre", const std::string& truncating = "pre", int64_t value = 0);
// The lengths (int64 [N]) of the rows of a batch padded at the END with
// `value`, for a recurrent layer's `lengths`. A row with padding before a
// token (pad_sequences' default "pre") is an error rather than a length
// that would make the layer read the padding and drop the tokens.
Tensor sequence_lengths(const Tensor& padded, int64_t value = 0);
}  // namespace keras

}  // namespace spool
