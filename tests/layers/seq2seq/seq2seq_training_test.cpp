// nn::Seq2Seq learns to reverse digit strings of length 3-12 to >= 99% exact
// match on held-out strings; beam search of width 1 reproduces greedy
// decoding exactly, width 4 finds at least greedy's mean log-probability,
// and n-best lists are sorted and distinct.
#include <algorithm>
#include <random>
#include <set>

#include "test_util.hpp"

using namespace spool;

namespace {

constexpr int64_t kPad = 0, kBos = 1, kEos = 2, kDigits = 10, kVocab = 3 + kDigits;

struct DigitBatch {
  Tensor source, lengths, target_in, target_out;
  std::vector<std::vector<int64_t>> expected;  // reversed digits
};

std::vector<int64_t> random_digits(std::mt19937_64& g) {
  const int64_t n = 3 + static_cast<int64_t>(g() % 10);
  std::vector<int64_t> d(n);
  for (auto& x : d) x = 3 + static_cast<int64_t>(g() % kDigits);
  return d;
}

DigitBatch make_batch(const std::vector<std::vector<int64_t>>& strings) {
  const int64_t B = static_cast<int64_t>(strings.size());
  int64_t S = 0;
  for (const auto& s : strings) S = std::max<int64_t>(S, static_cast<int64_t>(s.size()));
  std::vector<int64_t> src(B * S, kPad), len(B), tin(B * (S + 1), kPad), tout(B * (S + 1), kPad);
  DigitBatch batch;
  for (int64_t b = 0; b < B; ++b) {
    const auto& s = strings[b];
    const int64_t n = static_cast<int64_t>(s.size());
    std::vector<int64_t> rev(s.rbegin(), s.rend());
    len[b] = n;
    tin[b * (S + 1)] = kBos;
    for (int64_t i = 0; i < n; ++i) {
      src[b * S + i] = s[i];
      tin[b * (S + 1) + i + 1] = rev[i];
      tout[b * (S + 1) + i] = rev[i];
    }
    tout[b * (S + 1) + n] = kEos;
    batch.expected.push_back(rev);
  }
  batch.source = tensor(src, {B, S});
  batch.lengths = tensor(len, {B});
  batch.target_in = tensor(tin, {B, S + 1});
  batch.target_out = tensor(tout, {B, S + 1});
  return batch;
}

}  // namespace

TEST_CASE("Seq2Seq with attention learns to reverse digit strings (>= 99% exact on held-out strings)") {
  manual_seed(11);
  std::mt19937_64 g(12);
  std::set<std::vector<int64_t>> seen;
  std::vector<std::vector<int64_t>> held_out;
  while (held_out.size() < 400) {
    auto s = random_digits(g);
    if (seen.insert(s).second) held_out.push_back(s);
  }
  const DigitBatch test = make_batch(held_out);

  nn::Seq2Seq model(nn::Seq2SeqOptions(kVocab, kVocab).embedding_dim(32).hidden_size(64).attention("additive"));
  optim::Adam opt(model.parameters(), optim::AdamOptions(3e-3));
  auto exact = [&](const std::vector<nn::Hypothesis>& hyps) {
    int64_t right = 0;
    for (size_t i = 0; i < hyps.size(); ++i) right += hyps[i].finished && hyps[i].tokens == test.expected[i];
    return static_cast<double>(right) / static_cast<double>(hyps.size());
  };
  // Beam search against greedy decoding, on the model as it stands (half
  // trained it is unsure, and beams then find more probable outputs).
  auto check_decoding = [&](const std::string& when) {
    INFO(when);
    const auto greedy = model.greedy(test.source, test.lengths, {.max_length = 20});
    const auto beam1 = model.beam_search(test.source, test.lengths, {.beam_width = 1, .max_length = 20});
    const auto beam4 = model.beam_search(test.source, test.lengths, {.beam_width = 4, .max_length = 20, .n_best = 4});
    double greedy_lp = 0, beam_lp = 0;
    for (size_t i = 0; i < held_out.size(); ++i) {
      REQUIRE(beam1[i].size() == 1);
      CHECK(beam1[i][0].tokens == greedy[i].tokens);
      CHECK(beam1[i][0].log_prob == doctest::Approx(greedy[i].log_prob).epsilon(1e-5));
      greedy_lp += greedy[i].log_prob;
      beam_lp += beam4[i][0].log_prob;
      REQUIRE(beam4[i].size() == 4);
      std::set<std::vector<int64_t>> distinct;
      for (size_t j = 0; j < beam4[i].size(); ++j) {
        distinct.insert(beam4[i][j].tokens);
        if (j > 0) CHECK(beam4[i][j - 1].score >= beam4[i][j].score);
      }
      CHECK(distinct.size() == 4);
      // The attention of each step over the input's own length.
      const auto& h = beam4[i][0];
      CHECK(h.attention.sizes() == Shape({static_cast<int64_t>(h.tokens.size()) + (h.finished ? 1 : 0),
                                         static_cast<int64_t>(held_out[i].size())}));
    }
    MESSAGE(when << ": mean log-probability: greedy " << greedy_lp / held_out.size() << ", beam 4 " << beam_lp / held_out.size());
    CHECK(beam_lp >= greedy_lp - 1e-6 * std::abs(greedy_lp));
  };
  double accuracy = 0, first_loss = 0, last_loss = 0;
  int64_t step = 0;
  for (; step < 3000 && accuracy < 0.995; ++step) {
    std::vector<std::vector<int64_t>> strings;
    while (strings.size() < 64) {
      auto s = random_digits(g);
      if (!seen.count(s)) strings.push_back(s);
    }
    const DigitBatch b = make_batch(strings);
    opt.zero_grad();
    Tensor loss = model.loss(model(b.source, b.lengths, b.target_in), b.target_out);
    loss.backward();
    optim::clip_grad_norm_(model.parameters(), 5.0);
    opt.step();
    (step == 0 ? first_loss : last_loss) = loss.item<double>();
    if (step % 100 == 99) accuracy = exact(model.greedy(test.source, test.lengths, {.max_length = 20}));
    if (step == 59) check_decoding("after 60 steps");
  }
  MESSAGE("steps " << step << ", loss " << first_loss << " -> " << last_loss << ", held-out exact match " << accuracy);
  REQUIRE(accuracy >= 0.99);
  CHECK(model.is_training());  // decoding restored the mode

  check_decoding("trained");
}
