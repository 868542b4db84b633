#include "basic.hpp"

#include "../../ops/ops.hpp"

namespace spool::nn {

Dropout::Dropout(double p_) : Module("Dropout"), p(p_) {
  SPOOL_CHECK(p >= 0 && p <= 1, "Dropout", "probability must be in [0, 1], got {}", p);
}
Tensor Dropout::forward(const Tensor& x) {
  check_defined("Dropout");
  note_output_shape(x.sizes());
  return dropout(x, p, is_training());
}
std::string Dropout::extra_repr() const { return fmt::format("p={}", p); }

LayerNorm::LayerNorm(const LayerNormOptions& o) : Module("LayerNorm"), options(o) {
  if (o.elementwise_affine_) {
    weight = register_parameter("weight", ones(o.normalized_shape_));
    bias = register_parameter("bias", zeros(o.normalized_shape_));
  }
}
Tensor LayerNorm::forward(const Tensor& x) {
  check_defined("LayerNorm");
  Tensor y = layer_norm(x, options.normalized_shape_, weight, bias, options.eps_);
  note_output_shape(y.sizes());
  return y;
}
std::string LayerNorm::extra_repr() const {
  std::string shape;
  for (int i = 0; i < options.normalized_shape_.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(options.normalized_shape_[i]);
  if (options.normalized_shape_.size() == 1) shape += ",";
  return fmt::format("({}), eps={}, elementwise_affine={}", shape, options.eps_,
                     options.elementwise_affine_ ? "True" : "False");
}

Activation::Activation(std::string name, std::function<Tensor(const Tensor&)> fn, std::string extra)
    : Module(std::move(name)), fn_(std::move(fn)), extra_(std::move(extra)) {}
Tensor Activation::forward(const Tensor& x) {
  check_defined("Activation");
  Tensor y = fn_(x);
  note_output_shape(y.sizes());
  return y;
}

Activation ReLU() { return Activation("ReLU", [](const Tensor& x) { return relu(x); }); }
Activation Tanh() { return Activation("Tanh", [](const Tensor& x) { return tanh(x); }); }
Activation Sigmoid() { return Activation("Sigmoid", [](const Tensor& x) { return sigmoid(x); }); }
Activation GELU(std::string approximate) {
  return Activation(
      "GELU", [approximate](const Tensor& x) { return gelu(x, approximate); },
      fmt::format("approximate='{}'", approximate));
}
Activation LeakyReLU(double slope) {
  return Activation(
      "LeakyReLU", [slope](const Tensor& x) { return leaky_relu(x, slope); }, fmt::format("negative_slope={}", slope));
}
Activation Softmax(int64_t dim) {
  return Activation(
      "Softmax", [dim](const Tensor& x) { return softmax(x, dim); }, fmt::format("dim={}", dim));
}
Activation LogSoftmax(int64_t dim) {
  return Activation(
      "LogSoftmax", [dim](const Tensor& x) { return log_softmax(x, dim); }, fmt::format("dim={}", dim));
}

}  // namespace spool::nn
