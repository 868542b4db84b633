// Sorting along a dim: sort, argsort and topk. Indices come from a stable
// sort of each lane (NaN counts as the largest value, as in PyTorch); the
// values are gather(a, dim, indices), so their gradient is gather's.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "../framework/core/kernels.hpp"
#include "ops.hpp"

namespace spool {

namespace {
// The first k positions of every lane along d, in sorted order: int64, of
// a's shape with size k along d.
Tensor sorted_indices(const char* op, const Tensor& a, int d, int64_t k, bool descending) {
  const Tensor x = a.is_contiguous() ? a : kernels::contiguous_copy(a);
  const kernels::Lanes l = kernels::lanes_of(x.sizes(), d);
  Shape sizes = x.sizes();
  if (x.dim() > 0) sizes[d] = k;
  Tensor out = Tensor::empty(sizes, kInt64);
  int64_t* o = out.data_ptr<int64_t>();
  SPOOL_DISPATCH_NUMERIC(x.dtype(), op, [&] {
    const scalar_t* p = x.data_ptr<scalar_t>();
    std::vector<int64_t> order(l.n);
    for (int64_t outer = 0; outer < l.outer; ++outer)
      for (int64_t i = 0; i < l.inner; ++i) {
        const scalar_t* lane = p + outer * l.n * l.inner + i;
        auto value = [&](int64_t j) { return lane[j * l.inner]; };
        auto less = [&](int64_t u, int64_t v) {  // NaN is the largest
          const scalar_t a = value(u), b = value(v);
          if constexpr (std::is_floating_point_v<scalar_t>) {
            if (std::isnan(a)) return false;
            if (std::isnan(b)) return true;
          }
          return a < b;
        };
        std::iota(order.begin(), order.end(), 0);
        if (descending) {
          std::stable_sort(order.begin(), order.end(), [&](int64_t u, int64_t v) { return less(v, u); });
        } else {
          std::stable_sort(order.begin(), order.end(), less);
        }
        for (int64_t j = 0; j < k; ++j) o[(outer * k + j) * l.inner + i] = order[j];
      }
  });
  return out;
}

ValuesIndices sorted(const char* op, const Tensor& a, int64_t dim, int64_t k, bool descending) {
  const int d = wrap_dim(dim, std::max(a.dim(), 1), op);
  SPOOL_CHECK(a.dtype() != kBool, op, "cannot sort a bool tensor; convert it with to(kInt64)");
  if (a.dim() == 0) return {a, zeros({}, kInt64)};
  Tensor idx = sorted_indices(op, a, d, k, descending);
  return {gather(a, d, idx), idx};
}
}  // namespace

ValuesIndices sort(const Tensor& a, int64_t dim, bool descending) {
  return sorted("sort", a, dim, a.dim() == 0 ? 1 : a.size(wrap_dim(dim, std::max(a.dim(), 1), "sort")), descending);
}

Tensor argsort(const Tensor& a, int64_t dim, bool descending) { return sort(a, dim, descending).indices; }

ValuesIndices topk(const Tensor& a, int64_t k, int64_t dim, bool largest) {
  const int d = wrap_dim(dim, std::max(a.dim(), 1), "topk");
  const int64_t n = a.dim() == 0 ? 1 : a.size(d);
  SPOOL_CHECK(k >= 0 && k <= n, "topk", "k = {} is outside [0, {}] for dim {} of shape {}", k, n, d, a.sizes());
  return sorted("topk", a, d, k, largest);
}

}  // namespace spool
