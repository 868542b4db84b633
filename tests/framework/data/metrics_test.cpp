#include "test_util.hpp"

using namespace spool;
using doctest::Approx;

TEST_CASE("metrics: classification") {
  Tensor pred = tensor(std::vector<int64_t>{0, 1, 1, 2, 2, 2});
  Tensor target = tensor(std::vector<int64_t>{0, 1, 2, 2, 2, 0});
  CHECK(metrics::accuracy(pred, target) == Approx(4.0 / 6));
  auto cm = metrics::confusion_matrix(pred, target, 3);
  CHECK(cm == std::vector<std::vector<int64_t>>{{1, 0, 1}, {0, 1, 0}, {0, 1, 2}});
  auto p = metrics::precision(pred, target, 3);
  CHECK(p[0] == Approx(1.0));
  CHECK(p[1] == Approx(0.5));
  CHECK(p[2] == Approx(2.0 / 3));
  auto r = metrics::recall(pred, target, 3);
  CHECK(r[0] == Approx(0.5));
  CHECK(r[1] == Approx(1.0));
  for (double f : metrics::f1_score(pred, target, 3)) CHECK(f == Approx(2.0 / 3));
  CHECK(metrics::precision(pred, target, 3, metrics::Average::Macro)[0] == Approx((1 + 0.5 + 2.0 / 3) / 3));
  CHECK(metrics::precision(pred, target, 3, metrics::Average::Micro)[0] == Approx(4.0 / 6));
  CHECK(metrics::f1_score(pred, target, 4)[3] == 0.0);  // a class never seen: 0, not NaN
  // Scores: argmax over the last dim.
  Tensor scores = tensor({0.9, 0.1, 0.2, 0.8, 0.6, 0.4}, {3, 2});
  CHECK(metrics::accuracy(scores, tensor(std::vector<int64_t>{0, 1, 1})) == Approx(2.0 / 3));
  CHECK_THROWS_WITH_AS(metrics::accuracy(pred, tensor(std::vector<int64_t>{0})), doctest::Contains("predictions of shape [6] do not match targets of shape [1]"),
                       Error);
  CHECK_THROWS_WITH_AS(metrics::confusion_matrix(pred, target, 2), doctest::Contains("out of range"), Error);
}

TEST_CASE("metrics: regression, perplexity and BLEU") {
  Tensor p = tensor({1.0, 2.0, 4.0}), t = tensor({1.0, 3.0, 2.0});
  CHECK(metrics::mse(p, t) == Approx(5.0 / 3));
  CHECK(metrics::rmse(p, t) == Approx(std::sqrt(5.0 / 3)));
  CHECK(metrics::mae(p, t) == Approx(1.0));
  CHECK(metrics::mape(p, t) == Approx(100.0 * (0 + 1.0 / 3 + 1.0) / 3));
  CHECK_THROWS_WITH_AS(metrics::mape(p, tensor({1.0, 0.0, 2.0})), doctest::Contains("zero"), Error);
  CHECK(metrics::perplexity(std::log(7.0)) == Approx(7.0));
  CHECK(metrics::bits_per_character(std::log(2.0)) == Approx(1.0));

  using Sent = std::vector<std::string>;
  const Sent hyp{"the", "cat", "sat", "on", "the", "mat"}, ref{"the", "cat", "is", "on", "the", "mat"};
  // p1 = 5/6, p2 = 3/5, p3 = 1/4: geometric mean 0.5; no 4-gram matches.
  CHECK(metrics::corpus_bleu({hyp}, {ref}, 3) == Approx(0.5));
  CHECK(metrics::corpus_bleu({hyp}, {ref}) == 0.0);
  CHECK(metrics::corpus_bleu({ref}, {ref}) == Approx(1.0));
  CHECK(metrics::corpus_bleu({{"the", "cat"}}, {{"the", "cat", "sat"}}, 2) == Approx(std::exp(-0.5)));
  CHECK_THROWS_AS(metrics::corpus_bleu({hyp}, {}), Error);
}

TEST_CASE("penalties: L1 and L2 terms with gradients") {
  Tensor a = tensor({1.0, -2.0}).requires_grad_(), b = tensor({3.0}).requires_grad_();
  Tensor l1 = optim::l1_penalty({a, b}, 0.5), l2 = optim::l2_penalty({a, b}, 0.1);
  CHECK(l1.item<double>() == Approx(3.0));
  CHECK(l2.item<double>() == Approx(1.4));
  (l1 + l2).backward();
  spool::testing::check_close(a.grad(), {0.5 + 0.2, -0.5 - 0.4});
  spool::testing::check_close(b.grad(), {0.5 + 0.6});
}

TEST_CASE("metrics: predictions must match the targets' shape") {
  const Tensor labels = tensor(std::vector<int64_t>{0, 1, 2, 0, 1, 2}, {2, 3});
  CHECK_ERROR(metrics::accuracy(labels, tensor(std::vector<int64_t>{0, 1, 2, 0, 1, 2}, {3, 2})), "accuracy",
              "[2, 3]", "[3, 2]");
  CHECK_ERROR(metrics::accuracy(zeros({4, 3}), tensor(std::vector<int64_t>{0, 1, 2})), "accuracy", "[4, 3]");
  CHECK(metrics::accuracy(tensor({0.1, 0.9, 0.8, 0.2}, {2, 2}), tensor(std::vector<int64_t>{1, 1})) == 0.5);
}
