// Attention pooling over a sequence (a recurrent layer's outputs) for
// classification: a learned score per step, softmax over the valid steps
// only, and the weighted sum of the steps.
//
//   nn::AttentionPooling pool(2 * hidden);                      // batch-first [B, T, D]
//   auto [pooled, weights] = pool(lstm_out, {.lengths = lengths});  // [B, D], [B, T]
//
// Parameters: score.weight [1, D], score.bias [1]. A sequence with no valid
// step pools to zeros.
#pragma once

#include "../../ops/ops.hpp"
#include "../basic/linear.hpp"
#include "../core/module.hpp"
#include "attention_input.hpp"

namespace spool::nn {

class AttentionPooling : public Module {
 public:
  AttentionPooling() = default;
  explicit AttentionPooling(int64_t input_size, bool batch_first = true);

  // input [B, T, D] ([T, B, D] when not batch_first); AttentionInput's
  // key_padding_mask or lengths mark the valid steps (values are unused).
  AttentionOutput forward(const Tensor& input, const AttentionInput& mask = {});
  AttentionOutput operator()(const Tensor& input, const AttentionInput& mask = {}) { return forward(input, mask); }
  std::string extra_repr() const override;

  Linear score;

 private:
  bool batch_first_ = true;
};

}  // namespace spool::nn
