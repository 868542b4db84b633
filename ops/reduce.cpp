// Reductions over all elements or one dim. Backward broadcasts the output
// gradient back with expand (a stride-0 view, no copy).
#include <cmath>
#include <limits>
#include <type_traits>

#include "../framework/core/kernels.hpp"
#include "ops.hpp"

namespace spool {

namespace {

// Sum of n contiguous values. Floating values go to kLanes partial sums,
// combined pairwise at the end: one running sum waited on the add's latency
// at every value (4 us for a 50 x 64 output), and many partial sums also
// round better. Integers add exactly, in order.
template <typename T>
T total(const T* p, int64_t n) {
  if constexpr (std::is_integral_v<T>) {
    T s = 0;
    for (int64_t i = 0; i < n; ++i) s += p[i];
    return s;
  } else {
    constexpr int kLanes = 64;
    T part[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) part[j] += p[i + j];
    for (int j = 0; i < n; ++i, ++j) part[j] += p[i];
    for (int w = kLanes / 2; w >= 1; w /= 2)
      for (int j = 0; j < w; ++j) part[j] += part[j + w];
    return part[0];
  }
}

Shape reduced_shape(const Shape& sizes, int dim, bool keepdim) {
  Shape out = sizes;
  if (keepdim) {
    out[dim] = 1;
  } else {
    out.erase(dim);
  }
  return out;
}

// gy of a reduced shape, expanded back over `dim` to `sizes`.
Tensor expand_back(const Tensor& gy, const Shape& sizes, int dim, bool keepdim) {
  Tensor g = keepdim ? gy : unsqueeze(gy, dim);
  return expand(g, sizes);
}

Tensor contiguous_of(const Tensor& a) { return a.is_contiguous() ? a : kernels::contiguous_copy(a); }

// Applies `reduce(lane pointer, n, stride) -> value` along `dim`.
template <typename Out, typename In, typename F>
Tensor reduce_dim(const Tensor& a, int dim, bool keepdim, ScalarType out_dtype, F reduce) {
  Tensor x = contiguous_of(a);
  const kernels::Lanes l = kernels::lanes_of(x.sizes(), dim);
  Tensor y = Tensor::empty(reduced_shape(x.sizes(), dim, keepdim), out_dtype);
  const In* xp = x.data_ptr<In>();
  Out* yp = y.data_ptr<Out>();
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) yp[o * l.inner + i] = reduce(xp + o * l.n * l.inner + i, l.n, l.inner);
  return y;
}

template <bool IsMax>
ValuesIndices extreme_dim(const Tensor& a, int64_t dim, bool keepdim, const char* op) {
  const int d = wrap_dim(dim, a.dim(), op);
  SPOOL_CHECK(a.dim() > 0 && a.size(d) > 0, op, "cannot reduce an empty dim of shape {}", a.sizes());
  Tensor indices = SPOOL_DISPATCH_NUMERIC(a.dtype(), op, [&] {
    return reduce_dim<int64_t, scalar_t>(a, d, keepdim, kInt64, [](const scalar_t* p, int64_t n, int64_t s) {
      int64_t best = 0;
      for (int64_t k = 1; k < n; ++k) {
        const scalar_t v = p[k * s], b = p[best * s];
        if (IsMax ? (v > b || (std::isnan(double(v)) && !std::isnan(double(b))))
                  : (v < b || (std::isnan(double(v)) && !std::isnan(double(b)))))
          best = k;
      }
      return best;
    });
  });
  Tensor idx = keepdim ? indices : unsqueeze(indices, d);
  Tensor values = gather(a, d, idx);
  if (!keepdim) values = squeeze(values, d);
  return {values, indices};
}

template <bool IsMax>
Tensor extreme_all(const Tensor& a, const char* op) {
  SPOOL_CHECK(a.numel() > 0, op, "cannot reduce an empty tensor of shape {}", a.sizes());
  auto r = extreme_dim<IsMax>(reshape(a, {-1}), 0, false, op);
  return r.values;
}

}  // namespace

Tensor sum(const Tensor& a) {
  Tensor y = SPOOL_DISPATCH_NUMERIC(a.dtype(), "sum", [&] {
    Tensor x = contiguous_of(a);
    const scalar_t* p = x.data_ptr<scalar_t>();
    return scalar_tensor(static_cast<double>(total(p, x.numel())), a.dtype());
  });
  const Shape sizes = a.sizes();
  // d/dx_i sum = 1
  return record("sum", std::move(y), {&a}, [sizes](const Tensor& gy) -> Grads { return {expand(gy, sizes)}; });
}

Tensor sum(const Tensor& a, int64_t dim, bool keepdim) {
  const int d = wrap_dim(dim, a.dim(), "sum");
  if (a.dim() == 0) return sum(a);
  Tensor y = SPOOL_DISPATCH_NUMERIC(a.dtype(), "sum", [&] {
    return reduce_dim<scalar_t, scalar_t>(a, d, keepdim, a.dtype(), [](const scalar_t* p, int64_t n, int64_t s) {
      scalar_t acc = 0;
      for (int64_t k = 0; k < n; ++k) acc += p[k * s];
      return acc;
    });
  });
  const Shape sizes = a.sizes();
  return record("sum", std::move(y), {&a},
                [sizes, d, keepdim](const Tensor& gy) -> Grads { return {expand_back(gy, sizes, d, keepdim)}; });
}

Tensor mean(const Tensor& a) {
  SPOOL_CHECK(a.is_floating_point(), "mean", "needs a floating tensor, got {}", dtype_name(a.dtype()));
  return div(sum(a), static_cast<double>(a.numel()));
}

Tensor mean(const Tensor& a, int64_t dim, bool keepdim) {
  SPOOL_CHECK(a.is_floating_point(), "mean", "needs a floating tensor, got {}", dtype_name(a.dtype()));
  if (a.dim() == 0) return mean(a);
  const int d = wrap_dim(dim, a.dim(), "mean");
  return div(sum(a, d, keepdim), static_cast<double>(a.size(d)));
}

Tensor max(const Tensor& a) { return extreme_all<true>(a, "max"); }
Tensor min(const Tensor& a) { return extreme_all<false>(a, "min"); }
ValuesIndices max(const Tensor& a, int64_t dim, bool keepdim) { return extreme_dim<true>(a, dim, keepdim, "max"); }
ValuesIndices min(const Tensor& a, int64_t dim, bool keepdim) { return extreme_dim<false>(a, dim, keepdim, "min"); }

Tensor argmax(const Tensor& a, int64_t dim, bool keepdim) {
  NoGradGuard no_grad;
  return extreme_dim<true>(a, dim, keepdim, "argmax").indices;
}

Tensor logsumexp(const Tensor& a, int64_t dim, bool keepdim) {
  const int d = wrap_dim(dim, a.dim(), "logsumexp");
  Tensor y = SPOOL_DISPATCH_FLOAT(a.dtype(), "logsumexp", [&] {
    return reduce_dim<scalar_t, scalar_t>(a, d, true, a.dtype(), [](const scalar_t* p, int64_t n, int64_t s) {
      scalar_t m = -std::numeric_limits<scalar_t>::infinity();
      for (int64_t k = 0; k < n; ++k) m = std::max(m, p[k * s]);
      if (std::isinf(m)) return m;
      scalar_t acc = 0;
      for (int64_t k = 0; k < n; ++k) acc += std::exp(p[k * s] - m);
      return m + std::log(acc);
    });
  });
  // d/dx_i = exp(x_i - y)
  Tensor y_keep = y;
  Tensor out = keepdim ? y : squeeze(y, d);
  return record("logsumexp", std::move(out), {&a}, [a = SavedTensor("logsumexp", a), y_keep = SavedTensor("logsumexp", y_keep), d,
                                                     keepdim](const Tensor& gy) -> Grads {
    Tensor g = keepdim ? gy : unsqueeze(gy, d);
    return {g * exp(a - y_keep)};
  });
}

}  // namespace spool
