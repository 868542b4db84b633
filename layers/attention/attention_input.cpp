#include "attention_input.hpp"

namespace spool::nn {

AttentionMemory AttentionMemory::index_select(const Tensor& index) const {
  auto rows = [&](const Tensor& t) { return t.defined() ? spool::index_select(t, 0, index) : t; };
  return {rows(keys), rows(projected), rows(values), rows(allowed), query_weight, made_by};
}

namespace detail {

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
    bool all_keys = true;
    for (int64_t v : l.to_vector<int64_t>()) {
      SPOOL_CHECK(v >= 0 && v <= keys, op, "length {} is outside [0, {}] (the number of keys)", v, keys);
      all_keys = all_keys && v == keys;
    }
    // Every key valid: no mask to apply at each query.
    return all_keys ? Tensor() : unsqueeze(lengths_to_mask(l, keys), 1);
  }
  return Tensor();
}

AttentionMemory check_memory(const char* op, const Tensor& k, const AttentionInput& in, int64_t key_size,
                             std::string made_by) {
  SPOOL_CHECK(k.dim() == 3 && k.size(-1) == key_size, op, "keys must be [B, Tk, {}], got shape {}", key_size,
              k.sizes());
  const Tensor& values = in.values.defined() ? in.values : k;
  SPOOL_CHECK(values.dim() == 3 && values.size(0) == k.size(0) && values.size(1) == k.size(1), op,
              "values must be [{}, {}, Dv] like the keys, got shape {}", k.size(0), k.size(1), values.sizes());
  return {k, Tensor(), values, allowed_keys(op, in, k.size(0), k.size(1)), PackedWeight(), std::move(made_by)};
}

Attend::Attend(const char* op_name, const Tensor& q, const AttentionMemory& m, int64_t query_size,
               std::string_view kind)
    : op(op_name), memory(m), step(q.dim() == 2) {
  SPOOL_CHECK(m.keys.defined() && m.made_by == kind, op,
              "the memory must come from this kind of layer's memory() ({}), got {}", kind,
              m.keys.defined() ? "one from " + m.made_by : std::string("an empty one"));
  SPOOL_CHECK((q.dim() == 2 || q.dim() == 3) && q.size(-1) == query_size, op,
              "query must be [B, Tq, {}] or [B, {}], got shape {}", query_size, query_size, q.sizes());
  SPOOL_CHECK(q.size(0) == m.keys.size(0), op, "keys must be [{}, Tk, {}] for a query of shape {}, got shape {}",
              q.size(0), m.keys.size(-1), q.sizes(), m.keys.sizes());
  query = step ? unsqueeze(q, 1) : q;
}

AttentionOutput Attend::operator()(const Tensor& scores) const {
  Tensor weights = memory.allowed.defined() ? masked_softmax(scores, memory.allowed, -1) : softmax(scores, -1);
  Tensor context = bmm(weights, memory.values);
  if (step) return {squeeze(context, 1), squeeze(weights, 1)};
  return {context, weights};
}

}  // namespace detail
}  // namespace spool::nn
