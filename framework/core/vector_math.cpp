#include "vector_math.hpp"

#include "dtype.hpp"
#include "error.hpp"
#include "kernels.hpp"

namespace spool::kernels {

namespace {
constexpr PerIsa<VectorKernelSet> kSets{&vector_impl::avx512_kernels, &vector_impl::avx2_kernels,
                                        &vector_impl::sse2_kernels};
}  // namespace

const VectorKernelSet& vector_kernels() {
  static const VectorKernelSet& chosen = kSets(chosen_isa());
  return chosen;
}

std::vector<const VectorKernelSet*> available_vector_kernels() { return kSets.available(); }

Tensor map_vector(const Tensor& a, VecOp op, const char* name) {
  SPOOL_CHECK(op != VecOp::Add && op != VecOp::Sub && op != VecOp::Mul && op != VecOp::Div, name,
              "map_vector takes a unary function");
  return SPOOL_DISPATCH_FLOAT(a.dtype(), name, [&] {
    const auto apply = vector_kernels().of<scalar_t>().apply;
    Tensor out = Tensor::empty(a.sizes(), a.dtype());
    scalar_t* o = out.data_ptr<scalar_t>();
    if (a.dim() >= 2 && !a.is_contiguous() && a.strides()[a.dim() - 1] == 1) {
      // Rows contiguous (a gate chunk of a [B, 4H] tensor): each row at once.
      const scalar_t* x = a.data_ptr<scalar_t>();
      const int64_t row = a.size(-1);
      Shape outer = a.sizes(), outer_strides = a.strides();
      outer.erase(outer.size() - 1);
      outer_strides.erase(outer_strides.size() - 1);
      int64_t r = 0;
      for_each_offset<1>(outer, {outer_strides}, [&](int64_t off) { apply(op, x + off, x + off, o + (r++) * row, row); });
    } else {
      const Tensor c = a.is_contiguous() ? a : contiguous_copy(a);
      const scalar_t* x = c.data_ptr<scalar_t>();
      apply(op, x, x, o, c.numel());
    }
    return out;
  });
}

}  // namespace spool::kernels
