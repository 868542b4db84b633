// Products on tensors: the one place that decides between OpenBLAS and
// spool's own kernels (gemm.hpp), and calls them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace spool::kernels {

// out = alpha * a @ b + beta * out for 2-D a, b of any strides (transposed
// views need no copy); out contiguous. Large products run as TBB blocks.
void gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1.0, double beta = 0.0);

// The same for each matrix of a batch: out[e] = alpha * a[e] @ b[e] + beta *
// out[e], a [B, m, k] and b [B, k, n] of any strides, out contiguous.
void batched_gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1.0, double beta = 0.0);

// How many fixed blocks (TBB tasks) a product of `work` multiply-adds is
// split into: 1 below 2^21 (one call is best), 4 below 2^24 (a recurrent
// step's product: every block packs its operands again, and 4 blocks beat 8
// by ~3%), else 8. Blocks depend on shapes only, so results do not depend on
// the thread count.
int64_t product_blocks(int64_t work);

// Whether products run spool's own kernels (gemm.hpp) rather than OpenBLAS's:
// OpenBLAS when the core type it picked uses the processor's widest vectors,
// spool's otherwise (SPOOL_GEMM=spool|openblas overrides). Decided once.
bool use_own_kernels();
// The name of what runs the products: "openblas <core>" or spool's kernel set.
std::string product_kernels();

// Scratch of at least n elements that this thread reuses across products
// (kernels take their packing buffers from the caller). Slot 1 is for a
// buffer a caller holds while the products it splits (slot 0) run, on this
// thread too.
template <typename T, int Slot = 0>
T* thread_scratch(int64_t n) {
  thread_local std::vector<T> store;
  if (static_cast<int64_t>(store.size()) < n) store.resize(static_cast<size_t>(n));
  return store.data();
}

// True when the OpenBLAS spool was linked with is a threaded build (pthreads
// or OpenMP) rather than Debian's serial one: its idle worker threads make
// every small product slower even while it is told to use one thread.
bool blas_is_threaded();

}  // namespace spool::kernels
