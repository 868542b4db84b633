#include "clip.hpp"

#include <cmath>

#include "../framework/core/autograd.hpp"
#include "../framework/core/kernels.hpp"

namespace spool::optim {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  SPOOL_CHECK(max_norm >= 0, "clip_grad_norm_", "max_norm must be >= 0, got {}", max_norm);
  SPOOL_CHECK(norm_type > 0, "clip_grad_norm_", "norm_type must be positive, got {}", norm_type);
  const bool inf_norm = std::isinf(norm_type);
  double total = 0;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    for (double v : g.to_vector<double>()) {
      const double a = std::fabs(v);
      if (inf_norm) {
        total = std::isnan(a) ? a : std::max(total, a);
      } else {
        total += std::pow(a, norm_type);
      }
    }
  }
  if (!inf_norm) total = std::pow(total, 1.0 / norm_type);
  if (!std::isfinite(total)) {
    SPOOL_CHECK(!error_if_nonfinite, "clip_grad_norm_",
                "the total norm of order {} of the gradients is {}; pass error_if_nonfinite=false to skip instead",
                norm_type, total);
    return total;
  }
  const double coef = std::min(1.0, max_norm / (total + 1e-6));
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined() || coef == 1.0) continue;
    SPOOL_DISPATCH_FLOAT(g.dtype(), "clip_grad_norm_", [&] {
      scalar_t* d = g.data_ptr<scalar_t>();
      for (int64_t i = 0; i < g.numel(); ++i) d[i] *= static_cast<scalar_t>(coef);
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
