#include "additive_attention.hpp"

namespace spool::nn {

AdditiveAttention::AdditiveAttention(int64_t query_size, int64_t key_size, int64_t hidden_size)
    : Module("AdditiveAttention"),
      query_proj(register_module("query_proj", Linear(query_size, hidden_size, false))),
      key_proj(register_module("key_proj", Linear(key_size, hidden_size))),
      score(register_module("score", Linear(hidden_size, 1, false))) {}

AttentionOutput AdditiveAttention::forward(const Tensor& query, const Tensor& keys, const AttentionInput& input) {
  return attend(query, memory(keys, input));
}

AttentionMemory AdditiveAttention::memory(const Tensor& keys, const AttentionInput& input) {
  check_defined("AdditiveAttention");
  AttentionMemory m = detail::check_memory("AdditiveAttention", keys, input, key_proj.options().in_features(),
                                                  "AdditiveAttention");
  m.projected = unsqueeze(key_proj(keys), 1);  // [B, 1, Tk, H]
  m.query_weight = PackedWeight(query_proj.weight);
  return m;
}

AttentionOutput AdditiveAttention::attend(const Tensor& query, const AttentionMemory& memory) {
  check_defined("AdditiveAttention");
  const detail::Attend attend("AdditiveAttention", query, memory, query_proj.options().in_features(),
                              "AdditiveAttention");
  // [B, Tq, 1, H] + [B, 1, Tk, H] -> tanh -> [B, Tq, Tk, 1]
  const Tensor q = memory.query_weight.defined() ? linear(attend.query, memory.query_weight) : query_proj(attend.query);
  const Tensor e = squeeze(score(tanh(unsqueeze(q, 2) + memory.projected)), -1);
  AttentionOutput out = attend(e);
  note_output_shape(out.output.sizes());
  return out;
}

std::string AdditiveAttention::extra_repr() const {
  return fmt::format("query_size={}, key_size={}, hidden_size={}", query_proj.options().in_features(),
                     key_proj.options().in_features(), query_proj.options().out_features());
}

}  // namespace spool::nn
