// The instruction sets spool's kernels are compiled for, and the one place
// that picks which of them runs. Kernels written over xsimd are compiled once
// per set (files named *_avx512.cpp, *_avx2.cpp, *_sse2.cpp, each with its own
// -march in CMakeLists.txt) and the best set the processor has is chosen at
// run time (cpuid, and whether the OS enables the registers), so a portable
// build (-DSPOOL_NATIVE=OFF) runs as fast
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

// One instruction set's kernels of one kind: Typed<T> holds their function
// pointers for one dtype.
template <template <typename> class Typed>
struct KernelsByDtype {
  const char* name;
  Typed<float> f32;
  Typed<double> f64;
  template <typename T>
  const Typed<T>& of() const {
    if constexpr (sizeof(T) == 4) {
      return f32;
    } else {
      return f64;
    }
  }
};

// One kind's entry points, one per instruction set (each defined in its
// *_<isa>.cpp): the set for an Isa, and every set this processor runs.
template <typename Set>
struct PerIsa {
  const Set& (*avx512)();
  const Set& (*avx2)();
  const Set& (*sse2)();

  const Set& operator()(Isa isa) const {
    switch (isa) {
      case Isa::avx512: return avx512();
      case Isa::avx2: return avx2();
      case Isa::sse2: break;
    }
    return sse2();
  }
  std::vector<const Set*> available() const {
    std::vector<const Set*> out;
    for (Isa isa : available_isas()) out.push_back(&(*this)(isa));
    return out;
  }
};

}  // namespace spool::kernels
