#include "isa.hpp"

#include <cstdlib>

#include "error.hpp"

namespace spool::kernels {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    case Isa::sse2: return "sse2";
  }
  return "?";
}

std::vector<Isa> available_isas() {
  // GCC's checks read cpuid and also whether the operating system saves the
  // wider registers (XGETBV): a virtual machine may report AVX-512 in cpuid
  // with its state turned off, and its instructions would then fault.
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  std::vector<Isa> out;
  if (avx2 && __builtin_cpu_supports("avx512f")) out.push_back(Isa::avx512);
  if (avx2) out.push_back(Isa::avx2);
  out.push_back(Isa::sse2);  // every x86-64 has SSE2
  return out;
}

Isa chosen_isa() {
  static const Isa chosen = [] {
    const char* forced = std::getenv("SPOOL_ISA");
    return forced != nullptr && *forced != '\0' ? isa_named(forced, "SPOOL_ISA") : available_isas().front();
  }();
  return chosen;
}

Isa isa_named(const std::string& name, const char* who) {
  std::string have;
  for (Isa isa : available_isas()) {
    if (name == isa_name(isa)) return isa;
    have += have.empty() ? isa_name(isa) : std::string(", ") + isa_name(isa);
  }
  throw Error(fmt::format("{}: no instruction set \"{}\" on this processor (it runs: {}); SPOOL_ISA takes one of these",
                          who, name, have));
}

}  // namespace spool::kernels
