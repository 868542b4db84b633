// The instruction sets spool's kernels are compiled for, and the one place
// that picks which of them runs. Kernels written over xsimd are compiled once
// per set (files named *_avx512.cpp, *_avx2.cpp, *_sse2.cpp, each with its own
// -march in CMakeLists.txt) and the best set the processor has is chosen at
// run time from cpuid, so a portable build (-DSPOOL_NATIVE=OFF) runs as fast
// as a native one.
//
// SPOOL_ISA=avx512|avx2|sse2 forces one set for every kernel (a set the
// processor lacks is refused); tests also call each set directly.
#pragma once

#include <string>
#include <vector>

namespace spool::kernels {

enum class Isa { avx512, avx2, sse2 };

const char* isa_name(Isa isa);
// Every set this processor runs, best first (sse2 is always last).
std::vector<Isa> available_isas();
// The set in use: SPOOL_ISA's, or the best available.
Isa chosen_isa();
// The set called `name`, or an Error from `who` naming the sets this processor runs.
Isa isa_named(const std::string& name, const char* who);

}  // namespace spool::kernels
