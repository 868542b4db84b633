// Fits y = sin(x) on [-pi, pi] with a two-layer tanh network, written with
// raw tensors and a hand-written SGD step: the PyTorch training loop in C++.
#include <CLI/CLI.hpp>
#include <spool/spool.hpp>

#include <chrono>
#include <cmath>

using namespace spool;

int main(int argc, char** argv) {
  CLI::App app{"Fits y = sin(x) with a two-layer tanh network and a hand-written SGD step"};
  int epochs = 5000;
  app.add_option("epochs", epochs, "full-batch SGD steps")->capture_default_str()->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  manual_seed(0);
  const int64_t n = 256, hidden = 32;
  Tensor x = reshape(arange(-M_PI, M_PI, 2 * M_PI / n, kFloat32), {n, 1});
  std::vector<float> targets;
  for (float v : x.to_vector<float>()) targets.push_back(std::sin(v));
  Tensor y = tensor(targets, {n, 1});

  // PyTorch's nn.Linear default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  Tensor w1 = uniform({hidden, 1}, -1.0, 1.0).requires_grad_();
  Tensor b1 = uniform({hidden}, -1.0, 1.0).requires_grad_();
  const double k2 = 1.0 / std::sqrt(double(hidden));
  Tensor w2 = uniform({1, hidden}, -k2, k2).requires_grad_();
  Tensor b2 = uniform({1}, -k2, k2).requires_grad_();
  std::vector<Tensor> params{w1, b1, w2, b2};

  const double lr = 0.05;
  const auto start = std::chrono::steady_clock::now();
  double first = 0, last = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    Tensor pred = linear(tanh(linear(x, w1, b1)), w2, b2);
    Tensor loss = mse_loss(pred, y);
    for (Tensor& p : params) p.set_grad(Tensor());
    loss.backward();
    {
      NoGradGuard no_grad;
      for (Tensor& p : params) p.copy_(p - p.grad() * lr);
    }
    last = loss.item<double>();
    if (epoch == 0) first = last;
    if (epoch % (epochs / 10 > 0 ? epochs / 10 : 1) == 0 || epoch == epochs - 1)
      fmt::print("epoch {:5d}  mse {:.6f}\n", epoch, last);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("trained {} epochs in {:.2f} s; mse {:.4f} -> {:.6f}\n", epochs, secs, first, last);
  NoGradGuard no_grad;
  Tensor probe = tensor({-2.0, 0.5, 2.0}, {3, 1});
  fmt::print("sin(-2, 0.5, 2) ~ {}\n", reshape(linear(tanh(linear(probe, w1, b1)), w2, b2), {3}));
  return last < first ? 0 : 1;
}
