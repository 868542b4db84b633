#include "gemm.hpp"

#include "isa.hpp"

namespace spool::kernels {

namespace {

const KernelSet& kernels_for(Isa isa) {
  switch (isa) {
    case Isa::avx512: return gemm_impl::avx512_kernels();
    case Isa::avx2: return gemm_impl::avx2_kernels();
    case Isa::sse2: break;
  }
  return gemm_impl::sse2_kernels();
}

}  // namespace

const KernelSet& gemm_kernels() {
  static const KernelSet& chosen = kernels_for(chosen_isa());
  return chosen;
}

std::vector<const KernelSet*> available_gemm_kernels() {
  std::vector<const KernelSet*> out;
  for (Isa isa : available_isas()) out.push_back(&kernels_for(isa));
  return out;
}

const KernelSet& gemm_kernels(const std::string& name) { return kernels_for(isa_named(name, "gemm")); }

}  // namespace spool::kernels
