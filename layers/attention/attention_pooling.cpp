#include "attention_pooling.hpp"

namespace spool::nn {

AttentionPooling::AttentionPooling(int64_t input_size, bool batch_first)
    : Module("AttentionPooling"), score(register_module("score", Linear(input_size, 1))), batch_first_(batch_first) {}

AttentionOutput AttentionPooling::forward(const Tensor& input, const AttentionInput& mask) {
  check_defined("AttentionPooling");
  const char* op = "AttentionPooling";
  const int64_t D = score.options().in_features();
  SPOOL_CHECK(input.dim() == 3 && input.size(-1) == D, op, "input must be {} with D = {}, got shape {}",
              batch_first_ ? "[B, T, D]" : "[T, B, D]", D, input.sizes());
  SPOOL_CHECK(!mask.values.defined(), op, "takes no values: it pools its input");
  const Tensor x = batch_first_ ? input : transpose(input, 0, 1);  // [B, T, D]
  const Tensor e = squeeze(score(x), -1);                              // [B, T]
  const Tensor allowed = detail::allowed_keys(op, mask, x.size(0), x.size(1));
  const Tensor weights = allowed.defined() ? masked_softmax(e, squeeze(allowed, 1), -1) : softmax(e, -1);
  const Tensor pooled = squeeze(bmm(unsqueeze(weights, 1), x), 1);  // [B, D]
  note_output_shape(pooled.sizes());
  return {pooled, weights};
}

std::string AttentionPooling::extra_repr() const {
  return fmt::format("input_size={}, batch_first={}", score.options().in_features(), batch_first_ ? "True" : "False");
}

}  // namespace spool::nn
