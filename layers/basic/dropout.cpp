#include "dropout.hpp"

#include "../../ops/ops.hpp"

namespace spool::nn {

Dropout::Dropout(double p_) : Module("Dropout"), p(p_) {
  SPOOL_CHECK(p_ >= 0 && p_ <= 1, "Dropout", "probability must be in [0, 1], got {}", p_);
}
Tensor Dropout::forward(const Tensor& x) {
  check_defined("Dropout");
  note_output_shape(x.sizes());
  return dropout(x, p, is_training());
}
std::string Dropout::extra_repr() const { return fmt::format("p={}", p.get()); }

}  // namespace spool::nn
