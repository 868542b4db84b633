#include "seq2seq.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../../framework/core/random.hpp"

namespace spool::nn {

namespace {
constexpr const char* kOp = "Seq2Seq";
}  // namespace

namespace detail {

BannedTokens::BannedTokens(const Seq2SeqOptions& options, int64_t eos)
    : always(zeros({options.target_vocab()}, kBool)), with_eos(zeros({options.target_vocab()}, kBool)) {
  for (Tensor* t : {&always, &with_eos}) {
    bool* b = t->data_ptr<bool>();
    b[options.pad_id()] = b[options.bos_id()] = true;
  }
  always.data_ptr<bool>()[eos] = false;  // eos may share an id with pad or bos: it still ends a hypothesis
  with_eos.data_ptr<bool>()[eos] = true;
}

Tensor step_log_probs(Seq2SeqDecoder& decoder, const Tensor& output, const BannedTokens& banned, bool forbid_eos) {
  return masked_fill(log_softmax(decoder.logits(output), -1), forbid_eos ? banned.with_eos : banned.always,
                     -std::numeric_limits<double>::infinity());
}

Tensor trim_attention(const std::vector<Tensor>& steps, int64_t length) {
  if (steps.empty() || !steps[0].defined()) return Tensor();
  return narrow(stack(steps), 1, 0, length);
}

}  // namespace detail

double TeacherForcingSchedule::operator()(int64_t epoch) const {
  if (epochs <= 0 || epoch >= epochs) return end;
  return start + (end - start) * static_cast<double>(std::max<int64_t>(epoch, 0)) / static_cast<double>(epochs);
}

Seq2Seq::Seq2Seq(const Seq2SeqOptions& o) : Module(kOp), options_(o) {
  detail::check_seq2seq_options(kOp, o);
  encoder = register_module("encoder", Seq2SeqEncoder(o));
  bridge = register_module("bridge", Bridge(o));
  decoder = register_module("decoder", Seq2SeqDecoder(o));
}

Seq2Seq::Encoded Seq2Seq::encode(const Tensor& source, const Tensor& lengths) {
  check_defined(kOp);
  const EncoderOutput enc = encoder(source, lengths);
  return {decoder.memory(enc), decoder.initial_state(bridge(enc.h_n, enc.c_n))};
}

Tensor Seq2Seq::forward(const Tensor& source, const Tensor& lengths, const Tensor& target_in, double teacher_forcing) {
  check_defined(kOp);
  SPOOL_CHECK(target_in.dim() == 2 && target_in.dtype() == kInt64 && target_in.size(1) > 0, kOp,
              "target_in must be int64 [B, T] with T >= 1, got {} of shape {}", dtype_name(target_in.dtype()),
              target_in.sizes());
  SPOOL_CHECK(source.dim() == 2 && target_in.size(0) == source.size(0), kOp,
              "source {} and target_in {} differ in batch size", source.sizes(), target_in.sizes());
  SPOOL_CHECK(teacher_forcing >= 0 && teacher_forcing <= 1, kOp, "teacher_forcing must be in [0, 1], got {}",
              teacher_forcing);
  Encoded e = encode(source, lengths);
  Tensor logits;
  if (teacher_forcing >= 1 && !options_.input_feeding()) {
    logits = decoder.logits(decoder.forward_sequence(target_in, e.state, e.memory));
  } else {
    const int64_t B = target_in.size(0), T = target_in.size(1);
    std::vector<Tensor> outputs;
    Tensor tokens = select(target_in, 1, 0);
    DecoderState state = e.state;
    // Teacher-forced tokens are known up front: their projection is one product.
    const Tensor embedded = teacher_forcing >= 1 ? decoder.embed_projection(target_in, e.memory) : Tensor();
    std::vector<Tensor> step_logits;  // with predicted inputs: each step's, which the next step's input comes from
    for (int64_t t = 0; t < T; ++t) {
      DecoderStep s = embedded.defined() ? decoder.step_projected(select(embedded, 1, t), state, e.memory)
                                         : decoder.step(tokens, state, e.memory);
      state = std::move(s.state);
      if (embedded.defined()) {
        outputs.push_back(s.output);
        continue;
      }
      step_logits.push_back(decoder.logits(s.output));
      if (t + 1 == T) break;
      const Tensor predicted = argmax(step_logits.back().detach(), -1);
      tokens = where(lt(rand({B}), teacher_forcing), select(target_in, 1, t + 1), predicted);
    }
    // Teacher-forced: one output product for every step.
    logits = embedded.defined() ? decoder.logits(stack(outputs, 1)) : stack(step_logits, 1);
  }
  note_output_shape(logits.sizes());
  return logits;
}

Tensor Seq2Seq::loss(const Tensor& logits, const Tensor& target_out, double label_smoothing) const {
  SPOOL_CHECK(logits.dim() == 3 && target_out.dim() == 2 && target_out.dtype() == kInt64 &&
                  logits.size(0) == target_out.size(0) && logits.size(1) == target_out.size(1),
              kOp, "loss needs logits [B, T, V] and int64 target_out [B, T], got {} and {} of shape {}", logits.sizes(),
              dtype_name(target_out.dtype()), target_out.sizes());
  return cross_entropy(reshape(logits, {-1, logits.size(2)}), reshape(target_out, {-1}),
                       {.ignore_index = options_.pad_id(), .label_smoothing = label_smoothing});
}

std::vector<Hypothesis> Seq2Seq::greedy(const Tensor& source, const Tensor& lengths, const GreedyOptions& o) {
  check_defined(kOp);
  SPOOL_CHECK(o.max_length > 0, "Seq2Seq::greedy", "max_length must be positive, got {}", o.max_length);
  SPOOL_CHECK(o.min_length >= 0 && o.min_length < o.max_length, "Seq2Seq::greedy",
              "min_length must be in [0, max_length = {}), got {}", o.max_length, o.min_length);
  const detail::DecodeScope scope;
  Encoded e = encode(source, lengths);
  SPOOL_CHECK(o.eos >= -1 && o.eos < options_.target_vocab(), "Seq2Seq::greedy",
              "eos {} is outside the target vocabulary [0, {})", o.eos, options_.target_vocab());
  const int64_t B = source.size(0), eos = o.eos >= 0 ? o.eos : options_.eos_id();
  const detail::BannedTokens banned(options_, eos);
  std::vector<Hypothesis> out(B);
  std::vector<std::vector<Tensor>> weights(B);
  std::vector<bool> done(B, false);
  int64_t remaining = B;
  Tensor tokens = full({B}, static_cast<double>(options_.bos_id()), kInt64);
  DecoderState state = e.state;
  for (int64_t t = 0; t < o.max_length && remaining > 0; ++t) {
    DecoderStep s = decoder.step(tokens, state, e.memory);
    const Tensor log_probs = detail::step_log_probs(decoder, s.output, banned, t < o.min_length);
    const auto [best, best_token] = max(log_probs, 1);
    const std::vector<double> lp = best.to(kFloat64).to_vector<double>();
    const std::vector<int64_t> tok = best_token.to_vector<int64_t>();
    for (int64_t b = 0; b < B; ++b) {
      if (done[b]) continue;
      Hypothesis& h = out[b];
      h.log_prob += lp[b];
      if (s.weights.defined()) weights[b].push_back(select(s.weights, 0, b));
      if (tok[b] == eos) {
        h.finished = true;
        done[b] = true;
        --remaining;
      } else {
        h.tokens.push_back(tok[b]);
      }
    }
    tokens = best_token;
    state = std::move(s.state);
  }
  const std::vector<int64_t> len = lengths.to_vector<int64_t>();
  for (int64_t b = 0; b < B; ++b) {
    out[b].score = out[b].log_prob;
    out[b].attention = detail::trim_attention(weights[b], len[b]);
  }
  return out;
}

std::string Seq2Seq::extra_repr() const {
  const Seq2SeqOptions& o = options_;
  return fmt::format("cell={}, bidirectional={}, attention={}, bridge={}, input_feeding={}, tie_weights={}", o.cell(),
                     o.bidirectional() ? "True" : "False", o.attention(), o.bridge(),
                     o.input_feeding() ? "True" : "False", o.tie_weights() ? "True" : "False");
}

}  // namespace spool::nn
