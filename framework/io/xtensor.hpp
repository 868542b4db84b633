// Interop with xtensor, for code that wants xtensor's expressions on spool
// data. Not part of spool.hpp (xtensor headers are heavy to compile):
//
//   #include <spool/framework/io/xtensor.hpp>
//   auto v = spool::as_xtensor<float>(t);          // view, no copy
//   xt::xarray<float> a = xt::tanh(v) + 1.0f;
//   spool::Tensor back = spool::from_xtensor(a);   // copy into a new tensor
#pragma once

#include <cstddef>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "../core/tensor.hpp"

namespace spool {

// The tensor's elements (any strides) as an xtensor view that shares its
// buffer; valid while the tensor's storage lives.
template <typename T>
auto as_xtensor(const Tensor& t) {
  std::vector<size_t> shape(t.sizes().begin(), t.sizes().end());
  std::vector<size_t> strides(t.strides().begin(), t.strides().end());
  size_t span = 1;  // elements reachable from the first one
  for (int d = 0; d < t.dim(); ++d)
    if (t.sizes()[d] > 0) span += static_cast<size_t>((t.sizes()[d] - 1) * t.strides()[d]);
  if (t.numel() == 0) span = 0;
  return xt::adapt(t.data_ptr<T>(), span, xt::no_ownership(), shape, strides);
}

// A contiguous copy into a new tensor of the matching dtype.
template <typename E>
Tensor from_xtensor(const xt::xexpression<E>& expr) {
  using T = typename E::value_type;
  const xt::xarray<T, xt::layout_type::row_major> a = expr.derived_cast();
  Shape sizes;
  for (size_t s : a.shape()) sizes.push_back(static_cast<int64_t>(s));
  Tensor t = Tensor::empty(sizes, dtype_of<T>::value);
  std::copy(a.begin(), a.end(), t.data_ptr<T>());
  return t;
}

}  // namespace spool
