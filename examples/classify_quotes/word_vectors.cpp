#include "word_vectors.hpp"

#include <algorithm>
#include <cmath>
#include <random>

using namespace spool;

namespace classify_quotes {

Tensor train_word_vectors(const std::vector<std::vector<int64_t>>& sequences, int64_t vocab,
                          const SkipGramOptions& o) {
  std::vector<double> count(size_t(vocab), 0.0);
  double total = 0;
  for (const auto& s : sequences)
    for (int64_t id : s)
      if (id > 1) count[size_t(id)] += 1, total += 1;

  // Noise words in proportion to count^0.75, as a table of 1e6 draws (word2vec's trick: one lookup per sample).
  std::vector<int64_t> noise;
  {
    double z = 0;
    for (double c : count) z += std::pow(c, 0.75);
    const size_t table = 1'000'000;
    for (int64_t id = 2; id < vocab; ++id) {
      const auto n = static_cast<size_t>(std::llround(std::pow(count[size_t(id)], 0.75) / z * double(table)));
      noise.insert(noise.end(), std::max<size_t>(n, count[size_t(id)] > 0 ? 1 : 0), id);
    }
  }
  SPOOL_CHECK(!noise.empty(), "train_word_vectors", "no word to learn from in {} sequences", sequences.size());

  // W_in starts as word2vec's uniform(-0.5/d, 0.5/d), W_out at zero.
  Tensor w_in = uniform({vocab, o.dim}, -0.5 / double(o.dim), 0.5 / double(o.dim)).requires_grad_();
  Tensor w_out = zeros({vocab, o.dim}).requires_grad_();
  optim::Adam opt({w_in, w_out}, optim::AdamOptions(o.lr));
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int64_t k = o.negatives;

  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    // (centre, context) pairs of this epoch: frequent words subsampled, a random window per centre.
    std::vector<std::pair<int64_t, int64_t>> pairs;
    for (const auto& s : sequences) {
      std::vector<int64_t> kept;
      for (int64_t id : s) {
        if (id <= 1) continue;
        const double f = count[size_t(id)] / total;
        if (unit(rng) < std::sqrt(o.subsample / f)) kept.push_back(id);
      }
      for (size_t i = 0; i < kept.size(); ++i) {
        const auto r = static_cast<size_t>(1 + rng() % uint64_t(o.window));
        for (size_t j = i >= r ? i - r : 0; j <= std::min(kept.size() - 1, i + r); ++j)
          if (j != i) pairs.emplace_back(kept[i], kept[j]);
      }
    }
    std::shuffle(pairs.begin(), pairs.end(), rng);
    const auto batches = static_cast<int64_t>((pairs.size() + size_t(o.batch_size) - 1) / size_t(o.batch_size));
    ProgressBar bar(batches, fmt::format("word vectors {}/{}", epoch + 1, o.epochs));
    double loss_sum = 0;
    for (int64_t b = 0; b < batches; ++b) {
      const size_t from = size_t(b * o.batch_size), to = std::min(pairs.size(), from + size_t(o.batch_size));
      const auto n = static_cast<int64_t>(to - from);
      // Each row: the true context first, then k noise words; targets 1, 0, ..., 0.
      std::vector<int64_t> centre(static_cast<size_t>(n)), context(static_cast<size_t>(n * (k + 1)));
      std::vector<float> target(static_cast<size_t>(n * (k + 1)), 0.0f);
      for (int64_t i = 0; i < n; ++i) {
        centre[size_t(i)] = pairs[from + size_t(i)].first;
        context[size_t(i * (k + 1))] = pairs[from + size_t(i)].second;
        target[size_t(i * (k + 1))] = 1.0f;
        for (int64_t j = 1; j <= k; ++j) context[size_t(i * (k + 1) + j)] = noise[rng() % noise.size()];
      }
      opt.zero_grad();
      const Tensor u = unsqueeze(embedding(w_in, tensor(centre)), -1);           // [n, d, 1]
      const Tensor v = embedding(w_out, tensor(context, {n, k + 1}));            // [n, k + 1, d]
      const Tensor logits = squeeze(bmm(v, u), -1);                               // [n, k + 1]
      // Summed over the k + 1 words of a pair, averaged over pairs (word2vec's objective per pair).
      Tensor loss = binary_cross_entropy_with_logits(logits, tensor(target, {n, k + 1})) * double(k + 1);
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>();
      if (bar.drawing()) bar.update(b + 1, {{"loss", loss_sum / double(b + 1)}});
    }
    bar.finish({{"loss", loss_sum / double(std::max<int64_t>(batches, 1))}});
  }
  NoGradGuard no_grad;
  Tensor vectors = w_in.detach();
  vectors[0].zero_();  // the padding row
  return vectors;
}

}  // namespace classify_quotes
