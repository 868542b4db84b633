// What an attention layer takes beside its queries and keys: the values
// (the keys themselves when absent) and which keys to ignore, as PyTorch's
// key_padding_mask (true = ignore) or as lengths (the first lengths[b] keys
// of batch b are valid), which spool's layers also accept so that users
// rarely build a mask by hand. And the keys prepared once for many queries
// (AttentionMemory: a decoder attends to the same encoder outputs at every
// step, so their projection is computed once).
#pragma once

#include <string>
#include <string_view>

#include "../../ops/ops.hpp"

namespace spool::nn {

// Designated initializers follow this order: {.values = v, .lengths = l}.
struct AttentionInput {
  Tensor values{};            // [B, Tk, Dv]; the keys when undefined
  Tensor key_padding_mask{};  // bool [B, Tk], true = ignore
  Tensor lengths{};           // int64 [B], each in [0, Tk]
};

// Keys, values and mask checked once, with the keys as the layer's score
// reads them (AdditiveAttention: key_proj(keys); Luong "general": attn(keys)).
//   auto memory = attention.memory(encoder_outputs, {.lengths = source_lengths});
//   for (...) auto [context, weights] = attention.attend(h, memory);
struct AttentionMemory {
  Tensor keys;       // [B, Tk, Dk]
  Tensor projected;  // [B, Tk, *]: what the score reads for each key
  Tensor values;     // [B, Tk, Dv]
  Tensor allowed;    // bool [B, 1, Tk] (true = attend); undefined: every key
  // The query projection's weight packed once for the memory's many queries
  // (undefined where the score projects no query). The values at memory()
  // time: make a new memory after the weights change.
  PackedWeight query_weight;
  std::string made_by;  // the layer and score that made it: attend() checks it is its own kind
  // The same memory for batch rows `index` (int64), in that order: beam
  // search keeps k rows per input this way.
  AttentionMemory index_select(const Tensor& index) const;
};

namespace detail {
// The keys each batch row may attend to, bool [B, 1, Tk] (undefined: all),
// from a key_padding_mask or lengths (not both); errors name `op`.
Tensor allowed_keys(const char* op, const AttentionInput& in, int64_t batch, int64_t keys);

// Checks keys [B, Tk, key_size] and the input; the memory without its
// projection, tagged as made by `made_by`.
AttentionMemory check_memory(const char* op, const Tensor& keys, const AttentionInput& input, int64_t key_size,
                             std::string made_by);

// What every query-key attention layer does around its score: checks the
// query ([B, Tq, Dq] or one step [B, Dq]) against the memory and gives it as
// [B, Tq, Dq]; then, from scores [B, Tq, Tk], the masked softmax and the
// context (squeezed back for a one-step query).
struct Attend {
  // `kind`: the made_by tag this layer gives its memories.
  Attend(const char* op, const Tensor& query, const AttentionMemory& memory, int64_t query_size,
         std::string_view kind);
  // {context, weights} for the scores.
  AttentionOutput operator()(const Tensor& scores) const;

  const char* op;
  Tensor query;  // [B, Tq, Dq]
  const AttentionMemory& memory;
  bool step = false;
};
}  // namespace detail

}  // namespace spool::nn
