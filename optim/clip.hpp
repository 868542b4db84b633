// Gradient clipping, as torch.nn.utils.
#pragma once

#include <vector>

#include "../framework/core/tensor.hpp"

namespace spool::optim {

// Scales all gradients so that their joint norm is at most max_norm and
// returns the norm before clipping (norm_type: 2, 1, ... or INFINITY).
// A non-finite norm throws when error_if_nonfinite, otherwise the gradients
// are left untouched and the norm is returned so the caller can skip the step.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace spool::optim
