// The Transformer decoder as torch.nn's TransformerDecoderLayer and
// TransformerDecoder: the same options, parameter names and arithmetic.
//
//   nn::TransformerDecoderLayer layer(nn::TransformerLayerOptions(128, 4).batch_first(true));
//   Tensor y = layer(tgt, memory, {.tgt_is_causal = true, .memory_key_padding_mask = source_padding});
//
// One layer, post-norm (default):
//   x = norm1(x + sa(x));  x = norm2(x + mha(x, memory));  x = norm3(x + ff(x))
// pre-norm (norm_first): x = x + sa(norm1(x)); x = x + mha(norm2(x), memory);
// x = x + ff(norm3(x)). sa is self-attention over the target (then
// dropout1), mha attention over the encoder's memory (then dropout2), ff as
// the encoder layer's (then dropout3). tgt [T, B, E], memory [S, B, E]
// (batch-first or unbatched as the options say). Parameters: self_attn.*,
// multihead_attn.*, linear1.*, linear2.*, norm1.*, norm2.*, norm3.*; a stack
// names them layers.<i>.*, and its final LayerNorm norm.*.
#pragma once

#include "../basic/dropout.hpp"
#include "../basic/layer_norm.hpp"
#include "../basic/linear.hpp"
#include "../core/module_list.hpp"
#include "multihead_attention.hpp"
#include "transformer_options.hpp"

namespace spool::nn {

// The masks of nn::MultiheadAttention for the target's self-attention (tgt_*)
// and for the attention over the memory (memory_*). Designated initializers
// follow this order.
struct TransformerDecoderInput {
  Tensor tgt_mask{};                 // [T, T] or [B * nhead, T, T]
  Tensor memory_mask{};              // [T, S] or [B * nhead, T, S]
  Tensor tgt_key_padding_mask{};     // [B, T]
  Tensor memory_key_padding_mask{};  // [B, S]
  bool tgt_is_causal = false;        // a target position sees itself and the past (when tgt_mask is absent)
  bool memory_is_causal = false;
};

class TransformerDecoderLayer : public Module {
 public:
  TransformerDecoderLayer() = default;
  TransformerDecoderLayer(int64_t d_model, int64_t nhead) : TransformerDecoderLayer(TransformerLayerOptions(d_model, nhead)) {}
  explicit TransformerDecoderLayer(const TransformerLayerOptions& options);

  Tensor forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderInput& input = {});
  Tensor operator()(const Tensor& tgt, const Tensor& memory, const TransformerDecoderInput& input = {}) {
    return forward(tgt, memory, input);
  }
  std::string extra_repr() const override;
  const TransformerLayerOptions& options() const { return options_; }

  MultiheadAttention self_attn, multihead_attn;
  Linear linear1;
  Dropout dropout;
  Linear linear2;
  LayerNorm norm1, norm2, norm3;
  Dropout dropout1, dropout2, dropout3;

 private:
  TransformerLayerOptions options_{0, 0};
};

class TransformerDecoderOptions {
 public:
  using Self = TransformerDecoderOptions;
  TransformerDecoderOptions(TransformerLayerOptions decoder_layer, int64_t num_layers)
      : decoder_layer_(std::move(decoder_layer)), num_layers_(num_layers) {}
  SPOOL_ARG(TransformerLayerOptions, decoder_layer);
  SPOOL_ARG(int64_t, num_layers);
  SPOOL_ARG(bool, norm) = false;  // a final LayerNorm(d_model)
};

// num_layers decoder layers, each freshly initialized.
class TransformerDecoder : public Module {
 public:
  TransformerDecoder() = default;
  explicit TransformerDecoder(const TransformerDecoderOptions& options);

  Tensor forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderInput& input = {});
  Tensor operator()(const Tensor& tgt, const Tensor& memory, const TransformerDecoderInput& input = {}) {
    return forward(tgt, memory, input);
  }
  const TransformerDecoderOptions& options() const { return options_; }

  ModuleList<TransformerDecoderLayer> layers;
  LayerNorm norm;  // undefined unless options().norm()

 private:
  TransformerDecoderOptions options_{TransformerLayerOptions(0, 0), 0};
};

}  // namespace spool::nn
