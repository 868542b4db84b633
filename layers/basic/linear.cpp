#include "linear.hpp"

#include <cmath>

#include "../../framework/core/random.hpp"
#include "../../ops/ops.hpp"

namespace spool::nn {

Linear::Linear(const LinearOptions& o) : Module("Linear"), options(o) {
  SPOOL_CHECK(o.in_features_ > 0 && o.out_features_ > 0, "Linear", "sizes must be positive, got in={} out={}",
              o.in_features_, o.out_features_);
  // PyTorch's default: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), same bound for the bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(o.in_features_));
  weight = register_parameter("weight", uniform({o.out_features_, o.in_features_}, -bound, bound));
  if (o.bias_) bias = register_parameter("bias", uniform({o.out_features_}, -bound, bound));
}

Tensor Linear::forward(const Tensor& x) {
  check_defined("Linear");
  Tensor y = linear(x, weight, bias);
  note_output_shape(y.sizes());
  return y;
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", options.in_features_, options.out_features_,
                     bias.defined() ? "True" : "False");
}

}  // namespace spool::nn
