#include "positional_encoding.hpp"

#include <cmath>

#include "../../ops/ops.hpp"

namespace spool::nn {

PositionalEncoding::PositionalEncoding(int64_t d_model, double dropout, int64_t max_len, bool batch_first)
    : Module("PositionalEncoding"), p(dropout), batch_first_(batch_first) {
  const char* op = "PositionalEncoding";
  SPOOL_CHECK(d_model > 0 && max_len > 0, op, "d_model and max_len must be positive, got {} and {}", d_model,
              max_len);
  SPOOL_CHECK(dropout >= 0 && dropout < 1, op, "dropout must be in [0, 1), got {}", dropout);
  std::vector<double> table(max_len * d_model);
  for (int64_t t = 0; t < max_len; ++t)
    for (int64_t i = 0; i < d_model; i += 2) {
      // The tutorial's div_term: exp(2i * -ln(10000) / d_model).
      const double angle = static_cast<double>(t) * std::exp(static_cast<double>(i) * -std::log(10000.0) / d_model);
      table[t * d_model + i] = std::sin(angle);
      if (i + 1 < d_model) table[t * d_model + i + 1] = std::cos(angle);
    }
  pe = register_buffer("pe", tensor(table, {max_len, d_model}, kFloat32));
}

Tensor PositionalEncoding::forward(const Tensor& x) {
  check_defined("PositionalEncoding");
  const char* op = "PositionalEncoding";
  const int64_t D = pe.size(1), T = x.dim() == 3 ? x.size(batch_first_ ? 1 : 0) : 0;
  SPOOL_CHECK(x.dim() == 3 && x.size(2) == D, op, "input must be {} with d_model = {}, got shape {}",
              batch_first_ ? "[B, T, d_model]" : "[T, B, d_model]", D, x.sizes());
  SPOOL_CHECK(T <= pe.size(0), op, "sequence of {} steps is longer than max_len {}", T, pe.size(0));
  SPOOL_CHECK(x.dtype() == pe.dtype(), op, "input is {}, the table is {} (convert the module with to())",
              dtype_name(x.dtype()), dtype_name(pe.dtype()));
  const Tensor table = narrow(pe, 0, 0, T);
  const Tensor y = x + (batch_first_ ? unsqueeze(table, 0) : unsqueeze(table, 1));
  note_output_shape(y.sizes());
  return dropout(y, p, is_training());
}

std::string PositionalEncoding::extra_repr() const {
  return fmt::format("d_model={}, max_len={}, dropout={}", pe.size(1), pe.size(0), static_cast<double>(p));
}

}  // namespace spool::nn
