// A right-hand matrix operand packed once for many products: a recurrent
// weight is multiplied at every time step, and a product packs its right
// operand again on every call (for a medium LSTM step that was 13% of the
// time). Packed in the layout of the kernel gemm.hpp chose at packing time.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "tensor.hpp"

namespace spool::kernels {

class PackedMatrix {
 public:
  // b: [K, N] float32 or float64 of any strides (a transposed weight view).
  explicit PackedMatrix(const Tensor& b);

  int64_t rows() const { return k_; }
  int64_t cols() const { return n_; }
  ScalarType dtype() const { return packed_.dtype(); }

  // out = alpha * a @ b + beta * out, for a [M, K] of any strides and out
  // [M, N] contiguous (a that shares out's storage is copied first); beta =
  // 0 ignores out's values (NaN included). Each element is one fixed sum
  // over K whatever the thread count, and large products are split across
  // threads by column panels.
  void multiply_into(const Tensor& out, const Tensor& a, double alpha = 1.0, double beta = 0.0) const;

  // Columns per panel: two SIMD registers.
  int64_t panel_width() const;

 private:
  const struct KernelSet* kernels_;  // the kernels whose layout packed_ is in
  Tensor packed_;                    // flat, gemm_kernel.hpp's pack_all layout
  int64_t k_ = 0, n_ = 0;
};

// A PackedMatrix of b made on first use, once, whichever thread asks first
// (an input gradient's operand, needed only if a backward runs).
class LazyPackedMatrix {
 public:
  explicit LazyPackedMatrix(Tensor b) : b_(std::move(b)) {}
  std::shared_ptr<const PackedMatrix> get() const;

 private:
  Tensor b_;
  mutable std::once_flag once_;
  mutable std::atomic<bool> ready_{false};  // packed_ is set: skips call_once's setup (a batch-1 step asks T times)
  mutable std::shared_ptr<const PackedMatrix> packed_;
};

}  // namespace spool::kernels
