#include "gemm.hpp"

#include <xsimd/xsimd.hpp>

#include <cstdlib>

#include "error.hpp"

namespace spool::kernels {

namespace {

// Best first; each with whether this processor can run it.
std::vector<const KernelSet*> sets_available() {
  const auto cpu = xsimd::available_architectures();
  std::vector<const KernelSet*> out;
  if (cpu.avx512f && cpu.fma3_avx2) out.push_back(&gemm_impl::avx512_kernels());
  if (cpu.fma3_avx2) out.push_back(&gemm_impl::avx2_kernels());
  out.push_back(&gemm_impl::sse2_kernels());  // every x86-64 has SSE2
  return out;
}

const KernelSet& choose() {
  if (const char* forced = std::getenv("SPOOL_GEMM_KERNEL"); forced != nullptr && *forced != '\0')
    return gemm_kernels(forced);
  return *sets_available().front();
}

}  // namespace

const KernelSet& gemm_kernels() {
  static const KernelSet& chosen = choose();
  return chosen;
}

std::vector<const KernelSet*> available_gemm_kernels() { return sets_available(); }

const KernelSet& gemm_kernels(const std::string& name) {
  std::string have;
  for (const KernelSet* s : sets_available()) {
    if (name == s->name) return *s;
    have += have.empty() ? s->name : std::string(", ") + s->name;
  }
  throw Error(fmt::format("gemm: no kernel \"{}\" for this processor (it runs: {}); SPOOL_GEMM_KERNEL takes one of these",
                          name, have));
}

}  // namespace spool::kernels
