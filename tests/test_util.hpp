// Helpers shared by the test suites.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>

#include <spool/spool.hpp>

// Checks that expr throws a spool::Error whose message contains every part.
#define CHECK_ERROR(expr, ...)                                         \
  do {                                                                 \
    std::string message;                                               \
    try {                                                              \
      (void)(expr);                                                    \
    } catch (const ::spool::Error& e) {                                \
      message = e.what();                                              \
    }                                                                  \
    INFO("message: " << message);                                      \
    CHECK_FALSE(message.empty());                                      \
    for (const char* part : {__VA_ARGS__}) CHECK(message.find(part) != std::string::npos); \
  } while (0)

namespace spool::testing {

// Rounds of a concurrency stress test: `ci` by default, SPOOL_STRESS_ROUNDS
// when set (a soak run: SPOOL_STRESS_ROUNDS=10000 ctest -R concurrent).
inline int stress_rounds(int ci) {
  const char* env = std::getenv("SPOOL_STRESS_ROUNDS");
  return env && std::atoi(env) > 0 ? std::atoi(env) : ci;
}

// A float64 leaf that requires grad, values N(0,1) from a fixed seed.
inline Tensor leaf(const Shape& sizes, uint64_t seed = 1) {
  manual_seed(seed);
  return randn(sizes, kFloat64).requires_grad_();
}
// Strictly positive float64 leaf (for log, sqrt, pow).
inline Tensor positive_leaf(const Shape& sizes, uint64_t seed = 1) {
  manual_seed(seed);
  return uniform(sizes, 0.5, 2.0, kFloat64).requires_grad_();
}
// A non-contiguous float64 leaf of the given 2-D shape: the transpose of a
// contiguous [cols, rows] buffer.
inline Tensor transposed_leaf(int64_t rows, int64_t cols, uint64_t seed = 1) {
  manual_seed(seed);
  Tensor base = randn({cols, rows}, kFloat64);
  Tensor t = base.t();
  CHECK_FALSE(t.is_contiguous());
  return t.requires_grad_();
}

inline void check_close(const Tensor& got, const std::vector<double>& want, double rtol = 1e-5, double atol = 1e-6) {
  auto g = got.to_vector<double>();
  REQUIRE(g.size() == want.size());
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i << ": got " << g[i] << ", want " << want[i]);
    CHECK(std::fabs(g[i] - want[i]) <= atol + rtol * std::fabs(want[i]));
  }
}

}  // namespace spool::testing
