// layer_norm with strided (non-contiguous) weight and bias gives the same
// values and gradients as with dense ones (both used to be read through
// temporary copies whose buffers the pool could hand on mid-loop).
#include "test_util.hpp"

using namespace spool;

TEST_CASE("layer_norm: strided weight and bias") {
  manual_seed(13);
  Tensor x = randn({3, 4}).requires_grad_();
  Tensor wide_w = randn({8}), wide_b = randn({8});
  Tensor w = slice(wide_w, 0, 0, 8, 2).requires_grad_(), b = slice(wide_b, 0, 1, 8, 2).requires_grad_();
  REQUIRE_FALSE(w.is_contiguous());
  Tensor wd = w.detach().contiguous().requires_grad_(), bd = b.detach().contiguous().requires_grad_();
  Tensor y = layer_norm(x, {4}, w, b), yd = layer_norm(x, {4}, wd, bd);
  CHECK(y.to_vector<float>() == yd.to_vector<float>());
  Tensor g = randn({3, 4});
  y.backward(g);
  Tensor gx = x.grad().clone();
  x.set_grad(Tensor());
  yd.backward(g);
  CHECK(gx.to_vector<float>() == x.grad().to_vector<float>());
  CHECK(w.grad().to_vector<float>() == wd.grad().to_vector<float>());
  CHECK(b.grad().to_vector<float>() == bd.grad().to_vector<float>());
}
