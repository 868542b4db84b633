// Multi-head attention as torch.nn.MultiheadAttention: the same options,
// parameter names and shapes, masks and results, so a PyTorch state_dict
// loads unchanged.
//
//   nn::MultiheadAttention mha(nn::MultiheadAttentionOptions(256, 8).batch_first(true));
//   auto [out, weights] = mha(x, x, x, {.key_padding_mask = !lengths_to_mask(lengths, T)});
//
// Shapes (L queries, S keys, B batch, E = embed_dim, H = num_heads):
//   query [L, B, E] ([B, L, E] with batch_first, or unbatched [L, E]);
//   key [S, B, kdim], value [S, B, vdim]; output like the query;
//   weights [B, L, S] averaged over heads, or [B, H, L, S].
// Masks as PyTorch reads them: key_padding_mask [B, S], attn_mask [L, S] or
// [B * H, L, S]; a bool mask is true where a key is NOT attended, a float
// mask is added to the scores (-inf masks). Where PyTorch returns NaN (a
// query whose keys are all masked), that query attends to nothing: zero
// weights, an output of out_proj.bias alone, and finite gradients.
//
// Parameters: in_proj_weight [3E, E] when kdim == vdim == E, else
// q_proj_weight [E, E], k_proj_weight [E, kdim], v_proj_weight [E, vdim];
// in_proj_bias [3E] (bias); bias_k, bias_v [1, 1, E] (add_bias_kv);
// out_proj.weight [E, E], out_proj.bias [E]. Initialized as PyTorch: Xavier
// uniform projections, zero biases, Xavier normal bias_k / bias_v.
#pragma once

#include <optional>

#include "../../framework/core/options.hpp"
#include "../../framework/core/random.hpp"
#include "../../ops/ops.hpp"
#include "../basic/linear.hpp"
#include "../core/module.hpp"

namespace spool::nn {

class MultiheadAttentionOptions {
 public:
  using Self = MultiheadAttentionOptions;
  MultiheadAttentionOptions(int64_t embed_dim, int64_t num_heads) : embed_dim_(embed_dim), num_heads_(num_heads) {}
  SPOOL_ARG(int64_t, embed_dim);
  SPOOL_ARG(int64_t, num_heads);
  SPOOL_ARG(double, dropout) = 0.0;  // on the attention weights, in training
  SPOOL_ARG(bool, bias) = true;
  SPOOL_ARG(bool, add_bias_kv) = false;
  SPOOL_ARG(bool, add_zero_attn) = false;
  SPOOL_ARG(std::optional<int64_t>, kdim);  // embed_dim when absent
  SPOOL_ARG(std::optional<int64_t>, vdim);
  SPOOL_ARG(bool, batch_first) = false;
};

// forward's optional arguments, in PyTorch's order:
//   mha(q, k, v, {.key_padding_mask = m, .need_weights = false});
struct MultiheadAttentionInput {
  Tensor key_padding_mask{};          // [B, S]: bool (true = ignore) or float (added)
  bool need_weights = true;           // false: weights is undefined
  Tensor attn_mask{};                 // [L, S] or [B * H, L, S]: bool (true = masked) or float (added)
  bool average_attn_weights = true;   // weights [B, L, S] (mean over heads), else [B, H, L, S]
  bool is_causal = false;             // query i attends to keys j <= i (when attn_mask is absent)
};

class MultiheadAttention : public Module {
 public:
  MultiheadAttention() = default;
  MultiheadAttention(int64_t embed_dim, int64_t num_heads)
      : MultiheadAttention(MultiheadAttentionOptions(embed_dim, num_heads)) {}
  explicit MultiheadAttention(const MultiheadAttentionOptions& options);

  AttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value,
                          const MultiheadAttentionInput& input = {});
  AttentionOutput operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                             const MultiheadAttentionInput& input = {}) {
    return forward(query, key, value, input);
  }
  // Self-attention: forward(x, x, x).
  Tensor forward_tensor(const Tensor& x) override { return forward(x, x, x, {.need_weights = false}).output; }
  std::string extra_repr() const override;
  const MultiheadAttentionOptions& options() const { return options_; }

  Tensor in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, in_proj_bias, bias_k, bias_v;
  Linear out_proj;

 private:
  MultiheadAttentionOptions options_{0, 0};
};

}  // namespace spool::nn
