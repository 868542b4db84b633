#include <thread>
#include <type_traits>

#include "test_util.hpp"

using namespace spool;
using spool::testing::check_close;

TEST_CASE("autograd: backward of a scalar fills leaf grads") {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor w = tensor({0.5, -1.0, 2.0}).requires_grad_();
  Tensor y = (x * w + x * x).sum();
  CHECK(y.grad_fn_name() == "sum");
  y.backward();
  check_close(x.grad(), {0.5 + 2, -1.0 + 4, 2.0 + 6});
  check_close(w.grad(), {1, 2, 3});
  CHECK(x.is_leaf());
  CHECK_FALSE(y.is_leaf());
  CHECK_FALSE(y.grad().defined());  // non-leaf grads are not kept by default
}

TEST_CASE("autograd: explicit output gradient") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 3.0;
  y.backward(tensor({1.0, 10.0}));
  check_close(x.grad(), {3, 30});
}

TEST_CASE("autograd: gradients accumulate across backward calls until zeroed") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  (x * 2.0).sum().backward();
  (x * 2.0).sum().backward();
  check_close(x.grad(), {4, 4});
  x.grad().zero_();
  (x * x).sum().backward();
  check_close(x.grad(), {2, 4});
  x.set_grad(Tensor());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("autograd: retain_graph allows a second backward, otherwise it is an error") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = (x.exp()).sum();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  check_close(x.grad(), {2 * std::exp(1.0), 2 * std::exp(2.0)});
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("second time"), Error);
}

TEST_CASE("autograd: backward on a non-scalar without gradient is an error") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  CHECK_THROWS_WITH_AS((x * 2.0).backward(), doctest::Contains("scalar outputs"), Error);
  CHECK_THROWS_AS((x * 2.0).backward(tensor({1.0, 2.0, 3.0})), Error);
  CHECK_THROWS_WITH_AS(tensor({1.0}).backward(), doctest::Contains("does not require grad"), Error);
}

TEST_CASE("autograd: detach and NoGradGuard stop recording") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor d = x.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.raw_data() == x.raw_data());  // same buffer
  {
    NoGradGuard guard;
    Tensor y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK_FALSE(GradMode::is_enabled());
  }
  CHECK(GradMode::is_enabled());
  Tensor z = (x * d).sum();
  z.backward();
  check_close(x.grad(), {1, 2});
}

TEST_CASE("autograd: EnableGradGuard records inside a NoGradGuard, as torch.enable_grad()") {
  static_assert(!std::is_copy_constructible_v<EnableGradGuard> && !std::is_copy_assignable_v<EnableGradGuard>);
  static_assert(!std::is_copy_constructible_v<NoGradGuard> && !std::is_copy_assignable_v<NoGradGuard>);
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  {
    NoGradGuard no_grad;
    {
      EnableGradGuard enable;
      CHECK(GradMode::is_enabled());
      Tensor y = (x * x).sum();
      REQUIRE(y.requires_grad());
      y.backward();
    }
    CHECK_FALSE(GradMode::is_enabled());  // the outer guard's mode is back
    CHECK_FALSE((x * 2.0).requires_grad());
  }
  CHECK(GradMode::is_enabled());
  check_close(x.grad(), {2, 4});
}

TEST_CASE("autograd: hooks see and may replace a gradient, and retain_grad keeps non-leaf grads") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor h = x * 2.0;
  h.retain_grad();
  std::vector<double> seen;
  h.register_hook([&](const Tensor& g) {
    seen = g.to_vector<double>();
    return g * 10.0;
  });
  (h * h).sum().backward();
  CHECK(seen == std::vector<double>{4, 8});
  check_close(h.grad(), {40, 80});
  check_close(x.grad(), {80, 160});
}

TEST_CASE("autograd: requires_grad only on floating leaves") {
  CHECK_THROWS_AS(tensor(std::vector<int64_t>{1, 2}).requires_grad_(), Error);
  Tensor x = tensor({1.0}).requires_grad_();
  Tensor y = x * 2.0;
  CHECK_THROWS_AS(y.requires_grad_(false), Error);
}

TEST_CASE("autograd: in-place change of a tensor that requires grad is an error") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  CHECK_THROWS_WITH_AS(x.fill_(0.0), doctest::Contains("fill_"), Error);
  {
    NoGradGuard guard;
    x.fill_(3.0);  // optimizer-style update
  }
  check_close(x, {3, 3});
}

TEST_CASE("autograd: a 10,000-step chain does not overflow the stack") {
  Tensor x = tensor({0.5}, {1}, kFloat64).requires_grad_();
  Tensor h = x;
  for (int i = 0; i < 10000; ++i) h = h * 0.9999 + 0.0001;
  h.sum().backward();
  check_close(x.grad(), {std::pow(0.9999, 10000)}, 1e-4);
}

TEST_CASE("autograd: slices of one tensor accumulate into one gradient buffer") {
  // The T per-step selects of a sequence add into one buffer at their offsets.
  Tensor seq = spool::testing::leaf({5, 2, 3}, 4);
  Tensor total = zeros({2, 3}, kFloat64);
  for (int t = 0; t < 5; ++t) total = total + select(seq, 0, t) * static_cast<double>(t + 1);
  total.sum().backward();
  std::vector<double> want;
  for (int t = 0; t < 5; ++t)
    for (int i = 0; i < 6; ++i) want.push_back(t + 1);
  check_close(seq.grad(), want);
}

TEST_CASE("autograd: a select or slice is a view with no node of its own") {
  Tensor x = spool::testing::leaf({3, 4}, 2);
  Tensor v = select(x, 0, 1);
  CHECK(v.grad_fn_name() == "select");
  CHECK(slice(x, 1, 0, 2).grad_fn_name() == "slice");
  CHECK(v.requires_grad());
  CHECK_FALSE(v.is_leaf());
  CHECK_ERROR(v.requires_grad_(false), "requires_grad_", "leaf");
  CHECK_ERROR(v.fill_(1.0), "fill_", "requires grad");
  CHECK(fmt::format("{}", select(tensor({1.0, 2.0}).requires_grad_(), 0, 1)) == "tensor(2., grad_fn=<select>)");
  {
    NoGradGuard no_grad;
    CHECK_FALSE(select(x, 0, 1).requires_grad());
  }
  CHECK_FALSE(select(x.detach(), 0, 1).requires_grad());
}

TEST_CASE("autograd: a hook on a view sees every consumer's gradient, earlier ones too") {
  Tensor x = spool::testing::leaf({3, 4}, 3);
  Tensor v = select(x, 0, 1);
  Tensor a = v * 2.0;  // recorded before the hook
  std::vector<double> seen;
  v.register_hook([&](const Tensor& g) {
    seen = g.to_vector<double>();
    return g * 10.0;
  });
  Tensor b = v * 3.0;
  (a + b).sum().backward();
  CHECK(seen == std::vector<double>(4, 5.0));
  std::vector<double> want(12, 0.0);
  for (int j = 4; j < 8; ++j) want[j] = 50.0;
  check_close(x.grad(), want);
}

TEST_CASE("autograd: retain_grad on a view, and a view as a backward root") {
  Tensor x = spool::testing::leaf({3, 4}, 4);
  Tensor v = slice(x, 1, 1, 3);  // [3, 2], strided
  v.retain_grad();
  (v * v).sum().backward();
  check_close(v.grad(), (2.0 * v).detach().to_vector<double>());
  std::vector<double> want(12, 0.0);
  const auto xv = x.detach().to_vector<double>();
  for (int i = 0; i < 3; ++i)
    for (int j = 1; j < 3; ++j) want[i * 4 + j] = 2.0 * xv[i * 4 + j];
  check_close(x.grad(), want);

  Tensor y = x * 1.0;
  x.set_grad(Tensor());
  select(y, 0, 2).backward(tensor({1.0, 2.0, 3.0, 4.0}, {4}, kFloat64));
  check_close(x.grad(), {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
}

TEST_CASE("autograd: views of views place their gradient through every level") {
  // x[1:4:2][:, 2][:, 1:5:2], with a hook on the middle view: the hook sees
  // the middle view's gradient, and x's gradient lands at the right places.
  Tensor x = spool::testing::leaf({4, 3, 5}, 5);
  Tensor a = slice(x, 0, 1, 4, 2);         // [2, 3, 5]
  Tensor b = select(a, 1, 2);              // [2, 5]
  Tensor c = slice(b, 1, 1, 5, 2);         // [2, 2]
  Tensor w = tensor({1.0, 2.0, 3.0, 4.0}, {2, 2}, kFloat64);
  (c * w).sum().backward();
  std::vector<double> want(60, 0.0);
  // c[i][k] = x[1 + 2i][2][1 + 2k]
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 2; ++k) want[((1 + 2 * i) * 3 + 2) * 5 + 1 + 2 * k] = 1.0 + 2 * i + k;
  check_close(x.grad(), want);

  x.set_grad(Tensor());
  Tensor b2 = select(a, 1, 2);
  std::vector<double> seen;
  b2.register_hook([&](const Tensor& g) {
    seen = g.to_vector<double>();
    return Tensor();
  });
  (slice(b2, 1, 1, 5, 2) * w).sum().backward();
  CHECK(seen == std::vector<double>{0, 1, 0, 2, 0, 0, 3, 0, 4, 0});
  check_close(x.grad(), want);
}

TEST_CASE("autograd: a second backward through a view of a freed graph is an error") {
  Tensor x = spool::testing::leaf({3, 4}, 6);
  Tensor y = tanh(x);
  select(y, 0, 0).sum().backward();
  CHECK_ERROR(select(y, 0, 1).sum().backward(), "backward", "second time", "tanh");
  // A view of a leaf keeps nothing to free: a second backward just adds.
  Tensor v = select(x, 0, 0);
  x.set_grad(Tensor());
  v.sum().backward();
  v.sum().backward();
  check_close(x.grad(), {2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0});
}

namespace {
// A seeded two-branch network: forward + backward, returning all gradients.
std::vector<float> two_branch_grads(int threads) {
  set_num_threads(threads);
  manual_seed(42);
  Tensor x = randn({64, 96});
  Tensor w1 = randn({96, 128}).requires_grad_();
  Tensor w2 = randn({96, 128}).requires_grad_();
  Tensor v = randn({128, 16}).requires_grad_();
  Tensor shared = tanh(matmul(x, w1));
  Tensor a, b, c;
  // Forward branches on two threads; v has consumers in both.
  parallel_invoke([&] { a = sigmoid(matmul(shared, v)) + tanh(matmul(shared * 0.5, v)); },
                  [&] {
                    b = relu(matmul(tanh(matmul(x, w2)) * shared, v));
                    c = matmul(shared, v) * 0.25;
                  });
  Tensor loss = (a * b).sum() + softmax(b, 1).mean() + c.sum();
  loss.backward();
  std::vector<float> out;
  for (const Tensor* t : {&w1, &w2, &v}) {
    auto g = t->grad().to_vector<float>();
    out.insert(out.end(), g.begin(), g.end());
  }
  return out;
}
}  // namespace

TEST_CASE("autograd: gradients are bitwise equal at 1, 2 and 4 threads") {
  auto g1 = two_branch_grads(1);
  auto g2 = two_branch_grads(2);
  auto g4 = two_branch_grads(4);
  set_num_threads(std::max(1u, std::thread::hardware_concurrency()));
  REQUIRE(g1.size() == g2.size());
  CHECK(std::memcmp(g1.data(), g2.data(), g1.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(g1.data(), g4.data(), g1.size() * sizeof(float)) == 0);
}

TEST_CASE("autograd: several roots at once") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor a = x * 2.0, b = x * x;
  spool::backward({a.sum(), b}, {Tensor(), tensor({1.0, 1.0})});
  check_close(x.grad(), {4, 6});
}

TEST_CASE("autograd: two threads can run forward and backward on separate graphs of one model") {
  Tensor w = spool::testing::leaf({8, 8}, 3).to(kFloat32).detach().requires_grad_();
  auto run = [&](uint64_t seed, std::vector<float>& out) {
    Tensor x = full({4, 8}, static_cast<double>(seed) * 0.1);
    Tensor y = tanh(matmul(x, w)).sum();
    NoGradGuard guard;  // only forward here: read the model concurrently
    out = y.to_vector<float>();
  };
  std::vector<float> r1, r2;
  std::thread t1([&] { run(1, r1); }), t2([&] { run(2, r2); });
  t1.join();
  t2.join();
  CHECK(r1.size() == 1);
  CHECK(r2.size() == 1);
  CHECK(r1[0] != r2[0]);
}

TEST_CASE("autograd: leaves that receive one shared gradient get separate buffers") {
  Tensor a = tensor({1.0, 2.0}).requires_grad_();
  Tensor b = tensor({3.0, 4.0}).requires_grad_();
  (a + b).sum().backward();  // add hands the same gradient to both inputs
  CHECK(a.grad().raw_data() != b.grad().raw_data());
  (a * 2.0 + b).sum().backward();
  check_close(a.grad(), {3, 3});
  check_close(b.grad(), {2, 2});
}

TEST_CASE("autograd: a large matmul split across TBB blocks is exact and thread-count independent") {
  // 300 x 260 x 280: above the split threshold, with a ragged last block.
  auto product = [](int threads) {
    set_num_threads(threads);
    manual_seed(9);
    Tensor a = randn({300, 260}, kFloat64).requires_grad_();
    Tensor b = randn({280, 260}, kFloat64).requires_grad_();
    Tensor y = matmul(a, b.t());  // transposed operand: no copy
    y.backward(ones_like(y));
    return std::vector<Tensor>{y, a, b};
  };
  auto r1 = product(1), r2 = product(2);
  set_num_threads(std::max(1u, std::thread::hardware_concurrency()));
  const Tensor &y = r1[0], &a = r1[1], &b = r1[2];
  // Reference for a few entries by plain loops.
  for (auto [i, j] : {std::pair{0, 0}, {299, 279}, {150, 17}}) {
    double s = 0;
    for (int k = 0; k < 260; ++k) s += a.at<double>({i, k}) * b.at<double>({j, k});
    CHECK(y.at<double>({i, j}) == doctest::Approx(s).epsilon(1e-12));
  }
  // d(sum y)/da[i,k] = sum_j b[j,k]
  double col = 0;
  for (int j = 0; j < 280; ++j) col += b.at<double>({j, 5});
  CHECK(a.grad().at<double>({7, 5}) == doctest::Approx(col).epsilon(1e-12));
  auto same = [](const Tensor& p, const Tensor& q) {
    return std::memcmp(p.raw_data(), q.raw_data(), p.numel() * sizeof(double)) == 0;
  };
  CHECK(same(r1[0], r2[0]));
  CHECK(same(r1[1].grad(), r2[1].grad()));
  CHECK(same(r1[2].grad(), r2[2].grad()));
}

TEST_CASE("autograd: a graph dropped without backward is freed (no cycle through saved outputs)") {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  std::weak_ptr<AutogradMeta> meta;
  {
    Tensor y = tanh(x);  // tanh's backward saves its own output
    meta = y.impl().autograd;
    CHECK_FALSE(meta.expired());
  }
  CHECK(meta.expired());
}

// record's result parameter accepts a non-const Tensor only.
template <typename Out>
constexpr bool record_accepts =
    requires(Out&& out, const Tensor& x) { record("c", std::forward<Out>(out), {&x}, [](const Tensor& g) -> Grads { return {g}; }); };

TEST_CASE("autograd: record takes its result by reference, so a closure may capture what is moved in") {
  // With a by-value result, std::move(y) and the closure's copy of y were
  // unsequenced: the copy could see the moved-from tensor.
  Tensor x = tensor({0.5, -1.0, 2.0}, {3}, kFloat64).requires_grad_();
  for (int moved = 0; moved < 2; ++moved) {
    Tensor y = tanh(x.detach());
    const Tensor expect = 1.0 - y * y;
    auto closure = [y](const Tensor& gy) -> Grads { return {gy * (1.0 - y * y)}; };
    Tensor out = moved ? record("my_tanh", std::move(y), {&x}, closure) : record("my_tanh", y, {&x}, closure);
    CHECK(out.grad_fn_name() == "my_tanh");
    if (!moved) CHECK(y.grad_fn_name() == "my_tanh");  // a named result becomes the recorded tensor
    x.set_grad(Tensor());
    out.sum().backward();
    CHECK(allclose(x.grad(), expect, 1e-15, 0));
  }
  // Not recorded without grad: the result comes back as it was.
  Tensor z = tensor({1.0}, {1}, kFloat64);
  Tensor same = record("noop", z.clone(), {&z}, [](const Tensor& gy) -> Grads { return {gy}; });
  CHECK_FALSE(same.requires_grad());
  static_assert(record_accepts<Tensor&> && record_accepts<Tensor&&> && !record_accepts<const Tensor&>);
}
