#include "transformer_decoder.hpp"

namespace spool::nn {

TransformerDecoderLayer::TransformerDecoderLayer(const TransformerLayerOptions& o)
    : Module("TransformerDecoderLayer"), options_(o) {
  detail::check_transformer_options("TransformerDecoderLayer", o);
  const auto attention = detail::transformer_attention(o);
  const auto norm = detail::transformer_norm(o);
  self_attn = register_module("self_attn", MultiheadAttention(attention));
  multihead_attn = register_module("multihead_attn", MultiheadAttention(attention));
  linear1 = register_module("linear1", Linear(o.d_model(), o.dim_feedforward()));
  dropout = register_module("dropout", Dropout(o.dropout()));
  linear2 = register_module("linear2", Linear(o.dim_feedforward(), o.d_model()));
  norm1 = register_module("norm1", LayerNorm(norm));
  norm2 = register_module("norm2", LayerNorm(norm));
  norm3 = register_module("norm3", LayerNorm(norm));
  dropout1 = register_module("dropout1", Dropout(o.dropout()));
  dropout2 = register_module("dropout2", Dropout(o.dropout()));
  dropout3 = register_module("dropout3", Dropout(o.dropout()));
}

Tensor TransformerDecoderLayer::forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderInput& in) {
  check_defined("TransformerDecoderLayer");
  auto sa = [&](const Tensor& x) {
    return dropout1(self_attn(x, x, x,
                              {.key_padding_mask = in.tgt_key_padding_mask, .need_weights = false,
                               .attn_mask = in.tgt_mask, .is_causal = in.tgt_is_causal})
                        .output);
  };
  auto mha = [&](const Tensor& x) {
    return dropout2(multihead_attn(x, memory, memory,
                                   {.key_padding_mask = in.memory_key_padding_mask, .need_weights = false,
                                    .attn_mask = in.memory_mask, .is_causal = in.memory_is_causal})
                        .output);
  };
  auto ff = [&](const Tensor& x) {
    return dropout3(linear2(dropout(detail::transformer_activation(options_.activation(), linear1(x)))));
  };
  Tensor x = tgt;
  if (options_.norm_first()) {
    x = x + sa(norm1(x));
    x = x + mha(norm2(x));
    x = x + ff(norm3(x));
  } else {
    x = norm1(x + sa(x));
    x = norm2(x + mha(x));
    x = norm3(x + ff(x));
  }
  note_output_shape(x.sizes());
  return x;
}

std::string TransformerDecoderLayer::extra_repr() const { return detail::transformer_repr(options_); }

TransformerDecoder::TransformerDecoder(const TransformerDecoderOptions& o) : Module("TransformerDecoder"), options_(o) {
  SPOOL_CHECK(o.num_layers() > 0, "TransformerDecoder", "num_layers must be positive, got {}", o.num_layers());
  layers = register_module("layers", ModuleList<TransformerDecoderLayer>());
  for (int64_t i = 0; i < o.num_layers(); ++i) layers.push_back(TransformerDecoderLayer(o.decoder_layer()));
  if (o.norm()) norm = register_module("norm", LayerNorm(detail::transformer_norm(o.decoder_layer())));
}

Tensor TransformerDecoder::forward(const Tensor& tgt, const Tensor& memory, const TransformerDecoderInput& input) {
  check_defined("TransformerDecoder");
  Tensor x = tgt;
  for (size_t i = 0; i < layers.size(); ++i) x = layers[i](x, memory, input);
  if (norm.defined()) x = norm(x);
  note_output_shape(x.sizes());
  return x;
}

}  // namespace spool::nn
