#include "format.hpp"

#include <cmath>

#include "autograd.hpp"
#include "kernels.hpp"

namespace spool {

namespace {

// PyTorch prints floats with 4 decimals, or in scientific notation when the
// magnitudes span a wide range.
struct FloatStyle {
  bool integral = true, scientific = false;
};

FloatStyle style_for(const std::vector<double>& v) {
  FloatStyle s;
  double lo = INFINITY, hi = 0;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    if (x != std::floor(x)) s.integral = false;
    double a = std::fabs(x);
    if (a > 0) lo = std::min(lo, a);
    hi = std::max(hi, a);
  }
  s.scientific = hi >= 1e8 || (lo < 1e-4 && !s.integral) || (lo > 0 && hi / lo > 1e3 && !s.integral);
  return s;
}

std::string format_value(double x, ScalarType dtype, const FloatStyle& s) {
  if (dtype == kInt64) return fmt::format("{}", static_cast<int64_t>(x));
  if (dtype == kBool) return x != 0 ? "True" : "False";
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (s.scientific) return fmt::format("{:.4e}", x);
  if (s.integral) return fmt::format("{:.0f}.", x);
  return fmt::format("{:.4f}", x);
}

void format_dim(std::string& out, const std::vector<std::string>& cells, size_t width, const Shape& sizes, int d,
                int64_t& pos, int indent) {
  out += '[';
  const int64_t n = sizes[d];
  for (int64_t i = 0; i < n; ++i) {
    if (d + 1 == sizes.size()) {
      const std::string& c = cells[pos++];
      out += std::string(width - c.size(), ' ') + c;
      if (i + 1 < n) out += ", ";
    } else {
      format_dim(out, cells, width, sizes, d + 1, pos, indent + 1);
      if (i + 1 < n) out += "," + std::string(sizes.size() - d - 1, '\n') + std::string(indent + 1, ' ');
    }
  }
  out += ']';
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  std::vector<double> v(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = kernels::get_as_double(t, i);
  const FloatStyle style = style_for(v);
  std::vector<std::string> cells;
  size_t width = 0;
  for (double x : v) {
    cells.push_back(format_value(x, t.dtype(), style));
    width = std::max(width, cells.back().size());
  }
  std::string out = "tensor(";
  if (t.dim() == 0) {
    out += cells[0];
  } else {
    int64_t pos = 0;
    format_dim(out, cells, width, t.sizes(), 0, pos, 7);
  }
  if (t.dtype() == kFloat64) out += ", dtype=float64";
  if (t.dtype() == kInt64 && t.numel() == 0) out += ", dtype=int64";
  if (!t.grad_fn_name().empty()) {
    out += fmt::format(", grad_fn=<{}>", t.grad_fn_name());
  } else if (t.requires_grad()) {
    out += ", requires_grad=True";
  }
  return out + ")";
}

}  // namespace spool
