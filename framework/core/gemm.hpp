// spool's own product kernels and the one place that decides which runs.
// The kernel is compiled for AVX-512, AVX2 + FMA and SSE2, and isa.hpp picks
// the best one the processor has at run time (cpuid), so no table of known
// processor models is involved (Debian's OpenBLAS 0.3.21 picks its SSE3
// kernels on Intel Sapphire / Emerald Rapids). Tests run every set the
// machine has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa.hpp"

namespace spool::kernels {

// A strided matrix operand: element (i, j) at data[i * rs + j * cs].
template <typename T>
struct Operand {
  const T* data;
  int64_t rs, cs;
};

// c[m, n] (row-major, leading dimension ldc) = alpha * a[m, k] @ b[k, n] + beta * c.
template <typename T>
struct Problem {
  int64_t m, n, k;
  Operand<T> a, b;
  T* c;
  int64_t ldc;
  T alpha, beta;
};

// One instruction set's kernels for one dtype (gemm_kernel.hpp); every call
// takes scratch memory from the caller.
template <typename T>
struct TypedKernels {
  // c = alpha * a @ b + beta * c on the calling thread; scratch of scratch_size(n).
  void (*gemm)(const Problem<T>&, T* scratch);
  int64_t (*scratch_size)(int64_t n);
  // B [k, n] packed once into packed_size(k, n) elements, then products
  // against it over rows [m0, m0 + m) and columns [j0, j1) of c (j0 a
  // multiple of nr); scratch of packed_scratch.
  void (*pack)(const Operand<T>& b, int64_t k, int64_t n, T* dst);
  int64_t (*packed_size)(int64_t k, int64_t n);
  void (*gemm_packed)(const Operand<T>& a, const T* packed, int64_t m0, int64_t m, int64_t j0, int64_t j1, int64_t k,
                      int64_t n, T* c, int64_t ldc, T alpha, T beta, T* scratch);
  int64_t packed_scratch;
  int64_t nr;  // columns per register tile
  // The pieces of gemm, for a caller that shares one packed block of B
  // between threads: pack_b packs B[k0 : k0 + kc, n0 : n0 + nc] (kc <= kc_block,
  // nc <= nc_block) into kc * round_up(nc, nr) elements; block runs it
  // against rows [m0, m0 + m) of a, into c (pointing at row m0, column n0),
  // with a_scratch elements of scratch.
  void (*pack_b)(const Operand<T>& b, int64_t k0, int64_t kc, int64_t n0, int64_t nc, T* dst);
  void (*block)(const Operand<T>& a, const T* bpacked, int64_t m0, int64_t m, int64_t k0, int64_t kc, int64_t nc, T* c,
                int64_t ldc, T alpha, T beta, T* a_scratch);
  int64_t kc_block, nc_block, a_scratch;
};

// A class, not an alias, so that headers can declare it.
struct KernelSet : KernelsByDtype<TypedKernels> {};

// The kernels in use: those of chosen_isa().
const KernelSet& gemm_kernels();
// Every kernel set this processor can run, best first (for tests and tools/bench).
std::vector<const KernelSet*> available_gemm_kernels();
// Kernels of one instruction set by name ("avx512", "avx2", "sse2"), or an error naming what the processor has.
const KernelSet& gemm_kernels(const std::string& name);

namespace gemm_impl {
// Defined in gemm_<isa>.cpp; only called when the processor has the set.
const KernelSet& avx512_kernels();
const KernelSet& avx2_kernels();
const KernelSet& sse2_kernels();
}  // namespace gemm_impl

}  // namespace spool::kernels
