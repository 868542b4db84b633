// Matrix products (BLAS calls in framework/blas.cpp).
#include "../framework/core/blas.hpp"
#include "../framework/core/kernels.hpp"
#include "../framework/core/packed_matrix.hpp"
#include "../framework/core/threading.hpp"
#include "linear_parts.hpp"
#include "ops.hpp"

namespace spool {

namespace {

void check_matmul_dtypes(const char* op, const Tensor& a, const Tensor& b) {
  SPOOL_CHECK(a.dtype() == b.dtype() && a.is_floating_point(), op,
              "needs two floating tensors of one dtype, got {} (shape {}) and {} (shape {})", dtype_name(a.dtype()),
              a.sizes(), dtype_name(b.dtype()), b.sizes());
}

// Batched product of a [..., m, k] and b [..., k, n] with broadcast batch
// dims; no autograd.
Tensor matmul_kernel(const Tensor& a, const Tensor& b) {
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  SPOOL_CHECK(b.size(-2) == k, "matmul", "shapes {} and {} cannot be multiplied ({} != {})", a.sizes(), b.sizes(), k,
              b.size(-2));
  Shape batch_a(std::vector<int64_t>(a.sizes().begin(), a.sizes().end() - 2));
  Shape batch_b(std::vector<int64_t>(b.sizes().begin(), b.sizes().end() - 2));
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  Shape out_sizes = batch;
  out_sizes.push_back(m);
  out_sizes.push_back(n);
  Tensor out = Tensor::empty(out_sizes, a.dtype());
  const int64_t nb = batch.numel();
  if (out.numel() == 0) return out;

  // a [..., m, k] with a 2-D b: fold the batch into the rows (one GEMM).
  if (b.dim() == 2 && a.dim() > 2) {
    Tensor a2 = a.is_contiguous() ? a : kernels::contiguous_copy(a);
    Tensor flat = kernels::matrix_at(a2, 0), out2 = kernels::matrix_at(out, 0);
    flat.impl().sizes = {nb * m, k};
    flat.impl().strides = {k, 1};
    out2.impl().sizes = {nb * m, n};
    out2.impl().strides = {n, 1};
    kernels::gemm_into(out2, flat, b);
    return out;
  }
  const Shape sa = kernels::broadcast_strides(a, out_sizes), sb = kernels::broadcast_strides(b, out_sizes);
  const Shape bst = contiguous_strides(batch);
  auto one = [&](int64_t i) {
    int64_t oa = 0, ob = 0, rem = i;
    for (int d = 0; d < batch.size(); ++d) {
      const int64_t idx = rem / bst[d];
      rem %= bst[d];
      oa += idx * sa[d];
      ob += idx * sb[d];
    }
    kernels::gemm_into(kernels::matrix_at(out, i * m * n), kernels::matrix_at(a, oa), kernels::matrix_at(b, ob));
  };
  if (nb > 1 && m * n * k * nb >= (int64_t(1) << 18)) {
    parallel_for(nb, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) one(i);
    });
  } else {
    for (int64_t i = 0; i < nb; ++i) one(i);
  }
  return out;
}

// beta * bias broadcast to `sizes`: the start of addmm's and baddbmm's
// result. As in PyTorch, beta = 0 ignores the bias (NaN in it included).
Tensor scaled_bias(const char* op, const Tensor& bias, const Shape& sizes, ScalarType dtype, double beta) {
  SPOOL_CHECK(bias.defined(), op, "needs a bias tensor (use {} without one)", op[0] == 'a' ? "mm" : "bmm");
  SPOOL_CHECK(bias.dtype() == dtype, op, "bias dtype {} differs from {}", dtype_name(bias.dtype()), dtype_name(dtype));
  SPOOL_CHECK(broadcast_shapes(bias.sizes(), sizes, op) == sizes, op,
              "bias of shape {} does not broadcast to the result shape {}", bias.sizes(), sizes);
  Tensor y = Tensor::empty(sizes, dtype);
  if (beta != 0.0) kernels::copy_into(y, bias);
  kernels::scale_result(y, beta);
  return y;
}

// beta dY (zeros for beta = 0, as PyTorch's).
Grad bias_grad(const Tensor& gy, double beta) { return beta == 1.0 ? gy : gy * beta; }

void check_batches(const char* op, const Tensor& a, const Tensor& b) {
  check_matmul_dtypes(op, a, b);
  SPOOL_CHECK(a.dim() == 3 && b.dim() == 3, op, "expects 3-D batches [b, n, m] and [b, m, p], got shapes {} and {}",
              a.sizes(), b.sizes());
  SPOOL_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1), op,
              "shapes {} and {} cannot be multiplied batch by batch", a.sizes(), b.sizes());
}

// dA = alpha dY B^T, dB = alpha A^T dY, per matrix, left to the engine as
// batched products (so T per-step products sum as one GEMM per matrix).
Grads batched_grads(const Tensor& a, const Tensor& b, const Tensor& gy, double alpha) {
  return {a.requires_grad() ? Grad::product(gy, transpose(b, 1, 2), alpha) : Grad(),
          b.requires_grad() ? Grad::product(transpose(a, 1, 2), gy, alpha) : Grad()};
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_matmul_dtypes("matmul", a, b);
  SPOOL_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul", "both operands need at least 1 dim, got shapes {} and {}",
              a.sizes(), b.sizes());
  if (a.dim() == 1 && b.dim() == 1) {
    SPOOL_CHECK(a.size(0) == b.size(0), "matmul", "vectors of sizes {} and {} cannot be multiplied", a.size(0),
                b.size(0));
    return sum(a * b);
  }
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  Tensor y = matmul_kernel(a, b);
  // dA = dY @ B^T, dB = A^T @ dY (summed over broadcast batch dims by the engine)
  return record("matmul", std::move(y), {&a, &b}, [sa = SavedTensor("matmul", a), sb = SavedTensor("matmul", b)](
                                                       const Tensor& gy) -> Grads {
    const Tensor &a = sa, &b = sb;
    if (a.dim() == 2 && b.dim() == 2)  // run by the engine into the gradient buffers
      return {a.requires_grad() ? Grad::product(gy, transpose(b, 0, 1)) : Grad(),
              b.requires_grad() ? Grad::product(transpose(a, 0, 1), gy) : Grad()};
    if (a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0)) return batched_grads(a, b, gy, 1.0);  // as bmm
    return {a.requires_grad() ? matmul(gy, transpose(b, -1, -2)) : Tensor(),
            b.requires_grad() ? matmul(transpose(a, -1, -2), gy) : Tensor()};
  });
}

Tensor mm(const Tensor& a, const Tensor& b) {
  SPOOL_CHECK(a.dim() == 2 && b.dim() == 2, "mm", "expects 2-D operands, got shapes {} and {}", a.sizes(), b.sizes());
  return matmul(a, b);
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, double beta, double alpha) {
  check_matmul_dtypes("addmm", a, b);
  SPOOL_CHECK(a.dim() == 2 && b.dim() == 2, "addmm", "expects 2-D operands, got shapes {} and {}", a.sizes(),
              b.sizes());
  SPOOL_CHECK(a.size(1) == b.size(0), "addmm", "shapes {} and {} cannot be multiplied", a.sizes(), b.sizes());
  Tensor y = scaled_bias("addmm", bias, {a.size(0), b.size(1)}, a.dtype(), beta);
  if (a.size(1) > 0) kernels::gemm_into(y, a, b, alpha, 1.0);
  // d/dbias = beta, dA = alpha dY B^T, dB = alpha A^T dY
  return record("addmm", std::move(y), {&bias, &a, &b},
                [sa = SavedTensor("addmm", a), sb = SavedTensor("addmm", b), beta, alpha](const Tensor& gy) -> Grads {
    const Tensor &a = sa, &b = sb;
    return {bias_grad(gy, beta), a.requires_grad() ? Grad::product(gy, transpose(b, 0, 1), alpha) : Grad(),
            b.requires_grad() ? Grad::product(transpose(a, 0, 1), gy, alpha) : Grad()};
  });
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_batches("bmm", a, b);
  Tensor y = Tensor::empty({a.size(0), a.size(1), b.size(2)}, a.dtype());
  kernels::batched_gemm_into(y, a, b, 1.0, 0.0);
  return record("bmm", std::move(y), {&a, &b},
                [a = SavedTensor("bmm", a), b = SavedTensor("bmm", b)](const Tensor& gy) -> Grads {
                  return batched_grads(a, b, gy, 1.0);
                });
}

Tensor baddbmm(const Tensor& bias, const Tensor& a, const Tensor& b, double beta, double alpha) {
  check_batches("baddbmm", a, b);
  Tensor y = scaled_bias("baddbmm", bias, {a.size(0), a.size(1), b.size(2)}, a.dtype(), beta);
  kernels::batched_gemm_into(y, a, b, alpha, 1.0);
  return record("baddbmm", std::move(y), {&bias, &a, &b},
                [a = SavedTensor("baddbmm", a), b = SavedTensor("baddbmm", b), beta, alpha](const Tensor& gy) -> Grads {
    Grads g = batched_grads(a, b, gy, alpha);
    g.insert(g.begin(), bias_grad(gy, beta));
    return g;
  });
}

PackedWeight::PackedWeight(const Tensor& weight) {
  SPOOL_CHECK(weight.defined() && weight.dim() == 2 && weight.is_floating_point(), "PackedWeight",
              "weight must be a 2-D floating [out, in] tensor, got {}",
              weight.defined() ? fmt::format("{} of shape {}", dtype_name(weight.dtype()), weight.sizes())
                               : std::string("an undefined tensor"));
  weight_ = weight;
  transposed_ = std::make_shared<const kernels::PackedMatrix>(kernels::transposed_view(weight));
  plain_ = std::make_shared<kernels::LazyPackedMatrix>(weight);
}

namespace {

// linear with the weight as it is, or packed (then `packed` is set and
// `weight` is its tensor).
// The operands linear takes: x [..., in] and weight [out, in] of one floating dtype.
void check_linear(const char* op, const Tensor& x, const Tensor& weight) {
  SPOOL_CHECK(weight.dim() == 2, op, "weight must be 2-D [out, in], got shape {}", weight.sizes());
  SPOOL_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), op,
              "input of shape {} does not match weight [out, in] = {} (in = {})", x.sizes(), weight.sizes(),
              weight.size(1));
  check_matmul_dtypes(op, x, weight);
}

Tensor linear_impl(const Tensor& x, const Tensor& weight, const Tensor& bias, const PackedWeight* packed) {
  if (x.dim() != 2) {
    check_linear("linear", x, weight);
    // [..., in] as one [rows, in] product: one GEMM, and the weight gradient
    // is one product rather than a batch of them summed afterwards.
    Shape out_sizes = x.sizes();
    out_sizes[out_sizes.size() - 1] = weight.size(0);
    const Tensor flat = reshape(x, {-1, weight.size(1)});
    if (bias.defined() && bias.dim() > 1) {
      // A bias with leading dims would not line up with the flattened rows.
      SPOOL_CHECK(broadcast_shapes(bias.sizes(), out_sizes, "linear") == out_sizes, "linear",
                  "bias of shape {} does not broadcast to the output shape {}", bias.sizes(), out_sizes);
      return reshape(linear_impl(flat, weight, Tensor(), packed), out_sizes) + bias;
    }
    return reshape(linear_impl(flat, weight, bias, packed), out_sizes);
  }
  Tensor y = detail::linear_value("linear", x, weight, bias, packed);
  // One recorded op, as PyTorch's linear. (The closure holds the weight's
  // lazily packed plain layout only, not the forward panels, which go when
  // the forward is done.)
  return record("linear", std::move(y), {&x, &weight, &bias},
                [x = SavedTensor("linear", x), weight = SavedTensor("linear", weight),
                 plain = packed ? packed->plain() : nullptr, with_bias = bias.requires_grad()](
                    const Tensor& gy) -> Grads { return detail::linear_grads(x, weight, plain, with_bias, gy); });
}

}  // namespace

namespace detail {

Tensor linear_value(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const PackedWeight* packed) {
  check_linear(op, x, weight);
  const int64_t rows = x.size(0), in = x.size(1), out = weight.size(0);
  Tensor y = Tensor::empty({rows, out}, x.dtype());
  if (bias.defined()) {
    SPOOL_CHECK(bias.dtype() == x.dtype(), op, "bias dtype {} differs from {}", dtype_name(bias.dtype()),
                dtype_name(x.dtype()));
    SPOOL_CHECK(broadcast_shapes(bias.sizes(), y.sizes(), op) == y.sizes(), op,
                "bias of shape {} does not broadcast to the output shape {}", bias.sizes(), y.sizes());
    kernels::copy_into(y, bias);
  }
  const double beta = bias.defined() ? 1.0 : 0.0;
  if (packed) {
    packed->transposed().multiply_into(y, x, 1.0, beta);
  } else if (in > 0) {
    // Unrecorded weight^T: the op records itself, with the weight as its input.
    kernels::gemm_into(y, x, kernels::transposed_view(weight), 1.0, beta);
  } else if (!bias.defined()) {
    kernels::fill(y, 0.0);
  }
  return y;
}

Grads linear_grads(const Tensor& x, const Tensor& weight, const std::shared_ptr<kernels::LazyPackedMatrix>& plain,
                   bool bias_grad, const Tensor& gy, size_t room) {
  Grads grads;
  grads.reserve(3 + room);
  grads.push_back(x.requires_grad() ? Grad::product(gy, weight, 1.0, plain ? plain->get() : nullptr) : Grad());
  // The weight gradient gy^T @ x comes in the weight's own [out, in] layout,
  // so it needs no transposed copy.
  grads.push_back(weight.requires_grad() ? Grad::product(kernels::transposed_view(gy), x) : Grad());
  grads.push_back(bias_grad ? Grad(gy) : Grad());
  return grads;
}

}  // namespace detail

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return linear_impl(x, weight, bias, nullptr);
}

Tensor linear(const Tensor& x, const PackedWeight& weight, const Tensor& bias) {
  SPOOL_CHECK(weight.defined(), "linear", "the PackedWeight is empty (default-constructed); input of shape {}",
              x.sizes());
  return linear_impl(x, weight.weight(), bias, &weight);
}

}  // namespace spool
