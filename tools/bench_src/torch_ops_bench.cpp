// The same measurements as spool_ops_bench.cpp, in LibTorch.
#include <torch/torch.h>

#include "timing.hpp"

int main() {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  torch::Tensor a = torch::randn({1, 64}, torch::requires_grad());
  torch::Tensor b = torch::randn({1, 64}, torch::requires_grad());
  constexpr int kChain = 100;
  torch::Tensor seed = torch::ones({1, 64});

  bench::report("add_forward", bench::ns_per_op([&] { torch::Tensor c = a + b; }, 1));
  bench::report("add_forward_backward", bench::ns_per_op(
                                            [&] {
                                              torch::Tensor x = a;
                                              for (int i = 0; i < kChain; ++i) x = x + b;
                                              x.backward(seed);
                                            },
                                            kChain));
  bench::report("mul_forward_backward", bench::ns_per_op(
                                            [&] {
                                              torch::Tensor x = a;
                                              for (int i = 0; i < kChain; ++i) x = x * b;
                                              x.backward(seed);
                                            },
                                            kChain));
  bench::report("tanh_forward_backward", bench::ns_per_op(
                                             [&] {
                                               torch::Tensor x = a;
                                               for (int i = 0; i < kChain; ++i) x = torch::tanh(x);
                                               x.backward(seed);
                                             },
                                             kChain));
  bench::report("single_add_sum_backward", bench::ns_per_op([&] { (a + b).sum().backward(); }, 1));
  return 0;
}
