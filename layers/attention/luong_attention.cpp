#include "luong_attention.hpp"

namespace spool::nn {

LuongAttention::LuongAttention(int64_t query_size, int64_t key_size, std::string score, int64_t hidden_size)
    : Module("LuongAttention"), score_(std::move(score)), query_size_(query_size), key_size_(key_size) {
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
  check_defined("LuongAttention");
  const char* op = "LuongAttention";
  SPOOL_CHECK((query.dim() == 2 || query.dim() == 3) && query.size(-1) == query_size_, op,
              "query must be [B, Tq, {}] or [B, {}], got shape {}", query_size_, query_size_, query.sizes());
  SPOOL_CHECK(keys.dim() == 3 && keys.size(-1) == key_size_ && keys.size(0) == query.size(0), op,
              "keys must be [{}, Tk, {}] for a query of shape {}, got shape {}", query.size(0), key_size_,
              query.sizes(), keys.sizes());
  const Tensor& values = input.values.defined() ? input.values : keys;
  SPOOL_CHECK(values.dim() == 3 && values.size(0) == keys.size(0) && values.size(1) == keys.size(1), op,
              "values must be [{}, {}, Dv] like the keys, got shape {}", keys.size(0), keys.size(1), values.sizes());
  const bool step = query.dim() == 2;
  const Tensor q = step ? unsqueeze(query, 1) : query;  // [B, Tq, Dq]
  Tensor e;                                             // [B, Tq, Tk]
  if (score_ == "dot") {
    e = bmm(q, transpose(keys, 1, 2));
  } else if (score_ == "general") {
    e = bmm(q, transpose(attn(keys), 1, 2));
  } else {
    // W [q; k] = W_q q + W_k k with W's two column blocks, without building [q; k] for every pair.
    const Tensor wq = narrow(attn.weight, 1, 0, query_size_), wk = narrow(attn.weight, 1, query_size_, key_size_);
    e = squeeze(v(tanh(unsqueeze(linear(q, wq), 2) + unsqueeze(linear(keys, wk), 1))), -1);
  }
  const Tensor allowed = detail::allowed_keys(op, input, keys.size(0), keys.size(1));
  Tensor weights = allowed.defined() ? masked_softmax(e, allowed, -1) : softmax(e, -1);
  Tensor context = bmm(weights, values);
  if (step) {
    context = squeeze(context, 1);
    weights = squeeze(weights, 1);
  }
  note_output_shape(context.sizes());
  return {context, weights};
}

std::string LuongAttention::extra_repr() const {
  return fmt::format("query_size={}, key_size={}, score={}", query_size_, key_size_, score_);
}

}  // namespace spool::nn
