// y = x @ weight^T + bias, weight [out_features, in_features].
//   nn::Linear fc(nn::LinearOptions(128, 10).bias(false));
#pragma once

#include "../core/module.hpp"

namespace spool::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LinearOptions& bias(bool on) { return bias_ = on, *this; }
  int64_t in_features_, out_features_;
  bool bias_ = true;
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

  Tensor weight, bias;
  LinearOptions options{0, 0};
};

}  // namespace spool::nn
