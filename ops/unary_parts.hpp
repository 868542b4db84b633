// Helpers of elementwise ops with one floating input, shared by the op
// families (elementwise.cpp, unary.cpp, activation.cpp): the forward map,
// the fused backward map, and the whole op for a derivative that is a
// function of the input.
#pragma once

#include "../framework/core/kernels.hpp"
#include "ops.hpp"

namespace spool::detail {

// f(x) elementwise into a new tensor of a's floating dtype.
template <typename F>
Tensor map_float(const char* op, const Tensor& a, F f) {
  return SPOOL_DISPATCH_FLOAT(a.dtype(), op, [&] {
    return kernels::map1<scalar_t, scalar_t>(a, a.dtype(), [&](scalar_t x) { return f(x); });
  });
}

// f(gy, saved) elementwise; gy and saved have the same shape.
template <typename F>
Tensor map_grad(const char* op, const Tensor& gy, const Tensor& saved, F f) {
  return SPOOL_DISPATCH_FLOAT(gy.dtype(), op, [&] {
    return kernels::map2<scalar_t, scalar_t, scalar_t>(gy, saved, gy.dtype(), op,
                                                       [&](scalar_t g, scalar_t s) { return f(g, s); });
  });
}

// y = f(x) recorded with dx = gy * df(x). Integer and bool inputs compute
// in float32, as PyTorch's floating functions do. `op` must outlive the
// graph (a string literal).
template <typename F, typename DF>
Tensor unary_op(const char* op, const Tensor& a, F f, DF df) {
  if (!is_floating(a.dtype())) return unary_op(op, a.to(kFloat32), f, df);
  Tensor y = map_float(op, a, f);
  return record(op, std::move(y), {&a}, [op, a = SavedTensor(op, a), df](const Tensor& gy) -> Grads {
    return {map_grad(op, gy, a, [&](auto g, auto x) { return g * df(x); })};
  });
}

}  // namespace spool::detail
