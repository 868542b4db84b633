// In-place changes of a tensor saved for backward are errors, not wrong
// gradients (the version counter, as PyTorch's).
#include "test_util.hpp"

using namespace spool;
using spool::testing::check_close;

namespace {
struct Cube : Function<Cube> {
  static constexpr const char* name = "cube";
  static Tensor forward(AutogradContext& ctx, const Tensor& v) {
    ctx.save_for_backward({v});
    return v * v * v;
  }
  static Grads backward(AutogradContext& ctx, const Tensor& gy) {
    const Tensor& v = ctx.saved(0);
    return {gy * 3.0 * v * v};
  }
};
}  // namespace

TEST_CASE("saved tensors: an in-place change of a saved input or output is an error at backward") {
  Tensor w = tensor({1.0, 2.0, 3.0}, {3}, kFloat64).requires_grad_();
  {
    Tensor y = (w * w).sum();
    const uint32_t before = w.version();
    {
      NoGradGuard no_grad;
      w.copy_(zeros({3}, kFloat64));
    }
    CHECK(w.version() == before + 1);
    CHECK_ERROR(y.backward(), "mul", "shape [3]", "saved for backward was changed in place");
  }
  {
    // An output that the backward reads (exp's), changed through a view of it.
    Tensor x = tensor({0.5, 1.0}, {2}, kFloat64).requires_grad_();
    Tensor e = exp(x);
    Tensor loss = e.sum();
    {
      NoGradGuard no_grad;
      e.select(0, 1).fill_(7.0);
    }
    CHECK_ERROR(loss.backward(), "exp", "shape [2]", "changed in place");
  }
  {
    // A second backward (retain_graph) after the change is refused too.
    Tensor x = tensor({0.5, 1.0}, {2}, kFloat64).requires_grad_();
    Tensor loss = (x * x).sum();
    loss.backward({}, /*retain_graph=*/true);
    check_close(x.grad(), {1.0, 2.0});
    {
      NoGradGuard no_grad;
      x.fill_(1.0);
    }
    CHECK_ERROR(loss.backward(), "mul", "changed in place");
  }
}

TEST_CASE("saved tensors: changing an input the backward does not read is allowed, as in PyTorch") {
  Tensor a = tensor({1.0, 2.0}, {2}, kFloat64).requires_grad_();
  Tensor b = tensor({3.0, 4.0}, {2}, kFloat64).requires_grad_();
  Tensor y = (a + b).sum();
  {
    NoGradGuard no_grad;
    a.fill_(10.0);
  }
  y.backward();
  check_close(a.grad(), {1.0, 1.0});
  check_close(b.grad(), {1.0, 1.0});
}

TEST_CASE("saved tensors: fused pointwise inputs, products and custom ops check their saved tensors") {
  static const Pointwise f("saved_pointwise", 2, [](const std::vector<Expr>& in) { return in[0] * tanh(in[1]); });
  Tensor a = tensor({1.0, 2.0}, {1, 2}, kFloat64).requires_grad_();
  Tensor c = tensor({0.5, -0.5}, {1, 2}, kFloat64);
  Tensor y = f({a, c}).sum();
  c.fill_(0.0);  // does not require grad: allowed in grad mode, still saved
  CHECK_ERROR(y.backward(), "saved_pointwise", "shape [1, 2]", "changed in place");

  Tensor w = tensor({1.0, 2.0, 3.0, 4.0}, {2, 2}, kFloat64).requires_grad_();
  Tensor x = tensor({1.0, 1.0}, {1, 2}, kFloat64).requires_grad_();
  Tensor z = f({c}, {.linear = LinearInput(x, w, Tensor())}).sum();
  {
    NoGradGuard no_grad;
    w.fill_(0.5);
  }
  CHECK_ERROR(z.backward(), "saved_pointwise", "shape [2, 2]", "changed in place");

  Tensor m = matmul(x, w).sum();
  {
    NoGradGuard no_grad;
    x.fill_(2.0);
  }
  CHECK_ERROR(m.backward(), "matmul", "shape [1, 2]", "changed in place");

  Tensor v = tensor({2.0}, {1}, kFloat64).requires_grad_();
  Tensor cube = Cube::apply(v).sum();
  {
    NoGradGuard no_grad;
    v.fill_(1.0);
  }
  CHECK_ERROR(cube.backward(), "cube", "changed in place");
}
