// Adam and AdamW, as torch.optim.Adam / AdamW (bias-corrected moments,
// optional AMSGrad). Adam adds weight_decay * p to the gradient (L2);
// AdamW decays the weights directly: p *= 1 - lr * weight_decay.
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v_hat) / sqrt(1 - b2^t) + eps),  v_hat = amsgrad ? max(v_hat, v) : v
#pragma once

#include "optimizer.hpp"

namespace spool::optim {

struct AdamOptions {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  AdamOptions& betas(double b1, double b2) { return beta1_ = b1, beta2_ = b2, *this; }
  AdamOptions& eps(double v) { return eps_ = v, *this; }
  AdamOptions& weight_decay(double v) { return weight_decay_ = v, *this; }
  AdamOptions& amsgrad(bool v) { return amsgrad_ = v, *this; }
  double lr_, beta1_ = 0.9, beta2_ = 0.999, eps_ = 1e-8, weight_decay_ = 0;
  bool amsgrad_ = false;
};

struct AdamWOptions : AdamOptions {
  explicit AdamWOptions(double lr = 1e-3) : AdamOptions(lr) { weight_decay_ = 1e-2; }
};

class Adam : public OptimizerWith<AdamOptions> {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options = AdamOptions()) : Adam({{std::move(params), options}}) {}
  explicit Adam(std::vector<std::pair<std::vector<Tensor>, AdamOptions>> groups, bool decoupled = false);
  void step() override;
  bool has_momentum() const override { return true; }
  double momentum(size_t g) const override { return options_.at(g).beta1_; }
  void set_momentum(double v, size_t g) override { options_.at(g).beta1_ = v; }

 private:
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options = AdamWOptions())
      : Adam({{std::move(params), options}}, /*decoupled=*/true) {}
  explicit AdamW(std::vector<std::pair<std::vector<Tensor>, AdamOptions>> groups) : Adam(std::move(groups), true) {}
};

}  // namespace spool::optim
