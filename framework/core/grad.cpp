#include "grad.hpp"

#include <algorithm>

#include "blas.hpp"
#include "kernels.hpp"
#include "packed_matrix.hpp"

namespace spool {

bool DeferredProduct::valid() const {
  const int64_t rank = a.dim();
  return (rank == 2 || rank == 3) && b.dim() == rank && (rank == 2 || a.size(0) == b.size(0)) &&
         a.size(-1) == b.size(-2);
}

Shape DeferredProduct::result_sizes() const {
  return a.dim() == 2 ? Shape{a.size(0), b.size(1)} : Shape{a.size(0), a.size(1), b.size(2)};
}

namespace kernels {

namespace {
// Joined runs: from kRunMinInner inner dims on, one GEMM per product is as
// fast as copying the operands; kRunElements bounds the copied operands.
constexpr int64_t kRunElements = int64_t(1) << 21;
constexpr int64_t kRunMinInner = 16;

bool thin(const DeferredProduct& d) { return d.a.size(-1) < kRunMinInner && !d.packed_b; }
int64_t batch_count(const DeferredProduct& d) { return d.a.dim() == 3 ? d.a.size(0) : 1; }
}  // namespace

Tensor to_dense(Grad&& g, const Shape& sizes, ScalarType dtype) {
  Tensor out;
  if (g.place) {
    out = zeros(sizes, dtype);
    if (g.deferred) {
      add_placed_product(out, *g.deferred, *g.place);
    } else {
      add_placed(out, g.value, *g.place);
    }
  } else if (g.deferred) {
    out = Tensor::empty(sizes, dtype);
    multiply_into(out, *g.deferred, 0.0);
  } else {
    out = sum_to(g.value, sizes);
  }
  g = Grad();
  return out;
}

void multiply_into(const Tensor& out, const DeferredProduct& d, double beta) {
  if (d.packed_b) {
    d.packed_b->multiply_into(out, d.a, d.alpha, beta);
  } else if (d.a.dim() == 2) {
    gemm_into(out, d.a, d.b, d.alpha, beta);
  } else {
    batched_gemm_into(out, d.a, d.b, d.alpha, beta);
  }
}

void add_placed_product(const Tensor& out, const DeferredProduct& d, const Placement& place) {
  const Shape result = d.result_sizes();
  const Tensor region = strided_view(out, result, place.strides, out.storage_offset() + place.offset);
  if (region.is_contiguous()) return multiply_into(region, d, 1.0);
  Tensor t = Tensor::empty(result, out.dtype());
  multiply_into(t, d, 0.0);
  add_placed(out, t, place);
}

bool joins(const DeferredProduct& first, const DeferredProduct& next, int64_t inner) {
  const int64_t M = first.a.size(-2), N = first.b.size(-1), E = batch_count(first);
  return next.alpha == first.alpha && thin(first) && thin(next) && next.a.dim() == first.a.dim() &&
         next.a.size(-2) == M && next.b.size(-1) == N && batch_count(next) == E &&
         E * (M + N) * (inner + next.a.size(-1)) <= kRunElements;
}

void multiply_run_into(const Tensor& out, std::span<const DeferredProduct* const> run, double beta) {
  const DeferredProduct& d0 = *run[0];
  if (run.size() == 1) return multiply_into(out, d0, beta);
  const int64_t M = d0.a.size(-2), N = d0.b.size(-1), E = batch_count(d0);
  int64_t K = 0;
  for (const DeferredProduct* d : run) K += d->a.size(-1);
  // The operands side by side, per matrix e of a batch (E = 1 for 2-D).
  // A left operand whose columns are contiguous (a transposed row, as gy^T)
  // is gathered as its transpose, so that each piece is a row copy rather
  // than a strided scatter. Raw copies: views per piece cost more than the
  // copies at batch 1.
  const bool a_by_cols = M > 1 && d0.a.strides()[d0.a.dim() - 2] == 1;
  Tensor a_buf = Tensor::empty(a_by_cols ? Shape{E, K, M} : Shape{E, M, K}, d0.a.dtype());
  Tensor b = Tensor::empty({E, K, N}, d0.b.dtype());
  SPOOL_DISPATCH_FLOAT(d0.a.dtype(), "backward", [&] {
    using T = scalar_t;
    // dst[i * dst_row + j] = src[i * s0 + j * s1] for i < rows, j < cols.
    auto gather = [](T* dst, int64_t dst_row, const T* src, int64_t rows, int64_t cols, int64_t s0, int64_t s1) {
      for (int64_t i = 0; i < rows; ++i) {
        const T* from = src + i * s0;
        T* to = dst + i * dst_row;
        if (s1 == 1) {
          std::copy(from, from + cols, to);
        } else {
          for (int64_t j = 0; j < cols; ++j) to[j] = from[j * s1];
        }
      }
    };
    for (int64_t e = 0; e < E; ++e) {
      int64_t k0 = 0;
      for (const DeferredProduct* d : run) {
        const int rank = d->a.dim();
        const Shape &as = d->a.strides(), &bs = d->b.strides();
        const T* pa = d->a.data_ptr<T>() + (rank == 3 ? e * as[0] : 0);
        const T* pb = d->b.data_ptr<T>() + (rank == 3 ? e * bs[0] : 0);
        const int64_t k = d->a.size(-1);
        if (a_by_cols) {
          gather(a_buf.data_ptr<T>() + e * K * M + k0 * M, M, pa, k, M, as[rank - 1], as[rank - 2]);
        } else {
          gather(a_buf.data_ptr<T>() + e * M * K + k0, K, pa, M, k, as[rank - 2], as[rank - 1]);
        }
        gather(b.data_ptr<T>() + e * K * N + k0 * N, N, pb, k, N, bs[rank - 2], bs[rank - 1]);
        k0 += k;
      }
    }
  });
  const Tensor a = a_by_cols ? strided_view(a_buf, {E, M, K}, {K * M, 1, M}, 0) : a_buf;
  const Tensor out3 = out.dim() == 3 ? out : strided_view(out, {1, M, N}, {M * N, N, 1}, out.storage_offset());
  batched_gemm_into(out3, a, b, d0.alpha, beta);
}

}  // namespace kernels

}  // namespace spool
