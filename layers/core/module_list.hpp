// A list of modules of one type, registered as children "0", "1", ..., as
// torch.nn.ModuleList: their parameters are named "<list>.<i>.<name>", so a
// stack of layers keeps PyTorch's names ("layers.0.self_attn.in_proj_weight").
//   nn::ModuleList<nn::Linear> blocks;
//   for (int i = 0; i < 3; ++i) blocks.push_back(nn::Linear(8, 8));
//   for (size_t i = 0; i < blocks.size(); ++i) x = blocks[i](x);
// The items are the registered children themselves, so every handle of the
// list (a member, a copy) sees the same items.
#pragma once

#include <string>

#include "module.hpp"

namespace spool::nn {

template <typename M>
class ModuleList : public Module {
 public:
  ModuleList() : Module("ModuleList") {}
  ModuleList& push_back(M module) {
    register_module(std::to_string(size()), std::move(module));
    return *this;
  }
  // Each child was registered as an M (push_back is the only way in).
  M& operator[](size_t i) const {
    SPOOL_CHECK(i < size(), "ModuleList", "index {} is out of range for a list of {}", i, size());
    return static_cast<M&>(*named_children()[i].second);
  }
  size_t size() const { return named_children().size(); }
};

}  // namespace spool::nn
