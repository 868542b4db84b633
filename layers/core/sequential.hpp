// Modules applied in order, each to the previous one's output. Recurrent
// layers may sit in a Sequential: it uses their per-step output sequence.
//   nn::Sequential net(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 2));
#pragma once

#include "module.hpp"

namespace spool::nn {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  template <typename... M>
  explicit Sequential(M... modules) : Module("Sequential") {
    (push_back(std::move(modules)), ...);
  }
  template <typename M>
  Sequential& push_back(M module) {
    steps_.push_back(&register_module(std::to_string(steps_.size()), std::move(module)));
    return *this;
  }
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  size_t size() const { return steps_.size(); }

 private:
  std::vector<Module*> steps_;  // owned through the registered children
};

}  // namespace spool::nn
