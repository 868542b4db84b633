// Luong (multiplicative) attention with the three scores of Luong et al.
// (2015): "dot" q . k (query and key sizes equal), "general" q . (W k), and
// "concat" v^T tanh(W [q; k]); softmax over the valid keys, context =
// weights @ values.
//
//   nn::LuongAttention att(/*query_size=*/256, /*key_size=*/256, "general");
//   auto [context, weights] = att(h, encoder_outputs, {.lengths = source_lengths});
//
// Shapes and masks as nn::AdditiveAttention. Parameters: "general"
// attn.weight [Dq, Dk]; "concat" attn.weight [H, Dq + Dk] and v.weight [1, H].
#pragma once

#include <string>

#include "../../ops/ops.hpp"
#include "../basic/linear.hpp"
#include "../core/module.hpp"
#include "attention_input.hpp"

namespace spool::nn {

class LuongAttention : public Module {
 public:
  LuongAttention() = default;
  // hidden_size is for "concat" only.
  LuongAttention(int64_t query_size, int64_t key_size, std::string score = "general", int64_t hidden_size = 0);

  AttentionOutput forward(const Tensor& query, const Tensor& keys, const AttentionInput& input = {});
  AttentionOutput operator()(const Tensor& query, const Tensor& keys, const AttentionInput& input = {}) {
    return forward(query, keys, input);
  }
  // The keys prepared once for many queries (the score's key projection
  // computed once), and one attention over them: forward(q, k, in) is
  // attend(q, memory(k, in)).
  AttentionMemory memory(const Tensor& keys, const AttentionInput& input = {});
  AttentionOutput attend(const Tensor& query, const AttentionMemory& memory);
  std::string extra_repr() const override;
  const std::string& score() const { return score_; }

  Linear attn, v;  // undefined where the score has none

 private:
  std::string score_;
  std::string kind_;  // the memory tag: "LuongAttention(<score>)"
  int64_t query_size_ = 0, key_size_ = 0;
};

}  // namespace spool::nn
