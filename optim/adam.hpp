// Adam and AdamW, as torch.optim.Adam / AdamW (bias-corrected moments,
// optional AMSGrad). Adam adds weight_decay * p to the gradient (L2);
// AdamW decays the weights directly: p *= 1 - lr * weight_decay.
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v_hat) / sqrt(1 - b2^t) + eps),  v_hat = amsgrad ? max(v_hat, v) : v
//
//   optim::AdamW opt(model.parameters(), optim::AdamWOptions(1e-3).weight_decay(0.1).amsgrad(true));
#pragma once

#include <type_traits>
#include <utility>

#include "optimizer.hpp"

namespace spool::optim {

// The options Adam and AdamW share; Self is the options type, so a chain of
// these setters keeps it (AdamWOptions(...).weight_decay(...) is an AdamWOptions&).
template <typename Self>
class AdamOptionsBase {
 public:
  explicit AdamOptionsBase(double lr, double weight_decay) : lr_(lr), weight_decay_(weight_decay) {}
  SPOOL_ARG(double, lr);
  SPOOL_ARG(double, weight_decay);
  SPOOL_ARG(double, eps) = 1e-8;
  SPOOL_ARG(bool, amsgrad) = false;

 public:
  Self& betas(double beta1, double beta2) {
    betas_ = {beta1, beta2};
    return static_cast<Self&>(*this);
  }
  const std::pair<double, double>& betas() const { return betas_; }

 private:
  std::pair<double, double> betas_{0.9, 0.999};
};

class AdamOptions : public AdamOptionsBase<AdamOptions> {
 public:
  explicit AdamOptions(double lr = 1e-3) : AdamOptionsBase(lr, 0) {}
};

// As PyTorch, AdamW's weight_decay defaults to 1e-2.
class AdamWOptions : public AdamOptionsBase<AdamWOptions> {
 public:
  explicit AdamWOptions(double lr = 1e-3) : AdamOptionsBase(lr, 1e-2) {}
};

// The update of both: Options decides L2 (AdamOptions) or decoupled decay (AdamWOptions).
template <typename Options>
class AdamFamily : public OptimizerWith<Options> {
 public:
  void step() override;
  bool has_momentum() const override { return true; }
  double momentum(size_t g) const override { return this->options(g).betas().first; }
  void set_momentum(double v, size_t g) override {
    auto& o = this->mutable_options(g);
    o.betas(v, o.betas().second);
  }

 protected:
  explicit AdamFamily(std::vector<std::pair<std::vector<Tensor>, Options>> groups);
  static constexpr bool kDecoupled = std::is_same_v<Options, AdamWOptions>;
};

class Adam : public AdamFamily<AdamOptions> {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options = AdamOptions()) : Adam({{std::move(params), options}}) {}
  explicit Adam(std::vector<std::pair<std::vector<Tensor>, AdamOptions>> groups) : AdamFamily(std::move(groups)) {}
};

class AdamW : public AdamFamily<AdamWOptions> {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options = AdamWOptions())
      : AdamW({{std::move(params), options}}) {}
  explicit AdamW(std::vector<std::pair<std::vector<Tensor>, AdamWOptions>> groups) : AdamFamily(std::move(groups)) {}
};

extern template class AdamFamily<AdamOptions>;
extern template class AdamFamily<AdamWOptions>;

}  // namespace spool::optim
