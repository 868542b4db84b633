// The product kernel for AVX512; CMakeLists.txt compiles this file alone with the
// matching -march, and gemm.cpp calls it only on processors that have it.
#include "gemm_kernel.hpp"

namespace spool::kernels::gemm_impl {

const KernelSet& avx512_kernels() {
  static const KernelSet set = make_kernel_set<xsimd::avx512f>("avx512");
  return set;
}

}  // namespace spool::kernels::gemm_impl
