// An attention encoder-decoder learns to reverse strings of digits (length
// 3 to 12): the smallest task on which attention visibly works, since each
// output digit must look at one input position (the heatmap is an
// anti-diagonal).
//
//   seq2seq_reverse [--steps N] [--heatmap FILE.png|FILE.svg]
//
// It trains nn::Seq2Seq (bidirectional LSTM encoder, LSTM decoder with
// Bahdanau attention and input feeding) with Adam, then decodes held-out
// strings greedily and with beam search, prints a few, and draws the
// attention of one of them. It exits non-zero when greedy decoding gets
// fewer than 95% of the held-out strings exactly right.
#include <CLI/CLI.hpp>
#include <spool/spool.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <string>

using namespace spool;

namespace {

constexpr int64_t kPad = 0, kBos = 1, kEos = 2, kVocab = 13;  // digits 0-9 are ids 3-12

std::string show(const std::vector<int64_t>& ids) {
  std::string s;
  for (int64_t id : ids) s += id >= 3 ? char('0' + id - 3) : '?';
  return s;
}

std::vector<int64_t> random_digits(std::mt19937_64& g) {
  std::vector<int64_t> d(3 + g() % 10);
  for (auto& x : d) x = 3 + static_cast<int64_t>(g() % 10);
  return d;
}

// Source [B, S] with lengths, target_in = [bos, reversed...], target_out = [reversed..., eos].
struct Examples {
  Tensor source, lengths, target_in, target_out;
};
Examples batch_of(const std::vector<std::vector<int64_t>>& strings) {
  const int64_t B = static_cast<int64_t>(strings.size());
  int64_t S = 0;
  for (const auto& s : strings) S = std::max<int64_t>(S, static_cast<int64_t>(s.size()));
  std::vector<int64_t> src(B * S, kPad), len(B), tin(B * (S + 1), kPad), tout(B * (S + 1), kPad);
  for (int64_t b = 0; b < B; ++b) {
    const auto& s = strings[b];
    const int64_t n = static_cast<int64_t>(s.size());
    len[b] = n;
    tin[b * (S + 1)] = kBos;
    for (int64_t i = 0; i < n; ++i) {
      src[b * S + i] = s[i];
      tin[b * (S + 1) + i + 1] = tout[b * (S + 1) + i] = s[n - 1 - i];
    }
    tout[b * (S + 1) + n] = kEos;
  }
  return {tensor(src, {B, S}), tensor(len, {B}), tensor(tin, {B, S + 1}), tensor(tout, {B, S + 1})};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"An attention encoder-decoder learns to reverse strings of digits"};
  int64_t steps = 300;
  std::string heatmap = "reverse_attention.png";
  app.add_option("--steps", steps, "training steps of 64 strings")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--heatmap", heatmap, "where to draw the attention of one held-out string (.png or .svg)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  manual_seed(1);
  std::mt19937_64 g(2);
  std::set<std::vector<int64_t>> held_out_set;
  while (held_out_set.size() < 500) held_out_set.insert(random_digits(g));
  const std::vector<std::vector<int64_t>> held_out(held_out_set.begin(), held_out_set.end());
  const Examples test = batch_of(held_out);

  nn::Seq2Seq model(nn::Seq2SeqOptions(kVocab, kVocab).embedding_dim(32).hidden_size(64).attention("additive"));
  optim::Adam opt(model.parameters(), optim::AdamOptions(3e-3));
  fmt::print("{}\n", model.summary());
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 1; step <= steps; ++step) {
    std::vector<std::vector<int64_t>> strings;
    while (strings.size() < 64) {
      auto s = random_digits(g);
      if (!held_out_set.count(s)) strings.push_back(std::move(s));
    }
    const Examples b = batch_of(strings);
    opt.zero_grad();
    Tensor loss = model.loss(model(b.source, b.lengths, b.target_in), b.target_out);
    loss.backward();
    optim::clip_grad_norm_(model.parameters(), 5.0);
    opt.step();
    if (step % 50 == 0 || step == 1) fmt::print("step {:4d}  loss {:.4f}\n", step, loss.item<double>());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto greedy = model.greedy(test.source, test.lengths, {.max_length = 20});
  const auto beams = model.beam_search(test.source, test.lengths, {.beam_width = 4, .max_length = 20, .n_best = 2});
  int64_t greedy_right = 0, beam_right = 0;
  for (size_t i = 0; i < held_out.size(); ++i) {
    const std::vector<int64_t> want(held_out[i].rbegin(), held_out[i].rend());
    greedy_right += greedy[i].finished && greedy[i].tokens == want;
    beam_right += beams[i][0].finished && beams[i][0].tokens == want;
  }
  const double n = static_cast<double>(held_out.size());
  fmt::print("\ntrained {} steps in {:.1f} s\nheld-out exact match: greedy {:.1f}%, beam (width 4) {:.1f}%\n\n", steps,
             seconds, 100.0 * greedy_right / n, 100.0 * beam_right / n);
  for (size_t i : {7, 123, 251, 389})  // the held-out set is sorted: a spread of it
    fmt::print("{:>12} -> greedy {:<12} beam {:<12} (log p {:.3f}; 2nd best {} at {:.3f})\n", show(held_out[i]),
               show(greedy[i].tokens), show(beams[i][0].tokens), beams[i][0].log_prob, show(beams[i][1].tokens),
               beams[i][1].log_prob);

  // The attention of the longest held-out string: rows are output steps (eos last), columns input digits.
  size_t pick = 0;
  for (size_t i = 0; i < held_out.size(); ++i)
    if (held_out[i].size() > held_out[pick].size()) pick = i;
  std::vector<std::string> rows, cols;
  for (int64_t id : greedy[pick].tokens) rows.push_back(show({id}));
  if (greedy[pick].finished) rows.push_back("<eos>");
  for (int64_t id : held_out[pick]) cols.push_back(show({id}));
  write_heatmap(heatmap, greedy[pick].attention, rows, cols, {.title = "reversing " + show(held_out[pick])});
  fmt::print("\nattention heatmap: {}\n", heatmap);
  return greedy_right >= 0.95 * n ? 0 : 1;
}
