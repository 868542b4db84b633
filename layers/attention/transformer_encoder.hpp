// The Transformer encoder (Vaswani et al. 2017) as torch.nn's
// TransformerEncoderLayer and TransformerEncoder: the same options, parameter
// names and arithmetic, so PyTorch weights load unchanged.
//
//   nn::TransformerEncoder encoder(nn::TransformerEncoderOptions(
//       nn::TransformerLayerOptions(128, 4).dim_feedforward(256).batch_first(true), /*num_layers=*/2));
//   Tensor h = encoder(x, {.src_key_padding_mask = logical_not(lengths_to_mask(lengths, T))});
//
// One layer, post-norm (default):  x = norm1(x + sa(x));  x = norm2(x + ff(x))
//            pre-norm (norm_first): x = x + sa(norm1(x));  x = x + ff(norm2(x))
// with sa the self-attention (then dropout1) and ff = dropout2(linear2(
// dropout(activation(linear1(x))))). Input [S, B, E] ([B, S, E] with
// batch_first, or unbatched [S, E]); masks as nn::MultiheadAttention's
// (src_mask is its attn_mask, src_key_padding_mask its key_padding_mask).
// Parameters: self_attn.*, linear1.*, linear2.*, norm1.*, norm2.*; a stack
// names them layers.<i>.*, and its final LayerNorm (option norm) norm.*.
#pragma once

#include "../basic/dropout.hpp"
#include "../basic/layer_norm.hpp"
#include "../basic/linear.hpp"
#include "../core/module_list.hpp"
#include "multihead_attention.hpp"
#include "transformer_options.hpp"

namespace spool::nn {

// Designated initializers follow this order: {.src_mask = m, .is_causal = true}.
struct TransformerEncoderInput {
  Tensor src_mask{};              // [S, S] or [B * nhead, S, S]
  Tensor src_key_padding_mask{};  // [B, S]
  bool is_causal = false;         // each position attends to itself and the past (when src_mask is absent)
};

class TransformerEncoderLayer : public Module {
 public:
  TransformerEncoderLayer() = default;
  TransformerEncoderLayer(int64_t d_model, int64_t nhead) : TransformerEncoderLayer(TransformerLayerOptions(d_model, nhead)) {}
  explicit TransformerEncoderLayer(const TransformerLayerOptions& options);

  Tensor forward(const Tensor& src, const TransformerEncoderInput& input = {});
  Tensor operator()(const Tensor& src, const TransformerEncoderInput& input = {}) { return forward(src, input); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override;
  const TransformerLayerOptions& options() const { return options_; }

  MultiheadAttention self_attn;
  Linear linear1;
  Dropout dropout;
  Linear linear2;
  LayerNorm norm1, norm2;
  Dropout dropout1, dropout2;

 private:
  TransformerLayerOptions options_{0, 0};
};

class TransformerEncoderOptions {
 public:
  using Self = TransformerEncoderOptions;
  TransformerEncoderOptions(TransformerLayerOptions encoder_layer, int64_t num_layers)
      : encoder_layer_(std::move(encoder_layer)), num_layers_(num_layers) {}
  SPOOL_ARG(TransformerLayerOptions, encoder_layer);
  SPOOL_ARG(int64_t, num_layers);
  // A final LayerNorm(d_model) after the last layer (PyTorch's `norm`
  // argument; pre-norm stacks want it).
  SPOOL_ARG(bool, norm) = false;
};

// num_layers encoder layers, each with its own freshly initialized weights
// (PyTorch deep-copies one layer, so its layers start equal).
class TransformerEncoder : public Module {
 public:
  TransformerEncoder() = default;
  explicit TransformerEncoder(const TransformerEncoderOptions& options);

  Tensor forward(const Tensor& src, const TransformerEncoderInput& input = {});
  Tensor operator()(const Tensor& src, const TransformerEncoderInput& input = {}) { return forward(src, input); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  const TransformerEncoderOptions& options() const { return options_; }

  ModuleList<TransformerEncoderLayer> layers;
  LayerNorm norm;  // undefined unless options().norm()

 private:
  TransformerEncoderOptions options_{TransformerLayerOptions(0, 0), 0};
};

}  // namespace spool::nn
