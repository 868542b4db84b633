// Time-series helpers: sliding windows, (seasonal) differencing and its
// inverse, scalers fitted on the training split only, and time-ordered splits.
//   auto [train, val, test] = spool::time_split(series, 0.15, 0.15);
//   spool::StandardScaler sc; sc.fit(train);
//   auto w = spool::sliding_windows(sc.transform(train), /*input=*/24, /*horizon=*/6);
#pragma once

#include "../core/tensor.hpp"

namespace spool {

struct Windows {
  Tensor inputs, targets;  // [W, input_len, F], [W, horizon, F] (F dropped for a 1-D series)
};
// Windows of input_len steps followed by horizon steps, every `stride` steps.
Windows sliding_windows(const Tensor& series, int64_t input_len, int64_t horizon, int64_t stride = 1);

// d[t] = x[t + lag] - x[t] along dim 0 (lag = season length for seasonal differencing).
Tensor difference(const Tensor& series, int64_t lag = 1);
// Rebuilds the series from its first `lag` values and the differences.
Tensor inverse_difference(const Tensor& diffs, const Tensor& head, int64_t lag = 1);

// Per-feature (last dim, or the whole series when 1-D) standardization.
class StandardScaler {
 public:
  void fit(const Tensor& train);
  Tensor transform(const Tensor& x) const;
  Tensor inverse_transform(const Tensor& x) const;
  Tensor mean, std;
};

// Per-feature scaling of the training range to [low, high].
class MinMaxScaler {
 public:
  explicit MinMaxScaler(double low = 0.0, double high = 1.0) : low_(low), high_(high) {}
  void fit(const Tensor& train);
  Tensor transform(const Tensor& x) const;
  Tensor inverse_transform(const Tensor& x) const;
  Tensor min, max;

 private:
  double low_, high_;
};

struct TimeSplit {
  Tensor train, validation, test;  // consecutive slices along dim 0, in time order
};
TimeSplit time_split(const Tensor& series, double validation_fraction, double test_fraction);

}  // namespace spool
