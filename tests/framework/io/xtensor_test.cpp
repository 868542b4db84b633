#include <spool/framework/io/xtensor.hpp>
#include <xtensor/xmath.hpp>

#include "test_util.hpp"

using namespace spool;

TEST_CASE("xtensor: views share the buffer and honour strides") {
  Tensor t = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  auto v = as_xtensor<float>(t.t());  // a transposed view, [3, 2]
  REQUIRE(v.shape().size() == 2);
  CHECK(v.shape()[0] == 3);
  CHECK(v(2, 1) == 6.0f);
  CHECK(v(0, 1) == 4.0f);
  {
    NoGradGuard guard;
    as_xtensor<float>(t)(0, 0) = 10.0f;  // writes through to the tensor
  }
  CHECK(t.at<float>({0, 0}) == 10.0f);
  CHECK_THROWS_AS(as_xtensor<double>(t), Error);
}

TEST_CASE("xtensor: expressions come back as tensors") {
  Tensor t = tensor({0.5, -1.0, 2.0}, {3}, kFloat64);
  xt::xarray<double> a = xt::tanh(as_xtensor<double>(t)) * 2.0;
  Tensor back = from_xtensor(a);
  CHECK(back.dtype() == kFloat64);
  CHECK(back.sizes() == Shape{3});
  spool::testing::check_close(back, {2 * std::tanh(0.5), 2 * std::tanh(-1.0), 2 * std::tanh(2.0)});
}
