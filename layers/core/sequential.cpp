#include "sequential.hpp"

namespace spool::nn {

Tensor Sequential::forward(const Tensor& x) {
  check_defined("Sequential");
  Tensor h = x;
  for (const auto& [name, m] : named_children()) h = m->forward_tensor(h);
  note_output_shape(h.sizes());
  return h;
}

}  // namespace spool::nn
