// Products and flip: what the PyTorch fixtures cannot hold (NaN inputs,
// empty shapes, 0-dim tensors) or show (the engine joining batched per-step
// products, batches split across threads).
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
  // Its gradient is beta * dY: zeros, not missing.
  const Tensor bias = randn({5}).requires_grad_();
  baddbmm(bias, a, b, 0.0, 1.5).sum().backward();
  REQUIRE(bias.grad().defined());
  CHECK(bias.grad().to_vector<float>() == std::vector<float>(5, 0.0f));
}

TEST_CASE("products: batched operands BLAS cannot read as they are (strided last dims) are copied once") {
  manual_seed(6);
  const Tensor wide = randn({3, 4, 10}), other = randn({3, 5, 12});
  const Tensor a = slice(wide, 2, 0, 10, 2);                  // [3, 4, 5], last-dim stride 2
  const Tensor b = slice(other, 2, 0, 12, 3);                 // [3, 5, 4], last-dim stride 3
  CHECK(allclose(bmm(a, b), matmul(a.contiguous(), b.contiguous()), 1e-5, 1e-6));
  CHECK(allclose(baddbmm(ones({4}), a, b), matmul(a.contiguous(), b.contiguous()) + 1.0, 1e-5, 1e-6));
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

TEST_CASE("products: empty batches, rows and inner dims") {
  CHECK(bmm(zeros({0, 2, 3}), zeros({0, 3, 4})).sizes() == Shape{0, 2, 4});
  CHECK(bmm(zeros({2, 0, 3}), zeros({2, 3, 4})).sizes() == Shape{2, 0, 4});
  // An empty inner dim sums nothing: zeros, and beta * bias for baddbmm.
  const Tensor y = bmm(ones({2, 3, 0}), ones({2, 0, 4}));
  CHECK(y.sizes() == Shape{2, 3, 4});
  CHECK(allclose(y, zeros({2, 3, 4})));
  CHECK(allclose(baddbmm(full({4}, 2.0), ones({2, 3, 0}), ones({2, 0, 4}), 0.5), full({2, 3, 4}, 1.0)));
}

TEST_CASE("products: bmm and matmul agree on large batches split across threads") {
  // Enough work to split the batch across threads: same result as one thread.
  manual_seed(5);
  const Tensor a = randn({16, 40, 30}), b = randn({16, 30, 50});
  set_num_threads(2);
  const Tensor y2 = bmm(a, b);
  set_num_threads(1);
  const Tensor y1 = bmm(a, b);
  set_num_threads(2);
  CHECK(y1.to_vector<float>() == y2.to_vector<float>());
  CHECK(allclose(y2, matmul(a, b), 1e-5, 1e-5));
}

TEST_CASE("flip: values, a 0-dim tensor, no dims, the last dim of a strided input") {
  const Tensor x = arange(6).to(kFloat32).reshape({2, 3});
  CHECK(flip(x, {-1}).to_vector<float>() == std::vector<float>{2, 1, 0, 5, 4, 3});
  CHECK(flip(x, {0}).to_vector<float>() == std::vector<float>{3, 4, 5, 0, 1, 2});
  CHECK(flip(x.t(), {0, 1}).to_vector<float>() == std::vector<float>{5, 2, 4, 1, 3, 0});
  CHECK(flip(x, {}).to_vector<float>() == x.to_vector<float>());
  const Tensor s = full({}, 3.0);
  CHECK(flip(s, {0}).item<float>() == 3.0f);
  CHECK(flip(s, {-1}).dim() == 0);
  CHECK(flip(arange(5), {0}).to_vector<int64_t>() == std::vector<int64_t>{4, 3, 2, 1, 0});
}
