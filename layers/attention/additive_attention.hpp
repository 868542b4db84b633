// Bahdanau (additive) attention: score(q, k) = v^T tanh(W_q q + W_k k + b),
// softmax over the valid keys, context = weights @ values.
//
//   nn::AdditiveAttention att(/*query_size=*/256, /*key_size=*/512, /*hidden_size=*/128);
//   auto [context, weights] = att(h, encoder_outputs, {.lengths = source_lengths});
//
// query [B, Tq, Dq] (or [B, Dq] for one step: then context [B, Dv] and
// weights [B, Tk]), keys [B, Tk, Dk], values [B, Tk, Dv]. A query with no
// valid key gets a zero context and zero weights. Parameters:
// query_proj.weight [H, Dq], key_proj.weight [H, Dk], key_proj.bias [H],
// score.weight [1, H].
#pragma once

#include "../../ops/ops.hpp"
#include "../basic/linear.hpp"
#include "../core/module.hpp"
#include "attention_input.hpp"

namespace spool::nn {

class AdditiveAttention : public Module {
 public:
  AdditiveAttention() = default;
  AdditiveAttention(int64_t query_size, int64_t key_size, int64_t hidden_size);

  AttentionOutput forward(const Tensor& query, const Tensor& keys, const AttentionInput& input = {});
  AttentionOutput operator()(const Tensor& query, const Tensor& keys, const AttentionInput& input = {}) {
    return forward(query, keys, input);
  }
  // The keys prepared once for many queries (key_proj(keys) computed once),
  // and one attention over them: forward(q, k, in) is attend(q, memory(k, in)).
  AttentionMemory memory(const Tensor& keys, const AttentionInput& input = {});
  AttentionOutput attend(const Tensor& query, const AttentionMemory& memory);
  std::string extra_repr() const override;

  Linear query_proj, key_proj, score;
};

}  // namespace spool::nn
