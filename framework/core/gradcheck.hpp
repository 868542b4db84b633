// Finite-difference check of an op's backward, public so that users can check
// their own ops. For a fixed random upstream v it compares the analytic
// gradient of sum(f(inputs) * v) with central differences, element by element.
//
//   auto r = spool::gradcheck([](auto& in) { return spool::tanh(in[0]); },
//                             {spool::randn({3, 4}, spool::kFloat64).requires_grad_()});
//   if (!r) fmt::print("{}\n", r.report);
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace spool {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  uint64_t seed = 1234;  // of the random upstream gradient
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0;
  std::string report;  // names the worst element when !ok
  explicit operator bool() const { return ok; }
};

// `inputs` that require grad are checked; they should be float64.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace spool
