// Vectorized elementwise maps through xsimd (tanh, sigmoid, exp run once per
// gate per step in a recurrent net; glibc's scalar versions dominate a tiny
// op's cost otherwise).
#pragma once

#include <xsimd/xsimd.hpp>

#include "kernels.hpp"

namespace spool::kernels {

// out = f(a) elementwise; `vec(batch)` and `scalar(x)` compute the same
// function. Contiguous inputs take the SIMD path, others the strided one.
template <typename T, typename VecF, typename ScalarF>
Tensor map1_simd(const Tensor& a, VecF&& vec, ScalarF&& scalar) {
  if (!a.is_contiguous()) return map1<T, T>(a, a.dtype(), scalar);
  using batch = xsimd::batch<T>;
  constexpr int64_t W = batch::size;
  Tensor out = Tensor::empty(a.sizes(), a.dtype());
  const T* x = a.data_ptr<T>();
  T* o = out.data_ptr<T>();
  const int64_t n = a.numel();
  int64_t i = 0;
  for (; i + W <= n; i += W) vec(batch::load_unaligned(x + i)).store_unaligned(o + i);
  for (; i < n; ++i) o[i] = scalar(x[i]);
  return out;
}

}  // namespace spool::kernels
