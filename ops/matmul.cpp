// Matrix products on OpenBLAS. Operands that are transposed views go to BLAS
// with the transpose flag instead of being copied; large products are split
// into fixed row (or column) blocks that TBB runs, with BLAS single-threaded.
#include <cblas.h>

#include "../framework/kernels.hpp"
#include "../framework/threading.hpp"
#include "ops.hpp"

namespace spool {

namespace {

// A matrix as BLAS sees it: pointer, transpose flag and leading dimension.
struct BlasOperand {
  Tensor keep;  // owns a contiguous copy when one was needed
  const void* data = nullptr;
  bool trans = false;
  int64_t ld = 0;
};

// m = a.size(-2) rows, k = a.size(-1) cols of a 2-D (view of a) tensor.
BlasOperand blas_operand(const Tensor& t) {
  const int64_t rows = t.size(0), cols = t.size(1);
  const int64_t s0 = t.strides()[0], s1 = t.strides()[1];
  BlasOperand op;
  if ((s1 == 1 || cols == 1) && s0 >= std::max<int64_t>(cols, 1)) {
    op = {t, t.raw_data(), false, std::max<int64_t>(s0, 1)};
  } else if ((s0 == 1 || rows == 1) && s1 >= std::max<int64_t>(rows, 1)) {
    op = {t, t.raw_data(), true, std::max<int64_t>(s1, 1)};
  } else {
    Tensor c = kernels::contiguous_copy(t);
    op = {c, c.raw_data(), false, std::max<int64_t>(cols, 1)};
  }
  return op;
}

template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T beta,
          T* c, int64_t ldc, T alpha) {
  const auto TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, TA, TB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, TA, TB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

// c[m, n] = alpha * a[m, k] @ b[k, n] + beta * c; split into fixed blocks
// when large. The blocks depend only on the shape, so results do not depend
// on the thread count.
template <typename T>
void blocked_gemm(const BlasOperand& A, const BlasOperand& B, int64_t m, int64_t n, int64_t k, T* c, int64_t ldc,
                  T alpha, T beta) {
  init_blas_once();
  const T* a = static_cast<const T*>(A.data);
  const T* b = static_cast<const T*>(B.data);
  constexpr int64_t kMinWork = int64_t(1) << 21;  // multiply-adds below which one call is best
  if (m * n * k < kMinWork || (m < 128 && n < 128)) {
    gemm<T>(A.trans, B.trans, m, n, k, a, A.ld, b, B.ld, beta, c, ldc, alpha);
    return;
  }
  if (m >= n) {
    const int64_t block = std::max<int64_t>(64, (m + 7) / 8 / 16 * 16);
    parallel_for(m, block, [&](int64_t r0, int64_t r1) {
      const T* ar = A.trans ? a + r0 : a + r0 * A.ld;
      gemm<T>(A.trans, B.trans, r1 - r0, n, k, ar, A.ld, b, B.ld, beta, c + r0 * ldc, ldc, alpha);
    });
  } else {
    const int64_t block = std::max<int64_t>(64, (n + 7) / 8 / 16 * 16);
    parallel_for(n, block, [&](int64_t c0, int64_t c1) {
      const T* bc = B.trans ? b + c0 * B.ld : b + c0;
      gemm<T>(A.trans, B.trans, m, c1 - c0, k, a, A.ld, bc, B.ld, beta, c + c0, ldc, alpha);
    });
  }
}

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
  if (k == 0) return out.fill_(0.0), out;

  // a [..., m, k] with a 2-D b: fold the batch into the rows (one GEMM).
  if (b.dim() == 2 && a.dim() > 2) {
    Tensor a2 = a.is_contiguous() ? a : kernels::contiguous_copy(a);
    Tensor flat(std::make_shared<TensorImpl>(a2.impl()));
    flat.impl().autograd.reset();
    flat.impl().sizes = {nb * m, k};
    flat.impl().strides = {k, 1};
    return SPOOL_DISPATCH_FLOAT(a.dtype(), "matmul", [&] {
      blocked_gemm<scalar_t>(blas_operand(flat), blas_operand(b), nb * m, n, k, out.data_ptr<scalar_t>(), n,
                             scalar_t(1), scalar_t(0));
      return out;
    });
  }
  const Shape sa = kernels::broadcast_strides(a, out_sizes), sb = kernels::broadcast_strides(b, out_sizes);
  const Shape bst = contiguous_strides(batch);
  return SPOOL_DISPATCH_FLOAT(a.dtype(), "matmul", [&] {
    scalar_t* o = out.data_ptr<scalar_t>();
    auto one = [&](int64_t i) {
      int64_t oa = 0, ob = 0, rem = i;
      for (int d = 0; d < batch.size(); ++d) {
        const int64_t idx = rem / bst[d];
        rem %= bst[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      Tensor ai = a, bi = b;
      auto mat = [](const Tensor& t, int64_t off) {
        auto impl = std::make_shared<TensorImpl>(t.impl());
        impl->autograd.reset();
        impl->offset += off;
        impl->sizes = {t.size(-2), t.size(-1)};
        impl->strides = {t.strides()[t.dim() - 2], t.strides()[t.dim() - 1]};
        return Tensor(std::move(impl));
      };
      blocked_gemm<scalar_t>(blas_operand(mat(a, oa)), blas_operand(mat(b, ob)), m, n, k, o + i * m * n, n,
                             scalar_t(1), scalar_t(0));
    };
    if (nb > 1 && m * n * k * nb >= (int64_t(1) << 18)) {
      parallel_for(nb, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t i = b0; i < b1; ++i) one(i);
      });
    } else {
      for (int64_t i = 0; i < nb; ++i) one(i);
    }
    return out;
  });
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
  return record("matmul", y, {&a, &b}, [a, b](const Tensor& gy) -> Grads {
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
  SPOOL_CHECK(bias.dtype() == a.dtype(), "addmm", "bias dtype {} differs from {}", dtype_name(bias.dtype()),
              dtype_name(a.dtype()));
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  Tensor y = Tensor::empty({m, n}, a.dtype());
  SPOOL_CHECK(broadcast_shapes(bias.sizes(), y.sizes(), "addmm") == y.sizes(), "addmm",
              "bias of shape {} does not broadcast to the result shape {}", bias.sizes(), y.sizes());
  kernels::copy_into(y, bias);
  SPOOL_DISPATCH_FLOAT(a.dtype(), "addmm", [&] {
    if (beta != 1.0) kernels::copy_into(y, kernels::map1<scalar_t, scalar_t>(y, y.dtype(), [beta](scalar_t v) {
                                          return static_cast<scalar_t>(v * beta);
                                        }));
    if (k > 0)
      blocked_gemm<scalar_t>(blas_operand(a), blas_operand(b), m, n, k, y.data_ptr<scalar_t>(), n,
                             static_cast<scalar_t>(alpha), scalar_t(1));
  });
  // d/dbias = beta, dA = alpha dY B^T, dB = alpha A^T dY
  return record("addmm", y, {&bias, &a, &b}, [a, b, beta, alpha](const Tensor& gy) -> Grads {
    Tensor ga, gb;
    if (a.requires_grad()) ga = matmul(gy, transpose(b, 0, 1));
    if (b.requires_grad()) gb = matmul(transpose(a, 0, 1), gy);
    if (alpha != 1.0) {
      if (ga.defined()) ga = ga * alpha;
      if (gb.defined()) gb = gb * alpha;
    }
    return {beta == 1.0 ? gy : gy * beta, ga, gb};
  });
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  SPOOL_CHECK(weight.dim() == 2, "linear", "weight must be 2-D [out, in], got shape {}", weight.sizes());
  SPOOL_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear",
              "input of shape {} does not match weight [out, in] = {} (in = {})", x.sizes(), weight.sizes(),
              weight.size(1));
  if (bias.defined())
    SPOOL_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "linear", "bias of shape {} for weight of shape {}",
                bias.sizes(), weight.sizes());
  const Tensor wt = transpose(weight, 0, 1);
  if (x.dim() == 2 && bias.defined()) return addmm(bias, x, wt);
  Tensor y = matmul(x, wt);
  return bias.defined() ? y + bias : y;
}

}  // namespace spool
