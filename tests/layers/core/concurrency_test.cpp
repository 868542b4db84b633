// One model run from several threads at once: forward (which also notes each
// layer's output shape for summary()) and backward into shared parameters.
#include <atomic>
#include <thread>

#include "test_util.hpp"

using namespace spool;

namespace {
// The LSTM's parameter gradients, concatenated.
std::vector<double> grads_of(nn::LSTM& lstm) {
  std::vector<double> out;
  for (const Tensor& p : lstm.parameters()) {
    auto v = p.grad().to_vector<double>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}
}  // namespace

TEST_CASE("concurrency: backward from four threads through one LSTM gives four times one thread's gradients") {
  manual_seed(3);
  nn::LSTM lstm(nn::LSTMOptions(8, 16));
  const Tensor x = randn({12, 2, 8});
  auto step = [&] { lstm(x).output.pow(2).sum().backward(); };
  lstm.zero_grad();
  step();
  std::vector<double> one = grads_of(lstm);
  const int rounds = spool::testing::stress_rounds(10);
  for (int r = 0; r < rounds; ++r) {
    lstm.zero_grad();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back(step);
    for (auto& th : threads) th.join();
    const std::vector<double> four = grads_of(lstm);
    REQUIRE(four.size() == one.size());
    double worst = 0;
    for (size_t i = 0; i < one.size(); ++i)
      worst = std::max(worst, std::abs(four[i] - 4 * one[i]) / (1e-3 + std::abs(4 * one[i])));
    INFO("round " << r);
    CHECK(worst < 1e-4);
  }
}

TEST_CASE("concurrency: forward of one model from four threads, with summary() read meanwhile") {
  manual_seed(4);
  nn::Sequential net(nn::Linear(6, 12), nn::Tanh(), nn::Linear(12, 3));
  const Tensor x = randn({5, 6});
  const std::vector<float> want = net(x).to_vector<float>();
  const int rounds = spool::testing::stress_rounds(20);
  std::atomic<int> wrong{0};
  for (int r = 0; r < rounds; ++r) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int k = 0; k < 20; ++k) wrong += net(x).to_vector<float>() != want;
      });
    threads.emplace_back([&] {
      for (int k = 0; k < 20; ++k) wrong += net.summary().find("[5, 3]") == std::string::npos;
    });
    for (auto& th : threads) th.join();
  }
  CHECK(wrong.load() == 0);
}
