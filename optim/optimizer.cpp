#include "optimizer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "../framework/core/autograd.hpp"

namespace spool::optim {

size_t Optimizer::check_group(size_t group) const {
  SPOOL_CHECK(group < group_params_.size(), "optimizer", "parameter group {} does not exist ({} groups)", group,
              group_params_.size());
  return group;
}

void Optimizer::add_group(std::vector<Tensor> params, const char* who) {
  SPOOL_CHECK(!params.empty(), who, "parameter group {} is empty: an optimizer needs parameters to optimize",
              group_params_.size());
  for (size_t i = 0; i < params.size(); ++i) {
    SPOOL_CHECK(params[i].defined() && params[i].is_leaf() && params[i].requires_grad(), who,
                "parameter {} of group {} must be a leaf tensor that requires grad", i, group_params_.size());
  }
  group_params_.push_back(std::move(params));
  state_.emplace_back(group_params_.back().size());
}

const std::vector<Tensor>& Optimizer::group_params(size_t group) const {
  SPOOL_CHECK(group < group_params_.size(), "Optimizer", "group {} of {}", group, group_params_.size());
  return group_params_[group];
}

void Optimizer::zero_grad() {
  for (auto& group : group_params_)
    for (Tensor& p : group) p.set_grad(Tensor());
}

void Optimizer::set_lr(double value) {
  for (size_t g = 0; g < num_groups(); ++g) set_lr(value, g);
}

Tensor& Optimizer::state(size_t group, size_t index, const std::string& name, const Tensor& like) {
  auto& entries = state_[group][index];
  for (auto& [n, t] : entries)
    if (n == name) return t;
  entries.emplace_back(name, zeros_like(like));
  return entries.back().second;
}

NamedTensors Optimizer::state_dict() const {
  NamedTensors out;
  for (size_t g = 0; g < group_params_.size(); ++g) {
    out.emplace_back(fmt::format("group.{}.lr", g), scalar_tensor(lr(g), kFloat64));
    for (size_t i = 0; i < state_[g].size(); ++i)
      for (auto& [name, t] : state_[g][i]) out.emplace_back(fmt::format("state.{}.{}.{}", g, i, name), t.clone());
  }
  return out;
}

void Optimizer::load_state_dict(const NamedTensors& saved) {
  // Validate everything first.
  std::vector<std::tuple<size_t, size_t, std::string, Tensor>> states;
  std::map<size_t, double> lrs;
  for (const auto& [key, t] : saved) {
    size_t g = 0, i = 0;
    char name[64] = {0};
    if (std::sscanf(key.c_str(), "group.%zu.lr", &g) == 1 && key == fmt::format("group.{}.lr", g)) {
      SPOOL_CHECK(g < num_groups() && t.numel() == 1, "Optimizer::load_state_dict", "entry {} does not fit {} groups",
                  key, num_groups());
      lrs[g] = t.item<double>();
      SPOOL_CHECK(std::isfinite(lrs[g]) && lrs[g] >= 0, "Optimizer::load_state_dict",
                  "entry {} holds the learning rate {}; it must be finite and >= 0", key, lrs[g]);
      continue;
    }
    SPOOL_CHECK(std::sscanf(key.c_str(), "state.%zu.%zu.%63s", &g, &i, name) == 3, "Optimizer::load_state_dict",
                "unexpected entry \"{}\"", key);
    SPOOL_CHECK(g < num_groups() && i < group_params_[g].size(), "Optimizer::load_state_dict",
                "entry {} names a parameter this optimizer does not have", key);
    const Tensor& p = group_params_[g][i];
    const std::string n(name);
    const bool scalar_state = n == "step";
    SPOOL_CHECK(scalar_state || (t.sizes() == p.sizes() && t.dtype() == p.dtype()), "Optimizer::load_state_dict",
                "entry {} has shape {} ({}), parameter has {} ({})", key, t.sizes(), dtype_name(t.dtype()), p.sizes(),
                dtype_name(p.dtype()));
    states.emplace_back(g, i, n, t);
  }
  for (auto& per_group : state_)
    for (auto& per_param : per_group) per_param.clear();
  for (auto& [g, i, n, t] : states) state_[g][i].emplace_back(n, t.clone());
  for (auto& [g, v] : lrs) set_lr(v, g);
}

}  // namespace spool::optim
