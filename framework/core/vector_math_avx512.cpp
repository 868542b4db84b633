// The elementwise kernels for AVX-512; CMakeLists.txt compiles this file alone
// with the matching -march, and vector_math.cpp calls it only on processors
// that have it.
#include "vector_math_kernel.hpp"

namespace spool::kernels::vector_impl {

const VectorKernelSet& avx512_kernels() {
  static const VectorKernelSet set = make_vector_kernel_set<xsimd::avx512f>("avx512");
  return set;
}

}  // namespace spool::kernels::vector_impl
