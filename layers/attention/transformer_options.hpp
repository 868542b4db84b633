// Options of a Transformer encoder or decoder layer, with PyTorch's names and
// defaults (torch.nn.TransformerEncoderLayer / TransformerDecoderLayer).
//   nn::TransformerEncoderLayer layer(nn::TransformerLayerOptions(512, 8).dropout(0.1).batch_first(true));
#pragma once

#include <string>

#include "../../framework/core/options.hpp"
#include "../../ops/ops.hpp"
#include "../basic/layer_norm.hpp"
#include "multihead_attention.hpp"

namespace spool::nn {

class TransformerLayerOptions {
 public:
  using Self = TransformerLayerOptions;
  TransformerLayerOptions(int64_t d_model, int64_t nhead) : d_model_(d_model), nhead_(nhead) {}
  SPOOL_ARG(int64_t, d_model);
  SPOOL_ARG(int64_t, nhead);
  SPOOL_ARG(int64_t, dim_feedforward) = 2048;
  SPOOL_ARG(double, dropout) = 0.1;
  SPOOL_ARG(std::string, activation) = "relu";  // or "gelu"
  SPOOL_ARG(double, layer_norm_eps) = 1e-5;
  SPOOL_ARG(bool, batch_first) = false;
  SPOOL_ARG(bool, norm_first) = false;  // pre-norm (LayerNorm before each block) instead of post-norm
};
// LibTorch's names for the same options.
using TransformerEncoderLayerOptions = TransformerLayerOptions;
using TransformerDecoderLayerOptions = TransformerLayerOptions;

namespace detail {
// Checks the options for layer `op` (positive sizes, nhead divides d_model,
// dropout in [0, 1), a known activation).
void check_transformer_options(const char* op, const TransformerLayerOptions& o);
// The options of a layer's attention blocks and LayerNorms.
MultiheadAttentionOptions transformer_attention(const TransformerLayerOptions& o);
LayerNormOptions transformer_norm(const TransformerLayerOptions& o);
// The feed-forward block's nonlinearity by name.
Tensor transformer_activation(const std::string& name, const Tensor& x);
// The options as repr() shows them: "d_model=8, nhead=2, ...".
std::string transformer_repr(const TransformerLayerOptions& o);
}  // namespace detail

}  // namespace spool::nn
