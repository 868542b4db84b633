// Small layers: Dropout, LayerNorm and the activation modules.
#pragma once

#include <string>

#include "../../framework/core/tensor.hpp"
#include "../core/module.hpp"

namespace spool::nn {

// Zeroes elements with probability p in training; identity in eval().
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override;
  double p;
};

struct LayerNormOptions {
  explicit LayerNormOptions(Shape normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  LayerNormOptions& eps(double e) { return eps_ = e, *this; }
  LayerNormOptions& elementwise_affine(bool on) { return elementwise_affine_ = on, *this; }
  Shape normalized_shape_;
  double eps_ = 1e-5;
  bool elementwise_affine_ = true;
};

class LayerNorm : public Module {
 public:
  LayerNorm() = default;
  explicit LayerNorm(const LayerNormOptions& options);
  explicit LayerNorm(int64_t size) : LayerNorm(LayerNormOptions({size})) {}
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override;
  Tensor weight, bias;
  LayerNormOptions options{{}};
};

// An elementwise activation as a module (for Sequential).
class Activation : public Module {
 public:
  Activation(std::string name, std::function<Tensor(const Tensor&)> fn, std::string extra = "");
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override { return extra_; }

 private:
  std::function<Tensor(const Tensor&)> fn_;
  std::string extra_;
};

Activation ReLU();
Activation Tanh();
Activation Sigmoid();
Activation GELU(std::string approximate = "none");
Activation LeakyReLU(double negative_slope = 0.01);
Activation Softmax(int64_t dim);
Activation LogSoftmax(int64_t dim);

}  // namespace spool::nn
