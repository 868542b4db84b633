#include "test_util.hpp"

using namespace spool;

namespace {
// softplus(x) = log(1 + e^x), defined outside the library's ops.
struct Softplus : Function<Softplus> {
  static constexpr const char* name = "softplus";
  static Tensor forward(AutogradContext& ctx, const Tensor& x, double beta) {
    ctx.save_for_backward({x});
    ctx.saved_data["beta"] = beta;
    return log(exp(x * beta) + 1.0) / beta;
  }
  static Grads backward(AutogradContext& ctx, const Tensor& gy) {
    const double beta = std::any_cast<double>(ctx.saved_data["beta"]);
    return {gy * sigmoid(ctx.saved(0) * beta)};
  }
};
}  // namespace

TEST_CASE("custom op: forward is not recorded inside, backward is the user's") {
  Tensor x = spool::testing::leaf({3, 4}, 2);
  Tensor y = Softplus::apply(x, 2.0);
  CHECK(y.grad_fn_name() == "softplus");
  auto r = gradcheck([](const std::vector<Tensor>& v) { return Softplus::apply(v[0], 2.0); }, {x});
  INFO(r.report);
  CHECK(r.ok);
}
