#pragma once

#include "optimizer.hpp"

namespace spool::optim {

// Adagrad as torch.optim.Adagrad:
//   g = grad + weight_decay * p;  clr = lr / (1 + (t - 1) lr_decay)
//   sum += g^2;  p -= clr g / (sqrt(sum) + eps)
struct AdagradOptions {
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  AdagradOptions& lr_decay(double v) { return lr_decay_ = v, *this; }
  AdagradOptions& weight_decay(double v) { return weight_decay_ = v, *this; }
  AdagradOptions& initial_accumulator_value(double v) { return initial_accumulator_value_ = v, *this; }
  AdagradOptions& eps(double v) { return eps_ = v, *this; }
  double lr_, lr_decay_ = 0, weight_decay_ = 0, initial_accumulator_value_ = 0, eps_ = 1e-10;
};

class Adagrad : public OptimizerWith<AdagradOptions> {
 public:
  Adagrad(std::vector<Tensor> params, const AdagradOptions& options = AdagradOptions())
      : Adagrad({{std::move(params), options}}) {}
  explicit Adagrad(std::vector<std::pair<std::vector<Tensor>, AdagradOptions>> groups);
  void step() override;
};

}  // namespace spool::optim
