// The product kernel for SSE2; CMakeLists.txt compiles this file alone with the
// matching -march, and gemm.cpp calls it only on processors that have it.
#include "gemm_kernel.hpp"

namespace spool::kernels::gemm_impl {

const KernelSet& sse2_kernels() {
  static const KernelSet set = make_kernel_set<xsimd::sse2>("sse2");
  return set;
}

}  // namespace spool::kernels::gemm_impl
