// A number given to an op beside tensors (x * 0.5, lengths - 1). Like
// LibTorch's Scalar it remembers whether it was written as an integer or as a
// floating-point value, because PyTorch's type promotion depends on it: an
// int64 tensor minus 1 stays int64, times 0.5 becomes float32.
#pragma once

#include <cstdint>
#include <type_traits>

namespace spool {

class Scalar {
 public:
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Scalar(T v)  // NOLINT(google-explicit-constructor): numbers convert implicitly, as in PyTorch
      : value_(static_cast<double>(v)), int_(std::is_integral_v<T> ? static_cast<int64_t>(v) : 0),
        integral_(std::is_integral_v<T>) {}

  double to_double() const { return value_; }
  int64_t to_int64() const { return integral_ ? int_ : static_cast<int64_t>(value_); }
  bool is_integral() const { return integral_; }

 private:
  double value_;
  int64_t int_;  // exact for integers beyond 2^53
  bool integral_;
};

}  // namespace spool
