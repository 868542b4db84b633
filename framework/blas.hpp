// BLAS on tensors: the one place spool calls OpenBLAS.
#pragma once

#include "tensor.hpp"

namespace spool::kernels {

// out = alpha * a @ b + beta * out for 2-D a, b of any strides (transposed
// views need no copy); out contiguous. Large products run as TBB blocks.
void gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1.0, double beta = 0.0);

}  // namespace spool::kernels
