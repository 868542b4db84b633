// Elementwise arithmetic, comparisons, where and masked_fill. Broadcast
// gradients are returned at the output's shape: the engine sums them down to
// each input's shape.
#include <cmath>

#include "../framework/core/kernels.hpp"
#include "../framework/core/vector_math.hpp"
#include "ops.hpp"
#include "unary_parts.hpp"

namespace spool {

namespace {

// f(a, b) on both operands in dtype r: a mixed-dtype call casts (recorded, so
// each input gets its gradient in its own dtype); the common call does not.
template <typename F>
Tensor promoted(const Tensor& a, const Tensor& b, ScalarType r, F&& f) {
  if (a.dtype() == r && b.dtype() == r) return f(a, b);
  return f(a.dtype() == r ? a : a.to(r), b.dtype() == r ? b : b.to(r));
}

// The dtype of a true division: integers divide as float32, like PyTorch.
ScalarType division_type(ScalarType r) { return is_floating(r) ? r : kFloat32; }

template <typename F>
Tensor binary_numeric(const char* op, const Tensor& a, const Tensor& b, F f) {
  return SPOOL_DISPATCH_NUMERIC(a.dtype(), op, [&] {
    return kernels::map2<scalar_t, scalar_t, scalar_t>(a, b, a.dtype(), op,
                                                       [&](scalar_t x, scalar_t y) { return f(x, y); });
  });
}

// f(x, s) in a's dtype (the caller has promoted a): integers take the
// Scalar's exact integer value.
template <typename F>
Tensor scalar_numeric(const char* op, const Tensor& a, Scalar s, F f) {
  return SPOOL_DISPATCH_NUMERIC(a.dtype(), op, [&] {
    const auto c = std::is_integral_v<scalar_t> ? static_cast<scalar_t>(s.to_int64())
                                                : static_cast<scalar_t>(s.to_double());
    return kernels::map1<scalar_t, scalar_t>(a, a.dtype(), [&](scalar_t x) { return f(x, c); });
  });
}

template <typename F>
Tensor compare(const char* op, const Tensor& a, const Tensor& b, F f) {
  return promoted(a, b, result_type(a, b), [&](const Tensor& x, const Tensor& y) {
    return SPOOL_DISPATCH_ALL(x.dtype(), op, [&] {
      return kernels::map2<scalar_t, scalar_t, bool>(x, y, kBool, op, [&](scalar_t p, scalar_t q) { return f(p, q); });
    });
  });
}

Tensor scalar_like(const Tensor& a, double v) { return scalar_tensor(v, a.dtype()); }

}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  const bool a0 = a.dim() == 0, b0 = b.dim() == 0;
  if (a0 == b0) return promote_types(a.dtype(), b.dtype());
  const ScalarType dims = a0 ? b.dtype() : a.dtype(), zero = a0 ? a.dtype() : b.dtype();
  return dtype_category(zero) > dtype_category(dims) ? zero : dims;
}

ScalarType result_type(const Tensor& a, Scalar b) {
  if (is_floating(a.dtype())) return a.dtype();
  if (!b.is_integral()) return kFloat32;  // PyTorch's default floating dtype
  return a.dtype() == kBool ? kInt64 : a.dtype();
}

Tensor add(const Tensor& a, const Tensor& b) {
  return promoted(a, b, result_type(a, b), [](const Tensor& a, const Tensor& b) {
    Tensor y = binary_numeric("add", a, b, [](auto x, auto z) { return x + z; });
    // d/da = 1, d/db = 1
    return record("add", std::move(y), {&a, &b}, [](const Tensor& gy) -> Grads { return {gy, gy}; });
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  SPOOL_CHECK(a.dtype() != kBool && b.dtype() != kBool, "sub",
              "subtraction with a bool tensor ({} of shape {}, {} of shape {}) is not supported",
              dtype_name(a.dtype()), a.sizes(), dtype_name(b.dtype()), b.sizes());
  return promoted(a, b, result_type(a, b), [](const Tensor& a, const Tensor& b) {
    Tensor y = binary_numeric("sub", a, b, [](auto x, auto z) { return x - z; });
    // d/da = 1, d/db = -1
    return record("sub", std::move(y), {&a, &b}, [](const Tensor& gy) -> Grads { return {gy, neg(gy)}; });
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  return promoted(a, b, result_type(a, b), [](const Tensor& a, const Tensor& b) {
    Tensor y = binary_numeric("mul", a, b, [](auto x, auto z) { return x * z; });
    // d/da = b, d/db = a
    return record("mul", std::move(y), {&a, &b}, [a = SavedTensor("mul", a), b = SavedTensor("mul", b)](const Tensor& gy) -> Grads {
      return {a->requires_grad() ? gy * b : Tensor(), b->requires_grad() ? gy * a : Tensor()};
    });
  });
}

Tensor div(const Tensor& a, const Tensor& b) {
  return promoted(a, b, division_type(result_type(a, b)), [](const Tensor& a, const Tensor& b) {
    Tensor y = binary_numeric("div", a, b, [](auto x, auto z) { return x / z; });
    // d/da = 1/b, d/db = -a/b^2 = -y/b
    return record("div", y, {&a, &b}, [b = SavedTensor("div", b), y = SavedTensor("div", y)](const Tensor& gy) -> Grads {
      Tensor ga = gy / b;
      return {ga, b->requires_grad() ? neg(ga * y) : Tensor()};
    });
  });
}

Tensor add(const Tensor& a, Scalar s) {
  if (const ScalarType r = result_type(a, s); r != a.dtype()) return add(a.to(r), s);
  Tensor y = scalar_numeric("add", a, s, [](auto x, auto c) { return x + c; });
  return record("add", std::move(y), {&a}, [](const Tensor& gy) -> Grads { return {gy}; });
}

Tensor sub(const Tensor& a, Scalar s) {
  SPOOL_CHECK(a.dtype() != kBool, "sub", "subtracting from a bool tensor (shape {}) is not supported", a.sizes());
  if (const ScalarType r = result_type(a, s); r != a.dtype()) return sub(a.to(r), s);
  Tensor y = scalar_numeric("sub", a, s, [](auto x, auto c) { return x - c; });
  return record("sub", std::move(y), {&a}, [](const Tensor& gy) -> Grads { return {gy}; });
}

Tensor mul(const Tensor& a, Scalar s) {
  if (const ScalarType r = result_type(a, s); r != a.dtype()) return mul(a.to(r), s);
  Tensor y = scalar_numeric("mul", a, s, [](auto x, auto c) { return x * c; });
  return record("mul", std::move(y), {&a}, [s](const Tensor& gy) -> Grads { return {gy * s}; });
}

Tensor div(const Tensor& a, Scalar s) {
  if (const ScalarType r = division_type(result_type(a, s)); r != a.dtype()) return div(a.to(r), s);
  Tensor y = scalar_numeric("div", a, s, [](auto x, auto c) { return x / c; });
  return record("div", std::move(y), {&a}, [s](const Tensor& gy) -> Grads { return {gy / s}; });
}

Tensor rsub(const Tensor& a, Scalar s) {
  SPOOL_CHECK(a.dtype() != kBool, "rsub", "subtracting a bool tensor (shape {}) is not supported", a.sizes());
  if (const ScalarType r = result_type(a, s); r != a.dtype()) return rsub(a.to(r), s);
  Tensor y = scalar_numeric("rsub", a, s, [](auto x, auto c) { return c - x; });
  return record("rsub", std::move(y), {&a}, [](const Tensor& gy) -> Grads { return {neg(gy)}; });
}

Tensor rdiv(const Tensor& a, Scalar s) {
  if (const ScalarType r = division_type(result_type(a, s)); r != a.dtype()) return rdiv(a.to(r), s);
  Tensor y = scalar_numeric("rdiv", a, s, [](auto x, auto c) { return c / x; });
  // d/da (s/a) = -s/a^2 = -y/a
  return record("rdiv", y, {&a}, [a = SavedTensor("rdiv", a), y = SavedTensor("rdiv", y)](const Tensor& gy) -> Grads { return {neg(gy * y / a)}; });
}

Tensor neg(const Tensor& a) {
  Tensor y = scalar_numeric("neg", a, 0.0, [](auto x, auto) { return -x; });
  return record("neg", std::move(y), {&a}, [](const Tensor& gy) -> Grads { return {neg(gy)}; });
}

Tensor exp(const Tensor& a) {
  Tensor y = kernels::map_vector(a, kernels::VecOp::Exp, "exp");
  // d/dx e^x = e^x
  return record("exp", y, {&a}, [y = SavedTensor("exp", y)](const Tensor& gy) -> Grads { return {gy * y}; });
}

Tensor log(const Tensor& a) {
  Tensor y = detail::map_float("log", a, [](auto x) { return std::log(x); });
  // d/dx log x = 1/x
  return record("log", std::move(y), {&a}, [a = SavedTensor("log", a)](const Tensor& gy) -> Grads { return {gy / a}; });
}

Tensor sqrt(const Tensor& a) {
  Tensor y = detail::map_float("sqrt", a, [](auto x) { return std::sqrt(x); });
  // d/dx sqrt x = 1 / (2 sqrt x)
  return record("sqrt", y, {&a}, [y = SavedTensor("sqrt", y)](const Tensor& gy) -> Grads { return {gy / (y * 2.0)}; });
}

Tensor abs(const Tensor& a) {
  Tensor y = scalar_numeric("abs", a, 0.0, [](auto x, auto) { return x < 0 ? -x : x; });
  // d/dx |x| = sign(x) (0 at 0, as PyTorch)
  return record("abs", std::move(y), {&a}, [a = SavedTensor("abs", a)](const Tensor& gy) -> Grads {
    Tensor sign = detail::map_float("sign", a, [](auto x) { return decltype(x)((x > 0) - (x < 0)); });
    return {gy * sign};
  });
}

Tensor square(const Tensor& a) { return mul(a, a); }

Tensor pow(const Tensor& a, Scalar exponent) {
  if (const ScalarType r = result_type(a, exponent); r != a.dtype()) return pow(a.to(r), exponent);
  if (a.dtype() == kInt64) {
    // Integer powers stay integers, as in PyTorch (no gradient: integers carry none).
    const int64_t n = exponent.to_int64();
    SPOOL_CHECK(n >= 0, "pow", "integers to negative integer powers ({}) are not allowed", n);
    return kernels::map1<int64_t, int64_t>(a, kInt64, [n](int64_t x) {
      // Square-and-multiply modulo 2^64: overflow wraps as PyTorch's does, without UB.
      uint64_t result = 1;
      for (uint64_t base = static_cast<uint64_t>(x), k = static_cast<uint64_t>(n); k > 0; k >>= 1, base *= base)
        if (k & 1) result *= base;
      return static_cast<int64_t>(result);
    });
  }
  const double e = exponent.to_double();
  // x^2 is x * x, exactly (x.pow(2) in a loss ran libm's powf per element, 12% of an attention block's step).
  if (e == 2) return mul(a, a);
  Tensor y = detail::map_float("pow", a, [e](auto x) { return std::pow(x, decltype(x)(e)); });
  // d/dx x^e = e x^(e-1)
  return record("pow", std::move(y), {&a}, [a = SavedTensor("pow", a), e](const Tensor& gy) -> Grads {
    if (e == 0) return {zeros_like(gy)};
    return {gy * pow(a, e - 1) * e};
  });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  return promoted(a, b, result_type(a, b), [](const Tensor& a, const Tensor& b) {
    Tensor y = SPOOL_DISPATCH_FLOAT(a.dtype(), "pow", [&] {
      return kernels::map2<scalar_t, scalar_t, scalar_t>(a, b, a.dtype(), "pow",
                                                         [](scalar_t x, scalar_t z) { return std::pow(x, z); });
    });
    // d/da = b a^(b-1), d/db = a^b log a
    return record("pow", y, {&a, &b}, [a = SavedTensor("pow", a), b = SavedTensor("pow", b), y = SavedTensor("pow", y)](const Tensor& gy) -> Grads {
      return {a->requires_grad() ? gy * b * pow(a, b - 1.0) : Tensor(),
              b->requires_grad() ? gy * y * log(a) : Tensor()};
    });
  });
}

Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi) {
  SPOOL_CHECK(lo || hi, "clamp", "at least one of min and max must be given");
  const double l = lo.value_or(-INFINITY), h = hi.value_or(INFINITY);
  // An int64 result must hold the bound it may take (a cast of 1e30 is UB).
  SPOOL_CHECK(a.dtype() != kInt64 || ((!lo || fits_int64(l)) && (!hi || fits_int64(h))),
              "clamp", "bounds [{}, {}] do not fit an int64 tensor", l, h);
  Tensor y = SPOOL_DISPATCH_NUMERIC(a.dtype(), "clamp", [&] {
    return kernels::map1<scalar_t, scalar_t>(a, a.dtype(), [&](scalar_t x) {
      return static_cast<scalar_t>(std::min(std::max(static_cast<double>(x), l), h));
    });
  });
  // Gradient passes where lo <= x <= hi.
  return record("clamp", std::move(y), {&a}, [a = SavedTensor("clamp", a), l, h](const Tensor& gy) -> Grads {
    Tensor pass = detail::map_float("clamp_mask", a, [&](auto x) { return decltype(x)(x >= l && x <= h); });
    return {gy * pass};
  });
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  SPOOL_CHECK(cond.dtype() == kBool, "where", "condition must be bool, got {}", dtype_name(cond.dtype()));
  return promoted(a, b, result_type(a, b), [&cond](const Tensor& a, const Tensor& b) {
    Tensor y = SPOOL_DISPATCH_ALL(a.dtype(), "where", [&] {
      return kernels::map3<bool, scalar_t, scalar_t, scalar_t>(
          cond, a, b, a.dtype(), "where", [](bool c, scalar_t x, scalar_t z) { return c ? x : z; });
    });
    return record("where", std::move(y), {&cond, &a, &b}, [cond = SavedTensor("where", cond)](const Tensor& gy) -> Grads {
      Tensor zero = scalar_like(gy, 0.0);
      return {Tensor(), where(cond, gy, zero), where(cond, zero, gy)};
    });
  });
}

Tensor masked_fill(const Tensor& a, const Tensor& mask, double value) {
  SPOOL_CHECK(mask.dtype() == kBool, "masked_fill", "mask must be bool, got {}", dtype_name(mask.dtype()));
  SPOOL_CHECK(broadcast_shapes(a.sizes(), mask.sizes(), "masked_fill") == a.sizes(), "masked_fill",
              "mask of shape {} does not broadcast to input shape {}", mask.sizes(), a.sizes());
  SPOOL_CHECK(a.dtype() != kInt64 || fits_int64(value), "masked_fill",
              "value {} cannot be converted to int64 without overflow", value);
  Tensor y = SPOOL_DISPATCH_ALL(a.dtype(), "masked_fill", [&] {
    const auto v = static_cast<scalar_t>(value);
    return kernels::map2<scalar_t, bool, scalar_t>(a, mask, a.dtype(), "masked_fill",
                                                   [v](scalar_t x, bool m) { return m ? v : x; });
  });
  // No gradient flows to filled positions.
  return record("masked_fill", std::move(y), {&a},
                [mask = SavedTensor("masked_fill", mask)](const Tensor& gy) -> Grads { return {masked_fill(gy, mask, 0.0)}; });
}

Tensor eq(const Tensor& a, const Tensor& b) { return compare("eq", a, b, [](auto x, auto y) { return x == y; }); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare("ne", a, b, [](auto x, auto y) { return x != y; }); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare("lt", a, b, [](auto x, auto y) { return x < y; }); }
Tensor le(const Tensor& a, const Tensor& b) { return compare("le", a, b, [](auto x, auto y) { return x <= y; }); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare("gt", a, b, [](auto x, auto y) { return x > y; }); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare("ge", a, b, [](auto x, auto y) { return x >= y; }); }
namespace {
// The Scalar as a 0-dim tensor of the promoted dtype: an int64 tensor < 1.5
// compares with 1.5, not with 1.
Tensor scalar_operand(const Tensor& a, Scalar b) {
  const ScalarType r = result_type(a, b);
  if (r != kInt64) return scalar_tensor(b.to_double(), r);
  Tensor t = Tensor::empty({}, kInt64);  // exact, also beyond 2^53
  *t.data_ptr<int64_t>() = b.to_int64();
  return t;
}
}  // namespace

Tensor eq(const Tensor& a, Scalar b) { return eq(a, scalar_operand(a, b)); }
Tensor lt(const Tensor& a, Scalar b) { return lt(a, scalar_operand(a, b)); }
Tensor gt(const Tensor& a, Scalar b) { return gt(a, scalar_operand(a, b)); }
Tensor ne(const Tensor& a, Scalar b) { return ne(a, scalar_operand(a, b)); }
Tensor le(const Tensor& a, Scalar b) { return le(a, scalar_operand(a, b)); }
Tensor ge(const Tensor& a, Scalar b) { return ge(a, scalar_operand(a, b)); }

namespace {
void check_mask(const char* op, const Tensor& a) {
  SPOOL_CHECK(a.dtype() == kBool, op, "works on bool masks, got {} of shape {} (use logical_* for other dtypes)",
              dtype_name(a.dtype()), a.sizes());
}
}  // namespace

Tensor operator!(const Tensor& a) {
  check_mask("operator!", a);
  return logical_not(a);
}
Tensor operator&(const Tensor& a, const Tensor& b) {
  check_mask("operator&", a);
  check_mask("operator&", b);
  return logical_and(a, b);
}
Tensor operator|(const Tensor& a, const Tensor& b) {
  check_mask("operator|", a);
  check_mask("operator|", b);
  return logical_or(a, b);
}
Tensor operator^(const Tensor& a, const Tensor& b) {
  check_mask("operator^", a);
  check_mask("operator^", b);
  return logical_xor(a, b);
}

Tensor logical_not(const Tensor& a) {
  return SPOOL_DISPATCH_ALL(a.dtype(), "logical_not", [&] {
    return kernels::map1<scalar_t, bool>(a, kBool, [](scalar_t x) { return x == scalar_t(0); });
  });
}

namespace {
// f(a != 0, b != 0) into bool, any dtypes, broadcast (as torch.logical_*).
template <typename F>
Tensor logical(const char* op, const Tensor& a, const Tensor& b, F f) {
  return kernels::map2<bool, bool, bool>(a.to(kBool), b.to(kBool), kBool, op, f);  // to(kBool): x != 0
}

// maximum / minimum: the larger (smaller) value; a tie sends half the
// gradient to each input, as PyTorch.
template <bool Max>
Tensor extremum(const char* op, const Tensor& a, const Tensor& b) {
  return promoted(a, b, result_type(a, b), [op](const Tensor& a, const Tensor& b) {
    Tensor y = binary_numeric(op, a, b, [](auto x, auto z) {
      if constexpr (std::is_floating_point_v<decltype(x)>)
        if (std::isnan(x) || std::isnan(z)) return x + z;  // NaN propagates
      return Max ? (x > z ? x : z) : (x < z ? x : z);
    });
    return record(op, std::move(y), {&a, &b}, [op, a = SavedTensor(op, a), b = SavedTensor(op, b)](const Tensor& gy) -> Grads {
      auto share = [&](const Tensor& self, const Tensor& other) {
        return SPOOL_DISPATCH_FLOAT(gy.dtype(), op, [&] {
          return kernels::map3<scalar_t, scalar_t, scalar_t, scalar_t>(
              gy, self, other, gy.dtype(), op, [](scalar_t g, scalar_t p, scalar_t q) {
                return p == q ? g / 2 : (Max ? p > q : p < q) ? g : scalar_t(0);
              });
        });
      };
      return {a->requires_grad() ? share(a, b) : Tensor(), b->requires_grad() ? share(b, a) : Tensor()};
    });
  });
}
}  // namespace

Tensor logical_and(const Tensor& a, const Tensor& b) {
  return logical("logical_and", a, b, [](bool x, bool y) { return x && y; });
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return logical("logical_or", a, b, [](bool x, bool y) { return x || y; });
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return logical("logical_xor", a, b, [](bool x, bool y) { return x != y; });
}

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum<true>("maximum", a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum<false>("minimum", a, b); }

Tensor where(const Tensor& cond, const Tensor& a, Scalar b) {
  return where(cond, a, scalar_tensor(b.to_double(), result_type(a, b)));
}
Tensor where(const Tensor& cond, Scalar a, const Tensor& b) {
  return where(cond, scalar_tensor(a.to_double(), result_type(b, a)), b);
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  Tensor x = kernels::cast(a, kFloat64), y = kernels::cast(b, kFloat64);
  Tensor close = kernels::map2<double, double, bool>(x, y, kBool, "allclose", [=](double p, double q) {
    return std::fabs(p - q) <= atol + rtol * std::fabs(q) || (std::isnan(p) && std::isnan(q));
  });
  for (bool c : close.to_vector<bool>())
    if (!c) return false;
  return true;
}

}  // namespace spool
