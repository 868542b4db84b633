// Raw compute on tensors, without autograd: strided loops, broadcasting,
// copies and reductions that the engine and every op share.
#pragma once

#include <array>
#include <cstdint>

#include "tensor.hpp"

namespace spool {
struct Placement;
}

namespace spool::kernels {

// A contiguous tensor seen as [outer, n, inner] around `dim` (softmax and
// reductions walk lanes of n elements spaced `inner` apart).
struct Lanes {
  int64_t outer = 1, n = 1, inner = 1;
};
inline Lanes lanes_of(const Shape& sizes, int dim) {
  Lanes l;
  for (int i = 0; i < dim; ++i) l.outer *= sizes[i];
  l.n = sizes.empty() ? 1 : sizes[dim];
  for (int i = dim + 1; i < sizes.size(); ++i) l.inner *= sizes[i];
  return l;
}

// Strides of `t` seen through a broadcast to `out_sizes` (0 on broadcast dims).
Shape broadcast_strides(const Tensor& t, const Shape& out_sizes);

// Calls f(off_0, ..., off_{K-1}) for every index of `sizes` in row-major
// order, where off_k is the element offset of operand k under `strides[k]`.
template <size_t K, typename F>
void for_each_offset(const Shape& sizes, const std::array<Shape, K>& strides, F&& f) {
  const int nd = sizes.size();
  if (sizes.numel() == 0) return;
  if (nd == 0) {
    std::apply([&](auto... s) { f((void(s), int64_t(0))...); }, strides);
    return;
  }
  const int64_t inner = sizes[nd - 1];
  std::array<int64_t, K> inner_stride, off{};
  for (size_t k = 0; k < K; ++k) inner_stride[k] = strides[k][nd - 1];
  Shape idx = Shape::filled(nd, 0);
  while (true) {
    for (int64_t i = 0; i < inner; ++i) {
      [&]<size_t... I>(std::index_sequence<I...>) {
        f((off[I] + i * inner_stride[I])...);
      }(std::make_index_sequence<K>{});
    }
    int d = nd - 2;
    for (; d >= 0; --d) {
      if (++idx[d] < sizes[d]) {
        for (size_t k = 0; k < K; ++k) off[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < K; ++k) off[k] -= strides[k][d] * (sizes[d] - 1);
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

// out[i] = f(a[i]) with out a new contiguous tensor of dtype Out.
template <typename In, typename Out, typename F>
Tensor map1(const Tensor& a, ScalarType out_dtype, F&& f) {
  Tensor out = Tensor::empty(a.sizes(), out_dtype);
  Out* o = out.data_ptr<Out>();
  const In* x = a.data_ptr<In>();
  const int64_t n = a.numel();
  if (a.is_contiguous()) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
  } else {
    int64_t j = 0;
    for_each_offset<1>(a.sizes(), {a.strides()}, [&](int64_t ia) { o[j++] = f(x[ia]); });
  }
  return out;
}

// out = f(a, b) with NumPy broadcasting; `op` names the caller in errors.
template <typename A, typename B, typename Out, typename F>
Tensor map2(const Tensor& a, const Tensor& b, ScalarType out_dtype, const char* op, F&& f) {
  const Shape sizes = broadcast_shapes(a.sizes(), b.sizes(), op);
  Tensor out = Tensor::empty(sizes, out_dtype);
  Out* o = out.data_ptr<Out>();
  const A* x = a.data_ptr<A>();
  const B* y = b.data_ptr<B>();
  const int64_t n = sizes.numel();
  if (a.sizes() == sizes && b.sizes() == sizes && a.is_contiguous() && b.is_contiguous()) {
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
  } else if (b.numel() == 1 && a.sizes() == sizes && a.is_contiguous()) {
    const B s = y[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], s);
  } else {
    int64_t j = 0;
    for_each_offset<2>(sizes, {broadcast_strides(a, sizes), broadcast_strides(b, sizes)},
                       [&](int64_t ia, int64_t ib) { o[j++] = f(x[ia], y[ib]); });
  }
  return out;
}

// out = f(a, b, c) with broadcasting of all three.
template <typename A, typename B, typename C, typename Out, typename F>
Tensor map3(const Tensor& a, const Tensor& b, const Tensor& c, ScalarType out_dtype, const char* op, F&& f) {
  const Shape sizes = broadcast_shapes(broadcast_shapes(a.sizes(), b.sizes(), op), c.sizes(), op);
  Tensor out = Tensor::empty(sizes, out_dtype);
  Out* o = out.data_ptr<Out>();
  const A* x = a.data_ptr<A>();
  const B* y = b.data_ptr<B>();
  const C* z = c.data_ptr<C>();
  int64_t j = 0;
  for_each_offset<3>(sizes, {broadcast_strides(a, sizes), broadcast_strides(b, sizes), broadcast_strides(c, sizes)},
                     [&](int64_t ia, int64_t ib, int64_t ic) { o[j++] = f(x[ia], y[ib], z[ic]); });
  return out;
}

// A view of t's storage with the given sizes, strides and element offset
// (absolute, like storage_offset()); not recorded, no autograd state.
Tensor strided_view(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset);
// The matrix formed by the last two dims of t, starting `offset` elements
// past t's own offset (matrix e of a batch [B, m, n] is at e * strides[0]):
// an unrecorded view.
Tensor matrix_at(const Tensor& t, int64_t offset);
// A contiguous copy of any tensor (same dtype).
Tensor contiguous_copy(const Tensor& t);
// dst[...] = src[...] with src broadcast to dst's shape; any strides.
void copy_into(const Tensor& dst, const Tensor& src);
// dst += src, src broadcast to dst's shape; dst any strides.
void add_into(const Tensor& dst, const Tensor& src);
// Sum of `t` over the dims broadcast from `sizes` (the engine's reduction).
Tensor sum_to(const Tensor& t, const Shape& sizes);
// dst (contiguous, of the input's shape) += value placed by `place`.
void add_placed(const Tensor& dst, const Tensor& value, const Placement& place);
// Element type conversion into a new contiguous tensor.
Tensor cast(const Tensor& t, ScalarType dtype);
void fill(const Tensor& t, double value);
// t = beta * t, as a product with no inner dim leaves its result (BLAS'
// beta): beta = 0 writes zeros whatever t held (NaN included).
void scale_result(const Tensor& t, double beta);
// The transpose of a 2-D tensor as an unrecorded view (for kernels, and for
// ops that record themselves with the tensor as their input).
Tensor transposed_view(const Tensor& t);
// Value of element `flat` (row-major index) converted to double.
double get_as_double(const Tensor& t, int64_t flat);

}  // namespace spool::kernels
