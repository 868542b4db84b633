#include <limits>
#include <sstream>
#include <thread>

#include "test_util.hpp"

using namespace spool;
using spool::testing::check_close;

TEST_CASE("tensor: creation functions") {
  CHECK(zeros({2, 3}).sizes() == Shape{2, 3});
  CHECK(zeros({2, 3}).dtype() == kFloat32);
  CHECK(ones({2}, kFloat64).to_vector<double>() == std::vector<double>{1, 1});
  CHECK(full({2}, 7.0, kInt64).to_vector<int64_t>() == std::vector<int64_t>{7, 7});
  CHECK(arange(5).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(arange(1.0, 2.0, 0.25, kFloat32).to_vector<float>() == std::vector<float>{1, 1.25, 1.5, 1.75});
  Tensor t = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(t.at<float>({1, 2}) == 6);
  CHECK(t.at<float>({-1, 0}) == 4);
  CHECK(t.size(-1) == 3);
  CHECK(t.numel() == 6);
  CHECK(scalar_tensor(2.5).dim() == 0);
  CHECK(scalar_tensor(2.5).item<double>() == 2.5);
  CHECK_THROWS_WITH_AS(tensor({1, 2, 3}, {2, 2}), doctest::Contains("3 values do not fill shape [2, 2]"), Error);
  CHECK_THROWS_AS(t.item<float>(), Error);
  CHECK_THROWS_AS(t.at<float>({2, 0}), Error);
  CHECK_THROWS_AS(zeros({-1}), Error);
}

TEST_CASE("tensor: manual_seed makes random ops reproducible") {
  manual_seed(3);
  auto a = randn({100}).to_vector<float>();
  auto u = rand({10}).to_vector<float>();
  manual_seed(3);
  CHECK(randn({100}).to_vector<float>() == a);
  CHECK(rand({10}).to_vector<float>() == u);
  for (float v : u) CHECK((v >= 0 && v < 1));
  double m = 0, s = 0;
  manual_seed(5);
  auto big = randn({20000}, kFloat64).to_vector<double>();
  for (double v : big) m += v;
  m /= big.size();
  for (double v : big) s += (v - m) * (v - m);
  s = std::sqrt(s / big.size());
  CHECK(std::fabs(m) < 0.03);
  CHECK(std::fabs(s - 1) < 0.03);
  auto p = randperm(10).to_vector<int64_t>();
  std::sort(p.begin(), p.end());
  CHECK(p == arange(10).to_vector<int64_t>());
}

TEST_CASE("tensor: dtype conversion, copy_ and contiguous") {
  Tensor a = tensor({1.5, -2.5, 3.0});
  CHECK(a.to(kInt64).to_vector<int64_t>() == std::vector<int64_t>{1, -2, 3});
  CHECK(a.to(kFloat64).dtype() == kFloat64);
  Tensor b = zeros({2, 3});
  b.copy_(tensor({1.0, 2.0, 3.0}));  // broadcasts
  CHECK(b.to_vector<float>() == std::vector<float>{1, 2, 3, 1, 2, 3});
  Tensor t = b.t();
  CHECK_FALSE(t.is_contiguous());
  Tensor c = t.contiguous();
  CHECK(c.is_contiguous());
  CHECK(c.to_vector<float>() == std::vector<float>{1, 1, 2, 2, 3, 3});
  CHECK_THROWS_AS(b.copy_(zeros({4})), Error);
}

TEST_CASE("tensor: printing follows PyTorch's repr") {
  CHECK(fmt::format("{}", tensor({1.0, 2.5, -3.0})) == "tensor([ 1.0000,  2.5000, -3.0000])");
  CHECK(fmt::format("{}", tensor({1, 2, 3, 4}, {2, 2})) == "tensor([[1., 2.],\n        [3., 4.]])");
  CHECK(fmt::format("{}", arange(3)) == "tensor([0, 1, 2])");
  CHECK(fmt::format("{}", scalar_tensor(2.0, kFloat64)) == "tensor(2., dtype=float64)");
  Tensor x = tensor({1.0}).requires_grad_();
  CHECK(fmt::format("{}", x) == "tensor([1.], requires_grad=True)");
  CHECK(fmt::format("{}", x * 2.0) == "tensor([2.], grad_fn=<mul>)");
  std::ostringstream os;
  os << tensor(std::vector<bool>{true, false});
  CHECK(os.str() == "tensor([ True, False])");  // right-aligned, as PyTorch
}

TEST_CASE("tensor: a thread's buffer cache is bounded in bytes, the rest is shared with other threads") {
  pool_release_cached();
  {
    std::vector<Tensor> big;
    for (int i = 0; i < 16; ++i) big.push_back(Tensor::empty({1 << 18}));  // 1 MiB each
  }
  // At most 4 MiB stay with this thread; the rest went to the shared lists,
  // where a thread that allocates them (another BiLSTM direction) finds them.
  CHECK(pool_stats().cached_bytes >= (size_t(12) << 20));
  const size_t misses = pool_stats().misses;
  std::thread other([] {
    std::vector<Tensor> again;
    for (int i = 0; i < 12; ++i) again.push_back(Tensor::empty({1 << 18}));
  });
  other.join();
  CHECK(pool_stats().misses == misses);
}

TEST_CASE("tensor: size() takes negative dims and rejects dims out of range") {
  const Tensor t = zeros({2, 3, 4});
  CHECK(t.size(0) == 2);
  CHECK(t.size(-1) == 4);
  CHECK(t.size(-3) == 2);
  CHECK_ERROR(t.size(3), "size", "dim 3", "3 dims");
  CHECK_ERROR(t.size(-4), "size", "dim -4");
  CHECK_ERROR(tensor({1.0}).sum().size(0), "size", "0-dim");
}

TEST_CASE("tensor: the buffer pool reuses freed buffers") {
  { Tensor warm = zeros({1000}); }
  auto before = pool_stats();
  for (int i = 0; i < 10; ++i) Tensor t = zeros({1000});
  auto after = pool_stats();
  CHECK(after.hits - before.hits == 10);
  CHECK(after.misses == before.misses);
}

TEST_CASE("tensor: shapes too large for memory and unrepresentable fills are errors") {
  const int64_t big = int64_t(1) << 31;
  CHECK_ERROR(zeros({big, big, 4}), "empty", "too many elements");
  CHECK_ERROR(expand(ones({1}), {big, big, 4}).contiguous(), "too many elements");
  CHECK_ERROR(full({2}, 1e30, kInt64), "fill_", "int64", "overflow");
  CHECK_ERROR(zeros({2}, kInt64).fill_(std::nan("")), "fill_", "nan");
  CHECK(full({1}, -9.0e18, kInt64).to_vector<int64_t>()[0] == int64_t(-9.0e18));
  CHECK_ERROR(masked_fill(zeros({2}, kInt64), ones({2}, kBool), 1e30), "masked_fill", "overflow");
  CHECK_ERROR(uniform({2}, 1.0, 0.0), "uniform", "low <= high");
  CHECK_ERROR(clamp(zeros({2}, kInt64), std::nullopt, 1e30), "clamp", "int64");
  CHECK(clamp(tensor(std::vector<int64_t>{-5, 5}), -2.0, 3.0).to_vector<int64_t>() == std::vector<int64_t>{-2, 3});
  // The widest integer range does not overflow.
  const auto wide = randint(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), {64});
  CHECK(wide.numel() == 64);
}

TEST_CASE("tensor: a strided gradient given to set_grad is stored dense") {
  Tensor p = zeros({4, 4}).requires_grad_();
  p.set_grad(expand(full({1}, 5.0), {4, 4}));
  CHECK(p.grad().is_contiguous());
  optim::clip_grad_value_({p}, 1.0);
  CHECK(p.grad().to_vector<float>() == std::vector<float>(16, 1.0f));
  Tensor wide = full({4, 8}, 5.0);
  p.set_grad(wide.narrow(1, 0, 4));
  optim::clip_grad_norm_({p}, 4.0);  // norm 20 -> 4: every element 1
  for (float v : p.grad().to_vector<float>()) CHECK(v == doctest::Approx(1.0f).epsilon(1e-4));
  CHECK(wide.to_vector<float>() == std::vector<float>(32, 5.0f));  // the view's base is untouched
}

TEST_CASE("tensor: a buffer freed after its thread's cache is destroyed goes to the shared list") {
  // A thread_local tensor declared before the first allocation outlives the
  // thread's buffer cache: its buffer must not go into the destroyed cache
  // (a heap use-after-free, seen by ASan) but to the shared list.
  pool_release_cached();
  std::thread worker([] {
    thread_local Tensor keep;
    { Tensor scratch = Tensor::empty({1000}); }
    keep = Tensor::empty({1 << 20});  // 4 MiB: the only buffer of its bucket
  });
  worker.join();
  CHECK(pool_stats().cached_bytes >= (size_t(4) << 20) + 4096);
  pool_release_cached();
}

TEST_CASE("tensor: integer reads are exact, and values with no integer are errors") {
  const int64_t big = (int64_t(1) << 53) + 1;  // not representable as a double
  Tensor t = tensor(std::vector<int64_t>{big, -big, INT64_MAX});
  CHECK(t[0].item<int64_t>() == big);
  CHECK(t.at<int64_t>({1}) == -big);
  CHECK(t.at<int64_t>({-1}) == INT64_MAX);
  CHECK(t.to_vector<int64_t>() == std::vector<int64_t>{big, -big, INT64_MAX});
  // A strided element is read where it is.
  Tensor m = tensor(std::vector<int64_t>{1, 2, 3, 4, 5, 6}, {2, 3}).t();
  CHECK(m.at<int64_t>({2, 1}) == 6);
  CHECK(m.at<int64_t>({0, 1}) == 4);

  Tensor f = tensor({NAN, INFINITY, 1e30, 2.5}, {4}, kFloat64);
  CHECK_ERROR(f[0].item<int64_t>(), "item", "nan", "no int64 value");
  CHECK_ERROR(f.at<int64_t>({1}), "at", "inf");
  CHECK_ERROR(f[2].item<int>(), "item", "no int value");
  CHECK_ERROR(f.to(kInt64), "to", "nan", "no int64 value");
  CHECK_ERROR(f.to_vector<int64_t>(), "to_vector", "nan");
  CHECK(f[3].item<int64_t>() == 2);  // truncation toward zero, as PyTorch's int()
  CHECK_ERROR(t[0].item<int>(), "item", "does not fit in an int");
  CHECK(f.to(kBool).to_vector<bool>() == std::vector<bool>{true, true, true, true});
  CHECK(tensor({-1.5, 0.0}, {2}, kFloat64).to(kInt64).to_vector<int64_t>() == std::vector<int64_t>{-1, 0});
}
