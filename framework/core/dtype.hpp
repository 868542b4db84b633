// Element types: float32 (default), float64, int64 (indices, labels), bool (masks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

#include "error.hpp"

namespace spool {

enum class ScalarType : uint8_t { Float32, Float64, Int64, Bool };

inline constexpr ScalarType kFloat32 = ScalarType::Float32;
inline constexpr ScalarType kFloat64 = ScalarType::Float64;
inline constexpr ScalarType kInt64 = ScalarType::Int64;
inline constexpr ScalarType kBool = ScalarType::Bool;
inline constexpr ScalarType kFloat = kFloat32;
inline constexpr ScalarType kDouble = kFloat64;
inline constexpr ScalarType kLong = kInt64;

inline constexpr size_t element_size(ScalarType t) {
  switch (t) {
    case kFloat32: return 4;
    case kFloat64: return 8;
    case kInt64: return 8;
    case kBool: return 1;
  }
  return 0;
}

inline constexpr std::string_view dtype_name(ScalarType t) {
  switch (t) {
    case kFloat32: return "float32";
    case kFloat64: return "float64";
    case kInt64: return "int64";
    case kBool: return "bool";
  }
  return "?";
}

inline constexpr bool is_floating(ScalarType t) { return t == kFloat32 || t == kFloat64; }

// Whether a double has an int64 value (false for NaN and beyond +-2^63): casting
// one that has none is undefined behaviour.
inline constexpr bool fits_int64(double v) { return v >= -0x1p63 && v < 0x1p63; }

// x as a To, exactly: an integer keeps every bit (no trip through double),
// and a value the target cannot hold (NaN, inf or out of range into an
// integer; an int64 beyond int's range into int) is an error naming `op`.
template <typename To, typename From>
To convert_exact(From x, const char* op) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_integral_v<To>) {
    if constexpr (std::is_floating_point_v<From>) {
      SPOOL_CHECK(fits_int64(static_cast<double>(x)) && static_cast<double>(x) >= double(std::numeric_limits<To>::min()) &&
                      static_cast<double>(x) <= double(std::numeric_limits<To>::max()),
                  op, "{} has no {} value", x, std::is_same_v<To, int64_t> ? "int64" : "int");
    } else if constexpr (!std::is_same_v<From, bool> && sizeof(To) < sizeof(From)) {
      SPOOL_CHECK(x >= From(std::numeric_limits<To>::min()) && x <= From(std::numeric_limits<To>::max()), op,
                  "{} does not fit in an int", x);
    }
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

// PyTorch's categories for type promotion: bool < integer < floating.
inline constexpr int dtype_category(ScalarType t) { return t == kBool ? 0 : t == kInt64 ? 1 : 2; }
// The smallest dtype both convert to without loss of category or precision:
// bool < int64 < float32 < float64 (torch.promote_types).
inline constexpr ScalarType promote_types(ScalarType a, ScalarType b) {
  constexpr auto rank = [](ScalarType t) { return t == kBool ? 0 : t == kInt64 ? 1 : t == kFloat32 ? 2 : 3; };
  return rank(a) >= rank(b) ? a : b;
}

template <typename T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr ScalarType value = kFloat32; };
template <> struct dtype_of<double> { static constexpr ScalarType value = kFloat64; };
template <> struct dtype_of<int64_t> { static constexpr ScalarType value = kInt64; };
template <> struct dtype_of<bool> { static constexpr ScalarType value = kBool; };

// Calls f(T{}) with T the C++ type of `t`; `op` names the caller in errors.
#define SPOOL_DISPATCH_FLOAT(t, op, ...)                                          \
  [&] {                                                                           \
    switch (t) {                                                                  \
      case ::spool::kFloat32: { using scalar_t = float; return __VA_ARGS__(); }   \
      case ::spool::kFloat64: { using scalar_t = double; return __VA_ARGS__(); }  \
      default:                                                                    \
        ::spool::detail::fail(op, "expected a floating tensor, got {}",          \
                              ::spool::dtype_name(t));                            \
    }                                                                             \
  }()

#define SPOOL_DISPATCH_NUMERIC(t, op, ...)                                        \
  [&] {                                                                           \
    switch (t) {                                                                  \
      case ::spool::kFloat32: { using scalar_t = float; return __VA_ARGS__(); }   \
      case ::spool::kFloat64: { using scalar_t = double; return __VA_ARGS__(); }  \
      case ::spool::kInt64: { using scalar_t = int64_t; return __VA_ARGS__(); }   \
      default:                                                                    \
        ::spool::detail::fail(op, "expected a numeric tensor, got {}",           \
                              ::spool::dtype_name(t));                            \
    }                                                                             \
  }()

#define SPOOL_DISPATCH_ALL(t, op, ...)                                            \
  [&] {                                                                           \
    switch (t) {                                                                  \
      case ::spool::kFloat32: { using scalar_t = float; return __VA_ARGS__(); }   \
      case ::spool::kFloat64: { using scalar_t = double; return __VA_ARGS__(); }  \
      case ::spool::kInt64: { using scalar_t = int64_t; return __VA_ARGS__(); }   \
      case ::spool::kBool: { using scalar_t = bool; return __VA_ARGS__(); }       \
    }                                                                             \
    ::spool::detail::fail(op, "unknown dtype");                                   \
  }()

}  // namespace spool
