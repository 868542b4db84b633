// Modules applied in order, each to the previous one's output. Recurrent
// layers may sit in a Sequential: it uses their per-step output sequence.
//   nn::Sequential net(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 2));
//   net.push_back(nn::Tanh());  // every handle of net sees the new step
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
  // The steps are the registered children "0", "1", ..., kept in the shared
  // state, so a push_back on any handle (a member, a copy) is one on all.
  template <typename M>
  Sequential& push_back(M module) {
    register_module(std::to_string(size()), std::move(module));
    return *this;
  }
  Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  Tensor forward_tensor(const Tensor& x) override { return forward(x); }
  size_t size() const { return named_children().size(); }
};

}  // namespace spool::nn
