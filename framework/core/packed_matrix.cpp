#include "packed_matrix.hpp"

#include <algorithm>
#include <vector>

#include "blas.hpp"
#include "gemm.hpp"
#include "kernels.hpp"
#include "threading.hpp"

namespace spool::kernels {

PackedMatrix::PackedMatrix(const Tensor& b) : kernels_(&gemm_kernels()) {
  SPOOL_CHECK(b.dim() == 2 && b.is_floating_point(), "PackedMatrix", "needs a 2-D floating matrix, got {} of shape {}",
              dtype_name(b.dtype()), b.sizes());
  k_ = b.size(0);
  n_ = b.size(1);
  SPOOL_DISPATCH_FLOAT(b.dtype(), "PackedMatrix", [&] {
    const TypedKernels<scalar_t>& kern = kernels_->of<scalar_t>();
    packed_ = Tensor::empty({kern.packed_size(k_, n_)}, b.dtype());
    kern.pack({b.data_ptr<scalar_t>(), b.strides()[0], b.strides()[1]}, k_, n_, packed_.data_ptr<scalar_t>());
  });
}

int64_t PackedMatrix::panel_width() const {
  return SPOOL_DISPATCH_FLOAT(dtype(), "PackedMatrix", [&] { return kernels_->of<scalar_t>().nr; });
}

void PackedMatrix::multiply_into(const Tensor& out, const Tensor& a, double alpha, double beta) const {
  SPOOL_CHECK(a.dim() == 2 && a.size(1) == k_ && out.dim() == 2 && out.size(0) == a.size(0) && out.size(1) == n_,
              "gemm", "shapes {} @ packed [{}, {}] -> {} do not match", a.sizes(), k_, n_, out.sizes());
  SPOOL_CHECK(out.is_contiguous(), "gemm", "needs a contiguous result, got shape {} with strides {}", out.sizes(),
              out.strides());
  SPOOL_CHECK(a.dtype() == dtype() && out.dtype() == dtype(), "gemm", "dtypes differ: {} {} @ packed {} -> {} {}",
              dtype_name(a.dtype()), a.sizes(), dtype_name(dtype()), dtype_name(out.dtype()), out.sizes());
  const int64_t M = a.size(0);
  if (M == 0 || n_ == 0) return;
  if (k_ == 0) return scale_result(out, beta);
  // Every column block reads all of a: an a that shares out's storage is copied first.
  const bool shared = a.impl().storage == out.impl().storage;
  const Tensor rows = shared ? contiguous_copy(a) : a;
  SPOOL_DISPATCH_FLOAT(dtype(), "gemm", [&] {
    using T = scalar_t;
    const TypedKernels<T>& kern = kernels_->of<T>();
    const Operand<T> op{rows.data_ptr<T>(), rows.strides()[0], rows.strides()[1]};
    auto body = [&](int64_t p0, int64_t p1) {
      kern.gemm_packed(op, packed_.data_ptr<T>(), 0, M, p0 * kern.nr, std::min(n_, p1 * kern.nr), k_, n_,
                       out.data_ptr<T>(), n_, static_cast<T>(alpha), static_cast<T>(beta),
                       thread_scratch<T>(kern.packed_scratch));
    };
    // Column panels are independent and each element's sum is the same
    // whichever thread runs it. A product that is small, or runs beside
    // another branch that keeps the other core busy, stays on this thread.
    const int64_t panels = (n_ + kern.nr - 1) / kern.nr, parts = product_blocks(M * n_ * k_);
    if (parts == 1 || panels < 2 || active_branches() > 1) {
      body(0, panels);
    } else {
      parallel_for(panels, std::max<int64_t>(1, (panels + parts - 1) / parts), body);
    }
  });
}

std::shared_ptr<const PackedMatrix> LazyPackedMatrix::get() const {
  if (!ready_.load(std::memory_order_acquire)) {
    std::call_once(once_, [this] {
      packed_ = std::make_shared<const PackedMatrix>(b_);
      ready_.store(true, std::memory_order_release);
    });
  }
  return packed_;
}

}  // namespace spool::kernels
