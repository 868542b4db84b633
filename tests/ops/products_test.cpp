// Products: what the PyTorch fixtures cannot hold (NaN inputs) or show
// (the engine joining batched per-step products).
#include <cmath>
#include <limits>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("products: beta = 0 ignores the bias, NaN included, as in PyTorch") {
  manual_seed(3);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor a = randn({2, 3, 4}), b = randn({2, 4, 5});
  const Tensor y = baddbmm(full({5}, nan), a, b, 0.0, 1.5);
  CHECK(allclose(y, bmm(a, b) * 1.5));
  const Tensor a2 = randn({3, 4}), b2 = randn({4, 5});
  CHECK(allclose(addmm(full({3, 5}, nan), a2, b2, 0.0, 2.0), matmul(a2, b2) * 2.0));
}

TEST_CASE("products: a batched weight used at many steps gets the sum of its per-step gradients") {
  // Batch of one sequence: thin per-step products, which the engine joins
  // into one GEMM per matrix of the batch. Compare with per-matrix matmuls.
  manual_seed(4);
  const Tensor w = randn({2, 6, 6}).requires_grad_(), w0 = w.detach().clone().requires_grad_();
  const Tensor xs = randn({20, 2, 1, 6});
  Tensor h = zeros({2, 1, 6}), h0 = zeros({2, 1, 6});
  for (int64_t t = 0; t < 20; ++t) {
    h = tanh(baddbmm(select(xs, 0, t), h, w));
    h0 = tanh(stack({matmul(select(h0, 0, 0), select(w0, 0, 0)), matmul(select(h0, 0, 1), select(w0, 0, 1))}) +
              select(xs, 0, t));
  }
  CHECK(allclose(h, h0, 1e-5, 1e-6));
  h.sum().backward();
  h0.sum().backward();
  CHECK(allclose(w.grad(), w0.grad(), 1e-5, 1e-6));
}
