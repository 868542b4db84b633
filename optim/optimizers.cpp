// The update rules of SGD, Adam/AdamW, RMSprop and Adagrad: one loop per
// parameter over contiguous buffers, in the parameter's own dtype.
#include <cmath>

#include "../framework/core/autograd.hpp"
#include "../framework/core/kernels.hpp"
#include "../framework/core/threading.hpp"
#include "adagrad.hpp"
#include "adam.hpp"
#include "rmsprop.hpp"
#include "sgd.hpp"

namespace spool::optim {

namespace {

// Elements of a parameter one thread updates at a time: the chunks depend
// only on the size, so the update's bits do not depend on the thread count.
constexpr int64_t kOptimizerGrain = 1 << 16;

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
    p.impl().storage->bump_version();  // an in-place change, as PyTorch's param.add_
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
    check_nonneg("SGD", "lr", o.lr());
    check_nonneg("SGD", "momentum", o.momentum());
    check_nonneg("SGD", "weight_decay", o.weight_decay());
    SPOOL_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0), "SGD",
                "nesterov needs momentum > 0 and dampening 0");
  }
}

void SGD::step() {
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const SGDOptions& o = options_[gi];
    for_each_param(group_params_[gi], [&]<typename T>(size_t i, T* p, const T* g, int64_t n) {
      T* mom = nullptr;
      bool first = false;
      if (o.momentum() != 0) {
        Tensor& steps = state(gi, i, "step", scalar_tensor(0, kFloat64));
        first = steps.item<double>() == 0;
        kernels::fill(steps, steps.item<double>() + 1);
        Tensor& b = state(gi, i, "momentum_buffer", group_params_[gi][i]);
        mom = buf<T>(b);
      }
      const T lr = T(o.lr()), wd = T(o.weight_decay()), m = T(o.momentum()), damp = T(1 - o.dampening());
      for (int64_t k = 0; k < n; ++k) {
        T d = g[k] + wd * p[k];
        if (mom) {
          mom[k] = first ? d : m * mom[k] + damp * d;
          d = o.nesterov() ? d + m * mom[k] : mom[k];
        }
        p[k] -= lr * d;
      }
    });
  }
}

template <typename Options>
AdamFamily<Options>::AdamFamily(std::vector<std::pair<std::vector<Tensor>, Options>> groups)
    : OptimizerWith<Options>(std::move(groups), kDecoupled ? "AdamW" : "Adam") {
  const char* who = kDecoupled ? "AdamW" : "Adam";
  for (const auto& o : this->options_) {
    check_nonneg(who, "lr", o.lr());
    check_nonneg(who, "eps", o.eps());
    check_nonneg(who, "weight_decay", o.weight_decay());
    const auto [b1, b2] = o.betas();
    SPOOL_CHECK(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1, who, "betas must be in [0, 1), got ({}, {})", b1, b2);
  }
}

template <typename Options>
void AdamFamily<Options>::step() {
  for (size_t gi = 0; gi < this->num_groups(); ++gi) {
    const Options& o = this->options_[gi];
    const std::vector<Tensor>& params = this->group_params_[gi];
    auto state = [&](size_t i, const char* name, const Tensor& like) -> Tensor& {
      return this->state(gi, i, name, like);
    };
    for_each_param(params, [&]<typename T>(size_t i, T* p, const T* g, int64_t n) {
      const Tensor& param = params[i];
      Tensor& steps = state(i, "step", scalar_tensor(0, kFloat64));
      const double t = steps.item<double>() + 1;
      kernels::fill(steps, t);
      T* m = buf<T>(state(i, "exp_avg", param));
      T* v = buf<T>(state(i, "exp_avg_sq", param));
      T* vmax = o.amsgrad() ? buf<T>(state(i, "max_exp_avg_sq", param)) : nullptr;
      const auto [beta1, beta2] = o.betas();
      const double bc1 = 1 - std::pow(beta1, t), bc2 = 1 - std::pow(beta2, t);
      const T step_size = T(o.lr() / bc1), bc2_sqrt = T(std::sqrt(bc2));
      const T b1 = T(beta1), b2 = T(beta2), eps = T(o.eps()), wd = T(o.weight_decay());
      const T decay = kDecoupled ? T(1 - o.lr() * o.weight_decay()) : T(1);
      // Elementwise, so chunks on several threads give the same bits; AMSGrad
      // apart so that the common loop vectorizes (a 4.7M-parameter model: 21 -> 10 ms a step on 2 cores).
      auto update = [&]<bool kAmsgrad>(int64_t k0, int64_t k1) {
        for (int64_t k = k0; k < k1; ++k) {
          T d = g[k];
          if constexpr (kDecoupled) {
            p[k] *= decay;
          } else {
            d += wd * p[k];
          }
          m[k] = b1 * m[k] + (1 - b1) * d;
          v[k] = b2 * v[k] + (1 - b2) * d * d;
          T vh = v[k];
          if constexpr (kAmsgrad) vh = vmax[k] = std::max(vmax[k], v[k]);
          p[k] -= step_size * m[k] / (std::sqrt(vh) / bc2_sqrt + eps);
        }
      };
      parallel_for(n, kOptimizerGrain, [&](int64_t k0, int64_t k1) {
        if (vmax) {
          update.template operator()<true>(k0, k1);
        } else {
          update.template operator()<false>(k0, k1);
        }
      });
    });
  }
}

template class AdamFamily<AdamOptions>;
template class AdamFamily<AdamWOptions>;

RMSprop::RMSprop(std::vector<std::pair<std::vector<Tensor>, RMSpropOptions>> groups)
    : OptimizerWith(std::move(groups), "RMSprop") {
  for (const auto& o : options_) {
    check_nonneg("RMSprop", "lr", o.lr());
    check_nonneg("RMSprop", "alpha", o.alpha());
    check_nonneg("RMSprop", "eps", o.eps());
    check_nonneg("RMSprop", "momentum", o.momentum());
    check_nonneg("RMSprop", "weight_decay", o.weight_decay());
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
      T* avg = o.centered() ? buf<T>(state(gi, i, "grad_avg", param)) : nullptr;
      T* mom = o.momentum() > 0 ? buf<T>(state(gi, i, "momentum_buffer", param)) : nullptr;
      const T a = T(o.alpha()), eps = T(o.eps()), wd = T(o.weight_decay()), lr = T(o.lr()), m = T(o.momentum());
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
    check_nonneg("Adagrad", "lr", o.lr());
    check_nonneg("Adagrad", "lr_decay", o.lr_decay());
    check_nonneg("Adagrad", "weight_decay", o.weight_decay());
    check_nonneg("Adagrad", "initial_accumulator_value", o.initial_accumulator_value());
    check_nonneg("Adagrad", "eps", o.eps());
  }
  NoGradGuard no_grad;
  for (size_t gi = 0; gi < num_groups(); ++gi)
    for (size_t i = 0; i < group_params_[gi].size(); ++i)
      state(gi, i, "sum", group_params_[gi][i]).fill_(options_[gi].initial_accumulator_value());
}

void Adagrad::step() {
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const AdagradOptions& o = options_[gi];
    for_each_param(group_params_[gi], [&]<typename T>(size_t i, T* p, const T* g, int64_t n) {
      Tensor& steps = state(gi, i, "step", scalar_tensor(0, kFloat64));
      const double t = steps.item<double>() + 1;
      kernels::fill(steps, t);
      T* sum = buf<T>(state(gi, i, "sum", group_params_[gi][i]));
      const T clr = T(o.lr() / (1 + (t - 1) * o.lr_decay())), wd = T(o.weight_decay()), eps = T(o.eps());
      for (int64_t k = 0; k < n; ++k) {
        const T d = g[k] + wd * p[k];
        sum[k] += d * d;
        p[k] -= clr * d / (std::sqrt(sum[k]) + eps);
      }
    });
  }
}

}  // namespace spool::optim
