// The method forms declared on Tensor (x.sum(), x.view(...)) call the ops.
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

}  // namespace spool
