// Cost of tiny recorded ops in spool: a, b are [1, 64] float32 leaves with
// requires_grad; spool::set_num_threads(1). torch_bench_ops.cpp measures the
// same things in LibTorch. Prints "RESULT <name> <ns per op>" lines:
//   <op>_forward           c = a op b, recorded and dropped; ns per op
//   <op>_forward_backward  a chain of kChain ops, then x.sum().backward();
//                          ns per recorded op (total / (kChain + 1), the +1 is the sum)
//   single_add_sum_backward  (a + b).sum().backward(); ns per iteration
// b is uniform in [0.5, 1.5] so that b^100 (the mul chain and its gradients)
// stays a normal float: no denormals or infinities timing the FPU instead of
// the framework.
#include <cmath>
#include <cstdio>

#include <spool/spool.hpp>

#include "timing.hpp"

using namespace spool;

int main() {
  set_num_threads(1);
  manual_seed(0);
  Tensor a = randn({1, 64}).requires_grad_();
  Tensor b = uniform({1, 64}, 0.5, 1.5).requires_grad_();
  constexpr int kChain = 100;
  std::printf("CONFIG spool threads=%d trials=%d trial_seconds=%.2f chain=%d\n", num_threads(), bench::kTrials,
              bench::kTrialSeconds, kChain);

  bench::measure("add_forward", [&] { Tensor c = a + b; }, 1);
  bench::measure("mul_forward", [&] { Tensor c = a * b; }, 1);
  bench::measure("tanh_forward", [&] { Tensor c = tanh(a); }, 1);

  // kChain recorded ops and the sum, then one backward: ns per recorded op.
  auto chain = [&](auto step) {
    return [&a, &b, step] {
      Tensor x = a;
      for (int i = 0; i < kChain; ++i) x = step(x, b);
      x.sum().backward();
    };
  };
  bench::measure("add_forward_backward", chain([](const Tensor& x, const Tensor& y) { return x + y; }), kChain + 1);
  bench::measure("mul_forward_backward", chain([](const Tensor& x, const Tensor& y) { return x * y; }), kChain + 1);
  bench::measure("tanh_forward_backward", chain([](const Tensor& x, const Tensor&) { return tanh(x); }), kChain + 1);

  // One op, its sum and a backward: ns per iteration, not per op.
  bench::measure("single_add_sum_backward", [&] { (a + b).sum().backward(); }, 1);

  // Sanity check, outside the timings: the gradients are finite.
  for (const Tensor& g : {a.grad(), b.grad()})
    for (float v : g.to_vector<float>())
      if (!std::isfinite(v)) return std::fprintf(stderr, "spool_bench_ops: non-finite gradient\n"), 1;
  return 0;
}
