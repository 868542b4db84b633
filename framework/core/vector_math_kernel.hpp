// The elementwise kernels of vector_math.hpp, written once over xsimd and
// compiled once per instruction set (vector_math_avx512.cpp, _avx2.cpp,
// _sse2.cpp, each with its own -march). Internal: included by those files only.
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstdint>

#include "lane_sum.hpp"
#include "vector_math.hpp"

namespace spool::kernels::vector_impl {
// Internal linkage, and every call inlined (flatten): a template or inline
// function emitted here as a weak symbol, compiled with this file's -march,
// could be the copy the linker keeps for the whole library and run on a
// processor without the instructions (tools/check_isa_objects checks).
namespace {

#define SPOOL_VEC_INLINE __attribute__((flatten))

inline float scalar_exp(float x) { return __builtin_expf(x); }
inline double scalar_exp(double x) { return __builtin_exp(x); }
inline float scalar_log(float x) { return __builtin_logf(x); }
inline double scalar_log(double x) { return __builtin_log(x); }
inline float scalar_tanh(float x) { return __builtin_tanhf(x); }
inline double scalar_tanh(double x) { return __builtin_tanh(x); }

template <class Arch, typename T>
struct Vec {
  using V = xsimd::batch<T, Arch>;
  static constexpr int64_t W = V::size;

  // o[j] = f(x[j]) over n elements: `f` takes a batch or a scalar.
  template <typename F>
  static void map(const T* x, T* o, int64_t n, F f) {
    int64_t j = 0;
    for (; j + W <= n; j += W) f(V::load_unaligned(x + j)).store_unaligned(o + j);
    for (; j < n; ++j) o[j] = f(x[j]);
  }
  template <typename F>
  static void map2(const T* a, const T* b, T* o, int64_t n, F f) {
    int64_t j = 0;
    for (; j + W <= n; j += W) f(V::load_unaligned(a + j), V::load_unaligned(b + j)).store_unaligned(o + j);
    for (; j < n; ++j) o[j] = f(a[j], b[j]);
  }
  template <typename F>
  static void map3(const T* a, const T* b, const T* c, T* o, int64_t n, F f) {
    int64_t j = 0;
    for (; j + W <= n; j += W)
      f(V::load_unaligned(a + j), V::load_unaligned(b + j), V::load_unaligned(c + j)).store_unaligned(o + j);
    for (; j < n; ++j) o[j] = f(a[j], b[j], c[j]);
  }

  static V exp(V x) { return xsimd::exp(x); }
  static T exp(T x) { return scalar_exp(x); }
  static V log(V x) { return xsimd::log(x); }
  static T log(T x) { return scalar_log(x); }
  static V tanh(V x) { return xsimd::tanh(x); }
  static T tanh(T x) { return scalar_tanh(x); }
  static V relu(V x) { return xsimd::select(x > V(T(0)), x, V(T(0))); }
  static T relu(T x) { return x > T(0) ? x : T(0); }
  static V relu_grad(V g, V x) { return xsimd::select(x > V(T(0)), g, V(T(0))); }
  static T relu_grad(T g, T x) { return x > T(0) ? g : T(0); }

  SPOOL_VEC_INLINE static void apply(VecOp op, const T* a, const T* b, T* r, int64_t n) {
    switch (op) {
      case VecOp::Add: map2(a, b, r, n, [](auto x, auto y) { return x + y; }); break;
      case VecOp::Sub: map2(a, b, r, n, [](auto x, auto y) { return x - y; }); break;
      case VecOp::Mul: map2(a, b, r, n, [](auto x, auto y) { return x * y; }); break;
      case VecOp::Div: map2(a, b, r, n, [](auto x, auto y) { return x / y; }); break;
      case VecOp::Neg: map(a, r, n, [](auto x) { return -x; }); break;
      case VecOp::Relu: map(a, r, n, [](auto x) { return relu(x); }); break;
      case VecOp::Sigmoid:
        map(a, r, n, [](auto x) { return decltype(x)(T(1)) / (decltype(x)(T(1)) + exp(-x)); });
        break;
      case VecOp::Tanh: map(a, r, n, [](auto x) { return tanh(x); }); break;
      case VecOp::Exp: map(a, r, n, [](auto x) { return exp(x); }); break;
      case VecOp::Log: map(a, r, n, [](auto x) { return log(x); }); break;
    }
  }

  // d = f(...) or d += f(...), f reading (g, p, q) elementwise.
  template <typename F>
  static void to(bool assign, const T* g, const T* p, const T* q, T* d, int64_t n, F f) {
    if (assign) {
      map3(g, p, q, d, n, f);
    } else {
      int64_t j = 0;
      for (; j + W <= n; j += W)
        (V::load_unaligned(d + j) + f(V::load_unaligned(g + j), V::load_unaligned(p + j), V::load_unaligned(q + j)))
            .store_unaligned(d + j);
      for (; j < n; ++j) d[j] += f(g[j], p[j], q[j]);
    }
  }

  SPOOL_VEC_INLINE static void adjoint(VecOp op, int operand, bool assign, const T* g, const T* a, const T* b,
                                       const T* y, T* d, int64_t n) {
    // Operands a formula does not read are passed as g (any readable array of n).
    switch (op) {
      case VecOp::Add: to(assign, g, g, g, d, n, [](auto gj, auto, auto) { return gj; }); break;
      case VecOp::Sub:
        if (operand == 0) {
          to(assign, g, g, g, d, n, [](auto gj, auto, auto) { return gj; });
        } else {
          to(assign, g, g, g, d, n, [](auto gj, auto, auto) { return -gj; });
        }
        break;
      case VecOp::Mul: to(assign, g, operand == 0 ? b : a, g, d, n, [](auto gj, auto o, auto) { return gj * o; }); break;
      case VecOp::Div:
        if (operand == 0) {
          to(assign, g, b, g, d, n, [](auto gj, auto bj, auto) { return gj / bj; });
        } else {
          to(assign, g, y, b, d, n, [](auto gj, auto yj, auto bj) { return -gj * yj / bj; });
        }
        break;
      case VecOp::Neg: to(assign, g, g, g, d, n, [](auto gj, auto, auto) { return -gj; }); break;
      case VecOp::Relu: to(assign, g, a, g, d, n, [](auto gj, auto aj, auto) { return relu_grad(gj, aj); }); break;
      case VecOp::Sigmoid:
        to(assign, g, y, g, d, n, [](auto gj, auto yj, auto) { return gj * yj * (decltype(yj)(T(1)) - yj); });
        break;
      case VecOp::Tanh:
        to(assign, g, y, g, d, n, [](auto gj, auto yj, auto) { return gj * (decltype(yj)(T(1)) - yj * yj); });
        break;
      case VecOp::Exp: to(assign, g, y, g, d, n, [](auto gj, auto yj, auto) { return gj * yj; }); break;
      case VecOp::Log: to(assign, g, a, g, d, n, [](auto gj, auto aj, auto) { return gj / aj; }); break;
    }
  }

  // The max makes exp overflow-free; exp runs once per element.
  SPOOL_VEC_INLINE static void softmax_row(const T* x, T* y, int64_t n, bool log_result) {
    T m = -__builtin_inf();
    for (int64_t k = 0; k < n; ++k) m = x[k] > m ? x[k] : m;
    V sum_v(T(0));
    const V m_v(m);
    int64_t k = 0;
    for (; k + W <= n; k += W) {
      const V e = exp(V::load_unaligned(x + k) - m_v);
      if (!log_result) e.store_unaligned(y + k);
      sum_v += e;
    }
    T s = lane_sum(sum_v);
    for (; k < n; ++k) {
      const T e = exp(x[k] - m);
      if (!log_result) y[k] = e;
      s += e;
    }
    if (log_result) {
      const T lse = m + log(s);
      map(x, y, n, [lse](auto v) { return v - decltype(v)(lse); });
    } else {
      const T inv = T(1) / s;
      map(y, y, n, [inv](auto v) { return v * decltype(v)(inv); });
    }
  }

  SPOOL_VEC_INLINE static void log_softmax_grad_row(const T* g, const T* y, T s, T* out, int64_t n) {
    map2(g, y, out, n, [s](auto gj, auto yj) { return gj - exp(yj) * decltype(gj)(s); });
  }

  static TypedVectorKernels<T> kernels() { return {&apply, &adjoint, &softmax_row, &log_softmax_grad_row}; }
};

template <class Arch>
VectorKernelSet make_vector_kernel_set(const char* name) {
  return {{name, Vec<Arch, float>::kernels(), Vec<Arch, double>::kernels()}};
}

#undef SPOOL_VEC_INLINE

}  // namespace
}  // namespace spool::kernels::vector_impl
