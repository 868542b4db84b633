#include "attention_input.hpp"


namespace spool::nn::detail {

Tensor allowed_keys(const char* op, const AttentionInput& in, int64_t batch, int64_t keys) {
  SPOOL_CHECK(!(in.key_padding_mask.defined() && in.lengths.defined()), op,
              "give key_padding_mask or lengths, not both");
  if (in.key_padding_mask.defined()) {
    const Tensor& m = in.key_padding_mask;
    SPOOL_CHECK((m.dtype() == kBool && m.sizes() == Shape{batch, keys}), op,
                "key_padding_mask must be bool [{}, {}] (true = ignore), got {} of shape {}", batch, keys,
                dtype_name(m.dtype()), m.sizes());
    return unsqueeze(logical_not(m), 1);
  }
  if (in.lengths.defined()) {
    const Tensor& l = in.lengths;
    SPOOL_CHECK((l.dtype() == kInt64 && l.sizes() == Shape{batch}), op, "lengths must be int64 [{}], got {} of shape {}",
                batch, dtype_name(l.dtype()), l.sizes());
    for (int64_t v : l.to_vector<int64_t>())
      SPOOL_CHECK(v >= 0 && v <= keys, op, "length {} is outside [0, {}] (the number of keys)", v, keys);
    return unsqueeze(lengths_to_mask(l, keys), 1);
  }
  return Tensor();
}

Attend::Attend(const char* op_name, const Tensor& q, const Tensor& k, const AttentionInput& in, int64_t query_size,
               int64_t key_size)
    : op(op_name), keys(k), input(in), step(q.dim() == 2) {
  SPOOL_CHECK((q.dim() == 2 || q.dim() == 3) && q.size(-1) == query_size, op,
              "query must be [B, Tq, {}] or [B, {}], got shape {}", query_size, query_size, q.sizes());
  SPOOL_CHECK(k.dim() == 3 && k.size(-1) == key_size && k.size(0) == q.size(0), op,
              "keys must be [{}, Tk, {}] for a query of shape {}, got shape {}", q.size(0), key_size, q.sizes(),
              k.sizes());
  const Tensor& values = in.values.defined() ? in.values : k;
  SPOOL_CHECK(values.dim() == 3 && values.size(0) == k.size(0) && values.size(1) == k.size(1), op,
              "values must be [{}, {}, Dv] like the keys, got shape {}", k.size(0), k.size(1), values.sizes());
  query = step ? unsqueeze(q, 1) : q;
}

AttentionOutput Attend::operator()(const Tensor& scores) const {
  const Tensor allowed = allowed_keys(op, input, keys.size(0), keys.size(1));
  Tensor weights = allowed.defined() ? masked_softmax(scores, allowed, -1) : softmax(scores, -1);
  Tensor context = bmm(weights, input.values.defined() ? input.values : keys);
  if (step) return {squeeze(context, 1), squeeze(weights, 1)};
  return {context, weights};
}

}  // namespace spool::nn::detail
