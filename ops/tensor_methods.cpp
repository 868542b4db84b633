// The method forms declared on Tensor (x.sum(), x.view(...)) call the ops.
#include "../framework/core/kernels.hpp"
#include "ops.hpp"

namespace spool {

Tensor Tensor::reshape(const Shape& s) const { return spool::reshape(*this, s); }
Tensor Tensor::view(const Shape& s) const { return spool::view(*this, s); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return spool::transpose(*this, a, b); }
Tensor Tensor::permute(const Shape& dims) const { return spool::permute(*this, dims); }
Tensor Tensor::squeeze(int64_t d) const { return spool::squeeze(*this, d); }
Tensor Tensor::unsqueeze(int64_t d) const { return spool::unsqueeze(*this, d); }
Tensor Tensor::narrow(int64_t d, int64_t s, int64_t l) const { return spool::narrow(*this, d, s, l); }
Tensor Tensor::select(int64_t d, int64_t i) const { return spool::select(*this, d, i); }
Tensor Tensor::expand(const Shape& s) const { return spool::expand(*this, s); }
Tensor Tensor::sum() const { return spool::sum(*this); }
Tensor Tensor::sum(int64_t d, bool k) const { return spool::sum(*this, d, k); }
Tensor Tensor::mean() const { return spool::mean(*this); }
Tensor Tensor::mean(int64_t d, bool k) const { return spool::mean(*this, d, k); }
Tensor Tensor::matmul(const Tensor& o) const { return spool::matmul(*this, o); }
Tensor Tensor::exp() const { return spool::exp(*this); }
Tensor Tensor::log() const { return spool::log(*this); }
Tensor Tensor::tanh() const { return spool::tanh(*this); }
Tensor Tensor::sigmoid() const { return spool::sigmoid(*this); }
Tensor Tensor::relu() const { return spool::relu(*this); }
Tensor Tensor::pow(Scalar e) const { return spool::pow(*this, e); }
Tensor Tensor::abs() const { return spool::abs(*this); }
Tensor Tensor::sqrt() const { return spool::sqrt(*this); }
Tensor Tensor::neg() const { return spool::neg(*this); }
Tensor Tensor::flatten(int64_t s, int64_t e) const { return spool::flatten(*this, s, e); }
Tensor Tensor::squeeze() const { return spool::squeeze(*this); }
std::vector<Tensor> Tensor::chunk(int64_t n, int64_t d) const { return spool::chunk(*this, n, d); }
std::vector<Tensor> Tensor::split(int64_t n, int64_t d) const { return spool::split(*this, n, d); }
std::vector<Tensor> Tensor::unbind(int64_t d) const { return spool::unbind(*this, d); }
Tensor Tensor::repeat(const Shape& r) const { return spool::repeat(*this, r); }
Tensor Tensor::repeat_interleave(int64_t r, std::optional<int64_t> d) const { return spool::repeat_interleave(*this, r, d); }
Tensor Tensor::index_select(int64_t d, const Tensor& i) const { return spool::index_select(*this, d, i); }
Tensor Tensor::gather(int64_t d, const Tensor& i) const { return spool::gather(*this, d, i); }
Tensor Tensor::tril(int64_t k) const { return spool::tril(*this, k); }
Tensor Tensor::triu(int64_t k) const { return spool::triu(*this, k); }
Tensor Tensor::sum(const Shape& dims, bool k) const { return spool::sum(*this, dims, k); }
Tensor Tensor::mean(const Shape& dims, bool k) const { return spool::mean(*this, dims, k); }
Tensor Tensor::max() const { return spool::max(*this); }
Tensor Tensor::min() const { return spool::min(*this); }
ValuesIndices Tensor::max(int64_t d, bool k) const { return spool::max(*this, d, k); }
ValuesIndices Tensor::min(int64_t d, bool k) const { return spool::min(*this, d, k); }
Tensor Tensor::argmax(int64_t d, bool k) const { return spool::argmax(*this, d, k); }
Tensor Tensor::logsumexp(int64_t d, bool k) const { return spool::logsumexp(*this, d, k); }
Tensor Tensor::cumsum(int64_t d) const { return spool::cumsum(*this, d); }
Tensor Tensor::cumprod(int64_t d) const { return spool::cumprod(*this, d); }
Tensor Tensor::norm(double p, std::optional<int64_t> d, bool k) const { return spool::norm(*this, p, d, k); }
Tensor Tensor::any() const { return spool::any(*this); }
Tensor Tensor::all() const { return spool::all(*this); }
ValuesIndices Tensor::sort(int64_t d, bool desc) const { return spool::sort(*this, d, desc); }
Tensor Tensor::argsort(int64_t d, bool desc) const { return spool::argsort(*this, d, desc); }
ValuesIndices Tensor::topk(int64_t k, int64_t d, bool largest) const { return spool::topk(*this, k, d, largest); }
Tensor Tensor::softmax(int64_t d) const { return spool::softmax(*this, d); }
Tensor Tensor::log_softmax(int64_t d) const { return spool::log_softmax(*this, d); }
Tensor Tensor::masked_fill(const Tensor& m, double v) const { return spool::masked_fill(*this, m, v); }
Tensor Tensor::clamp(std::optional<double> lo, std::optional<double> hi) const { return spool::clamp(*this, lo, hi); }
Tensor Tensor::mm(const Tensor& o) const { return spool::mm(*this, o); }
Tensor Tensor::bmm(const Tensor& o) const { return spool::bmm(*this, o); }
Tensor Tensor::square() const { return spool::square(*this); }
Tensor Tensor::sin() const { return spool::sin(*this); }
Tensor Tensor::cos() const { return spool::cos(*this); }
Tensor Tensor::floor() const { return spool::floor(*this); }
Tensor Tensor::ceil() const { return spool::ceil(*this); }
Tensor Tensor::round() const { return spool::round(*this); }
Tensor Tensor::sign() const { return spool::sign(*this); }
Tensor Tensor::reciprocal() const { return spool::reciprocal(*this); }
Tensor Tensor::rsqrt() const { return spool::rsqrt(*this); }
Tensor Tensor::log1p() const { return spool::log1p(*this); }
Tensor Tensor::expm1() const { return spool::expm1(*this); }
Tensor Tensor::logical_not() const { return spool::logical_not(*this); }
Tensor Tensor::eq(const Tensor& o) const { return spool::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return spool::ne(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return spool::lt(*this, o); }
Tensor Tensor::le(const Tensor& o) const { return spool::le(*this, o); }
Tensor Tensor::gt(const Tensor& o) const { return spool::gt(*this, o); }
Tensor Tensor::ge(const Tensor& o) const { return spool::ge(*this, o); }

namespace {
// this = op(this, other) in place: the result must keep this tensor's dtype
// and shape (no broadcast of this, no promotion beyond it), as PyTorch's.
Tensor& in_place(Tensor& self, const char* op, const Tensor& result, bool operand_grad) {
  detail::check_inplace(self, op);
  SPOOL_CHECK(!(GradMode::is_enabled() && operand_grad), op,
              "the operand requires grad and an in-place op is not recorded; write x = x + y instead (shape {})",
              self.sizes());
  SPOOL_CHECK(result.sizes() == self.sizes(), op, "the result's shape {} does not fit the tensor's shape {}",
              result.sizes(), self.sizes());
  SPOOL_CHECK(result.dtype() == self.dtype(), op, "the result type {} cannot be stored in a {} tensor",
              dtype_name(result.dtype()), dtype_name(self.dtype()));
  kernels::copy_into(self, result);
  self.impl().storage->bump_version();
  return self;
}
template <typename F>
Tensor compute(F&& f) {
  NoGradGuard no_grad;
  return f();
}
}  // namespace

Tensor& Tensor::add_(const Tensor& o) { return in_place(*this, "add_", compute([&] { return *this + o; }), o.requires_grad()); }
Tensor& Tensor::add_(Scalar o) { return in_place(*this, "add_", compute([&] { return *this + o; }), false); }
Tensor& Tensor::sub_(const Tensor& o) { return in_place(*this, "sub_", compute([&] { return *this - o; }), o.requires_grad()); }
Tensor& Tensor::sub_(Scalar o) { return in_place(*this, "sub_", compute([&] { return *this - o; }), false); }
Tensor& Tensor::mul_(const Tensor& o) { return in_place(*this, "mul_", compute([&] { return *this * o; }), o.requires_grad()); }
Tensor& Tensor::mul_(Scalar o) { return in_place(*this, "mul_", compute([&] { return *this * o; }), false); }
Tensor& Tensor::div_(const Tensor& o) { return in_place(*this, "div_", compute([&] { return *this / o; }), o.requires_grad()); }
Tensor& Tensor::div_(Scalar o) { return in_place(*this, "div_", compute([&] { return *this / o; }), false); }
Tensor& Tensor::clamp_(std::optional<double> lo, std::optional<double> hi) {
  return in_place(*this, "clamp_", compute([&] { return spool::clamp(*this, lo, hi); }), false);
}

}  // namespace spool
