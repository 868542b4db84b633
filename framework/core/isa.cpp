#include "isa.hpp"

#include <xsimd/xsimd.hpp>

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
  const auto cpu = xsimd::available_architectures();
  std::vector<Isa> out;
  if (cpu.avx512f && cpu.fma3_avx2) out.push_back(Isa::avx512);
  if (cpu.fma3_avx2) out.push_back(Isa::avx2);
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
