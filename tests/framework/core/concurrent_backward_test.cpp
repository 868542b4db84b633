// Backward runs from several threads into shared leaves (a model's
// parameters): every contribution must land (README "Design": one model may
// be run from several threads).
#include <algorithm>
#include <thread>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("concurrent backward: four threads into one leaf add every gradient exactly") {
  Tensor w = zeros({1 << 20}).requires_grad_();
  const int rounds = spool::testing::stress_rounds(30);
  int short_rounds = 0;
  for (int r = 0; r < rounds; ++r) {
    w.set_grad(Tensor());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&] { (w * 1.0).sum().backward(); });
    for (auto& th : threads) th.join();
    const std::vector<float> g = w.grad().to_vector<float>();
    const auto [lo, hi] = std::minmax_element(g.begin(), g.end());
    short_rounds += *lo != 4.0f || *hi != 4.0f;
  }
  CHECK(short_rounds == 0);
}
