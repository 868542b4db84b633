#include "additive_attention.hpp"

namespace spool::nn {

AdditiveAttention::AdditiveAttention(int64_t query_size, int64_t key_size, int64_t hidden_size)
    : Module("AdditiveAttention"),
      query_proj(register_module("query_proj", Linear(query_size, hidden_size, false))),
      key_proj(register_module("key_proj", Linear(key_size, hidden_size))),
      score(register_module("score", Linear(hidden_size, 1, false))) {}

AttentionOutput AdditiveAttention::forward(const Tensor& query, const Tensor& keys, const AttentionInput& input) {
  check_defined("AdditiveAttention");
  const char* op = "AdditiveAttention";
  const int64_t Dq = query_proj.options().in_features(), Dk = key_proj.options().in_features();
  SPOOL_CHECK((query.dim() == 2 || query.dim() == 3) && query.size(-1) == Dq, op,
              "query must be [B, Tq, {}] or [B, {}], got shape {}", Dq, Dq, query.sizes());
  SPOOL_CHECK(keys.dim() == 3 && keys.size(-1) == Dk && keys.size(0) == query.size(0), op,
              "keys must be [{}, Tk, {}] for a query of shape {}, got shape {}", query.size(0), Dk, query.sizes(),
              keys.sizes());
  const Tensor& values = input.values.defined() ? input.values : keys;
  SPOOL_CHECK(values.dim() == 3 && values.size(0) == keys.size(0) && values.size(1) == keys.size(1), op,
              "values must be [{}, {}, Dv] like the keys, got shape {}", keys.size(0), keys.size(1), values.sizes());
  const bool step = query.dim() == 2;
  const Tensor q = step ? unsqueeze(query, 1) : query;  // [B, Tq, Dq]
  // [B, Tq, 1, H] + [B, 1, Tk, H] -> tanh -> [B, Tq, Tk, 1]
  const Tensor e = squeeze(score(tanh(unsqueeze(query_proj(q), 2) + unsqueeze(key_proj(keys), 1))), -1);
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

std::string AdditiveAttention::extra_repr() const {
  return fmt::format("query_size={}, key_size={}, hidden_size={}", query_proj.options().in_features(),
                     key_proj.options().in_features(), query_proj.options().out_features());
}

}  // namespace spool::nn
