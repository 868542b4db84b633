// A new op defined outside the library: a Swish activation x * sigmoid(b x)
// with a learnable b. It is gradchecked, then used to train a tiny
// classifier of two interleaved half-moons.
#include <spool/spool.hpp>

#include <cmath>

using namespace spool;

// swish(x; b) = x * sigmoid(b x)
// d/dx = s + b x s (1 - s),  d/db = x^2 s (1 - s)   with s = sigmoid(b x)
struct Swish : Function<Swish> {
  static constexpr const char* name = "swish";
  static Tensor forward(AutogradContext& ctx, const Tensor& x, const Tensor& beta) {
    Tensor s = sigmoid(x * beta);
    ctx.save_for_backward({x, beta, s});
    return x * s;
  }
  static Grads backward(AutogradContext& ctx, const Tensor& gy) {
    const Tensor &x = ctx.saved(0), &beta = ctx.saved(1), &s = ctx.saved(2);
    Tensor ds = s * (1.0 - s);
    // The beta gradient has x's shape; the engine sums it down to beta's shape.
    return {gy * (s + beta * x * ds), gy * x * x * ds};
  }
};

int main() {
  // 1. Check the hand-written backward against finite differences.
  manual_seed(1);
  auto check = gradcheck([](const std::vector<Tensor>& in) { return Swish::apply(in[0], in[1]); },
                         {randn({4, 3}, kFloat64).requires_grad_(), full({1}, 0.7, kFloat64).requires_grad_()});
  fmt::print("gradcheck swish: {} (max |error| {:.2e})\n", check.ok ? "ok" : check.report, check.max_abs_error);
  if (!check) return 1;

  // 2. Train with it: two half-moons, a 2-16-2 network.
  const int64_t n = 200;
  std::vector<float> pts;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    const double t = M_PI * (i % (n / 2)) / (n / 2);
    const bool upper = i < n / 2;
    pts.push_back(static_cast<float>(upper ? std::cos(t) : 1 - std::cos(t)));
    pts.push_back(static_cast<float>(upper ? std::sin(t) : 0.5 - std::sin(t)));
    labels.push_back(upper ? 0 : 1);
  }
  Tensor x = tensor(pts, {n, 2}), y = tensor(labels, {n});
  Tensor w1 = (randn({16, 2}) * 0.7).detach().requires_grad_(), b1 = zeros({16}).requires_grad_();
  Tensor w2 = (randn({2, 16}) * 0.25).detach().requires_grad_(), b2 = zeros({2}).requires_grad_();
  Tensor beta = ones({1}).requires_grad_();
  std::vector<Tensor> params{w1, b1, w2, b2, beta};
  double loss_value = 0, first = 0;
  for (int step = 0; step < 600; ++step) {
    Tensor logits = linear(Swish::apply(linear(x, w1, b1), beta), w2, b2);
    Tensor loss = cross_entropy(logits, y);
    for (Tensor& p : params) p.set_grad(Tensor());
    loss.backward();
    NoGradGuard no_grad;
    for (Tensor& p : params) p.copy_(p - p.grad() * 0.5);
    loss_value = loss.item<double>();
    if (step == 0) first = loss_value;
    if (step % 100 == 0) fmt::print("step {:4d}  loss {:.4f}  beta {:.3f}\n", step, loss_value, beta.item<double>());
  }
  NoGradGuard no_grad;
  Tensor pred = argmax(linear(Swish::apply(linear(x, w1, b1), beta), w2, b2), 1);
  const double acc = sum(eq(pred, y).to(kFloat32)).item<double>() / n;
  fmt::print("loss {:.4f} -> {:.4f}, training accuracy {:.1f}%\n", first, loss_value, 100 * acc);
  return acc > 0.9 ? 0 : 1;
}
