// Learning-rate schedulers with PyTorch's formulas. Call step() once per
// epoch (or per batch for OneCycleLR / CyclicLR) after optimizer.step().
// StepLR, MultiStepLR, ExponentialLR, LinearLR (warmup) and
// CosineAnnealingLR update the current rate multiplicatively, as PyTorch's
// chainable form does, so several may drive one optimizer:
//
//   optim::LinearLR warmup(opt, 0.1, 1.0, 5);
//   optim::ExponentialLR decay(opt, 0.95);
//   for (epoch...) { train(); warmup.step(); decay.step(); }
#pragma once

#include <array>
#include <string>
#include <vector>

#include "optimizer.hpp"

namespace spool::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;
  void step();
  int64_t last_epoch() const { return epoch_; }
  std::vector<double> get_last_lr() const;

 protected:
  // New rate of group g at epoch_ (already incremented), given its current rate.
  virtual double next_lr(size_t g, double current) const = 0;
  virtual void after_step() {}
  Optimizer& opt_;
  std::vector<double> base_lrs_;
  int64_t epoch_ = 0;
};

// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& opt, int64_t step_size, double gamma = 0.1);

 protected:
  double next_lr(size_t g, double current) const override;
  int64_t step_size_;
  double gamma_;
};

// lr *= gamma at each milestone epoch.
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& opt, std::vector<int64_t> milestones, double gamma = 0.1);

 protected:
  double next_lr(size_t g, double current) const override;
  std::vector<int64_t> milestones_;
  double gamma_;
};

// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& opt, double gamma);

 protected:
  double next_lr(size_t g, double current) const override;
  double gamma_;
};

// Linear warmup: the factor goes from start_factor to end_factor over total_iters epochs.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& opt, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 protected:
  double next_lr(size_t g, double current) const override;
  double start_, end_;
  int64_t total_;
};

// eta_min + (base - eta_min) (1 + cos(pi t / T_max)) / 2, in PyTorch's recursive form.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& opt, int64_t T_max, double eta_min = 0.0);

 protected:
  double next_lr(size_t g, double current) const override;
  int64_t T_max_;
  double eta_min_;
};

// The 1cycle policy (per batch): warm up from max_lr / div_factor to max_lr
// over pct_start of total_steps, then anneal ("cos" or "linear") to
// initial / final_div_factor. With cycle_momentum, the optimizer's momentum
// (or Adam's beta1) moves the other way, between max_momentum and base_momentum.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& opt, double max_lr, int64_t total_steps, double pct_start = 0.3,
             const std::string& anneal_strategy = "cos", double div_factor = 25.0, double final_div_factor = 1e4,
             bool three_phase = false, bool cycle_momentum = true, double base_momentum = 0.85,
             double max_momentum = 0.95);

 protected:
  double next_lr(size_t g, double current) const override;
  void after_step() override;
  double anneal(double from, double to, double pct) const;
  double max_lr_, initial_, min_, base_m_, max_m_;
  bool cycle_momentum_;
  int64_t total_;
  std::vector<std::array<double, 3>> phase_spec_;  // end step, start lr, end lr
  bool cos_;
};

// Cyclical learning rates between base_lr and max_lr (per batch), modes
// "triangular", "triangular2", "exp_range". With cycle_momentum, momentum
// cycles between max_momentum and base_momentum the other way.
class CyclicLR : public LRScheduler {
 public:
  CyclicLR(Optimizer& opt, double base_lr, double max_lr, int64_t step_size_up = 2000, int64_t step_size_down = -1,
           const std::string& mode = "triangular", double gamma = 1.0, bool cycle_momentum = true,
           double base_momentum = 0.8, double max_momentum = 0.9);

 protected:
  double next_lr(size_t g, double current) const override;
  void after_step() override;
  double scaled_height() const;  // in [0, 1] of the current step, mode applied
  double base_, max_, total_, ratio_, gamma_, base_m_, max_m_;
  bool cycle_momentum_;
  std::string mode_;
};

// Lowers the rate by `factor` when a metric stops improving for `patience` epochs.
class ReduceLROnPlateau {
 public:
  struct Options {
    std::string mode = "min";  // or "max"
    double factor = 0.1;
    int64_t patience = 10;
    double threshold = 1e-4;
    std::string threshold_mode = "rel";  // or "abs"
    int64_t cooldown = 0;
    double min_lr = 0.0;
    double eps = 1e-8;
  };
  explicit ReduceLROnPlateau(Optimizer& opt) : ReduceLROnPlateau(opt, Options{}) {}
  ReduceLROnPlateau(Optimizer& opt, const Options& options);
  void step(double metric);
  std::vector<double> get_last_lr() const;

 private:
  bool better(double a, double best) const;
  Optimizer& opt_;
  Options o_;
  double best_;
  int64_t bad_epochs_ = 0, cooldown_left_ = 0;
};

}  // namespace spool::optim
