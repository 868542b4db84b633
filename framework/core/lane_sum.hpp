// The sum of one register's lanes, for the kernels compiled once per
// instruction set (gemm_kernel.hpp, vector_math_kernel.hpp). Internal.
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstdint>

namespace spool::kernels {
// Internal linkage: each per-set file gets its own copy, compiled with its
// own -march (tools/check_isa_objects).
namespace {

// Lanes added in order through memory: xsimd 8.1's hadd needs AVX-512 DQ.
template <class Arch, typename T>
T lane_sum(const xsimd::batch<T, Arch>& v) {
  constexpr int64_t W = xsimd::batch<T, Arch>::size;
  alignas(64) T lanes[W];
  v.store_aligned(lanes);
  T s = 0;
  for (int64_t l = 0; l < W; ++l) s += lanes[l];
  return s;
}

}  // namespace
}  // namespace spool::kernels
