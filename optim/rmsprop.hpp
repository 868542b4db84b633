// RMSprop as torch.optim.RMSprop:
//   g = grad + weight_decay * p;  s = alpha s + (1 - alpha) g^2
//   centered: a = alpha a + (1 - alpha) g, denom = sqrt(s - a^2) + eps; else denom = sqrt(s) + eps
//   momentum > 0: buf = momentum buf + g / denom, p -= lr buf; else p -= lr g / denom
#pragma once

#include "optimizer.hpp"

namespace spool::optim {

struct RMSpropOptions {
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  RMSpropOptions& alpha(double v) { return alpha_ = v, *this; }
  RMSpropOptions& eps(double v) { return eps_ = v, *this; }
  RMSpropOptions& weight_decay(double v) { return weight_decay_ = v, *this; }
  RMSpropOptions& momentum(double v) { return momentum_ = v, *this; }
  RMSpropOptions& centered(bool v) { return centered_ = v, *this; }
  double lr_, alpha_ = 0.99, eps_ = 1e-8, weight_decay_ = 0, momentum_ = 0;
  bool centered_ = false;
};

class RMSprop : public OptimizerWith<RMSpropOptions> {
 public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = RMSpropOptions())
      : RMSprop({{std::move(params), options}}) {}
  explicit RMSprop(std::vector<std::pair<std::vector<Tensor>, RMSpropOptions>> groups);
  void step() override;
  bool has_momentum() const override { return true; }
  double momentum(size_t g) const override { return options_.at(g).momentum_; }
  void set_momentum(double v, size_t g) override { options_.at(g).momentum_ = v; }
};

}  // namespace spool::optim
