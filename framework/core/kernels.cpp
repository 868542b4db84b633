#include "kernels.hpp"

#include <algorithm>
#include <cstring>

#include "autograd.hpp"
#include "small_object_pool.hpp"

namespace spool::kernels {

Shape broadcast_strides(const Tensor& t, const Shape& out_sizes) {
  const Shape& s = t.sizes();
  const int nd = out_sizes.size(), off = nd - s.size();
  Shape st = Shape::filled(nd, 0);
  for (int i = 0; i < s.size(); ++i) st[off + i] = s[i] == 1 ? 0 : t.strides()[i];
  return st;
}

Tensor strided_view(const Tensor& t, const Shape& sizes, const Shape& strides, int64_t offset) {
  auto impl = detail::make_pooled<TensorImpl>();
  impl->storage = t.impl().storage;
  impl->sizes = sizes;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = t.dtype();
  return Tensor(std::move(impl));
}

Tensor matrix_at(const Tensor& t, int64_t offset) {
  const int nd = t.dim();
  return strided_view(t, {t.size(nd - 2), t.size(nd - 1)}, {t.strides()[nd - 2], t.strides()[nd - 1]},
                      t.storage_offset() + offset);
}

Tensor transposed_view(const Tensor& t) {
  return strided_view(t, {t.size(1), t.size(0)}, {t.strides()[1], t.strides()[0]}, t.storage_offset());
}

Tensor contiguous_copy(const Tensor& t) {
  Tensor out = Tensor::empty(t.sizes(), t.dtype());
  copy_into(out, t);
  return out;
}

void copy_into(const Tensor& dst, const Tensor& src) {
  SPOOL_CHECK(dst.dtype() == src.dtype(), "copy_", "dtype mismatch: destination {} and source {}",
              dtype_name(dst.dtype()), dtype_name(src.dtype()));
  SPOOL_CHECK(broadcast_shapes(dst.sizes(), src.sizes(), "copy_") == dst.sizes(), "copy_",
              "source of shape {} cannot be broadcast to destination {}", src.sizes(), dst.sizes());
  if (dst.is_contiguous() && src.is_contiguous() && dst.sizes() == src.sizes()) {
    std::memcpy(dst.raw_data(), src.raw_data(), dst.numel() * element_size(dst.dtype()));
    return;
  }
  SPOOL_DISPATCH_ALL(dst.dtype(), "copy_", [&] {
    scalar_t* d = dst.data_ptr<scalar_t>();
    const scalar_t* s = src.data_ptr<scalar_t>();
    const Shape ss = broadcast_strides(src, dst.sizes());
    const int nd = dst.dim();
    if (nd >= 2 && dst.strides()[nd - 1] == 1 && ss[nd - 1] == 1) {
      // Rows contiguous on both sides (a bias broadcast down the rows, a
      // flip along an outer dim): one memcpy per row.
      Shape rows = dst.sizes(), drs = dst.strides(), srs = ss;
      rows.erase(nd - 1);
      drs.erase(nd - 1);
      srs.erase(nd - 1);
      const size_t bytes = dst.size(nd - 1) * sizeof(scalar_t);
      for_each_offset<2>(rows, {drs, srs}, [&](int64_t i, int64_t j) { std::memcpy(d + i, s + j, bytes); });
      return;
    }
    if (nd == 2) {
      const int64_t R = dst.size(0), C = dst.size(1);
      const int64_t ds0 = dst.strides()[0], ds1 = dst.strides()[1], ss0 = ss[0], ss1 = ss[1];
      // Otherwise (a transposed weight gradient) in tiles, so reads and writes both stay in cache.
      constexpr int64_t kTile = 16;
      for (int64_t r0 = 0; r0 < R; r0 += kTile)
        for (int64_t c0 = 0; c0 < C; c0 += kTile)
          for (int64_t r = r0; r < std::min(R, r0 + kTile); ++r)
            for (int64_t c = c0; c < std::min(C, c0 + kTile); ++c) d[r * ds0 + c * ds1] = s[r * ss0 + c * ss1];
      return;
    }
    for_each_offset<2>(dst.sizes(), {dst.strides(), ss}, [&](int64_t i, int64_t j) { d[i] = s[j]; });
  });
}

void add_into(const Tensor& dst, const Tensor& src) {
  SPOOL_CHECK(dst.dtype() == src.dtype(), "add_", "dtype mismatch: {} and {}", dtype_name(dst.dtype()),
              dtype_name(src.dtype()));
  SPOOL_DISPATCH_ALL(dst.dtype(), "add_", [&] {
    scalar_t* d = dst.data_ptr<scalar_t>();
    const scalar_t* s = src.data_ptr<scalar_t>();
    if (dst.is_contiguous() && src.is_contiguous() && dst.sizes() == src.sizes()) {
      const int64_t n = dst.numel();
      for (int64_t i = 0; i < n; ++i) d[i] = d[i] + s[i];
      return;
    }
    for_each_offset<2>(dst.sizes(), {dst.strides(), broadcast_strides(src, dst.sizes())},
                       [&](int64_t i, int64_t j) { d[i] = d[i] + s[j]; });
  });
}

Tensor sum_to(const Tensor& t, const Shape& sizes) {
  if (t.sizes() == sizes) return t;
  if (t.numel() == sizes.numel() && t.is_contiguous()) {
    // Only size-1 dims differ ([1, n] -> [n]): same elements, new shape.
    return strided_view(t, sizes, contiguous_strides(sizes), t.storage_offset());
  }
  const int nd = t.dim(), lead = nd - sizes.size();
  SPOOL_CHECK(lead >= 0, "sum_to", "cannot reduce shape {} to {}", t.sizes(), sizes);
  Tensor out = zeros(sizes, t.dtype());
  // Only leading dims summed away from a contiguous t (a bias gradient): add
  // rows of C elements, in the same order as the general loop below.
  if (t.is_contiguous()) {
    auto kept = [&](int i) { return i >= lead ? sizes[i - lead] : int64_t(1); };  // sizes, left-padded
    int first = nd;  // dims [first, nd) are kept whole
    while (first > 0 && kept(first - 1) == t.sizes()[first - 1]) --first;
    bool leading = true;
    for (int i = 0; i < first; ++i) leading = leading && kept(i) == 1;
    if (leading) {
      const int64_t C = sizes.numel(), R = C == 0 ? 0 : t.numel() / C;
      SPOOL_DISPATCH_ALL(t.dtype(), "sum_to", [&] {
        scalar_t* o = out.data_ptr<scalar_t>();
        const scalar_t* x = t.data_ptr<scalar_t>();
        for (int64_t r = 0; r < R; ++r)
          for (int64_t c = 0; c < C; ++c) o[c] = o[c] + x[r * C + c];
      });
      return out;
    }
  }
  // Output strides in t's index space: 0 on the dims being summed away.
  Shape ost = Shape::filled(nd, 0);
  const Shape cs = contiguous_strides(sizes);
  for (int i = 0; i < sizes.size(); ++i) {
    SPOOL_CHECK(sizes[i] == t.sizes()[lead + i] || sizes[i] == 1, "sum_to", "cannot reduce shape {} to {}",
                t.sizes(), sizes);
    ost[lead + i] = sizes[i] == 1 ? 0 : cs[i];
  }
  SPOOL_DISPATCH_ALL(t.dtype(), "sum_to", [&] {
    scalar_t* o = out.data_ptr<scalar_t>();
    const scalar_t* x = t.data_ptr<scalar_t>();
    for_each_offset<2>(t.sizes(), {ost, t.strides()}, [&](int64_t i, int64_t j) { o[i] = o[i] + x[j]; });
  });
  return out;
}

namespace {
// d[0:n] += s[0:n], the two not overlapping: a loop the compiler vectorizes.
template <typename T>
void add_row(T* __restrict d, const T* __restrict s, int64_t n) {
  for (int64_t j = 0; j < n; ++j) d[j] = d[j] + s[j];
}
}  // namespace

void add_placed(const Tensor& dst, const Tensor& value, const Placement& place) {
  SPOOL_DISPATCH_ALL(dst.dtype(), "add_placed", [&] {
    scalar_t* d = dst.data_ptr<scalar_t>() + place.offset;
    const scalar_t* s = value.data_ptr<scalar_t>();
    const int nd = value.dim();
    if (nd > 0 && place.strides[nd - 1] == 1 && value.strides()[nd - 1] == 1) {
      // Rows contiguous on both sides (a step's gradient placed into a
      // sequence's): one vectorized add per row.
      Shape rows = value.sizes();
      const int64_t n = rows[nd - 1];
      rows[nd - 1] = 1;
      for_each_offset<2>(rows, {place.strides, value.strides()}, [&](int64_t i, int64_t j) { add_row(d + i, s + j, n); });
      return;
    }
    for_each_offset<2>(value.sizes(), {place.strides, value.strides()},
                       [&](int64_t i, int64_t j) { d[i] = d[i] + s[j]; });
  });
}

Tensor cast(const Tensor& t, ScalarType dtype) {
  Tensor out = Tensor::empty(t.sizes(), dtype);
  SPOOL_DISPATCH_ALL(t.dtype(), "to", [&] {
    using In = scalar_t;
    const In* x = t.data_ptr<In>();
    SPOOL_DISPATCH_ALL(dtype, "to", [&] {
      scalar_t* o = out.data_ptr<scalar_t>();
      int64_t j = 0;
      for_each_offset<1>(t.sizes(), {t.strides()}, [&](int64_t i) { o[j++] = convert_exact<scalar_t>(x[i], "to"); });
    });
  });
  return out;
}

void scale_result(const Tensor& t, double beta) {
  if (beta == 1) return;
  if (beta == 0) return fill(t, 0.0);
  SPOOL_DISPATCH_FLOAT(t.dtype(), "gemm", [&] {
    copy_into(t, map1<scalar_t, scalar_t>(t, t.dtype(), [beta](scalar_t v) { return static_cast<scalar_t>(v * beta); }));
  });
}

void fill(const Tensor& t, double value) {
  // A float outside int64's range (or NaN) has no int64 value: PyTorch refuses it too.
  SPOOL_CHECK(t.dtype() != kInt64 || fits_int64(value), "fill_",
              "value {} cannot be converted to int64 without overflow", value);
  SPOOL_DISPATCH_ALL(t.dtype(), "fill_", [&] {
    scalar_t* d = t.data_ptr<scalar_t>();
    const scalar_t v = static_cast<scalar_t>(value);
    if (t.is_contiguous()) {
      std::fill(d, d + t.numel(), v);
      return;
    }
    for_each_offset<1>(t.sizes(), {t.strides()}, [&](int64_t i) { d[i] = v; });
  });
}

double get_as_double(const Tensor& t, int64_t flat) {
  int64_t off = 0;
  for (int d = t.dim() - 1; d >= 0; --d) {
    off += (flat % t.sizes()[d]) * t.strides()[d];
    flat /= t.sizes()[d];
  }
  return SPOOL_DISPATCH_ALL(t.dtype(), "get", [&] { return static_cast<double>(t.data_ptr<scalar_t>()[off]); });
}

}  // namespace spool::kernels
