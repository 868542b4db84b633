// Sinusoidal positional encoding (Vaswani et al. 2017), as the PyTorch
// tutorial's PositionalEncoding: x + pe[:T], then dropout, where
// pe[t, 2i] = sin(t / 10000^(2i / d_model)), pe[t, 2i + 1] = cos(...).
//
//   nn::PositionalEncoding pos(512, /*dropout=*/0.1, /*max_len=*/5000);
//   Tensor y = pos(x);  // x [T, B, d_model], or [B, T, d_model] with batch_first
//
// pe is a buffer [max_len, d_model] (saved and converted with the module).
#pragma once

#include "../core/module.hpp"
#include "../core/shared_value.hpp"

namespace spool::nn {

class PositionalEncoding : public Module {
 public:
  PositionalEncoding() = default;
  explicit PositionalEncoding(int64_t d_model, double dropout = 0.1, int64_t max_len = 5000,
                              bool batch_first = false);

  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  std::string extra_repr() const override;

  Tensor pe;
  SharedValue<double> p;  // dropout probability, shared by every handle

 private:
  bool batch_first_ = false;
};

}  // namespace spool::nn
