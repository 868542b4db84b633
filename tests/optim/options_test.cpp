// Optimizer options: getters and chainable setters of one name, chains that
// keep their type (AdamWOptions through the setters Adam shares), defaults.
#include <cmath>
#include <type_traits>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("options: an AdamWOptions chain stays AdamWOptions and AdamW takes it") {
  static_assert(
      std::is_same_v<decltype(optim::AdamWOptions(1e-3).weight_decay(0.1).amsgrad(true)), optim::AdamWOptions&>);
  static_assert(std::is_same_v<decltype(optim::AdamOptions(1e-3).betas(0.8, 0.9).eps(1e-6)), optim::AdamOptions&>);
  static_assert(!std::is_convertible_v<optim::AdamOptions, optim::AdamWOptions>);
  CHECK(optim::AdamWOptions().weight_decay() == 1e-2);  // PyTorch's defaults
  CHECK(optim::AdamOptions().weight_decay() == 0);

  Tensor p = full({2}, 1.0, kFloat64).requires_grad_();
  optim::AdamW opt({p}, optim::AdamWOptions(1e-3).weight_decay(0.1).amsgrad(true));
  CHECK(opt.options().weight_decay() == 0.1);
  CHECK(opt.options().amsgrad());
  (p * tensor(std::vector<double>{2.0, -3.0})).sum().backward();
  opt.step();
  // First step: p *= 1 - lr * wd (decoupled), then p -= lr * g / (|g| + eps).
  const auto got = p.detach().to_vector<double>();
  const double decayed = 1.0 * (1 - 1e-3 * 0.1);
  CHECK(got[0] == doctest::Approx(decayed - 1e-3 * 2.0 / (2.0 + 1e-8)).epsilon(1e-12));
  CHECK(got[1] == doctest::Approx(decayed + 1e-3 * 3.0 / (3.0 + 1e-8)).epsilon(1e-12));
  // The schedulers' momentum is beta1, written through the typed options.
  opt.set_momentum(0.8, 0);
  CHECK(opt.options().betas().first == 0.8);
  CHECK(opt.options().betas().second == 0.999);
}

TEST_CASE("options: optimizer getters, setters and learning rates") {
  auto sgd = optim::SGDOptions(0.1).momentum(0.9).nesterov(true);
  CHECK(sgd.lr() == 0.1);
  CHECK(sgd.momentum() == 0.9);
  CHECK(sgd.nesterov());
  CHECK(optim::RMSpropOptions().alpha(0.9).centered(true).alpha() == 0.9);
  CHECK(optim::AdagradOptions().lr_decay(0.5).eps() == 1e-10);

  Tensor p = zeros({1}).requires_grad_();
  optim::SGD opt({p}, sgd);
  opt.set_lr(0.5);
  CHECK(opt.lr() == 0.5);
  CHECK(opt.options().lr() == 0.5);
  CHECK(opt.options().momentum() == 0.9);
}

TEST_CASE("optimizer: a step between a forward and its backward is an error (the step changes saved weights)") {
  Tensor w = tensor({1.0, 2.0}, {1, 2}, kFloat64).requires_grad_();
  Tensor x = tensor({3.0, 4.0}, {1, 2}, kFloat64);
  optim::SGD opt({w}, optim::SGDOptions(0.1));
  linear(x, w).sum().backward();
  Tensor loss = linear(x, w).sum();  // saves w
  const uint32_t before = w.version();
  opt.step();
  CHECK(w.version() == before + 1);
  CHECK_ERROR(loss.backward(), "linear", "shape [1, 2]", "changed in place");
}
