// Stochastic gradient descent with momentum, dampening, Nesterov and L2
// weight decay, as torch.optim.SGD:
//   g = grad + weight_decay * p
//   buf = g (first step), else momentum * buf + (1 - dampening) * g
//   g = nesterov ? g + momentum * buf : buf;   p -= lr * g
#pragma once

#include "optimizer.hpp"

namespace spool::optim {

struct SGDOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  SGDOptions& momentum(double v) { return momentum_ = v, *this; }
  SGDOptions& dampening(double v) { return dampening_ = v, *this; }
  SGDOptions& weight_decay(double v) { return weight_decay_ = v, *this; }
  SGDOptions& nesterov(bool v) { return nesterov_ = v, *this; }
  double lr_, momentum_ = 0, dampening_ = 0, weight_decay_ = 0;
  bool nesterov_ = false;
};

class SGD : public OptimizerWith<SGDOptions> {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options) : SGD({{std::move(params), options}}) {}
  explicit SGD(std::vector<std::pair<std::vector<Tensor>, SGDOptions>> groups);
  void step() override;
  bool has_momentum() const override { return true; }
  double momentum(size_t g) const override { return options_.at(g).momentum_; }
  void set_momentum(double v, size_t g) override { options_.at(g).momentum_ = v; }
};

}  // namespace spool::optim
