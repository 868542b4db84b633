// Word vectors learned by this program from unlabelled quotations
// (skip-gram with negative sampling, Mikolov et al. 2013), to start the
// networks' embeddings from: with ~2,700 labelled quotations most words are
// seen a handful of times, but the other fortune files use them too. No
// external data: only the fortune files, without the validation and test
// quotations.
#pragma once

#include <spool/spool.hpp>

#include <vector>

namespace classify_quotes {

struct SkipGramOptions {
  int64_t dim = 64;
  int64_t window = 4;      // context words on each side (a random 1..window per centre word, as word2vec)
  int64_t negatives = 5;   // noise words per pair, drawn from unigram counts^0.75
  int64_t epochs = 3;
  int64_t batch_size = 4096;
  double lr = 5e-3;        // Adam
  double subsample = 1e-3; // frequent words are dropped with probability 1 - sqrt(t / f)
  uint64_t seed = 0;
};

// Input vectors [vocab, dim] for the token ids of `sequences` (ids 0 and 1,
// padding and <unk>, are neither centres nor contexts and keep zero and a
// small random vector). Prints a progress bar.
spool::Tensor train_word_vectors(const std::vector<std::vector<int64_t>>& sequences, int64_t vocab,
                                 const SkipGramOptions& options);

}  // namespace classify_quotes
