// Elementwise kernels over adjacent elements (the fused pointwise evaluator's
// instructions and their adjoints, sigmoid / tanh / exp, softmax rows),
// written once over xsimd (vector_math_kernel.hpp), compiled once per
// instruction set (vector_math_<isa>.cpp) and chosen at run time (isa.hpp):
// they run once per gate per time step of a recurrent net, and a portable
// build compiled for SSE2 alone ran its medium LSTM step ~15% slower.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa.hpp"

namespace spool {
class Tensor;  // declared only: the per-set kernel files see no Tensor code
}  // namespace spool

namespace spool::kernels {

// The elementwise functions; binary ones read a and b, unary ones a.
enum class VecOp : uint8_t { Add, Sub, Mul, Div, Neg, Relu, Sigmoid, Tanh, Exp, Log };

template <typename T>
struct TypedVectorKernels {
  // r[j] = op(a[j], b[j]) for j < n (r may be a or b).
  void (*apply)(VecOp op, const T* a, const T* b, T* r, int64_t n);
  // The adjoint of operand `operand` (0: a, 1: b) of y = op(a, b) given the
  // adjoint g of y: d[j] = it (assign) or d[j] += it. b and y are read only
  // where the formula needs them.
  void (*adjoint)(VecOp op, int operand, bool assign, const T* g, const T* a, const T* b, const T* y, T* d, int64_t n);
  // y = softmax(x) (log_softmax when log) over one row of n elements.
  void (*softmax_row)(const T* x, T* y, int64_t n, bool log);
  // out[j] = g[j] - exp(y[j]) * s: log_softmax's gradient over one row.
  void (*log_softmax_grad_row)(const T* g, const T* y, T s, T* out, int64_t n);
};

struct VectorKernelSet : KernelsByDtype<TypedVectorKernels> {};

// The kernels in use: those of chosen_isa().
const VectorKernelSet& vector_kernels();
// Every set this processor runs, best first (for tests and tools/bench).
std::vector<const VectorKernelSet*> available_vector_kernels();

// op(a) elementwise into a new tensor (a unary VecOp): contiguous tensors, or
// rows of one, take the kernels, others a copy first. `name` is the caller's
// op, for the error a non-floating tensor gets.
Tensor map_vector(const Tensor& a, VecOp op, const char* name);

namespace vector_impl {
// Defined in vector_math_<isa>.cpp; only called when the processor has the set.
const VectorKernelSet& avx512_kernels();
const VectorKernelSet& avx2_kernels();
const VectorKernelSet& sse2_kernels();
}  // namespace vector_impl

}  // namespace spool::kernels
