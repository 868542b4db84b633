#include "clip.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../framework/core/autograd.hpp"
#include "../framework/core/kernels.hpp"
#include "../framework/core/threading.hpp"

namespace spool::optim {

namespace {

// Elements per chunk of the norm's partial sums and of the scaling: chunk
// boundaries depend on sizes only, so the total is the same bits at any
// thread count.
constexpr int64_t kClipGrain = 1 << 16;

// sum |g|^p (p = norm_type), or max |g| for the infinity norm, of one
// gradient, in double. The common p = 2 is a sum of squares (no pow per
// element).
double gradient_norm_part(const Tensor& grad, double norm_type) {
  const Tensor g = grad.is_contiguous() ? grad : grad.contiguous();
  const int64_t n = g.numel(), chunks = (n + kClipGrain - 1) / kClipGrain;
  std::vector<double> partial(size_t(chunks), 0.0);
  const bool inf_norm = std::isinf(norm_type);
  SPOOL_DISPATCH_FLOAT(g.dtype(), "clip_grad_norm_", [&] {
    const scalar_t* d = g.data_ptr<scalar_t>();
    parallel_for(n, kClipGrain, [&](int64_t i0, int64_t i1) {
      double acc = 0;
      if (inf_norm) {
        for (int64_t i = i0; i < i1; ++i) {
          const double a = std::fabs(double(d[i]));
          acc = std::isnan(a) || std::isnan(acc) ? NAN : std::max(acc, a);
        }
      } else if (norm_type == 2) {
        for (int64_t i = i0; i < i1; ++i) acc += double(d[i]) * double(d[i]);
      } else if (norm_type == 1) {
        for (int64_t i = i0; i < i1; ++i) acc += std::fabs(double(d[i]));
      } else {
        for (int64_t i = i0; i < i1; ++i) acc += std::pow(std::fabs(double(d[i])), norm_type);
      }
      partial[size_t(i0 / kClipGrain)] = acc;
    });
  });
  double total = 0;
  for (double p : partial) total = inf_norm ? (std::isnan(p) || std::isnan(total) ? NAN : std::max(total, p)) : total + p;
  return total;
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  SPOOL_CHECK(max_norm >= 0, "clip_grad_norm_", "max_norm must be >= 0, got {}", max_norm);
  SPOOL_CHECK(norm_type > 0, "clip_grad_norm_", "norm_type must be positive, got {}", norm_type);
  const bool inf_norm = std::isinf(norm_type);
  double total = 0;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    const double part = gradient_norm_part(g, norm_type);
    total = inf_norm ? (std::isnan(part) || std::isnan(total) ? NAN : std::max(total, part)) : total + part;
  }
  if (!inf_norm) total = norm_type == 2 ? std::sqrt(total) : std::pow(total, 1.0 / norm_type);
  if (!std::isfinite(total)) {
    SPOOL_CHECK(!error_if_nonfinite, "clip_grad_norm_",
                "the total norm of order {} of the gradients is {}; pass error_if_nonfinite=false to skip instead",
                norm_type, total);
    return total;
  }
  const double coef = std::min(1.0, max_norm / (total + 1e-6));
  if (coef == 1.0) return total;
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (!g.is_contiguous()) {
      g.mul_(coef);
      continue;
    }
    SPOOL_DISPATCH_FLOAT(g.dtype(), "clip_grad_norm_", [&] {
      scalar_t* d = g.data_ptr<scalar_t>();
      const auto c = static_cast<scalar_t>(coef);
      parallel_for(g.numel(), kClipGrain, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) d[i] *= c;
      });
    });
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  SPOOL_CHECK(clip_value >= 0, "clip_grad_value_", "clip_value must be >= 0, got {}", clip_value);
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    SPOOL_DISPATCH_FLOAT(g.dtype(), "clip_grad_value_", [&] {
      scalar_t* d = g.data_ptr<scalar_t>();
      const auto c = static_cast<scalar_t>(clip_value);
      for (int64_t i = 0; i < g.numel(); ++i) d[i] = std::min(std::max(d[i], -c), c);
    });
  }
}

}  // namespace spool::optim
