// Reductions over all elements or one dim. Backward broadcasts the output
// gradient back with expand (a stride-0 view, no copy).
#include <algorithm>
#include <cmath>
#include <functional>
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

namespace {
template <bool All>
Tensor any_all_dim(const Tensor& a, int64_t dim, bool keepdim, const char* op) {
  const int d = wrap_dim(dim, a.dim(), op);
  return reduce_dim<bool, bool>(a.to(kBool), d, keepdim, kBool, [](const bool* p, int64_t n, int64_t st) {
    for (int64_t k = 0; k < n; ++k)
      if (p[k * st] != All) return !All;
    return All;
  });
}

// Scans every lane along `dim` in place: f(previous result, value).
template <typename T, typename F>
void scan_lanes(T* p, const kernels::Lanes& l, bool reverse, F f) {
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      T* lane = p + o * l.n * l.inner + i;
      if (!reverse) {
        for (int64_t k = 1; k < l.n; ++k) lane[k * l.inner] = f(lane[(k - 1) * l.inner], lane[k * l.inner]);
      } else {
        for (int64_t k = l.n - 2; k >= 0; --k) lane[k * l.inner] = f(lane[(k + 1) * l.inner], lane[k * l.inner]);
      }
    }
}

// The running sum along d (from the end when reversed), in a's dtype.
Tensor cumsum_kernel(const Tensor& a, int d, bool reverse) {
  Tensor y = kernels::contiguous_copy(a);
  SPOOL_DISPATCH_NUMERIC(y.dtype(), "cumsum", [&] {
    scan_lanes(y.data_ptr<scalar_t>(), kernels::lanes_of(y.sizes(), d), reverse, [](scalar_t s, scalar_t x) { return s + x; });
  });
  return y;
}
}  // namespace

Tensor any(const Tensor& a) { return scalar_tensor(any_all_dim<false>(reshape(a, {-1}), 0, false, "any").item<bool>(), kBool); }
Tensor all(const Tensor& a) { return scalar_tensor(any_all_dim<true>(reshape(a, {-1}), 0, false, "all").item<bool>(), kBool); }
Tensor any(const Tensor& a, int64_t dim, bool keepdim) { return any_all_dim<false>(a, dim, keepdim, "any"); }
Tensor all(const Tensor& a, int64_t dim, bool keepdim) { return any_all_dim<true>(a, dim, keepdim, "all"); }

Tensor cumsum(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, std::max(a.dim(), 1), "cumsum");
  const Tensor x = a.dim() == 0 ? reshape(a, {1}) : a.dtype() == kBool ? a.to(kInt64) : a;
  Tensor y = cumsum_kernel(x, d, false);
  if (a.dim() == 0) y = reshape(y, {});
  // d/dx_k = sum_{j >= k} gy_j: the running sum from the end.
  return record("cumsum", std::move(y), {&a}, [d, scalar = a.dim() == 0](const Tensor& gy) -> Grads {
    const Tensor g = cumsum_kernel(scalar ? reshape(gy, {1}) : gy, d, true);
    return {scalar ? reshape(g, {}) : g};
  });
}

Tensor cumprod(const Tensor& a, int64_t dim) {
  const int d = wrap_dim(dim, std::max(a.dim(), 1), "cumprod");
  const Tensor x = a.dim() == 0 ? reshape(a, {1}) : a.dtype() == kBool ? a.to(kInt64) : a;
  Tensor y = kernels::contiguous_copy(x);
  SPOOL_DISPATCH_NUMERIC(y.dtype(), "cumprod", [&] {
    scan_lanes(y.data_ptr<scalar_t>(), kernels::lanes_of(y.sizes(), d), false, [](scalar_t s, scalar_t v) { return s * v; });
  });
  if (a.dim() == 0) y = reshape(y, {});
  // d/dx_k = sum_{j >= k} gy_j prod_{i <= j, i != k} x_i, summed lane by
  // lane; exact with zeros in the input (no division).
  return record("cumprod", std::move(y), {&a}, [x = SavedTensor("cumprod", contiguous_of(x)), d, scalar = a.dim() == 0](const Tensor& gy_in) -> Grads {
    const Tensor& xs = x;
    const Tensor gy = contiguous_of(scalar ? reshape(gy_in, {1}) : gy_in);
    Tensor g = Tensor::empty(xs.sizes(), xs.dtype());
    SPOOL_DISPATCH_FLOAT(xs.dtype(), "cumprod_backward", [&] {
      const kernels::Lanes l = kernels::lanes_of(xs.sizes(), d);
      const scalar_t *xp = xs.data_ptr<scalar_t>(), *gp = gy.data_ptr<scalar_t>();
      scalar_t* out = g.data_ptr<scalar_t>();
      for (int64_t o = 0; o < l.outer; ++o)
        for (int64_t i = 0; i < l.inner; ++i) {
          const int64_t base = o * l.n * l.inner + i;
          auto at = [&](int64_t k) { return base + k * l.inner; };
          scalar_t before = 1;  // prod_{i < k} x_i
          for (int64_t k = 0; k < l.n; ++k) {
            scalar_t run = before, acc = 0;
            for (int64_t j = k; j < l.n; ++j) {
              if (j > k) run *= xp[at(j)];
              acc += gp[at(j)] * run;
            }
            out[at(k)] = acc;
            before *= xp[at(k)];
          }
        }
    });
    return {scalar ? reshape(g, {}) : g};
  });
}

Tensor norm(const Tensor& a, double p, std::optional<int64_t> dim, bool keepdim) {
  const char* op = "norm";
  SPOOL_CHECK(is_floating(a.dtype()), op, "expects a floating tensor, got {}", dtype_name(a.dtype()));
  SPOOL_CHECK(p > 0, op, "p must be positive (or infinity), got {}", p);
  if (!dim) {
    Tensor flat = reshape(a, {-1});
    Tensor r = norm(flat, p, 0, false);
    if (!keepdim) return r;
    Shape ones;
    for (int k = 0; k < a.dim(); ++k) ones.push_back(1);
    return reshape(r, ones);
  }
  const int d = wrap_dim(*dim, std::max(a.dim(), 1), op);
  const bool inf = std::isinf(p);
  Tensor y = SPOOL_DISPATCH_FLOAT(a.dtype(), op, [&] {
    return reduce_dim<scalar_t, scalar_t>(a, d, keepdim, a.dtype(), [p, inf](const scalar_t* v, int64_t n, int64_t st) {
      double acc = 0;
      for (int64_t k = 0; k < n; ++k) {
        const double x = std::fabs(double(v[k * st]));
        acc = inf ? std::max(acc, x) : p == 2 ? acc + x * x : p == 1 ? acc + x : acc + std::pow(x, p);
      }
      return scalar_t(inf || p == 1 ? acc : p == 2 ? std::sqrt(acc) : std::pow(acc, 1 / p));
    });
  });
  // d/dx = sign(x) |x|^(p-1) / y^(p-1) (0 where y = 0); for p = inf, the
  // gradient is shared by the elements at the maximum.
  return record(op, y, {&a}, [a = SavedTensor(op, a), y = SavedTensor(op, y), p, inf, d, keepdim](const Tensor& gy) -> Grads {
    const Tensor& x = a;
    const Tensor yk = expand_back(y, x.sizes(), d, keepdim), gk = expand_back(gy, x.sizes(), d, keepdim);
    if (inf) {
      const Tensor at_max = eq(abs(x), yk).to(x.dtype());
      const Tensor count = expand_back(sum(at_max, d, keepdim), x.sizes(), d, keepdim);
      return {where(eq(yk, scalar_tensor(0, x.dtype())), zeros_like(x), sign(x) * at_max * gk / count)};
    }
    return {SPOOL_DISPATCH_FLOAT(x.dtype(), "norm_backward", [&] {
      return kernels::map3<scalar_t, scalar_t, scalar_t, scalar_t>(
          x, yk, gk, x.dtype(), "norm_backward", [p](scalar_t v, scalar_t n, scalar_t g) {
            if (n == 0) return scalar_t(0);
            const scalar_t s = scalar_t((v > 0) - (v < 0));
            if (p == 1) return g * s;
            if (p == 2) return g * v / n;
            return scalar_t(g * s * std::pow(std::fabs(double(v)), p - 1) / std::pow(double(n), p - 1));
          });
    })};
  });
}

namespace nn::functional {
Tensor normalize(const Tensor& a, double p, int64_t dim, double eps) {
  return a / clamp(norm(a, p, dim, true), eps, std::nullopt);
}
}  // namespace nn::functional

namespace {
// The dims, wrapped, distinct, in falling order (so reducing one at a time
// keeps the others' positions when keepdim is off).
std::vector<int> falling_dims(const char* op, const Tensor& a, const Shape& dims) {
  std::vector<int> ds;
  for (int64_t d : dims) ds.push_back(wrap_dim(d, a.dim(), op));
  std::sort(ds.begin(), ds.end(), std::greater<>());
  SPOOL_CHECK(std::adjacent_find(ds.begin(), ds.end()) == ds.end(), op, "dims {} repeat a dim (shape {})", dims,
              a.sizes());
  return ds;
}
}  // namespace

Tensor sum(const Tensor& a, const Shape& dims, bool keepdim) {
  if (dims.empty()) return sum(a);
  Tensor y = a;
  for (int d : falling_dims("sum", a, dims)) y = sum(y, d, keepdim);
  return y;
}

Tensor mean(const Tensor& a, const Shape& dims, bool keepdim) {
  if (dims.empty()) return mean(a);
  Tensor y = a;
  for (int d : falling_dims("mean", a, dims)) y = mean(y, d, keepdim);
  return y;
}

}  // namespace spool
