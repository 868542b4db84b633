#include "random.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <random>

#include "autograd.hpp"
#include "kernels.hpp"

namespace spool {

namespace {
struct Generator {
  std::mutex mu;
  std::mt19937_64 engine{0x5eed};
};
Generator& gen() {
  static Generator g;
  return g;
}
// 53 random bits as a double in [0, 1).
double next_unit(std::mt19937_64& e) { return (e() >> 11) * 0x1.0p-53; }

template <typename F>
Tensor generate(const Shape& sizes, ScalarType dtype, const char* op, F&& draw) {
  Tensor t = Tensor::empty(sizes, dtype);
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mu);
  SPOOL_DISPATCH_ALL(dtype, op, [&] {
    scalar_t* d = t.data_ptr<scalar_t>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) d[i] = static_cast<scalar_t>(draw(g.engine));
  });
  return t;
}
}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mu);
  g.engine.seed(seed);
}

Tensor uniform(const Shape& sizes, double low, double high, ScalarType dtype) {
  SPOOL_CHECK(is_floating(dtype), "uniform", "needs a floating dtype, got {}", dtype_name(dtype));
  SPOOL_CHECK(low <= high && std::isfinite(low) && std::isfinite(high), "uniform",
              "needs finite low <= high, got [{}, {})", low, high);
  return generate(sizes, dtype, "uniform", [&](std::mt19937_64& e) { return low + (high - low) * next_unit(e); });
}
Tensor rand(const Shape& sizes, ScalarType dtype) { return uniform(sizes, 0.0, 1.0, dtype); }

Tensor normal(const Shape& sizes, double mean, double stddev, ScalarType dtype) {
  SPOOL_CHECK(is_floating(dtype), "normal", "needs a floating dtype, got {}", dtype_name(dtype));
  SPOOL_CHECK(stddev >= 0, "normal", "stddev must be >= 0, got {}", stddev);
  return generate(sizes, dtype, "normal", [&](std::mt19937_64& e) {
    // Box-Muller; one draw per element keeps the stream simple to reproduce.
    const double u1 = 1.0 - next_unit(e), u2 = next_unit(e);
    return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  });
}
Tensor randn(const Shape& sizes, ScalarType dtype) { return normal(sizes, 0.0, 1.0, dtype); }

Tensor randint(int64_t low, int64_t high, const Shape& sizes) {
  SPOOL_CHECK(high > low, "randint", "empty range [{}, {})", low, high);
  // The span in unsigned arithmetic: [INT64_MIN, INT64_MAX) does not fit int64.
  const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return generate(sizes, kInt64, "randint", [&](std::mt19937_64& e) {
    const auto k = std::min(static_cast<uint64_t>(next_unit(e) * static_cast<double>(span)), span - 1);
    return static_cast<int64_t>(static_cast<uint64_t>(low) + k);
  });
}

Tensor bernoulli(const Shape& sizes, double p, ScalarType dtype) {
  SPOOL_CHECK(p >= 0 && p <= 1, "bernoulli", "p must be in [0, 1], got {}", p);
  return generate(sizes, dtype, "bernoulli", [&](std::mt19937_64& e) { return next_unit(e) < p ? 1.0 : 0.0; });
}

Tensor randperm(int64_t n) {
  SPOOL_CHECK(n >= 0, "randperm", "n must be >= 0, got {}", n);
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  Generator& g = gen();
  {
    std::lock_guard<std::mutex> lock(g.mu);
    for (int64_t i = n - 1; i > 0; --i) {
      auto j = static_cast<int64_t>(next_unit(g.engine) * static_cast<double>(i + 1));
      std::swap(v[i], v[j]);
    }
  }
  return tensor(v, {n});
}

Tensor multinomial(const Tensor& weights, int64_t num_samples, bool replacement) {
  SPOOL_CHECK(weights.dim() == 1 || weights.dim() == 2, "multinomial", "weights must be [C] or [N, C], got {}",
              weights.sizes());
  SPOOL_CHECK(is_floating(weights.dtype()), "multinomial", "weights must be floating, got {}",
              dtype_name(weights.dtype()));
  SPOOL_CHECK(num_samples > 0, "multinomial", "num_samples must be > 0, got {}", num_samples);
  const int64_t rows = weights.dim() == 2 ? weights.size(0) : 1, classes = weights.size(-1);
  SPOOL_CHECK(classes > 0, "multinomial", "weights {} have no categories", weights.sizes());
  SPOOL_CHECK(replacement || num_samples <= classes, "multinomial",
              "cannot draw {} samples without replacement from {} categories", num_samples, classes);
  std::vector<double> w = weights.detach().to(kFloat64).to_vector<double>();
  // Every row is checked before any draw, so a bad row leaves the generator
  // untouched; rows are scaled by their largest weight so sums cannot overflow.
  for (int64_t r = 0; r < rows; ++r) {
    double* row = w.data() + r * classes;
    int64_t nonzero = 0;
    double largest = 0;
    for (int64_t c = 0; c < classes; ++c) {
      SPOOL_CHECK(std::isfinite(row[c]) && row[c] >= 0, "multinomial",
                  "row {} has weight {} at category {}; weights must be finite and >= 0", r, row[c], c);
      nonzero += row[c] > 0;
      largest = std::max(largest, row[c]);
    }
    SPOOL_CHECK(nonzero > 0, "multinomial", "row {} of weights {} sums to 0", r, weights.sizes());
    SPOOL_CHECK(replacement || num_samples <= nonzero, "multinomial",
                "row {} has {} non-zero weights, too few to draw {} samples without replacement", r, nonzero,
                num_samples);
    for (int64_t c = 0; c < classes; ++c) row[c] /= largest;
  }
  std::vector<int64_t> out(static_cast<size_t>(rows * num_samples));
  std::vector<double> cumulative(static_cast<size_t>(classes));
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mu);
  for (int64_t r = 0; r < rows; ++r) {
    double* row = w.data() + r * classes;
    for (int64_t s = 0; s < num_samples; ++s) {
      // The inverse of the cumulative weights at a uniform point of their
      // total; without replacement the drawn category's weight drops to 0.
      if (s == 0 || !replacement) std::partial_sum(row, row + classes, cumulative.begin());
      const double u = next_unit(g.engine) * cumulative.back();
      auto pick = static_cast<int64_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
      while (pick >= classes || row[pick] == 0) --pick;  // rounding at the top end
      out[static_cast<size_t>(r * num_samples + s)] = pick;
      if (!replacement) row[pick] = 0;
    }
  }
  return tensor(out, weights.dim() == 2 ? Shape{rows, num_samples} : Shape{num_samples});
}

void uniform_(Tensor& t, double low, double high) {
  NoGradGuard guard;
  t.copy_(uniform(t.sizes(), low, high, t.dtype()));
}
void normal_(Tensor& t, double mean, double stddev) {
  NoGradGuard guard;
  t.copy_(normal(t.sizes(), mean, stddev, t.dtype()));
}

Tensor rand_like(const Tensor& t) { return rand(t.sizes(), t.dtype()); }
Tensor randn_like(const Tensor& t) { return randn(t.sizes(), t.dtype()); }

}  // namespace spool
