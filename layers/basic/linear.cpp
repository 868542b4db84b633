#include "linear.hpp"

#include <cmath>

#include "../../framework/core/random.hpp"
#include "../../ops/ops.hpp"

namespace spool::nn {

Linear::Linear(const LinearOptions& o) : Module("Linear"), options_(o) {
  SPOOL_CHECK(o.in_features() > 0 && o.out_features() > 0, "Linear", "sizes must be positive, got in={} out={}",
              o.in_features(), o.out_features());
  // PyTorch's default: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), same bound for the bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(o.in_features()));
  weight = register_parameter("weight", uniform({o.out_features(), o.in_features()}, -bound, bound));
  if (o.bias()) bias = register_parameter("bias", uniform({o.out_features()}, -bound, bound));
}

Tensor Linear::forward(const Tensor& x) {
  check_defined("Linear");
  Tensor y = linear(x, weight, bias);
  note_output_shape(y.sizes());
  return y;
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", options_.in_features(), options_.out_features(),
                     bias.defined() ? "True" : "False");
}

}  // namespace spool::nn
