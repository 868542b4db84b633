// linear's two halves, its value and its gradients, shared by linear
// (matmul.cpp) and Pointwise with a LinearInput (pointwise.cpp), which runs a
// product and the expression that consumes it as one recorded op.
#pragma once

#include <memory>

#include "ops.hpp"

namespace spool::detail {

// bias + x @ weight^T for a 2-D x [rows, in] (weight maybe packed: then
// `packed` is set and `weight` is its tensor), not recorded. `op` names the
// caller in errors.
Tensor linear_value(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const PackedWeight* packed);

// The gradients of x, weight and bias, in that order, for the output
// gradient gy [rows, out]: products left to the engine (gy @ weight reads the
// lazily packed plain weight when there is one), and gy itself for the bias
// (the engine sums it to the bias's shape). `room` more gradients fit
// without a reallocation (Pointwise appends its expression's).
Grads linear_grads(const Tensor& x, const Tensor& weight, const std::shared_ptr<kernels::LazyPackedMatrix>& plain,
                   bool bias_grad, const Tensor& gy, size_t room = 0);

}  // namespace spool::detail
