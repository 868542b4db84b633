// Vectorized elementwise maps through xsimd (tanh, sigmoid, exp run once per
// gate per step in a recurrent net; glibc's scalar versions dominate a tiny
// op's cost otherwise).
#pragma once

#include <xsimd/xsimd.hpp>

#include "kernels.hpp"

namespace spool::kernels {

// o[i] = f(x[i]) for n adjacent elements; `vec(batch)` and `scalar(x)`
// compute the same function (the scalar one for the tail).
template <typename T, typename VecF, typename ScalarF>
void map_simd(const T* x, T* o, int64_t n, VecF&& vec, ScalarF&& scalar) {
  using batch = xsimd::batch<T>;
  constexpr int64_t W = batch::size;
  int64_t i = 0;
  for (; i + W <= n; i += W) vec(batch::load_unaligned(x + i)).store_unaligned(o + i);
  for (; i < n; ++i) o[i] = scalar(x[i]);
}

// o[i] = f(a[i], b[i]) for n adjacent elements, as map_simd.
template <typename T, typename VecF, typename ScalarF>
void map_simd2(const T* a, const T* b, T* o, int64_t n, VecF&& vec, ScalarF&& scalar) {
  using batch = xsimd::batch<T>;
  constexpr int64_t W = batch::size;
  int64_t i = 0;
  for (; i + W <= n; i += W) vec(batch::load_unaligned(a + i), batch::load_unaligned(b + i)).store_unaligned(o + i);
  for (; i < n; ++i) o[i] = scalar(a[i], b[i]);
}

// out = f(a) elementwise, as map_simd. Contiguous inputs (or rows) take the
// SIMD path, others the strided one.
template <typename T, typename VecF, typename ScalarF>
Tensor map1_simd(const Tensor& a, VecF&& vec, ScalarF&& scalar) {
  auto run = [&](const T* x, T* o, int64_t n) { map_simd(x, o, n, vec, scalar); };
  Tensor out = Tensor::empty(a.sizes(), a.dtype());
  const T* x = a.data_ptr<T>();
  T* o = out.data_ptr<T>();
  if (a.is_contiguous()) {
    run(x, o, a.numel());
  } else if (a.dim() >= 2 && a.strides()[a.dim() - 1] == 1) {
    // Rows contiguous (a gate chunk of a [B, 4H] tensor): vectorize each row.
    const int64_t row = a.size(-1);
    Shape outer = a.sizes(), outer_strides = a.strides();
    outer.erase(outer.size() - 1);
    outer_strides.erase(outer_strides.size() - 1);
    int64_t r = 0;
    for_each_offset<1>(outer, {outer_strides}, [&](int64_t off) { run(x + off, o + (r++) * row, row); });
  } else {
    return map1<T, T>(a, a.dtype(), scalar);
  }
  return out;
}

}  // namespace spool::kernels
