#include "ngram.hpp"

#include <spool/spool.hpp>

#include <algorithm>
#include <cmath>

NgramBaselines fit_ngrams(const std::vector<int64_t>& train, int64_t vocab, int64_t first) {
  SPOOL_CHECK(train.size() >= 2 && first < vocab, "fit_ngrams", "{} training ids over symbols {}..{}", train.size(),
              first, vocab - 1);
  const auto V = size_t(vocab);
  const double symbols = double(vocab - first);
  NgramBaselines m;
  m.first = first;
  m.vocab = vocab;

  std::vector<double> count(V, 0.0), pair(V * V, 0.0);
  for (size_t i = 0; i < train.size(); ++i) {
    count[size_t(train[i])] += 1;
    if (i + 1 < train.size()) pair[size_t(train[i]) * V + size_t(train[i + 1])] += 1;
  }
  m.unigram.assign(V, 0.0);
  for (size_t c = size_t(first); c < V; ++c) m.unigram[c] = (count[c] + 1) / (double(train.size()) + symbols);

  // Ney's discount D = n1 / (n1 + 2 n2) from the bigram types seen once and twice.
  double n1 = 0, n2 = 0, types = 0;
  std::vector<double> follows(V, 0.0), precedes(V, 0.0), from(V, 0.0);  // T(p), N1+(. c), c(p .)
  for (size_t p = 0; p < V; ++p)
    for (size_t c = 0; c < V; ++c)
      if (const double k = pair[p * V + c]; k > 0) {
        n1 += k == 1;
        n2 += k == 2;
        types += 1;
        follows[p] += 1;
        precedes[c] += 1;
        from[p] += k;
      }
  const double D = n1 + n2 > 0 ? std::clamp(n1 / (n1 + 2 * n2), 0.05, 0.95) : 0.5;

  // Lower order: how many different characters a character follows (its
  // continuation count), discounted and interpolated with the uniform
  // distribution so that characters never seen still get probability.
  double continued = 0;
  for (size_t c = size_t(first); c < V; ++c) continued += precedes[c] > 0;
  std::vector<double> lower(V, 0.0);
  for (size_t c = size_t(first); c < V; ++c)
    lower[c] = std::max(precedes[c] - D, 0.0) / types + D * continued / types / symbols;

  m.bigram.assign(V * V, 0.0);
  for (size_t p = 0; p < V; ++p)
    for (size_t c = size_t(first); c < V; ++c)
      m.bigram[p * V + c] =
          from[p] > 0 ? std::max(pair[p * V + c] - D, 0.0) / from[p] + D * follows[p] / from[p] * lower[c] : lower[c];
  return m;
}

namespace {
double mean_nll(const std::vector<std::pair<int64_t, int64_t>>& pairs, auto&& probability) {
  double total = 0;
  for (const auto& [p, c] : pairs) total -= std::log(probability(size_t(p), size_t(c)));
  return pairs.empty() ? 0.0 : total / double(pairs.size());
}
}  // namespace

double NgramBaselines::unigram_nll(const std::vector<std::pair<int64_t, int64_t>>& pairs) const {
  return mean_nll(pairs, [&](size_t, size_t c) { return unigram[c]; });
}

double NgramBaselines::bigram_nll(const std::vector<std::pair<int64_t, int64_t>>& pairs) const {
  return mean_nll(pairs, [&](size_t p, size_t c) { return bigram[p * size_t(vocab) + c]; });
}
