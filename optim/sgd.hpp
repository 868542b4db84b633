// Stochastic gradient descent with momentum, dampening, Nesterov and L2
// weight decay, as torch.optim.SGD:
//   g = grad + weight_decay * p
//   buf = g (first step), else momentum * buf + (1 - dampening) * g
//   g = nesterov ? g + momentum * buf : buf;   p -= lr * g
#pragma once

#include "optimizer.hpp"

namespace spool::optim {

class SGDOptions {
 public:
  using Self = SGDOptions;
  explicit SGDOptions(double lr) : lr_(lr) {}
  SPOOL_ARG(double, lr);
  SPOOL_ARG(double, momentum) = 0;
  SPOOL_ARG(double, dampening) = 0;
  SPOOL_ARG(double, weight_decay) = 0;
  SPOOL_ARG(bool, nesterov) = false;
};

class SGD : public OptimizerWith<SGDOptions> {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options) : SGD({{std::move(params), options}}) {}
  explicit SGD(std::vector<std::pair<std::vector<Tensor>, SGDOptions>> groups);
  void step() override;
  bool has_momentum() const override { return true; }
  double momentum(size_t g) const override { return options(g).momentum(); }
  void set_momentum(double v, size_t g) override { mutable_options(g).momentum(v); }
};

}  // namespace spool::optim
