// The update rules of SGD, Adam/AdamW, RMSprop and Adagrad: one loop per
// parameter over contiguous buffers, in the parameter's own dtype.
#include <cmath>

#include "../framework/core/autograd.hpp"
#include "../framework/core/kernels.hpp"
#include "adagrad.hpp"
#include "adam.hpp"
#include "rmsprop.hpp"
#include "sgd.hpp"

namespace spool::optim {

namespace {

// Calls f(p, g, n) with raw pointers of a parameter and its gradient
// (skipping parameters without a gradient); f is templated on the scalar.
template <typename F>
void for_each_param(const std::vector<Tensor>& params, F&& f) {
  NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    SPOOL_CHECK(p.is_contiguous(), "optimizer", "parameter {} must be contiguous", i);
    if (!g.is_contiguous()) g = kernels::contiguous_copy(g);
    SPOOL_DISPATCH_FLOAT(p.dtype(), "optimizer", [&] {
      f(i, p.data_ptr<scalar_t>(), g.data_ptr<scalar_t>(), p.numel());
    });
  }
}

template <typename T>
T* buf(Tensor& t) {
  return t.data_ptr<T>();
}

void check_nonneg(const char* who, const char* what, double v) {
  SPOOL_CHECK(v >= 0, who, "{} must be >= 0, got {}", what, v);
}

}  // namespace

SGD::SGD(std::vector<std::pair<std::vector<Tensor>, SGDOptions>> groups) : OptimizerWith(std::move(groups), "SGD") {
  for (const auto& o : options_) {
    check_nonneg("SGD", "lr", o.lr_);
    check_nonneg("SGD", "momentum", o.momentum_);
    check_nonneg("SGD", "weight_decay", o.weight_decay_);
    SPOOL_CHECK(!o.nesterov_ || (o.momentum_ > 0 && o.dampening_ == 0), "SGD",
                "nesterov needs momentum > 0 and dampening 0");
  }
}

void SGD::step() {
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const SGDOptions& o = options_[gi];
    for_each_param(group_params_[gi], [&]<typename T>(size_t i, T* p, const T* g, int64_t n) {
      T* mom = nullptr;
      bool first = false;
      if (o.momentum_ != 0) {
        Tensor& steps = state(gi, i, "step", scalar_tensor(0, kFloat64));
        first = steps.item<double>() == 0;
        kernels::fill(steps, steps.item<double>() + 1);
        Tensor& b = state(gi, i, "momentum_buffer", group_params_[gi][i]);
        mom = buf<T>(b);
      }
      const T lr = T(o.lr_), wd = T(o.weight_decay_), m = T(o.momentum_), damp = T(1 - o.dampening_);
      for (int64_t k = 0; k < n; ++k) {
        T d = g[k] + wd * p[k];
        if (mom) {
          mom[k] = first ? d : m * mom[k] + damp * d;
          d = o.nesterov_ ? d + m * mom[k] : mom[k];
        }
        p[k] -= lr * d;
      }
    });
  }
}

Adam::Adam(std::vector<std::pair<std::vector<Tensor>, AdamOptions>> groups, bool decoupled)
    : OptimizerWith(std::move(groups), decoupled ? "AdamW" : "Adam"), decoupled_(decoupled) {
  for (const auto& o : options_) {
    const char* who = decoupled ? "AdamW" : "Adam";
    check_nonneg(who, "lr", o.lr_);
    check_nonneg(who, "eps", o.eps_);
    check_nonneg(who, "weight_decay", o.weight_decay_);
    SPOOL_CHECK(o.beta1_ >= 0 && o.beta1_ < 1 && o.beta2_ >= 0 && o.beta2_ < 1, who,
                "betas must be in [0, 1), got ({}, {})", o.beta1_, o.beta2_);
  }
}

void Adam::step() {
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const AdamOptions& o = options_[gi];
    for_each_param(group_params_[gi], [&]<typename T>(size_t i, T* p, const T* g, int64_t n) {
      const Tensor& param = group_params_[gi][i];
      Tensor& steps = state(gi, i, "step", scalar_tensor(0, kFloat64));
      const double t = steps.item<double>() + 1;
      kernels::fill(steps, t);
      T* m = buf<T>(state(gi, i, "exp_avg", param));
      T* v = buf<T>(state(gi, i, "exp_avg_sq", param));
      T* vmax = o.amsgrad_ ? buf<T>(state(gi, i, "max_exp_avg_sq", param)) : nullptr;
      const double bc1 = 1 - std::pow(o.beta1_, t), bc2 = 1 - std::pow(o.beta2_, t);
      const T step_size = T(o.lr_ / bc1), bc2_sqrt = T(std::sqrt(bc2));
      const T b1 = T(o.beta1_), b2 = T(o.beta2_), eps = T(o.eps_), wd = T(o.weight_decay_);
      const T decay = decoupled_ ? T(1 - o.lr_ * o.weight_decay_) : T(1);
      for (int64_t k = 0; k < n; ++k) {
        T d = g[k];
        if (decoupled_) {
          p[k] *= decay;
        } else {
          d += wd * p[k];
        }
        m[k] = b1 * m[k] + (1 - b1) * d;
        v[k] = b2 * v[k] + (1 - b2) * d * d;
        T vh = v[k];
        if (vmax) vh = vmax[k] = std::max(vmax[k], v[k]);
        p[k] -= step_size * m[k] / (std::sqrt(vh) / bc2_sqrt + eps);
      }
    });
  }
}

RMSprop::RMSprop(std::vector<std::pair<std::vector<Tensor>, RMSpropOptions>> groups)
    : OptimizerWith(std::move(groups), "RMSprop") {
  for (const auto& o : options_) {
    check_nonneg("RMSprop", "lr", o.lr_);
    check_nonneg("RMSprop", "alpha", o.alpha_);
    check_nonneg("RMSprop", "eps", o.eps_);
    check_nonneg("RMSprop", "momentum", o.momentum_);
    check_nonneg("RMSprop", "weight_decay", o.weight_decay_);
  }
}

void RMSprop::step() {
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const RMSpropOptions& o = options_[gi];
    for_each_param(group_params_[gi], [&]<typename T>(size_t i, T* p, const T* g, int64_t n) {
      const Tensor& param = group_params_[gi][i];
      Tensor& steps = state(gi, i, "step", scalar_tensor(0, kFloat64));
      kernels::fill(steps, steps.item<double>() + 1);
      T* sq = buf<T>(state(gi, i, "square_avg", param));
      T* avg = o.centered_ ? buf<T>(state(gi, i, "grad_avg", param)) : nullptr;
      T* mom = o.momentum_ > 0 ? buf<T>(state(gi, i, "momentum_buffer", param)) : nullptr;
      const T a = T(o.alpha_), eps = T(o.eps_), wd = T(o.weight_decay_), lr = T(o.lr_), m = T(o.momentum_);
      for (int64_t k = 0; k < n; ++k) {
        const T d = g[k] + wd * p[k];
        sq[k] = a * sq[k] + (1 - a) * d * d;
        T denom;
        if (avg) {
          avg[k] = a * avg[k] + (1 - a) * d;
          denom = std::sqrt(sq[k] - avg[k] * avg[k]) + eps;
        } else {
          denom = std::sqrt(sq[k]) + eps;
        }
        if (mom) {
          mom[k] = m * mom[k] + d / denom;
          p[k] -= lr * mom[k];
        } else {
          p[k] -= lr * d / denom;
        }
      }
    });
  }
}

Adagrad::Adagrad(std::vector<std::pair<std::vector<Tensor>, AdagradOptions>> groups)
    : OptimizerWith(std::move(groups), "Adagrad") {
  for (const auto& o : options_) {
    check_nonneg("Adagrad", "lr", o.lr_);
    check_nonneg("Adagrad", "lr_decay", o.lr_decay_);
    check_nonneg("Adagrad", "weight_decay", o.weight_decay_);
    check_nonneg("Adagrad", "initial_accumulator_value", o.initial_accumulator_value_);
    check_nonneg("Adagrad", "eps", o.eps_);
  }
  NoGradGuard no_grad;
  for (size_t gi = 0; gi < num_groups(); ++gi)
    for (size_t i = 0; i < group_params_[gi].size(); ++i)
      state(gi, i, "sum", group_params_[gi][i]).fill_(options_[gi].initial_accumulator_value_);
}

void Adagrad::step() {
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const AdagradOptions& o = options_[gi];
    for_each_param(group_params_[gi], [&]<typename T>(size_t i, T* p, const T* g, int64_t n) {
      Tensor& steps = state(gi, i, "step", scalar_tensor(0, kFloat64));
      const double t = steps.item<double>() + 1;
      kernels::fill(steps, t);
      T* sum = buf<T>(state(gi, i, "sum", group_params_[gi][i]));
      const T clr = T(o.lr_ / (1 + (t - 1) * o.lr_decay_)), wd = T(o.weight_decay_), eps = T(o.eps_);
      for (int64_t k = 0; k < n; ++k) {
        const T d = g[k] + wd * p[k];
        sum[k] += d * d;
        p[k] -= clr * d / (std::sqrt(sum[k]) + eps);
      }
    });
  }
}

}  // namespace spool::optim
