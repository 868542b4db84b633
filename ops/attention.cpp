// scaled_dot_product_attention as PyTorch 2 defines it, composed from
// matmul, masked_fill and softmax (so its gradient is theirs), except that a
// query with no key to attend to gets zero weights and a zero output, where
// PyTorch returns NaN (README "Design" 11).
#include <cmath>
#include <limits>

#include "ops.hpp"

namespace spool {

Tensor masked_softmax(const Tensor& scores, const Tensor& allowed, int64_t dim) {
  const char* op = "masked_softmax";
  SPOOL_CHECK(allowed.dtype() == kBool, op, "the mask must be bool (true = take part), got {}",
              dtype_name(allowed.dtype()));
  SPOOL_CHECK(scores.is_floating_point(), op, "scores must be floating, got {}", dtype_name(scores.dtype()));
  SPOOL_CHECK(broadcast_shapes(allowed.sizes(), scores.sizes(), op) == scores.sizes(), op,
              "mask of shape {} does not broadcast to the scores' shape {}", allowed.sizes(), scores.sizes());
  const int d = wrap_dim(dim, scores.dim(), op);
  // The dtype's lowest finite value: -inf would make a row without entries NaN.
  const double lowest = scores.dtype() == kFloat32 ? double(std::numeric_limits<float>::lowest())
                                                   : std::numeric_limits<double>::lowest();
  const Tensor masked = masked_fill(scores, logical_not(allowed), lowest);
  // A row with no allowed entry would be uniform (all its scores equal): it gets zeros.
  const Tensor any_entry = any(expand(allowed, scores.sizes()), d, true).to(scores.dtype());
  return softmax(masked, d) * any_entry;
}

AttentionOutput scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                             const AttentionOptions& o) {
  const char* op = "scaled_dot_product_attention";
  SPOOL_CHECK(q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2, op,
              "query, key and value need [..., L, E] shapes, got {}, {} and {}", q.sizes(), k.sizes(), v.sizes());
  SPOOL_CHECK(q.is_floating_point() && q.dtype() == k.dtype() && q.dtype() == v.dtype(), op,
              "query, key and value must share one floating dtype, got {}, {} and {}", dtype_name(q.dtype()),
              dtype_name(k.dtype()), dtype_name(v.dtype()));
  SPOOL_CHECK(q.size(-1) == k.size(-1), op, "query {} and key {} differ in their last dim", q.sizes(), k.sizes());
  SPOOL_CHECK(k.size(-2) == v.size(-2), op, "key {} and value {} differ in their number of keys", k.sizes(),
              v.sizes());
  SPOOL_CHECK(o.dropout_p >= 0 && o.dropout_p < 1, op, "dropout_p must be in [0, 1), got {}", o.dropout_p);
  const int64_t L = q.size(-2), S = k.size(-2);
  const double scale = o.scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  Tensor scores = matmul(q, transpose(k, -2, -1)) * scale;  // [..., L, S]

  // `allowed`: which keys each query may attend to (undefined: all).
  Tensor allowed;
  if (o.attn_mask.defined()) {
    const Tensor& m = o.attn_mask;
    SPOOL_CHECK(m.dtype() == kBool || m.dtype() == q.dtype(), op,
                "attn_mask must be bool (true = attend) or {} (added to the scores), got {}", dtype_name(q.dtype()),
                dtype_name(m.dtype()));
    broadcast_shapes(m.sizes(), scores.sizes(), op);  // an error naming both shapes when they do not fit
    if (m.dtype() == kBool) {
      allowed = m;
    } else {
      allowed = gt(m, -std::numeric_limits<double>::infinity());  // -inf entries mask, as they would in softmax
      scores = scores + masked_fill(m, logical_not(allowed), 0.0);
    }
  }
  if (o.is_causal) {
    SPOOL_CHECK(!o.attn_mask.defined(), op, "give attn_mask or is_causal, not both (as PyTorch)");
    allowed = logical_not(triu(ones({L, S}, kBool), 1));  // query i sees keys j <= i
  }
  Tensor weights = allowed.defined() ? masked_softmax(scores, allowed, -1) : softmax(scores, -1);
  if (o.dropout_p > 0) weights = dropout(weights, o.dropout_p, true);
  return {matmul(weights, v), weights};
}

}  // namespace spool
