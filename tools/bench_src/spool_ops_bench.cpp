// Cost of tiny recorded ops in spool: two [1, 64] float32 tensors with
// requires_grad, one thread. Prints "RESULT <name> <ns per op>".
#include <spool/spool.hpp>

#include "timing.hpp"

using namespace spool;

int main() {
  set_num_threads(1);
  manual_seed(0);
  Tensor a = randn({1, 64}).requires_grad_();
  Tensor b = randn({1, 64}).requires_grad_();
  constexpr int kChain = 100;

  bench::report("add_forward", bench::ns_per_op([&] { Tensor c = a + b; }, 1));
  bench::report("add_forward_backward", bench::ns_per_op(
                                            [&] {
                                              Tensor x = a;
                                              for (int i = 0; i < kChain; ++i) x = x + b;
                                              x.backward(ones({1, 64}));
                                            },
                                            kChain));
  bench::report("mul_forward_backward", bench::ns_per_op(
                                            [&] {
                                              Tensor x = a;
                                              for (int i = 0; i < kChain; ++i) x = x * b;
                                              x.backward(ones({1, 64}));
                                            },
                                            kChain));
  bench::report("tanh_forward_backward", bench::ns_per_op(
                                             [&] {
                                               Tensor x = a;
                                               for (int i = 0; i < kChain; ++i) x = tanh(x);
                                               x.backward(ones({1, 64}));
                                             },
                                             kChain));
  bench::report("single_add_sum_backward", bench::ns_per_op([&] { (a + b).sum().backward(); }, 1));
  return 0;
}
