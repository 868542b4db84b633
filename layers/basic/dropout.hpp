// Zeroes elements with probability p in training (scaling the rest by
// 1 / (1 - p)); identity in eval().
//   nn::Dropout drop(0.2);
//   drop.p = 0.0;  // every handle of this module sees the new p
#pragma once

#include <string>

#include "../../framework/core/tensor.hpp"
#include "../core/module.hpp"
#include "../core/shared_value.hpp"

namespace spool::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override;
  SharedValue<double> p;
};

}  // namespace spool::nn
