// y = x @ weight^T + bias, weight [out_features, in_features].
//   nn::Linear fc(nn::LinearOptions(128, 10).bias(false));
#pragma once

#include "../../framework/core/options.hpp"
#include "../core/module.hpp"

namespace spool::nn {

class LinearOptions {
 public:
  using Self = LinearOptions;
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  SPOOL_ARG(int64_t, in_features);
  SPOOL_ARG(int64_t, out_features);
  SPOOL_ARG(bool, bias) = true;
};

class Linear : public Module {
 public:
  Linear() = default;
  Linear(int64_t in_features, int64_t out_features, bool bias = true)
      : Linear(LinearOptions(in_features, out_features).bias(bias)) {}
  explicit Linear(const LinearOptions& options);

  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override;

  // Fixed at construction (the parameters' shapes follow from them).
  const LinearOptions& options() const { return options_; }

  Tensor weight, bias;

 private:
  LinearOptions options_{0, 0};
};

}  // namespace spool::nn
