// The product kernel for AVX2; CMakeLists.txt compiles this file alone with the
// matching -march, and gemm.cpp calls it only on processors that have it.
#include "gemm_kernel.hpp"

namespace spool::kernels::gemm_impl {

const KernelSet& avx2_kernels() {
  static const KernelSet set = make_kernel_set<xsimd::fma3<xsimd::avx2>>("avx2");
  return set;
}

}  // namespace spool::kernels::gemm_impl
