// spool's elementwise kernels (framework/core/vector_math.hpp): every
// instruction set this processor can run, both dtypes, every function and
// its adjoints (assigned and added), softmax and log_softmax rows, lengths
// around the vector width (tails), against float64 formulas.
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include <spool/framework/core/isa.hpp>
#include <spool/framework/core/vector_math.hpp>
#include "test_util.hpp"

using namespace spool;
using namespace spool::kernels;

namespace {

constexpr VecOp kOps[] = {VecOp::Add, VecOp::Sub,     VecOp::Mul,  VecOp::Div, VecOp::Neg,
                          VecOp::Relu, VecOp::Sigmoid, VecOp::Tanh, VecOp::Exp, VecOp::Log};
const char* const kOpNames[] = {"add", "sub", "mul", "div", "neg", "relu", "sigmoid", "tanh", "exp", "log"};

double value(VecOp op, double a, double b) {
  switch (op) {
    case VecOp::Add: return a + b;
    case VecOp::Sub: return a - b;
    case VecOp::Mul: return a * b;
    case VecOp::Div: return a / b;
    case VecOp::Neg: return -a;
    case VecOp::Relu: return a > 0 ? a : 0;
    case VecOp::Sigmoid: return 1 / (1 + std::exp(-a));
    case VecOp::Tanh: return std::tanh(a);
    case VecOp::Exp: return std::exp(a);
    case VecOp::Log: return std::log(a);
  }
  return NAN;
}

// d op(a, b) / d operand.
double derivative(VecOp op, int operand, double a, double b) {
  const double y = value(op, a, b);
  switch (op) {
    case VecOp::Add: return 1;
    case VecOp::Sub: return operand == 0 ? 1 : -1;
    case VecOp::Mul: return operand == 0 ? b : a;
    case VecOp::Div: return operand == 0 ? 1 / b : -a / (b * b);
    case VecOp::Neg: return -1;
    case VecOp::Relu: return a > 0 ? 1 : 0;
    case VecOp::Sigmoid: return y * (1 - y);
    case VecOp::Tanh: return 1 - y * y;
    case VecOp::Exp: return y;
    case VecOp::Log: return 1 / a;
  }
  return NAN;
}

bool binary(VecOp op) { return op == VecOp::Add || op == VecOp::Sub || op == VecOp::Mul || op == VecOp::Div; }

template <typename T>
std::vector<T> uniform(int64_t n, double lo, double hi) {
  Tensor t = rand({n}, kFloat64) * (hi - lo) + lo;
  std::vector<T> v;
  for (double x : t.to_vector<double>()) v.push_back(static_cast<T>(x));
  return v;
}

// softmax and log_softmax rows and log_softmax's gradient row.
template <typename T>
void check_softmax(const TypedVectorKernels<T>& k, int64_t n, double tol) {
  // Large logits: the max shift keeps exp finite.
  const std::vector<T> x = uniform<T>(n, -60, 90), g = uniform<T>(n, -1, 1);
  double m = -INFINITY, s = 0;
  for (T v : x) m = std::max(m, double(v));
  for (T v : x) s += std::exp(v - m);
  std::vector<T> y(n), ly(n), out(n);
  k.softmax_row(x.data(), y.data(), n, false);
  k.softmax_row(x.data(), ly.data(), n, true);
  for (int64_t j = 0; j < n; ++j) {
    CHECK(std::abs(y[j] - std::exp(x[j] - m) / s) <= tol);
    // x - (m + log s) rounds at the magnitudes of x and m.
    const double lw = x[j] - m - std::log(s);
    CHECK(std::abs(ly[j] - lw) <= 2 * tol * (1 + std::abs(double(x[j])) + std::abs(m)));
  }
  const T gs = static_cast<T>(0.75);
  k.log_softmax_grad_row(g.data(), ly.data(), gs, out.data(), n);
  for (int64_t j = 0; j < n; ++j) CHECK(std::abs(out[j] - (g[j] - std::exp(double(ly[j])) * gs)) <= 4 * tol);
}

template <typename T>
void check_ops(const VectorKernelSet& set, int64_t n) {
  const std::string name = set.name;
  CAPTURE(name);
  CAPTURE(n);
  const double tol = sizeof(T) == 4 ? 2e-6 : 1e-13;
  const TypedVectorKernels<T>& k = set.of<T>();
  for (size_t o = 0; o < std::size(kOps); ++o) {
    const VecOp op = kOps[o];
    const std::string fn = kOpNames[o];
    CAPTURE(fn);
    // Positive operands where log and div need them; both signs elsewhere.
    const bool positive = op == VecOp::Log || op == VecOp::Div;
    const std::vector<T> a = uniform<T>(n, positive ? 0.5 : -4, 4), b = uniform<T>(n, 0.5, 3), g = uniform<T>(n, -2, 2);
    std::vector<T> y(n), d(n), d0 = uniform<T>(n, -1, 1);
    k.apply(op, a.data(), b.data(), y.data(), n);
    for (int64_t j = 0; j < n; ++j) {
      const double want = value(op, a[j], b[j]);
      CHECK(std::abs(y[j] - want) <= tol * (1 + std::abs(want)));
    }
    for (int operand = 0; operand < (binary(op) ? 2 : 1); ++operand) {
      CAPTURE(operand);
      for (bool assign : {true, false}) {
        d = d0;
        k.adjoint(op, operand, assign, g.data(), a.data(), b.data(), y.data(), d.data(), n);
        for (int64_t j = 0; j < n; ++j) {
          const double want = (assign ? 0.0 : d0[j]) + g[j] * derivative(op, operand, a[j], b[j]);
          CHECK(std::abs(d[j] - want) <= 4 * tol * (1 + std::abs(want)));
        }
      }
    }
  }
  // In place: r may be an operand.
  std::vector<T> a = uniform<T>(n, -3, 3);
  const std::vector<T> a0 = a;
  k.apply(VecOp::Tanh, a.data(), a.data(), a.data(), n);
  for (int64_t j = 0; j < n; ++j) CHECK(std::abs(a[j] - std::tanh(double(a0[j]))) <= tol);
  if (n > 0) check_softmax(k, n, tol);
}

}  // namespace

TEST_CASE("vector kernels: every instruction set, dtype and function against float64 formulas") {
  manual_seed(41);
  const auto sets = available_vector_kernels();
  REQUIRE(sets.size() == available_isas().size());
  CHECK(std::string(sets.back()->name) == "sse2");
  for (const VectorKernelSet* set : sets)
    for (int64_t n : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 256}) {
      check_ops<float>(*set, n);
      check_ops<double>(*set, n);
    }
}

TEST_CASE("vector kernels: the set in use is the best available (or SPOOL_ISA's), unknown sets are errors") {
  const char* forced = std::getenv("SPOOL_ISA");
  const std::string want = forced != nullptr && *forced != '\0' ? forced : isa_name(available_isas().front());
  CHECK(std::string(vector_kernels().name) == want);
  CHECK(std::string(isa_name(chosen_isa())) == want);
  CHECK_ERROR(isa_named("avx9", "vector"), "vector", "avx9", "sse2", "SPOOL_ISA");
}

TEST_CASE("vector kernels: map_vector takes strided rows and any strides, names the op for integer tensors") {
  manual_seed(42);
  const Tensor x = randn({6, 40});
  const Tensor rows = x.narrow(1, 3, 20);  // rows of adjacent elements
  const Tensor cols = x.transpose(0, 1);   // no adjacent elements
  for (const Tensor& t : {x, rows, cols}) {
    CHECK(allclose(map_vector(t, VecOp::Tanh, "tanh"), t.to(kFloat64).tanh().to(kFloat32), 1e-6, 1e-6));
    CHECK(allclose(map_vector(t, VecOp::Exp, "exp"), t.to(kFloat64).exp().to(kFloat32), 1e-5, 1e-6));
    // float64 through the same kernels: against the scalar formula.
    const Tensor d = t.to(kFloat64);
    const Tensor s = map_vector(d, VecOp::Sigmoid, "sigmoid");
    const auto sv = s.to_vector<double>(), dv = d.contiguous().to_vector<double>();
    for (size_t i = 0; i < dv.size(); ++i) CHECK(std::abs(sv[i] - 1 / (1 + std::exp(-dv[i]))) < 1e-15);
  }
  CHECK_ERROR(map_vector(arange(0, 4), VecOp::Tanh, "tanh"), "tanh", "floating");
  CHECK_ERROR(map_vector(x, VecOp::Add, "add"), "add", "unary");
}
