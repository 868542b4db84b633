// L1 and L2 penalties as loss terms (Keras' regularizers), differentiable:
//   loss = cross_entropy(logits, y) + optim::l2_penalty(model.parameters(), 1e-4);
// Decoupled weight decay instead lives in the optimizers (AdamW, weight_decay).
#pragma once

#include <vector>

#include "../framework/core/tensor.hpp"

namespace spool::optim {

// weight * sum(|p|) over all parameters.
Tensor l1_penalty(const std::vector<Tensor>& params, double weight);
// weight * sum(p^2) over all parameters.
Tensor l2_penalty(const std::vector<Tensor>& params, double weight);

}  // namespace spool::optim
