#include "timeseries.hpp"

#include <cmath>

#include "../core/autograd.hpp"
#include "../core/kernels.hpp"

namespace spool {

namespace {

// [N, F] float64 copy of a series (F = 1 for 1-D input).
std::vector<double> as_rows(const Tensor& x, int64_t& n, int64_t& f, const char* op) {
  SPOOL_CHECK(x.dim() == 1 || x.dim() == 2, op, "series must be [N] or [N, F], got shape {}", x.sizes());
  SPOOL_CHECK(x.is_floating_point(), op, "series must be floating, got {}", dtype_name(x.dtype()));
  n = x.size(0);
  f = x.dim() == 2 ? x.size(1) : 1;
  return x.to_vector<double>();
}

Tensor like(const std::vector<double>& v, const Shape& s, ScalarType dt) { return tensor(v, s, kFloat64).to(dt); }

}  // namespace

Windows sliding_windows(const Tensor& series, int64_t input_len, int64_t horizon, int64_t stride) {
  const char* op = "sliding_windows";
  SPOOL_CHECK(input_len > 0 && horizon > 0 && stride > 0, op,
              "input_len, horizon and stride must be positive, got {}, {}, {}", input_len, horizon, stride);
  int64_t n = 0, f = 0;
  auto v = as_rows(series, n, f, op);
  SPOOL_CHECK(input_len <= n && horizon <= n - input_len, op, "a series of {} steps is shorter than one window ({} + {})",
              n, input_len, horizon);
  const int64_t W = (n - input_len - horizon) / stride + 1;
  std::vector<double> in, out;
  for (int64_t w = 0; w < W; ++w) {
    const int64_t s = w * stride;
    in.insert(in.end(), v.begin() + s * f, v.begin() + (s + input_len) * f);
    out.insert(out.end(), v.begin() + (s + input_len) * f, v.begin() + (s + input_len + horizon) * f);
  }
  const bool flat = series.dim() == 1;
  return {like(in, flat ? Shape{W, input_len} : Shape{W, input_len, f}, series.dtype()),
          like(out, flat ? Shape{W, horizon} : Shape{W, horizon, f}, series.dtype())};
}

Tensor difference(const Tensor& series, int64_t lag) {
  int64_t n = 0, f = 0;
  auto v = as_rows(series, n, f, "difference");
  SPOOL_CHECK(lag > 0 && lag < n, "difference", "lag {} must be in [1, {})", lag, n);
  std::vector<double> d((n - lag) * f);
  for (int64_t i = 0; i < (n - lag) * f; ++i) d[i] = v[i + lag * f] - v[i];
  Shape s = series.sizes();
  s[0] = n - lag;
  return like(d, s, series.dtype());
}

Tensor inverse_difference(const Tensor& diffs, const Tensor& head, int64_t lag) {
  int64_t n = 0, f = 0, hn = 0, hf = 0;
  auto d = as_rows(diffs, n, f, "inverse_difference");
  auto h = as_rows(head, hn, hf, "inverse_difference");
  SPOOL_CHECK(hn == lag && hf == f, "inverse_difference", "head must hold the first {} steps ({} features), got shape {}",
              lag, f, head.sizes());
  std::vector<double> x = h;
  x.resize((n + lag) * f);
  for (int64_t i = lag * f; i < (n + lag) * f; ++i) x[i] = x[i - lag * f] + d[i - lag * f];
  Shape s = diffs.sizes();
  s[0] = n + lag;
  return like(x, s, diffs.dtype());
}

void StandardScaler::fit(const Tensor& train) {
  int64_t n = 0, f = 0;
  auto v = as_rows(train, n, f, "StandardScaler::fit");
  SPOOL_CHECK(n > 0, "StandardScaler::fit", "empty training split");
  std::vector<double> m(f, 0), s(f, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) m[j] += v[i * f + j] / n;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) s[j] += (v[i * f + j] - m[j]) * (v[i * f + j] - m[j]) / n;
  for (double& x : s) x = x > 0 ? std::sqrt(x) : 1.0;  // constant features pass through
  mean = like(m, {f}, train.dtype());
  std = like(s, {f}, train.dtype());
}

namespace {
Tensor affine(const Tensor& x, const Tensor& shift, const Tensor& scale, bool inverse, const char* op) {
  SPOOL_CHECK(shift.defined(), op, "fit() first");
  const int64_t f = x.dim() == 2 ? x.size(1) : 1;
  SPOOL_CHECK(f == shift.numel() && (x.dim() == 1 || x.dim() == 2), op, "expected [N] or [N, {}], got shape {}",
              shift.numel(), x.sizes());
  NoGradGuard g;
  const Tensor s = shift.to(x.dtype()), c = scale.to(x.dtype());
  if (x.dim() == 1) {
    const double a = s.item<double>(), b = c.item<double>();
    Tensor out = kernels::contiguous_copy(x);
    auto v = out.to_vector<double>();
    for (double& e : v) e = inverse ? e * b + a : (e - a) / b;
    return like(v, x.sizes(), x.dtype());
  }
  auto v = x.to_vector<double>();
  auto sv = s.to_vector<double>(), cv = c.to_vector<double>();
  for (size_t i = 0; i < v.size(); ++i) {
    const size_t j = i % sv.size();
    v[i] = inverse ? v[i] * cv[j] + sv[j] : (v[i] - sv[j]) / cv[j];
  }
  return like(v, x.sizes(), x.dtype());
}
}  // namespace

Tensor StandardScaler::transform(const Tensor& x) const { return affine(x, mean, std, false, "StandardScaler"); }
Tensor StandardScaler::inverse_transform(const Tensor& x) const { return affine(x, mean, std, true, "StandardScaler"); }

void MinMaxScaler::fit(const Tensor& train) {
  SPOOL_CHECK(high_ > low_, "MinMaxScaler", "range [{}, {}] is empty", low_, high_);
  int64_t n = 0, f = 0;
  auto v = as_rows(train, n, f, "MinMaxScaler::fit");
  SPOOL_CHECK(n > 0, "MinMaxScaler::fit", "empty training split");
  std::vector<double> lo(f, INFINITY), hi(f, -INFINITY);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) {
      lo[j] = std::min(lo[j], v[i * f + j]);
      hi[j] = std::max(hi[j], v[i * f + j]);
    }
  min = like(lo, {f}, train.dtype());
  max = like(hi, {f}, train.dtype());
}

namespace {
// x -> low + (x - min) * (high - low) / (max - min), as shift/scale of affine().
std::pair<Tensor, Tensor> minmax_affine(const Tensor& mn, const Tensor& mx, double low, double high) {
  SPOOL_CHECK(mn.defined(), "MinMaxScaler", "fit() first");
  auto a = mn.to_vector<double>(), b = mx.to_vector<double>();
  std::vector<double> shift(a.size()), scale(a.size());
  for (size_t j = 0; j < a.size(); ++j) {
    const double range = b[j] > a[j] ? b[j] - a[j] : 1.0;
    scale[j] = range / (high - low);
    shift[j] = a[j] - low * scale[j];
  }
  return {tensor(shift, {static_cast<int64_t>(a.size())}, kFloat64),
          tensor(scale, {static_cast<int64_t>(a.size())}, kFloat64)};
}
}  // namespace

Tensor MinMaxScaler::transform(const Tensor& x) const {
  auto [s, c] = minmax_affine(min, max, low_, high_);
  return affine(x, s, c, false, "MinMaxScaler");
}
Tensor MinMaxScaler::inverse_transform(const Tensor& x) const {
  auto [s, c] = minmax_affine(min, max, low_, high_);
  return affine(x, s, c, true, "MinMaxScaler");
}

TimeSplit time_split(const Tensor& series, double val, double test) {
  SPOOL_CHECK(val >= 0 && test >= 0 && val + test < 1, "time_split",
              "fractions must be >= 0 and leave a training part, got {} and {}", val, test);
  SPOOL_CHECK(series.dim() >= 1 && series.size(0) > 0, "time_split", "empty series of shape {}", series.sizes());
  const int64_t n = series.size(0);
  const auto n_test = static_cast<int64_t>(std::floor(n * test)), n_val = static_cast<int64_t>(std::floor(n * val));
  const int64_t n_train = n - n_val - n_test;
  SPOOL_CHECK(n_train > 0, "time_split", "no training steps left of {}", n);
  const Tensor s = series.detach();
  auto part = [&](int64_t start, int64_t len) {
    Shape shape = s.sizes();
    shape[0] = len;
    Tensor out = Tensor::empty(shape, s.dtype());
    if (len > 0) {
      NoGradGuard g;
      kernels::copy_into(out, kernels::strided_view(s, shape, s.strides(), s.storage_offset() + start * s.strides()[0]));
    }
    return out;
  };
  return {part(0, n_train), part(n_train, n_val), part(n_train + n_val, n_test)};
}

}  // namespace spool
