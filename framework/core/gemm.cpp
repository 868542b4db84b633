#include "gemm.hpp"

namespace spool::kernels {

namespace {
constexpr PerIsa<KernelSet> kSets{&gemm_impl::avx512_kernels, &gemm_impl::avx2_kernels, &gemm_impl::sse2_kernels};
}  // namespace

const KernelSet& gemm_kernels() {
  static const KernelSet& chosen = kSets(chosen_isa());
  return chosen;
}

std::vector<const KernelSet*> available_gemm_kernels() { return kSets.available(); }

const KernelSet& gemm_kernels(const std::string& name) { return kSets(isa_named(name, "gemm")); }

}  // namespace spool::kernels
