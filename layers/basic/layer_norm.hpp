// y = (x - mean) / sqrt(var + eps) * weight + bias over the last dims
// (normalized_shape), as torch.nn.LayerNorm; weight and bias have
// normalized_shape and exist when elementwise_affine.
//   nn::LayerNorm norm(nn::LayerNormOptions({64}).eps(1e-6));
#pragma once

#include <string>

#include "../../framework/core/options.hpp"
#include "../../framework/core/tensor.hpp"
#include "../core/module.hpp"

namespace spool::nn {

class LayerNormOptions {
 public:
  using Self = LayerNormOptions;
  explicit LayerNormOptions(Shape normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  SPOOL_ARG(Shape, normalized_shape);
  SPOOL_ARG(double, eps) = 1e-5;
  SPOOL_ARG(bool, elementwise_affine) = true;
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
  // Fixed at construction (the parameters' shapes follow from them).
  const LayerNormOptions& options() const { return options_; }

  Tensor weight, bias;

 private:
  LayerNormOptions options_{{}};
};

}  // namespace spool::nn
