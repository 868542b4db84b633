// The measurements of spool_bench_ops.cpp, in LibTorch: same shapes, same
// value ranges, same timing code, one intra-op and one inter-op thread.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cstdio>

#include "timing.hpp"

int main() {
  torch::set_num_threads(1);
  at::set_num_interop_threads(1);  // must precede any inter-op work
  torch::manual_seed(0);
  torch::Tensor a = torch::randn({1, 64}, torch::requires_grad());
  torch::Tensor b = (torch::rand({1, 64}) + 0.5).requires_grad_();  // uniform [0.5, 1.5]
  constexpr int kChain = 100;
  std::printf("CONFIG libtorch threads=%d interop_threads=%d trials=%d trial_seconds=%.2f chain=%d\n",
              at::get_num_threads(), at::get_num_interop_threads(), bench::kTrials, bench::kTrialSeconds, kChain);

  bench::measure("add_forward", [&] { torch::Tensor c = a + b; }, 1);
  bench::measure("mul_forward", [&] { torch::Tensor c = a * b; }, 1);
  bench::measure("tanh_forward", [&] { torch::Tensor c = torch::tanh(a); }, 1);

  // kChain recorded ops and the sum, then one backward: ns per recorded op.
  auto chain = [&](auto step) {
    return [&a, &b, step] {
      torch::Tensor x = a;
      for (int i = 0; i < kChain; ++i) x = step(x, b);
      x.sum().backward();
    };
  };
  bench::measure("add_forward_backward", chain([](const torch::Tensor& x, const torch::Tensor& y) { return x + y; }), kChain + 1);
  bench::measure("mul_forward_backward", chain([](const torch::Tensor& x, const torch::Tensor& y) { return x * y; }), kChain + 1);
  bench::measure("tanh_forward_backward", chain([](const torch::Tensor& x, const torch::Tensor&) { return torch::tanh(x); }), kChain + 1);

  // One op, its sum and a backward: ns per iteration, not per op.
  bench::measure("single_add_sum_backward", [&] { (a + b).sum().backward(); }, 1);

  // Sanity check, outside the timings: the gradients are finite.
  if (!torch::isfinite(a.grad()).all().item<bool>() || !torch::isfinite(b.grad()).all().item<bool>())
    return std::fprintf(stderr, "torch_bench_ops: non-finite gradient\n"), 1;
  return 0;
}
