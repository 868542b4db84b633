// The baselines a character model must beat: a unigram model (each
// character's training frequency, add-one smoothed) and an interpolated
// Kneser-Ney bigram model. Both are fitted on the training text alone; the
// discount comes from the training counts (Ney's estimate), nothing is tuned
// on held-out text.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

struct NgramBaselines {
  int64_t first = 0, vocab = 0;  // the symbols are ids first .. vocab-1
  std::vector<double> unigram;   // P(c), add-one
  std::vector<double> bigram;    // P(c | p) at [p * vocab + c], Kneser-Ney

  // Mean negative log-likelihood (nats) of each pair's second id given its first.
  double unigram_nll(const std::vector<std::pair<int64_t, int64_t>>& pairs) const;
  double bigram_nll(const std::vector<std::pair<int64_t, int64_t>>& pairs) const;
};

// Fitted on the consecutive ids of `train` (each in [first, vocab)).
NgramBaselines fit_ngrams(const std::vector<int64_t>& train, int64_t vocab, int64_t first);
