#include "luong_attention.hpp"

namespace spool::nn {

LuongAttention::LuongAttention(int64_t query_size, int64_t key_size, std::string score, int64_t hidden_size)
    : Module("LuongAttention"), score_(std::move(score)), kind_("LuongAttention(" + score_ + ")"), query_size_(query_size), key_size_(key_size) {
  const char* op = "LuongAttention";
  SPOOL_CHECK(score_ == "dot" || score_ == "general" || score_ == "concat", op,
              "score must be \"dot\", \"general\" or \"concat\", got \"{}\"", score_);
  SPOOL_CHECK(query_size > 0 && key_size > 0, op, "sizes must be positive, got query {} and key {}", query_size,
              key_size);
  SPOOL_CHECK(score_ != "dot" || query_size == key_size, op,
              "the \"dot\" score needs equal query and key sizes, got {} and {}", query_size, key_size);
  SPOOL_CHECK(score_ != "concat" || hidden_size > 0, op, "the \"concat\" score needs a hidden_size > 0, got {}",
              hidden_size);
  if (score_ == "general") attn = register_module("attn", Linear(key_size, query_size, false));
  if (score_ == "concat") {
    attn = register_module("attn", Linear(query_size + key_size, hidden_size, false));
    v = register_module("v", Linear(hidden_size, 1, false));
  }
}

AttentionOutput LuongAttention::forward(const Tensor& query, const Tensor& keys, const AttentionInput& input) {
  return attend(query, memory(keys, input));
}

AttentionMemory LuongAttention::memory(const Tensor& keys, const AttentionInput& input) {
  check_defined("LuongAttention");
  AttentionMemory m = detail::check_memory("LuongAttention", keys, input, key_size_, kind_);
  if (score_ == "dot") {
    m.projected = transpose(keys, 1, 2);  // [B, Dk, Tk]
  } else if (score_ == "general") {
    m.projected = transpose(attn(keys), 1, 2);  // [B, Dq, Tk]
  } else {
    // W [q; k] = W_q q + W_k k with W's two column blocks, without building [q; k] for every pair.
    m.projected = unsqueeze(linear(keys, narrow(attn.weight, 1, query_size_, key_size_)), 1);  // [B, 1, Tk, H]
  }
  return m;
}

AttentionOutput LuongAttention::attend(const Tensor& query, const AttentionMemory& memory) {
  check_defined("LuongAttention");
  const detail::Attend attend("LuongAttention", query, memory, query_size_, kind_);
  const Tensor& q = attend.query;  // [B, Tq, Dq]
  Tensor e;                        // [B, Tq, Tk]
  if (score_ == "concat") {
    e = squeeze(v(tanh(unsqueeze(linear(q, narrow(attn.weight, 1, 0, query_size_)), 2) + memory.projected)), -1);
  } else {
    e = bmm(q, memory.projected);
  }
  AttentionOutput out = attend(e);
  note_output_shape(out.output.sizes());
  return out;
}

std::string LuongAttention::extra_repr() const {
  return fmt::format("query_size={}, key_size={}, score={}", query_size_, key_size_, score_);
}

}  // namespace spool::nn
