// Pretrained word vectors in GloVe or word2vec text format, looked up for a
// vocabulary (index -> word):
//
//   auto vectors = spool::load_word_vectors("glove.6B.50d.txt", vocab);
//   auto emb = nn::Embedding::from_pretrained(vectors.weights, /*freeze=*/true);
//
// GloVe lines are "word v1 ... vD"; word2vec text files start with a
// "count dim" line. Words the file lacks get N(0, 1) rows (seeded) and are
// listed in `missing`.
#pragma once

#include <string>
#include <vector>

#include "../core/tensor.hpp"

namespace spool {

struct WordVectors {
  Tensor weights;                    // [vocab.size(), dim] float32
  std::vector<std::string> missing;  // vocabulary words not in the file
  int64_t dim = 0;
};

// Validates every line it reads (consistent dimension, numeric values) and
// names the file and line in errors. `reserved` leading entries of the
// vocabulary (padding, OOV) get zero rows.
WordVectors load_word_vectors(const std::string& path, const std::vector<std::string>& vocab, int64_t reserved = 0);
// The same from the file's text; `source` names it in errors.
WordVectors parse_word_vectors(const std::string& text, const std::vector<std::string>& vocab, int64_t reserved = 0,
                               const std::string& source = "word vectors");

}  // namespace spool
