// An RNN encoder-decoder with attention (Bahdanau et al. 2015, Luong et al.
// 2015), trained with teacher forcing and decoded greedily or with batched
// beam search.
//
//   nn::Seq2Seq model(nn::Seq2SeqOptions(src_vocab, tgt_vocab).embedding_dim(64).hidden_size(128));
//   // target_in = [bos, y1, ..., yn], target_out = [y1, ..., yn, eos], both padded with pad_id
//   Tensor logits = model(source, source_lengths, target_in);       // [B, T, V]
//   Tensor loss = model.loss(logits, target_out);                    // padding ignored
//   auto best = model.greedy(source, source_lengths);                // one Hypothesis per input
//   auto nbest = model.beam_search(source, source_lengths, {.beam_width = 5, .length_penalty = 0.6, .n_best = 3});
//
// Sources are int64 [B, S] padded at the end, with lengths int64 [B]. The
// decoding calls run without dropout and without recording whatever the
// module's mode (which they leave alone), and never emit pad_id or bos_id.
// Parameters: encoder.*, bridge.*, decoder.*.
#pragma once

#include <vector>

#include "bridge.hpp"
#include "decoder.hpp"
#include "encoder.hpp"
#include "seq2seq_options.hpp"

namespace spool::nn {

// One decoded output sequence.
struct Hypothesis {
  std::vector<int64_t> tokens;  // without bos and eos
  double log_prob = 0.0;        // sum of the model's log-probabilities of its tokens and of eos when finished
  double score = 0.0;           // log_prob / GNMT length penalty ((5 + steps) / 6)^alpha; = log_prob for greedy
  bool finished = false;        // ended with eos within max_length
  Tensor attention;             // [steps, source length]: each step's attention weights (undefined without attention)
};

struct GreedyOptions {
  int64_t max_length = 100;  // steps, eos included
  int64_t min_length = 0;    // eos is not chosen before this many tokens
  int64_t eos = -1;          // the end token; -1: the options' eos_id
};

// Designated initializers follow this order.
struct BeamSearchOptions {
  int64_t beam_width = 4;
  int64_t max_length = 100;     // steps, eos included
  double length_penalty = 0.0;  // GNMT alpha: score = log_prob / ((5 + steps) / 6)^alpha; 0 = raw log-probability
  int64_t min_length = 0;       // eos is not chosen before this many tokens
  int64_t eos = -1;             // the end token; -1: the options' eos_id
  int64_t n_best = 1;           // hypotheses returned per input, best first (at most beam_width)
};

// The teacher forcing ratio of an epoch, decaying linearly from `start` at
// epoch 0 to `end` at epoch `epochs` (and staying there): scheduled sampling
// (Bengio et al. 2015) with a linear schedule.
struct TeacherForcingSchedule {
  double start = 1.0, end = 0.5;
  int64_t epochs = 10;
  double operator()(int64_t epoch) const;
};

namespace detail {
// For a decoding call: no recording, and eval mode (no dropout) on this
// thread only, so other threads may train or decode the same model meanwhile.
struct DecodeScope {
  NoGradGuard no_grad;
  EvalModeGuard eval;
};
// The tokens a decoder may not emit, bool [V], made once per decoding call:
// pad and bos always, eos too while a hypothesis is shorter than min_length.
struct BannedTokens {
  BannedTokens(const Seq2SeqOptions& options, int64_t eos);
  Tensor always, with_eos;
};
// The target's log-probabilities [N, V] for a step's attentional vectors,
// with the banned tokens at -inf (masked after the softmax, so the allowed
// tokens keep the model's own log-probabilities).
Tensor step_log_probs(Seq2SeqDecoder& decoder, const Tensor& output, const BannedTokens& banned, bool forbid_eos);
// Each row's attention weights trimmed to its source length: [steps, length].
Tensor trim_attention(const std::vector<Tensor>& steps, int64_t length);
}  // namespace detail

class Seq2Seq : public Module {
 public:
  Seq2Seq() = default;
  explicit Seq2Seq(const Seq2SeqOptions& options);

  // Logits [B, T, V] for a target_in int64 [B, T] (bos first). With
  // teacher_forcing < 1, each step after the first reads the target's token
  // with that probability (per row) and the model's own prediction otherwise.
  Tensor forward(const Tensor& source, const Tensor& lengths, const Tensor& target_in, double teacher_forcing = 1.0);
  Tensor operator()(const Tensor& source, const Tensor& lengths, const Tensor& target_in,
                    double teacher_forcing = 1.0) {
    return forward(source, lengths, target_in, teacher_forcing);
  }
  // Mean cross entropy over the tokens of target_out int64 [B, T] that are not pad_id.
  Tensor loss(const Tensor& logits, const Tensor& target_out, double label_smoothing = 0.0) const;

  // The most probable token at each step, for every input at once.
  std::vector<Hypothesis> greedy(const Tensor& source, const Tensor& lengths, const GreedyOptions& options = {});
  // Beam search over the whole batch at once (the beams of all inputs are rows
  // of one tensor): for each input its n_best hypotheses, best score first.
  std::vector<std::vector<Hypothesis>> beam_search(const Tensor& source, const Tensor& lengths,
                                                   const BeamSearchOptions& options = {});

  // The parts, for decoding loops of one's own. The memory holds the
  // decoder's weights packed at this call: encode again after the weights
  // change (an optimizer step, load_state_dict, to()).
  struct Encoded {
    Seq2SeqMemory memory;
    DecoderState state;
  };
  Encoded encode(const Tensor& source, const Tensor& lengths);

  const Seq2SeqOptions& options() const { return options_; }
  std::string extra_repr() const override;

  Seq2SeqEncoder encoder;
  Bridge bridge;
  Seq2SeqDecoder decoder;

 private:
  Seq2SeqOptions options_{1, 1};
};

}  // namespace spool::nn
