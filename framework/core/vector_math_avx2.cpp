// The elementwise kernels for AVX2; CMakeLists.txt compiles this file alone
// with the matching -march, and vector_math.cpp calls it only on processors
// that have it.
#include "vector_math_kernel.hpp"

namespace spool::kernels::vector_impl {

const VectorKernelSet& avx2_kernels() {
  static const VectorKernelSet set = make_vector_kernel_set<xsimd::fma3<xsimd::avx2>>("avx2");
  return set;
}

}  // namespace spool::kernels::vector_impl
