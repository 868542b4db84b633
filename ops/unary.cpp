// Elementwise math functions of one input: trigonometric, rounding, sign,
// reciprocal and the log/exp forms accurate near zero. Each derivative is a
// function of the input (detail::unary_op); rounding and sign have a zero
// gradient, as in PyTorch.
#include <cmath>

#include "ops.hpp"
#include "unary_parts.hpp"

namespace spool {

using detail::unary_op;

namespace {
// f elementwise in a's own dtype (integers stay integers), recorded with a
// zero gradient for floating inputs.
template <typename F>
Tensor piecewise_constant(const char* op, const Tensor& a, F f) {
  Tensor y = SPOOL_DISPATCH_NUMERIC(a.dtype(), op, [&] {
    return kernels::map1<scalar_t, scalar_t>(a, a.dtype(), [&](scalar_t x) { return f(x); });
  });
  return record(op, std::move(y), {&a}, [](const Tensor& gy) -> Grads { return {zeros_like(gy)}; });
}
}  // namespace

Tensor sin(const Tensor& a) {
  return unary_op("sin", a, [](auto x) { return std::sin(x); }, [](auto x) { return std::cos(x); });
}

Tensor cos(const Tensor& a) {
  return unary_op("cos", a, [](auto x) { return std::cos(x); }, [](auto x) { return -std::sin(x); });
}

Tensor reciprocal(const Tensor& a) {
  return unary_op("reciprocal", a, [](auto x) { return decltype(x)(1) / x; }, [](auto x) { return -1 / (x * x); });
}

Tensor rsqrt(const Tensor& a) {
  return unary_op(
      "rsqrt", a, [](auto x) { return decltype(x)(1) / std::sqrt(x); },
      [](auto x) { return decltype(x)(-0.5) / (x * std::sqrt(x)); });
}

Tensor log1p(const Tensor& a) {
  return unary_op("log1p", a, [](auto x) { return std::log1p(x); }, [](auto x) { return 1 / (1 + x); });
}

Tensor expm1(const Tensor& a) {
  return unary_op("expm1", a, [](auto x) { return std::expm1(x); }, [](auto x) { return std::exp(x); });
}

Tensor floor(const Tensor& a) {
  return piecewise_constant("floor", a, [](auto x) { return decltype(x)(std::floor(x)); });
}

Tensor ceil(const Tensor& a) {
  return piecewise_constant("ceil", a, [](auto x) { return decltype(x)(std::ceil(x)); });
}

// Halves go to the even neighbour, as torch.round (the default rounding mode).
Tensor round(const Tensor& a) {
  return piecewise_constant("round", a, [](auto x) { return decltype(x)(std::nearbyint(x)); });
}

Tensor sign(const Tensor& a) {
  SPOOL_CHECK(a.dtype() != kBool, "sign", "bool tensors have no sign; convert with to(kInt64)");
  return piecewise_constant("sign", a, [](auto x) { return decltype(x)((x > 0) - (x < 0)); });
}

}  // namespace spool
