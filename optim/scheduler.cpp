#include "scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spool::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : opt_(optimizer) {
  for (size_t g = 0; g < opt_.num_groups(); ++g) base_lrs_.push_back(opt_.lr(g));
}

void LRScheduler::step() {
  ++epoch_;
  for (size_t g = 0; g < opt_.num_groups(); ++g) opt_.set_lr(next_lr(g, opt_.lr(g)), g);
  after_step();
}

std::vector<double> LRScheduler::get_last_lr() const {
  std::vector<double> out;
  for (size_t g = 0; g < opt_.num_groups(); ++g) out.push_back(opt_.lr(g));
  return out;
}

StepLR::StepLR(Optimizer& opt, int64_t step_size, double gamma) : LRScheduler(opt), step_size_(step_size), gamma_(gamma) {
  SPOOL_CHECK(step_size > 0, "StepLR", "step_size must be positive, got {}", step_size);
}
double StepLR::next_lr(size_t, double lr) const { return epoch_ % step_size_ == 0 ? lr * gamma_ : lr; }

MultiStepLR::MultiStepLR(Optimizer& opt, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(opt), milestones_(std::move(milestones)), gamma_(gamma) {
  SPOOL_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()), "MultiStepLR", "milestones must be increasing");
}
double MultiStepLR::next_lr(size_t, double lr) const {
  const auto n = std::count(milestones_.begin(), milestones_.end(), epoch_);
  return lr * std::pow(gamma_, static_cast<double>(n));
}

ExponentialLR::ExponentialLR(Optimizer& opt, double gamma) : LRScheduler(opt), gamma_(gamma) {}
double ExponentialLR::next_lr(size_t, double lr) const { return lr * gamma_; }

LinearLR::LinearLR(Optimizer& opt, double start, double end, int64_t total)
    : LRScheduler(opt), start_(start), end_(end), total_(total) {
  SPOOL_CHECK(start > 0 && start <= 1 && end >= 0 && end <= 1, "LinearLR",
              "start_factor must be in (0, 1] and end_factor in [0, 1], got {} and {}", start, end);
  SPOOL_CHECK(total > 0, "LinearLR", "total_iters must be positive, got {}", total);
  // Epoch 0 applies the start factor at once, as PyTorch does at construction.
  for (size_t g = 0; g < opt_.num_groups(); ++g) opt_.set_lr(opt_.lr(g) * start_, g);
}
double LinearLR::next_lr(size_t, double lr) const {
  if (epoch_ > total_) return lr;
  return lr * (1.0 + (end_ - start_) / (total_ * start_ + (epoch_ - 1) * (end_ - start_)));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& opt, int64_t T_max, double eta_min)
    : LRScheduler(opt), T_max_(T_max), eta_min_(eta_min) {
  SPOOL_CHECK(T_max > 0, "CosineAnnealingLR", "T_max must be positive, got {}", T_max);
  // next_lr works modulo the period 2 * T_max, which must fit an int64.
  SPOOL_CHECK(T_max <= std::numeric_limits<int64_t>::max() / 2, "CosineAnnealingLR",
              "T_max must be at most {}, got {}", std::numeric_limits<int64_t>::max() / 2, T_max);
}
double CosineAnnealingLR::next_lr(size_t g, double lr) const {
  const double base = base_lrs_[g], T = static_cast<double>(T_max_), t = static_cast<double>(epoch_);
  if ((epoch_ - 1 - T_max_) % (2 * T_max_) == 0) return lr + (base - eta_min_) * (1 - std::cos(M_PI / T)) / 2;
  return (1 + std::cos(M_PI * t / T)) / (1 + std::cos(M_PI * (t - 1) / T)) * (lr - eta_min_) + eta_min_;
}

OneCycleLR::OneCycleLR(Optimizer& opt, double max_lr, int64_t total_steps, double pct_start,
                       const std::string& anneal, double div_factor, double final_div_factor, bool three_phase,
                       bool cycle_momentum, double base_momentum, double max_momentum)
    : LRScheduler(opt), max_lr_(max_lr), base_m_(base_momentum), max_m_(max_momentum),
      cycle_momentum_(cycle_momentum), total_(total_steps), cos_(anneal == "cos") {
  SPOOL_CHECK(!cycle_momentum || opt.has_momentum(), "OneCycleLR",
              "cycle_momentum needs an optimizer with momentum (SGD, RMSprop, Adam); pass cycle_momentum=false");
  SPOOL_CHECK(total_steps > 0, "OneCycleLR", "total_steps must be positive, got {}", total_steps);
  SPOOL_CHECK(pct_start > 0 && pct_start < 1, "OneCycleLR", "pct_start must be in (0, 1), got {}", pct_start);
  SPOOL_CHECK(anneal == "cos" || anneal == "linear", "OneCycleLR", "anneal_strategy must be cos or linear, got {}",
              anneal);
  initial_ = max_lr / div_factor;
  min_ = initial_ / final_div_factor;
  const double up = pct_start * total_steps - 1;
  if (three_phase) {
    phase_spec_ = {{up, initial_, max_lr}, {2 * up, max_lr, initial_}, {total_steps - 1.0, initial_, min_}};
  } else {
    phase_spec_ = {{up, initial_, max_lr}, {total_steps - 1.0, max_lr, min_}};
  }
  // Every phase must span at least part of a step (PyTorch divides by its
  // length too: an empty phase would make the rate and momentum NaN).
  double start = 0;
  for (const auto& phase : phase_spec_) {
    SPOOL_CHECK(std::get<0>(phase) > start, "OneCycleLR",
                "total_steps {} with pct_start {} leaves an empty phase (ending at step {}); use more steps or "
                "another pct_start", total_steps, pct_start, std::get<0>(phase));
    start = std::get<0>(phase);
  }
  for (size_t g = 0; g < opt_.num_groups(); ++g) opt_.set_lr(initial_, g);
  after_step();
}

double OneCycleLR::anneal(double from, double to, double pct) const {
  return cos_ ? to + (from - to) / 2.0 * (std::cos(M_PI * pct) + 1) : (to - from) * pct + from;
}

void OneCycleLR::after_step() {
  if (!cycle_momentum_) return;
  // Momentum mirrors the rate: max while the rate is low, base at its peak.
  const double step = static_cast<double>(epoch_);
  double start_step = 0, m = base_m_;
  const size_t phases = phase_spec_.size();
  for (size_t i = 0; i < phases; ++i) {
    const double end_step = phase_spec_[i][0];
    // Momentum goes max -> base while the rate rises, base -> max while it falls.
    const bool rising = i == 0;
    const bool three_last = phases == 3 && i == 2;
    const double from = rising ? max_m_ : (three_last ? max_m_ : base_m_), to = rising ? base_m_ : max_m_;
    if (step <= end_step || i + 1 == phases) {
      m = anneal(from, to, (step - start_step) / (end_step - start_step));
      break;
    }
    start_step = end_step;
  }
  for (size_t g = 0; g < opt_.num_groups(); ++g) opt_.set_momentum(m, g);
}

double OneCycleLR::next_lr(size_t, double) const {
  SPOOL_CHECK(epoch_ <= total_, "OneCycleLR", "stepped {} times, more than total_steps {}", epoch_, total_);
  const double step = static_cast<double>(epoch_);
  double start_step = 0;
  for (size_t i = 0; i < phase_spec_.size(); ++i) {
    const auto& [end_step, from, to] = phase_spec_[i];
    if (step <= end_step || i + 1 == phase_spec_.size()) {
      return anneal(from, to, (step - start_step) / (end_step - start_step));
    }
    start_step = end_step;
  }
  return min_;
}

CyclicLR::CyclicLR(Optimizer& opt, double base_lr, double max_lr, int64_t up, int64_t down, const std::string& mode,
                   double gamma, bool cycle_momentum, double base_momentum, double max_momentum)
    : LRScheduler(opt), base_(base_lr), max_(max_lr), gamma_(gamma), base_m_(base_momentum), max_m_(max_momentum),
      cycle_momentum_(cycle_momentum), mode_(mode) {
  SPOOL_CHECK(!cycle_momentum || opt.has_momentum(), "CyclicLR",
              "cycle_momentum needs an optimizer with momentum (SGD, RMSprop, Adam); pass cycle_momentum=false");
  SPOOL_CHECK(mode == "triangular" || mode == "triangular2" || mode == "exp_range", "CyclicLR",
              "mode must be triangular, triangular2 or exp_range, got {}", mode);
  SPOOL_CHECK(up > 0, "CyclicLR", "step_size_up must be positive, got {}", up);
  const double d = down > 0 ? static_cast<double>(down) : static_cast<double>(up);
  total_ = up + d;
  ratio_ = up / total_;
  for (size_t g = 0; g < opt_.num_groups(); ++g) opt_.set_lr(base_, g);
  after_step();
}

double CyclicLR::scaled_height() const {
  const double e = static_cast<double>(epoch_);
  const double cycle = std::floor(1 + e / total_);
  const double x = 1.0 + e / total_ - cycle;
  const double scale_x = x <= ratio_ ? x / ratio_ : (x - 1) / (ratio_ - 1);
  if (mode_ == "triangular") return scale_x;
  if (mode_ == "triangular2") return scale_x / std::pow(2.0, cycle - 1);
  return scale_x * std::pow(gamma_, e);
}

double CyclicLR::next_lr(size_t, double) const { return base_ + (max_ - base_) * scaled_height(); }

void CyclicLR::after_step() {
  if (!cycle_momentum_) return;
  const double m = max_m_ - (max_m_ - base_m_) * scaled_height();
  for (size_t g = 0; g < opt_.num_groups(); ++g) opt_.set_momentum(m, g);
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& opt, const Options& o) : opt_(opt), o_(o) {
  SPOOL_CHECK(o.mode == "min" || o.mode == "max", "ReduceLROnPlateau", "mode must be min or max, got {}", o.mode);
  SPOOL_CHECK(o.threshold_mode == "rel" || o.threshold_mode == "abs", "ReduceLROnPlateau",
              "threshold_mode must be rel or abs, got {}", o.threshold_mode);
  SPOOL_CHECK(o.factor < 1 && o.factor >= 0, "ReduceLROnPlateau", "factor must be in [0, 1), got {}", o.factor);
  best_ = o.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateau::better(double a, double best) const {
  const bool rel = o_.threshold_mode == "rel";
  if (o_.mode == "min") return rel ? a < best * (1 - o_.threshold) : a < best - o_.threshold;
  return rel ? a > best * (1 + o_.threshold) : a > best + o_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  if (better(metric, best_)) {
    best_ = metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    bad_epochs_ = 0;
  }
  if (bad_epochs_ > o_.patience) {
    for (size_t g = 0; g < opt_.num_groups(); ++g) {
      const double old_lr = opt_.lr(g), new_lr = std::max(old_lr * o_.factor, o_.min_lr);
      if (old_lr - new_lr > o_.eps) opt_.set_lr(new_lr, g);
    }
    cooldown_left_ = o_.cooldown;
    bad_epochs_ = 0;
  }
}

std::vector<double> ReduceLROnPlateau::get_last_lr() const {
  std::vector<double> out;
  for (size_t g = 0; g < opt_.num_groups(); ++g) out.push_back(opt_.lr(g));
  return out;
}

}  // namespace spool::optim
