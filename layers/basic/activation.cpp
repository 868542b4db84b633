#include "activation.hpp"

#include "../../ops/ops.hpp"

namespace spool::nn {

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
