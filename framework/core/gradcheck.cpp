#include "gradcheck.hpp"

#include <cmath>
#include <random>

#include "autograd.hpp"
#include "kernels.hpp"

namespace spool {

namespace {

int64_t offset_of(const Tensor& t, int64_t flat) {
  int64_t off = 0;
  for (int d = t.dim() - 1; d >= 0; --d) {
    off += (flat % t.sizes()[d]) * t.strides()[d];
    flat /= t.sizes()[d];
  }
  return off;
}

double weighted_sum(const Tensor& y, const std::vector<double>& v) {
  double s = 0;
  for (int64_t i = 0; i < y.numel(); ++i) s += kernels::get_as_double(y, i) * v[i];
  return s;
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& o) {
  for (const Tensor& t : inputs)
    SPOOL_CHECK(!t.requires_grad() || t.dtype() == kFloat64, "gradcheck",
                "inputs that require grad must be float64 for finite differences, got {}", dtype_name(t.dtype()));
  for (const Tensor& t : inputs)
    if (t.requires_grad()) const_cast<Tensor&>(t).set_grad(Tensor());

  Tensor y = fn(inputs);
  SPOOL_CHECK(y.requires_grad(), "gradcheck", "the function's output does not require grad");
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal;
  std::vector<double> v(y.numel());
  for (double& x : v) x = normal(rng);
  Tensor upstream = tensor(v, y.sizes().empty() ? Shape{1} : y.sizes(), y.dtype());
  if (y.dim() == 0) upstream = scalar_tensor(v[0], y.dtype());
  y.backward(upstream);

  GradcheckResult result;
  double worst_excess = 0;
  NoGradGuard no_grad;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    if (!x.requires_grad()) continue;
    Tensor analytic = x.grad();
    double* data = static_cast<double*>(x.impl().storage->data()) + x.storage_offset();
    for (int64_t i = 0; i < x.numel(); ++i) {
      double* p = data + offset_of(x, i);
      const double saved = *p;
      *p = saved + o.eps;
      const double plus = weighted_sum(fn(inputs), v);
      *p = saved - o.eps;
      const double minus = weighted_sum(fn(inputs), v);
      *p = saved;
      const double numeric = (plus - minus) / (2 * o.eps);
      const double a = analytic.defined() ? kernels::get_as_double(analytic, i) : 0.0;
      const double err = std::fabs(a - numeric);
      result.max_abs_error = std::max(result.max_abs_error, err);
      const double excess = err - (o.atol + o.rtol * std::fabs(numeric));
      if (excess > worst_excess) {
        worst_excess = excess;
        result.ok = false;
        result.report = fmt::format("gradcheck: input {} (shape {}) element {}: analytic {:.10g}, numeric {:.10g}, "
                                    "|diff| {:.3g} > atol {} + rtol {} * |numeric|",
                                    k, x.sizes(), i, a, numeric, err, o.atol, o.rtol);
      }
    }
  }
  return result;
}

}  // namespace spool
