#pragma once

#include "optimizer.hpp"

namespace spool::optim {

// Adagrad as torch.optim.Adagrad:
//   g = grad + weight_decay * p;  clr = lr / (1 + (t - 1) lr_decay)
//   sum += g^2;  p -= clr g / (sqrt(sum) + eps)
class AdagradOptions {
 public:
  using Self = AdagradOptions;
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  SPOOL_ARG(double, lr);
  SPOOL_ARG(double, lr_decay) = 0;
  SPOOL_ARG(double, weight_decay) = 0;
  SPOOL_ARG(double, initial_accumulator_value) = 0;
  SPOOL_ARG(double, eps) = 1e-10;
};

class Adagrad : public OptimizerWith<AdagradOptions> {
 public:
  Adagrad(std::vector<Tensor> params, const AdagradOptions& options = AdagradOptions())
      : Adagrad({{std::move(params), options}}) {}
  explicit Adagrad(std::vector<std::pair<std::vector<Tensor>, AdagradOptions>> groups);
  void step() override;
};

}  // namespace spool::optim
