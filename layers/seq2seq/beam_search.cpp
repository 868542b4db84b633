// Seq2Seq::beam_search: the beams of every input are rows of one batch
// (input b owns rows b * K ... b * K + K - 1), so each step is one decoder
// call for the whole batch; only the choice among each input's 2K best
// candidates is bookkeeping on the host.
#include <algorithm>
#include <cmath>
#include <limits>

#include "seq2seq.hpp"

namespace spool::nn {

namespace {

constexpr const char* kOp = "Seq2Seq::beam_search";
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

struct Beam {
  std::vector<int64_t> tokens;
  std::vector<Tensor> attention;  // one [S] row per step
  double log_prob = kNegInf;      // -inf: an empty slot
};

}  // namespace

std::vector<std::vector<Hypothesis>> Seq2Seq::beam_search(const Tensor& source, const Tensor& lengths,
                                                          const BeamSearchOptions& o) {
  check_defined(kOp);
  const int64_t V = options_.target_vocab(), K = o.beam_width;
  const int64_t eos = o.eos >= 0 ? o.eos : options_.eos_id();
  SPOOL_CHECK(K >= 1, kOp, "beam_width must be at least 1, got {}", K);
  SPOOL_CHECK(o.max_length >= 1, kOp, "max_length must be at least 1, got {}", o.max_length);
  SPOOL_CHECK(o.min_length >= 0 && o.min_length < o.max_length, kOp, "min_length must be in [0, max_length = {}), got {}",
              o.max_length, o.min_length);
  SPOOL_CHECK(o.n_best >= 1 && o.n_best <= K, kOp, "n_best must be in [1, beam_width = {}], got {}", K, o.n_best);
  SPOOL_CHECK(o.eos < V && o.eos >= -1, kOp, "eos {} is outside the target vocabulary [0, {})", o.eos, V);
  SPOOL_CHECK(o.length_penalty >= 0, kOp, "length_penalty must be >= 0, got {}", o.length_penalty);
  const detail::DecodeScope scope;
  Encoded e = encode(source, lengths);
  const int64_t B = source.size(0);
  // GNMT's length penalty of a hypothesis of `steps` steps.
  auto penalty = [&](int64_t steps) { return std::pow((5.0 + static_cast<double>(steps)) / 6.0, o.length_penalty); };

  const Tensor tiled = repeat_interleave(arange(B), K);
  const Seq2SeqMemory memory = e.memory.index_select(tiled);
  DecoderState state = e.state.index_select(tiled);
  std::vector<std::vector<Beam>> live(B, std::vector<Beam>(K));
  for (auto& beams : live) beams[0].log_prob = 0.0;  // one start per input; the other slots wait
  std::vector<std::vector<Hypothesis>> finished(B);
  std::vector<bool> done(B, false);
  Tensor tokens = full({B * K}, static_cast<double>(options_.bos_id()), kInt64);
  const detail::BannedTokens banned(options_, eos);

  auto hypothesis = [&](const Beam& beam, bool ended, int64_t steps) {
    return Hypothesis{beam.tokens, beam.log_prob, beam.log_prob / penalty(steps), ended,
                      beam.attention.empty() ? Tensor() : stack(beam.attention)};
  };
  for (int64_t t = 0; t < o.max_length; ++t) {
    DecoderStep s = decoder.step(tokens, state, memory);
    Tensor log_probs = detail::step_log_probs(decoder, s.output, banned, t < o.min_length);  // [B * K, V]
    std::vector<double> so_far(B * K);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < K; ++k) so_far[b * K + k] = live[b][k].log_prob;
    const Tensor total = reshape(log_probs + unsqueeze(tensor(so_far, {B * K}).to(log_probs.dtype()), 1), {B, K * V});
    const auto [top, top_index] = topk(total, std::min(2 * K, K * V), 1);
    const int64_t C = top.size(1);
    const std::vector<double> value = top.to(kFloat64).to_vector<double>();
    const std::vector<int64_t> index = top_index.to_vector<int64_t>();

    std::vector<int64_t> parent_rows(B * K), next_tokens(B * K, options_.pad_id());
    for (int64_t b = 0; b < B; ++b) {
      std::vector<Beam> next;
      for (int64_t j = 0; j < C && !done[b] && static_cast<int64_t>(next.size()) < K; ++j) {
        const double v = value[b * C + j];
        if (v == kNegInf) break;
        const int64_t k = index[b * C + j] / V, token = index[b * C + j] % V;
        const Beam& parent = live[b][k];
        Beam child{parent.tokens, parent.attention, v};
        if (s.weights.defined()) child.attention.push_back(select(s.weights, 0, b * K + k));
        if (token == eos) {
          finished[b].push_back(hypothesis(child, true, t + 1));
          continue;
        }
        child.tokens.push_back(token);
        parent_rows[b * K + static_cast<int64_t>(next.size())] = b * K + k;
        next_tokens[b * K + static_cast<int64_t>(next.size())] = token;
        next.push_back(std::move(child));
      }
      for (int64_t k = static_cast<int64_t>(next.size()); k < K; ++k) parent_rows[b * K + k] = b * K;  // empty slots
      next.resize(K);
      live[b] = std::move(next);
      // Done once n_best hypotheses have ended and no live beam can still beat the n-th: a beam's
      // log-probability only falls, and its penalty grows at most to that of max_length.
      if (!done[b] && static_cast<int64_t>(finished[b].size()) >= o.n_best) {
        std::vector<double> scores;
        for (const Hypothesis& h : finished[b]) scores.push_back(h.score);
        std::nth_element(scores.begin(), scores.begin() + (o.n_best - 1), scores.end(), std::greater<>());
        double best_live = kNegInf;
        for (const Beam& beam : live[b]) best_live = std::max(best_live, beam.log_prob / penalty(o.max_length));
        done[b] = best_live <= scores[o.n_best - 1];
      }
      if (done[b]) {
        for (Beam& beam : live[b]) beam.log_prob = kNegInf;
      }
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    const Tensor rows = tensor(parent_rows, {B * K});
    state = s.state.index_select(rows);
    tokens = tensor(next_tokens, {B * K});
  }

  const std::vector<int64_t> len = lengths.to_vector<int64_t>();
  std::vector<std::vector<Hypothesis>> out(B);
  for (int64_t b = 0; b < B; ++b) {
    std::vector<Hypothesis>& hyps = finished[b];
    // Inputs cut off by max_length also offer their live beams, unfinished.
    if (static_cast<int64_t>(hyps.size()) < o.n_best) {
      for (const Beam& beam : live[b]) {
        if (beam.log_prob == kNegInf) continue;
        hyps.push_back(hypothesis(beam, false, static_cast<int64_t>(beam.tokens.size())));
      }
    }
    std::stable_sort(hyps.begin(), hyps.end(), [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
    if (static_cast<int64_t>(hyps.size()) > o.n_best) hyps.resize(o.n_best);
    for (Hypothesis& h : hyps)
      if (h.attention.defined()) h.attention = narrow(h.attention, 1, 0, len[b]);
    out[b] = std::move(hyps);
  }
  return out;
}

}  // namespace spool::nn
