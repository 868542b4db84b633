#include "attention_input.hpp"

#include "../../ops/ops.hpp"

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

}  // namespace spool::nn::detail
