#include "layer_norm.hpp"

#include "../../ops/ops.hpp"

namespace spool::nn {

LayerNorm::LayerNorm(const LayerNormOptions& o) : Module("LayerNorm"), options_(o) {
  if (o.elementwise_affine()) {
    weight = register_parameter("weight", ones(o.normalized_shape()));
    bias = register_parameter("bias", zeros(o.normalized_shape()));
  }
}
Tensor LayerNorm::forward(const Tensor& x) {
  check_defined("LayerNorm");
  Tensor y = layer_norm(x, options_.normalized_shape(), weight, bias, options_.eps());
  note_output_shape(y.sizes());
  return y;
}
std::string LayerNorm::extra_repr() const {
  const Shape& s = options_.normalized_shape();
  std::string shape;
  for (int i = 0; i < s.size(); ++i) shape += (i ? ", " : "") + std::to_string(s[i]);
  if (s.size() == 1) shape += ",";
  return fmt::format("({}), eps={}, elementwise_affine={}", shape, options_.eps(),
                     options_.elementwise_affine() ? "True" : "False");
}

}  // namespace spool::nn
