#include "transformer_options.hpp"

namespace spool::nn::detail {

void check_transformer_options(const char* op, const TransformerLayerOptions& o) {
  SPOOL_CHECK(o.d_model() > 0 && o.nhead() > 0 && o.dim_feedforward() > 0, op,
              "d_model, nhead and dim_feedforward must be positive, got {}, {} and {}", o.d_model(), o.nhead(),
              o.dim_feedforward());
  SPOOL_CHECK(o.d_model() % o.nhead() == 0, op, "nhead ({}) must divide d_model ({})", o.nhead(), o.d_model());
  SPOOL_CHECK(o.layer_norm_eps() > 0, op, "layer_norm_eps must be positive, got {}", o.layer_norm_eps());
  SPOOL_CHECK(o.dropout() >= 0 && o.dropout() < 1, op, "dropout must be in [0, 1), got {}", o.dropout());
  SPOOL_CHECK(o.activation() == "relu" || o.activation() == "gelu", op,
              "activation must be \"relu\" or \"gelu\", got \"{}\"", o.activation());
}

MultiheadAttentionOptions transformer_attention(const TransformerLayerOptions& o) {
  return MultiheadAttentionOptions(o.d_model(), o.nhead()).dropout(o.dropout()).batch_first(o.batch_first());
}

LayerNormOptions transformer_norm(const TransformerLayerOptions& o) {
  return LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps());
}

Tensor transformer_activation(const std::string& name, const Tensor& x) { return name == "gelu" ? gelu(x) : relu(x); }

std::string transformer_repr(const TransformerLayerOptions& o) {
  return fmt::format("d_model={}, nhead={}, dim_feedforward={}, dropout={}, activation={}{}{}", o.d_model(), o.nhead(),
                     o.dim_feedforward(), o.dropout(), o.activation(), o.batch_first() ? ", batch_first=True" : "",
                     o.norm_first() ? ", norm_first=True" : "");
}

}  // namespace spool::nn::detail
