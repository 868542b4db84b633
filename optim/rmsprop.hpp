// RMSprop as torch.optim.RMSprop:
//   g = grad + weight_decay * p;  s = alpha s + (1 - alpha) g^2
//   centered: a = alpha a + (1 - alpha) g, denom = sqrt(s - a^2) + eps; else denom = sqrt(s) + eps
//   momentum > 0: buf = momentum buf + g / denom, p -= lr buf; else p -= lr g / denom
#pragma once

#include "optimizer.hpp"

namespace spool::optim {

class RMSpropOptions {
 public:
  using Self = RMSpropOptions;
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  SPOOL_ARG(double, lr);
  SPOOL_ARG(double, alpha) = 0.99;
  SPOOL_ARG(double, eps) = 1e-8;
  SPOOL_ARG(double, weight_decay) = 0;
  SPOOL_ARG(double, momentum) = 0;
  SPOOL_ARG(bool, centered) = false;
};

class RMSprop : public OptimizerWith<RMSpropOptions> {
 public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = RMSpropOptions())
      : RMSprop({{std::move(params), options}}) {}
  explicit RMSprop(std::vector<std::pair<std::vector<Tensor>, RMSpropOptions>> groups);
  void step() override;
  bool has_momentum() const override { return true; }
  double momentum(size_t g) const override { return options(g).momentum(); }
  void set_momentum(double v, size_t g) override { mutable_options(g).momentum(v); }
};

}  // namespace spool::optim
