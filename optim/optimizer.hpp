// Optimizers with PyTorch's update rules and defaults. Each takes parameter
// groups with their own options:
//
//   optim::Adam opt(model.parameters(), optim::AdamOptions(1e-3).weight_decay(1e-4));
//   optim::SGD sgd({{encoder.parameters(), optim::SGDOptions(0.1)},
//                   {decoder.parameters(), optim::SGDOptions(0.01).momentum(0.9)}});
//   opt.zero_grad(); loss.backward(); opt.step();
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "../framework/core/options.hpp"
#include "../framework/core/tensor.hpp"
#include "../framework/io/safetensors.hpp"

namespace spool::optim {

// The part every optimizer shares: groups, learning rates (what schedulers
// change), zero_grad, and per-parameter state as named tensors.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  // Drops the gradients of every parameter (PyTorch's set_to_none=True).
  void zero_grad();
  size_t num_groups() const { return group_params_.size(); }
  const std::vector<Tensor>& group_params(size_t group) const;
  virtual double lr(size_t group = 0) const = 0;
  virtual void set_lr(double lr, size_t group) = 0;
  void set_lr(double lr);  // every group
  // The momentum term schedulers cycle (SGD/RMSprop momentum, Adam's beta1);
  // optimizers without one return false from has_momentum().
  virtual bool has_momentum() const { return false; }
  virtual double momentum(size_t /*group*/) const { return 0; }
  virtual void set_momentum(double /*value*/, size_t /*group*/) {}

  // Per-parameter state ("state.<group>.<index>.<name>") and each group's
  // learning rate ("group.<group>.lr"), ready for save_safetensors.
  NamedTensors state_dict() const;
  // Restores state saved from an optimizer over the same parameter shapes;
  // validates every entry before changing anything.
  void load_state_dict(const NamedTensors& state);

 protected:
  void add_group(std::vector<Tensor> params, const char* who);
  // group, or a clear error when there is no such group.
  size_t check_group(size_t group) const;
  // The named state tensors of one parameter, created on first use.
  Tensor& state(size_t group, size_t index, const std::string& name, const Tensor& like);
  std::vector<std::vector<Tensor>> group_params_;

 private:
  std::vector<std::vector<std::vector<std::pair<std::string, Tensor>>>> state_;
};

// Keeps per-group typed options next to the shared machinery.
template <typename Options>
class OptimizerWith : public Optimizer {
 public:
  double lr(size_t group = 0) const override { return options(group).lr(); }
  void set_lr(double lr, size_t group) override { mutable_options(group).lr(lr); }
  using Optimizer::set_lr;
  const Options& options(size_t group = 0) const { return options_.at(check_group(group)); }

 protected:
  Options& mutable_options(size_t group) { return options_.at(check_group(group)); }
  OptimizerWith(std::vector<std::pair<std::vector<Tensor>, Options>> groups, const char* who) {
    for (auto& [params, o] : groups) {
      add_group(std::move(params), who);
      options_.push_back(o);
    }
  }
  std::vector<Options> options_;
};

}  // namespace spool::optim
