#include "transformer_encoder.hpp"

namespace spool::nn {

TransformerEncoderLayer::TransformerEncoderLayer(const TransformerLayerOptions& o)
    : Module("TransformerEncoderLayer"), options_(o) {
  detail::check_transformer_options("TransformerEncoderLayer", o);
  self_attn = register_module("self_attn", MultiheadAttention(detail::transformer_attention(o)));
  linear1 = register_module("linear1", Linear(o.d_model(), o.dim_feedforward()));
  dropout = register_module("dropout", Dropout(o.dropout()));
  linear2 = register_module("linear2", Linear(o.dim_feedforward(), o.d_model()));
  norm1 = register_module("norm1", LayerNorm(detail::transformer_norm(o)));
  norm2 = register_module("norm2", LayerNorm(detail::transformer_norm(o)));
  dropout1 = register_module("dropout1", Dropout(o.dropout()));
  dropout2 = register_module("dropout2", Dropout(o.dropout()));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src, const TransformerEncoderInput& in) {
  check_defined("TransformerEncoderLayer");
  auto sa = [&](const Tensor& x) {
    return dropout1(self_attn(x, x, x,
                              {.key_padding_mask = in.src_key_padding_mask, .need_weights = false,
                               .attn_mask = in.src_mask, .is_causal = in.is_causal})
                        .output);
  };
  auto ff = [&](const Tensor& x) {
    return dropout2(linear2(dropout(detail::transformer_activation(options_.activation(), linear1(x)))));
  };
  Tensor x = src;
  if (options_.norm_first()) {
    x = x + sa(norm1(x));
    x = x + ff(norm2(x));
  } else {
    x = norm1(x + sa(x));
    x = norm2(x + ff(x));
  }
  note_output_shape(x.sizes());
  return x;
}

std::string TransformerEncoderLayer::extra_repr() const { return detail::transformer_repr(options_); }

TransformerEncoder::TransformerEncoder(const TransformerEncoderOptions& o)
    : Module("TransformerEncoder"), options_(o) {
  SPOOL_CHECK(o.num_layers() > 0, "TransformerEncoder", "num_layers must be positive, got {}", o.num_layers());
  layers = register_module("layers", ModuleList<TransformerEncoderLayer>());
  for (int64_t i = 0; i < o.num_layers(); ++i) layers.push_back(TransformerEncoderLayer(o.encoder_layer()));
  if (o.norm()) norm = register_module("norm", LayerNorm(detail::transformer_norm(o.encoder_layer())));
}

Tensor TransformerEncoder::forward(const Tensor& src, const TransformerEncoderInput& input) {
  check_defined("TransformerEncoder");
  Tensor x = src;
  for (size_t i = 0; i < layers.size(); ++i) x = layers[i](x, input);
  if (norm.defined()) x = norm(x);
  note_output_shape(x.sizes());
  return x;
}

}  // namespace spool::nn
