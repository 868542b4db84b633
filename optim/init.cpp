#include "init.hpp"

#include <array>
#include <cmath>
#include <vector>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "../framework/core/autograd.hpp"
#include "../framework/core/random.hpp"

namespace spool::optim::init {

namespace {

struct Fans {
  double in, out;
};

Fans fans_of(const Tensor& t, const char* op) {
  SPOOL_CHECK(t.dim() >= 2, op, "needs a tensor of at least 2 dims, got shape {}", t.sizes());
  double receptive = 1;
  for (int d = 2; d < t.dim(); ++d) receptive *= static_cast<double>(t.size(d));
  return {t.size(1) * receptive, t.size(0) * receptive};
}

double gain_of(const std::string& nonlinearity, double a) {
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1 + a * a));
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "linear" || nonlinearity == "sigmoid") return 1.0;
  detail::fail("kaiming", "unsupported nonlinearity \"{}\"", nonlinearity);
}

double kaiming_std(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity,
                   const char* op) {
  SPOOL_CHECK(mode == "fan_in" || mode == "fan_out", op, "mode must be fan_in or fan_out, got {}", mode);
  const Fans f = fans_of(t, op);
  return gain_of(nonlinearity, a) / std::sqrt(mode == "fan_in" ? f.in : f.out);
}

}  // namespace

void uniform_(const Tensor& t, double a, double b) {
  Tensor x = t;  // a handle: fills the caller's tensor
  spool::uniform_(x, a, b);
}
void normal_(const Tensor& t, double mean, double std) {
  Tensor x = t;
  spool::normal_(x, mean, std);
}
void constant_(const Tensor& t, double value) {
  NoGradGuard g;
  Tensor x = t;
  x.fill_(value);
}
void zeros_(const Tensor& t) { constant_(t, 0.0); }
void ones_(const Tensor& t) { constant_(t, 1.0); }

void xavier_uniform_(const Tensor& t, double gain) {
  const Fans f = fans_of(t, "xavier_uniform_");
  const double bound = gain * std::sqrt(6.0 / (f.in + f.out));
  uniform_(t, -bound, bound);
}

void xavier_normal_(const Tensor& t, double gain) {
  const Fans f = fans_of(t, "xavier_normal_");
  normal_(t, 0.0, gain * std::sqrt(2.0 / (f.in + f.out)));
}

void kaiming_uniform_(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity) {
  const double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nonlinearity, "kaiming_uniform_");
  uniform_(t, -bound, bound);
}

void kaiming_normal_(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity) {
  normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity, "kaiming_normal_"));
}

void orthogonal_(const Tensor& t, double gain) {
  SPOOL_CHECK(t.dim() >= 2, "orthogonal_", "needs a tensor of at least 2 dims, got shape {}", t.sizes());
  if (t.numel() == 0) return;  // nothing to fill (PyTorch: a no-op)
  const int64_t rows = t.size(0), cols = t.numel() / rows;
  // As torch.nn.init.orthogonal_: QR (LAPACK, through xtensor-blas) of a
  // normal [rows, cols] sample in its tall orientation, each column of Q
  // multiplied by the sign of R's diagonal entry so that the result is
  // uniformly distributed (Q alone leans on LAPACK's sign convention).
  const std::vector<double> sample = randn({rows, cols}, kFloat64).to_vector<double>();
  const std::array<size_t, 2> shape{static_cast<size_t>(rows), static_cast<size_t>(cols)};
  xt::xtensor<double, 2> a = xt::adapt(sample, shape);
  if (rows < cols) a = xt::transpose(a);
  auto [q, r] = xt::linalg::qr(a);  // q [m, n] with orthonormal columns, r [n, n]
  for (size_t j = 0; j < q.shape(1); ++j)
    if (r(j, j) < 0) xt::view(q, xt::all(), j) *= -1.0;
  xt::xtensor<double, 2> w = rows < cols ? xt::xtensor<double, 2>(xt::transpose(q)) : xt::xtensor<double, 2>(q);
  w *= gain;
  NoGradGuard g;
  Tensor x = t;
  x.copy_(tensor(std::vector<double>(w.begin(), w.end()), t.sizes(), kFloat64));
}

}  // namespace spool::optim::init
