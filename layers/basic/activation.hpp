// Elementwise activations as modules, for Sequential:
//   nn::Sequential net(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 2), nn::LogSoftmax(-1));
#pragma once

#include <functional>
#include <string>

#include "../../framework/core/tensor.hpp"
#include "../core/module.hpp"

namespace spool::nn {

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
