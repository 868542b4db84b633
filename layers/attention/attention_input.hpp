// What an attention layer takes beside its queries and keys: the values
// (the keys themselves when absent) and which keys to ignore, as PyTorch's
// key_padding_mask (true = ignore) or as lengths (the first lengths[b] keys
// of batch b are valid), which spool's layers also accept so that users
// rarely build a mask by hand.
#pragma once

#include "../../framework/core/tensor.hpp"

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
}  // namespace detail

}  // namespace spool::nn
