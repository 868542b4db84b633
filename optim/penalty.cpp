#include "penalty.hpp"

#include "../ops/ops.hpp"

namespace spool::optim {

namespace {
template <typename F>
Tensor total(const std::vector<Tensor>& params, double weight, const char* op, F term) {
  SPOOL_CHECK(!params.empty(), op, "needs at least one parameter");
  Tensor acc;
  for (const Tensor& p : params) {
    Tensor t = sum(term(p));
    acc = acc.defined() ? acc + t : t;
  }
  return acc * weight;
}
}  // namespace

Tensor l1_penalty(const std::vector<Tensor>& params, double weight) {
  return total(params, weight, "l1_penalty", [](const Tensor& p) { return abs(p); });
}

Tensor l2_penalty(const std::vector<Tensor>& params, double weight) {
  return total(params, weight, "l2_penalty", [](const Tensor& p) { return square(p); });
}

}  // namespace spool::optim
