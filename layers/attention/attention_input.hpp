// What an attention layer takes beside its queries and keys: the values
// (the keys themselves when absent) and which keys to ignore, as PyTorch's
// key_padding_mask (true = ignore) or as lengths (the first lengths[b] keys
// of batch b are valid), which spool's layers also accept so that users
// rarely build a mask by hand.
#pragma once

#include "../../ops/ops.hpp"

namespace spool::nn {

// Designated initializers follow this order: {.values = v, .lengths = l}.
struct AttentionInput {
  Tensor values;            // [B, Tk, Dv]; the keys when undefined
  Tensor key_padding_mask;  // bool [B, Tk], true = ignore
  Tensor lengths;           // int64 [B], each in [0, Tk]
};

namespace detail {
// The keys each batch row may attend to, bool [B, 1, Tk] (undefined: all),
// from a key_padding_mask or lengths (not both); errors name `op`.
Tensor allowed_keys(const char* op, const AttentionInput& in, int64_t batch, int64_t keys);

// What every query-key attention layer does around its score: checks the
// query ([B, Tq, Dq] or one step [B, Dq]), keys [B, Tk, Dk] and values, and
// gives the query as [B, Tq, Dq]; then, from scores [B, Tq, Tk], the masked
// softmax and the context (squeezed back for a one-step query).
struct Attend {
  Attend(const char* op, const Tensor& query, const Tensor& keys, const AttentionInput& input, int64_t query_size,
         int64_t key_size);
  // {context, weights} for the scores.
  AttentionOutput operator()(const Tensor& scores) const;

  const char* op;
  Tensor query;  // [B, Tq, Dq]
  const Tensor& keys;
  const AttentionInput& input;
  bool step = false;
};
}  // namespace detail

}  // namespace spool::nn
