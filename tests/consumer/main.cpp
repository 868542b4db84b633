// Built against an installed spool: one gradient through the public header.
#include <spool/spool.hpp>

int main() {
  auto x = spool::tensor({1.0, 2.0, 3.0}).requires_grad_();
  auto y = (x * x).sum();
  y.backward();
  auto g = x.grad().to_vector<float>();
  bool ok = g == std::vector<float>{2.f, 4.f, 6.f};
  fmt::print("consumer: grad {} -> {}\n", x.grad(), ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
